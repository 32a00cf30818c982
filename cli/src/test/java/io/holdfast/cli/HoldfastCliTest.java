package io.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.PostgresServer;
import io.holdfast.testkit.PostgresServers;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code holdfast} end to end: each test runs the command as a process against a real server and
 * checks what it printed and its exit code. Redis is a server of this class's own, so that doctor's
 * tests may misconfigure it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HoldfastCliTest {
  private static RedisServer redis;
  private static String redisUri;
  private final String ns = "cli" + UUID.randomUUID().toString().substring(0, 8) + ":";

  @BeforeAll
  static void start() {
    redis = RedisServers.dedicated();
    redisUri = redis.uri().toURI().toString();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  private static LockService redisLocks() {
    return RedisLockService.builder(redis.uri()).build();
  }

  private static void config(String key, String value) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().configSet(key, value);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void help_onEveryCommand() {
    for (String[] cmd :
        List.of(
            new String[] {"--help"},
            new String[] {"locks", "--help"},
            new String[] {"locks", "list", "--help"},
            new String[] {"locks", "show", "--help"},
            new String[] {"locks", "release", "--help"},
            new String[] {"members", "list", "--help"},
            new String[] {"members", "watch", "--help"},
            new String[] {"leader", "--help"},
            new String[] {"bench", "--help"},
            new String[] {"doctor", "--help"})) {
      Cli.Result r = Cli.run(cmd);
      assertThat(r.exitCode()).as(String.join(" ", cmd) + "\n" + r).isZero();
      assertThat(r.out()).contains("Usage: holdfast");
    }
  }

  @Test
  void usageErrors_exit2() {
    Cli.Result none = Cli.run("locks", "list");
    assertThat(none.exitCode()).as(none.toString()).isEqualTo(2);
    assertThat(none.err()).contains("give exactly one of --redis, --zookeeper");
    Cli.Result unknown = Cli.run("locks", "frobnicate");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
  }

  @Test
  void unreachableBackend_exits3_withTheReason() {
    Cli.Result r =
        Cli.run("locks", "show", "x", "--redis", "redis://127.0.0.1:1", "--timeout", "PT1S");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
    assertThat(r.err()).contains("holdfast: ").contains("127.0.0.1:1");
  }

  @Test
  void locks_listShowRelease_onRedis() throws Exception {
    try (LockService app = redisLocks();
        LockHandle a = app.acquire(ns + "order:1", Duration.ZERO);
        LockHandle b = app.acquire(ns + "order:2", Duration.ZERO);
        LockHandle other = app.acquire(ns + "sku:9", Duration.ZERO)) {
      Cli.Result list = Cli.run("locks", "list", "--prefix", ns + "order:", "--redis", redisUri);
      assertThat(list.exitCode()).as(list.toString()).isZero();
      assertThat(list.out())
          .contains("NAME", "OWNER", "TOKEN", "LEASE LEFT")
          .contains(ns + "order:1", ns + "order:2", Long.toString(a.fencingToken()))
          .doesNotContain(ns + "sku:9")
          .contains("2 locks held");

      Cli.Result json =
          Cli.run("locks", "list", "--prefix", ns + "order:", "--redis", redisUri, "--json");
      assertThat(json.exitCode()).as(json.toString()).isZero();
      assertThat(json.out().trim())
          .startsWith("[{")
          .contains("\"name\":\"" + ns + "order:1\"")
          .contains("\"fencingToken\":" + a.fencingToken());

      Cli.Result show = Cli.run("locks", "show", ns + "order:1", "--redis", redisUri, "--json");
      assertThat(show.exitCode()).as(show.toString()).isZero();
      assertThat(show.out()).contains("\"held\":true", "\"leaseLeftMillis\":");

      Cli.Result refused = Cli.run("locks", "release", ns + "order:1", "--redis", redisUri);
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
      assertThat(refused.err()).contains("needs --force");
      assertThat(a.isHeld()).isTrue();

      Cli.Result released =
          Cli.run("locks", "release", ns + "order:1", "--force", "--redis", redisUri);
      assertThat(released.exitCode()).as(released.toString()).isZero();
      assertThat(released.out())
          .contains("released '" + ns + "order:1'", "fencing token " + a.fencingToken());
      await().atMost(Duration.ofSeconds(30)).until(() -> !a.isHeld());

      Cli.Result again =
          Cli.run("locks", "release", ns + "order:1", "--force", "--redis", redisUri);
      assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
      assertThat(again.out()).contains("was not held");

      Cli.Result free = Cli.run("locks", "show", ns + "order:1", "--redis", redisUri);
      assertThat(free.exitCode()).as(free.toString()).isZero();
      assertThat(free.out()).contains("is free");
    }
  }

  @Test
  void locks_showAndList_onZooKeeperAndPostgres() throws Exception {
    ZooKeeperServer zk = ZooKeeperServers.shared();
    try (LockService app = ZooKeeperLockService.builder(zk.connectString()).build();
        LockHandle h = app.acquire(ns + "zk", Duration.ofSeconds(10))) {
      Cli.Result r = Cli.run("locks", "show", ns + "zk", "--zookeeper", zk.connectString());
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains(ns + "zk", Long.toString(h.fencingToken()), "0x");
    }
    PostgresServer pg = PostgresServers.shared();
    try (LockService app =
            PostgresLockService.builder(pg.jdbcUrl())
                .user(pg.user())
                .password(pg.password())
                .build();
        LockHandle h = app.acquire(ns + "pg", Duration.ofSeconds(10))) {
      Cli.Result r =
          Cli.run(
              "locks",
              "list",
              "--prefix",
              ns,
              "--postgresql",
              pg.jdbcUrl(),
              "--user",
              pg.user(),
              "--password",
              pg.password());
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains(ns + "pg", Long.toString(h.fencingToken()), "1 lock held");
    }
  }

  @Test
  void locks_show_onEtcd() throws Exception {
    EtcdServer etcd = EtcdServers.shared(); // aborts (skips) the test where no etcd can be had
    try (LockService app =
            EtcdLockService.builder(etcd.endpoints().toArray(new String[0])).build();
        LockHandle h = app.acquire(ns + "etcd", Duration.ofSeconds(10))) {
      Cli.Result r =
          Cli.run(
              "locks", "show", ns + "etcd", "--etcd", String.join(",", etcd.endpoints()), "--json");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("\"fencingToken\":" + h.fencingToken(), "\"waiters\":0");
    }
  }

  @Test
  void members_listLeaderAndWatch_onRedis() throws Exception {
    String group = ns.replace(":", "-") + "orders";
    try (Membership app = RedisMembership.builder(redis.uri()).build()) {
      Cli.Result noLeader = Cli.run("leader", group, "--redis", redisUri);
      assertThat(noLeader.exitCode()).as(noLeader.toString()).isEqualTo(1);
      assertThat(noLeader.out()).contains("has no leader");

      List<String> lines = new CopyOnWriteArrayList<>();
      CountDownLatch watching = new CountDownLatch(1);
      Process watch = Cli.command("members", "watch", group, "--redis", redisUri).start();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (java.io.IOException e) {
                  // the process ended
                }
              });
      reader.start();
      try {
        Registration reg =
            app.register(
                MemberInfo.builder(group)
                    .id("inventory-7")
                    .host("10.0.0.7")
                    .port(8080)
                    .metadata(java.util.Map.of("zone", "eu-1"))
                    .build());
        try (LeaderElection election = app.election(reg)) {
          await().atMost(Duration.ofSeconds(30)).until(election::isLeader);
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> lines.stream().anyMatch(l -> l.contains("inventory-7")));

          Cli.Result list = Cli.run("members", "list", group, "--redis", redisUri);
          assertThat(list.exitCode()).as(list.toString()).isZero();
          assertThat(list.out()).contains("inventory-7", "10.0.0.7:8080", "zone=eu-1");

          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> Cli.run("leader", group, "--redis", redisUri).exitCode() == 0);
          Cli.Result leader = Cli.run("leader", group, "--redis", redisUri, "--json");
          assertThat(leader.out())
              .contains("\"id\":\"inventory-7\"", "\"leaderEpoch\":" + election.epoch());
        }
        reg.close();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    lines.stream().anyMatch(l -> l.contains("left") && l.contains("inventory-7")));
        watching.countDown();
      } finally {
        watch.destroy(); // SIGTERM, as Ctrl-C would end it
        assertThat(watch.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void bench_printsPercentiles() {
    Cli.Result r = Cli.run("bench", "--cycles", "200", "--warmup", "20", "--redis", redisUri);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("P50", "P99", "redis", "200");
    assertThat(r.err()).contains("[########################################] 200/200");
    Cli.Result json =
        Cli.run("bench", "--cycles", "50", "--warmup", "0", "--redis", redisUri, "--json");
    assertThat(json.out()).contains("\"p50Micros\":", "\"p99Micros\":");
  }

  @Test
  void doctor_findsAnEvictingMaxmemoryPolicy_andExits1() {
    config("maxmemory-policy", "allkeys-lru");
    try {
      Cli.Result r = Cli.run("doctor", "--redis", redisUri);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
      assertThat(r.out())
          .containsPattern("BREAKS +maxmemory-policy +allkeys-lru")
          .contains("set maxmemory-policy noeviction")
          .containsPattern("OK +version +Redis [7-9]")
          .containsPattern("WARN +acl +connected as 'default'")
          .containsPattern("OK +clock +server clock")
          .contains("A setting breaks a guarantee");
      Cli.Result json = Cli.run("doctor", "--redis", redisUri, "--json");
      assertThat(json.exitCode()).isEqualTo(1);
      assertThat(json.out()).contains("{\"check\":\"maxmemory-policy\",\"status\":\"breaks\"");
    } finally {
      config("maxmemory-policy", "noeviction");
    }
    Cli.Result fixed = Cli.run("doctor", "--redis", redisUri, "--wait-for-replicas", "1");
    assertThat(fixed.exitCode()).as(fixed.toString()).isZero();
    assertThat(fixed.out())
        .containsPattern("OK +maxmemory-policy +noeviction")
        .containsPattern("WARN +replicas +role master, 0 connected replica")
        .contains("every acquire fails")
        .contains("Nothing breaks a guarantee");
  }

  @Test
  void doctor_findsAClampedZooKeeperSessionTimeout() {
    try (ZooKeeperServer zk = ZooKeeperServers.inJvm()) {
      // The in-JVM test servers allow sessions of at most 60 s.
      Cli.Result r =
          Cli.run("doctor", "--zookeeper", zk.connectString(), "--session-timeout", "PT120S");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out())
          .containsPattern("WARN +session timeout +asked 120000 ms, the server granted 60000 ms")
          .containsPattern("WARN +ensemble +1 server")
          .contains("clamps session timeouts");
      Cli.Result ok = Cli.run("doctor", "--zookeeper", zk.connectString(), "--json");
      assertThat(ok.out())
          .contains("{\"check\":\"session timeout\",\"status\":\"ok\",\"found\":\"asked 10000 ms");
    }
  }

  @Test
  void doctor_findsFsyncAndSynchronousCommitOff_onPostgres() throws Exception {
    PostgresServer pg = PostgresServers.shared();
    String[] args = {
      "doctor", "--postgresql", pg.jdbcUrl(), "--user", pg.user(), "--password", pg.password()
    };
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        java.sql.Statement s = c.createStatement()) {
      try {
        // A role may set its own session defaults; new sessions of this user start with them.
        s.execute("ALTER ROLE CURRENT_USER SET synchronous_commit = on");
        Cli.Result on = Cli.run(args);
        // The testkit's servers run without fsync, for speed: a server misconfigured for real.
        assertThat(on.exitCode()).as(on.toString()).isEqualTo(1);
        assertThat(on.out())
            .containsPattern("OK +version +PostgreSQL 1[2-9]")
            .containsPattern("BREAKS +fsync +off")
            .containsPattern("OK +synchronous_commit +on")
            .containsPattern("OK +standbys +0 standby")
            .containsPattern("OK +clock +server clock")
            .contains("fencing tokens can go back. Turn fsync on.");

        s.execute("ALTER ROLE CURRENT_USER SET synchronous_commit = off");
        Cli.Result off = Cli.run(args);
        assertThat(off.exitCode()).as(off.toString()).isEqualTo(1);
        assertThat(off.out())
            .containsPattern("BREAKS +synchronous_commit +off")
            .contains("a crash loses the last commits the server acknowledged");
      } finally {
        s.execute("ALTER ROLE CURRENT_USER RESET synchronous_commit");
      }
    }
  }
}
