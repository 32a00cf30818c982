package io.holdfast.lock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What is specific to ZooKeeper: sessions, server restarts, ACLs, cleanup, the builder. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperLockServiceTest {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperLockServiceTest.class);
  private static ZooKeeperServer server;
  private static CuratorFramework admin;
  private final String ns = "z" + UUID.randomUUID().toString().substring(0, 8) + ":";
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server = ZooKeeperServers.dedicated();
    admin = ZkTesting.client(server.connectString());
  }

  @AfterAll
  static void stopServer() {
    admin.close();
    server.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  private CuratorFramework client(Duration session) {
    return closeLater(ZkTesting.client(server.connectString(), session, null));
  }

  private void assumeControllable() {
    Assumptions.assumeTrue(server.controllable(), "the server is not the testkit's to stop");
  }

  // ------------------------------------------------------------------ sessions

  @Test
  void sessionExpiry_reportsLost_andAnotherClientAcquiresWithLargerToken() throws Exception {
    CuratorFramework clientA = client(Duration.ofSeconds(10));
    LockService a =
        closeLater(
            ZooKeeperLockService.builder(clientA)
                .lossPolicy(ZooKeeperLockService.LossPolicy.LOST)
                .build());
    LockService b = closeLater(ZooKeeperLockService.builder(server.connectString()).build());
    LockHandle h = a.acquire(ns + "expire");
    AtomicInteger lost = new AtomicInteger();
    h.onLost(x -> lost.incrementAndGet());

    ZooKeeperServers.expireSession(clientA);

    await().atMost(Duration.ofSeconds(30)).until(() -> lost.get() == 1 && !h.isHeld());
    // The expired session's node is deleted once the client has a new session, well before the
    // server would time the old session out.
    try (LockHandle h2 = b.acquire(ns + "expire", Duration.ofSeconds(30))) {
      assertThat(h2.fencingToken()).isGreaterThan(h.fencingToken());
      assertThat(h.isHeld()).isFalse();
    }
    // The lost handle never comes back, and the client the application passed in still works.
    assertThat(h.isHeld()).isFalse();
    try (LockHandle again = a.acquire(ns + "expire", Duration.ofSeconds(30))) {
      assertThat(again.fencingToken()).isGreaterThan(h.fencingToken());
    }
    h.close();
    assertThat(lost).hasValue(1);
  }

  @Test
  void serverStoppedPastSessionTimeout_givesClearErrors_thenWorksAgain() throws Exception {
    assumeControllable();
    CuratorFramework client = client(Duration.ofSeconds(2));
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    client.getConnectionStateListenable().addListener((c, s) -> states.add(s));
    LockService s =
        closeLater(
            ZooKeeperLockService.builder(client).commandTimeout(Duration.ofSeconds(1)).build());
    String name = ns + "outage";
    LockHandle h = s.acquire(name);
    AtomicInteger lost = new AtomicInteger();
    h.onLost(x -> lost.incrementAndGet());
    server.stop();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> !h.isHeld() && lost.get() == 1);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> s.acquire(ns + "other", Duration.ofSeconds(5)))
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("ZooKeeper");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isLessThan(Duration.ofSeconds(5 + 1 + 3));
      // Past the session timeout Curator declares the session lost.
      await().atMost(Duration.ofSeconds(30)).until(() -> states.contains(ConnectionState.LOST));
      assertThatThrownBy(() -> s.tryAcquire(name)).isInstanceOf(LockBackendException.class);
    } finally {
      server.start();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              try (LockHandle again = s.acquire(name, Duration.ofSeconds(5))) {
                return again.fencingToken() > h.fencingToken() && again.isHeld();
              }
            });
    assertThat(h.isHeld()).isFalse();
    h.close();
    assertThat(lost).hasValue(1);
  }

  @Test
  void suspendedPolicy_losesTheLockOnABlip_andCleansItsNodeAfterReconnect() throws Exception {
    assumeControllable();
    CuratorFramework client = client(Duration.ofSeconds(20));
    LockService s = closeLater(ZooKeeperLockService.builder(client).build());
    String dir = ZkTesting.dir(ns + "blip");
    LockHandle h = s.acquire(ns + "blip");
    server.stop();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> !h.isHeld());
    } finally {
      server.start();
    }
    // Same session after the restart: the node survives the outage, and the service deletes it.
    await().atMost(Duration.ofSeconds(30)).until(() -> ZkTesting.children(admin, dir).isEmpty());
    assertThat(h.isHeld()).isFalse();
    try (LockHandle again = s.acquire(ns + "blip", Duration.ofSeconds(10))) {
      assertThat(again.fencingToken()).isGreaterThan(h.fencingToken());
    }
    h.close();
  }

  @Test
  void lostPolicy_keepsTheLockThroughABlipShorterThanTheSession() throws Exception {
    assumeControllable();
    CuratorFramework client = client(Duration.ofSeconds(20));
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    client.getConnectionStateListenable().addListener((c, st) -> states.add(st));
    LockService s =
        closeLater(
            ZooKeeperLockService.builder(client)
                .lossPolicy(ZooKeeperLockService.LossPolicy.LOST)
                .build());
    LockService other = closeLater(ZooKeeperLockService.builder(server.connectString()).build());
    LockHandle h = s.acquire(ns + "hold");
    server.stop();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> states.contains(ConnectionState.SUSPENDED));
      assertThat(h.isHeld()).isTrue();
    } finally {
      server.start();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> states.contains(ConnectionState.RECONNECTED));
    assertThat(h.isHeld()).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> other.tryAcquire(ns + "hold").isEmpty());
    h.close();
    assertThat(other.tryAcquire(ns + "hold", Duration.ofSeconds(10)))
        .hasValueSatisfying(LockHandle::close);
  }

  @Test
  void close_withServerDown_returnsWithinTheCommandTimeout() throws Exception {
    assumeControllable();
    LockService s =
        ZooKeeperLockService.builder(server.connectString())
            .commandTimeout(Duration.ofMillis(500))
            .sessionTimeout(Duration.ofSeconds(5))
            .build();
    LockHandle h = s.acquire(ns + "close");
    server.stop();
    try {
      long t0 = System.nanoTime();
      h.close();
      s.close();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    } finally {
      server.start();
    }
  }

  // ------------------------------------------------------------------ fencing tokens

  @Test
  void fencingToken_keepsGrowing_whenTheReapedFolderRestartsItsSequenceNumbers() throws Exception {
    LockService s = closeLater(ZooKeeperLockService.builder(server.connectString()).build());
    String name = ns + "reaped";
    String dir = ZkTesting.dir(name);
    long first;
    String firstNode;
    try (LockHandle h = s.acquire(name)) {
      first = h.fencingToken();
      firstNode = ZkTesting.children(admin, dir).get(0);
    }
    // The empty container folder is deleted by the server, and re-created by the next acquire.
    await().atMost(Duration.ofSeconds(90)).until(() -> admin.checkExists().forPath(dir) == null);
    try (LockHandle h = s.acquire(name)) {
      String node = ZkTesting.children(admin, dir).get(0);
      assertThat(LockPaths.sequence(node)).isEqualTo(LockPaths.sequence(firstNode)).isZero();
      assertThat(h.fencingToken()).isGreaterThan(first);
    }
  }

  // ------------------------------------------------------------------ ACLs

  @Test
  void digestAcl_keepsUnauthenticatedClientsFromDeletingOrAlteringLockNodes() throws Exception {
    String root = "/holdfast-acl-" + UUID.randomUUID().toString().substring(0, 8) + "/locks";
    LockService secure =
        closeLater(
            ZooKeeperLockService.builder(server.connectString())
                .rootPath(root)
                .digestAuth("holdfast", "s3cret")
                .build());
    String dir = root + "/" + LockPaths.encode(ns + "acl");
    try (LockHandle h = secure.acquire(ns + "acl")) {
      List<String> nodes = admin.getChildren().forPath(dir);
      assertThat(nodes).hasSize(1);
      String node = dir + "/" + nodes.get(0);
      List<ACL> acl = admin.getACL().forPath(node);
      assertThat(acl).anySatisfy(a -> assertThat(a.getId().getScheme()).isEqualTo("digest"));
      assertThat(admin.getACL().forPath(dir)).isEqualTo(acl);

      CuratorFramework stranger =
          closeLater(
              ZkTesting.client(server.connectString(), Duration.ofSeconds(10), "holdfast:wrong"));
      for (CuratorFramework c : List.of(admin, stranger)) {
        assertThatThrownBy(() -> c.delete().forPath(node))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> c.setData().forPath(node, "x".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> c.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(node))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> c.create().forPath(dir + "/intruder"))
            .isInstanceOf(KeeperException.NoAuthException.class);
      }
      assertThat(h.isHeld()).isTrue();

      // A service without the credentials cannot queue for the lock, and says why.
      LockService unauthenticated =
          closeLater(ZooKeeperLockService.builder(server.connectString()).rootPath(root).build());
      assertThatThrownBy(() -> unauthenticated.tryAcquire(ns + "acl"))
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("NOAUTH");
    }
    // Another client with the same credentials takes turns normally.
    CuratorFramework friend =
        closeLater(
            ZkTesting.client(server.connectString(), Duration.ofSeconds(10), "holdfast:s3cret"));
    LockService second =
        closeLater(
            ZooKeeperLockService.builder(friend)
                .rootPath(root)
                .digestAuth("holdfast", "s3cret")
                .build());
    assertThat(second.tryAcquire(ns + "acl")).hasValueSatisfying(LockHandle::close);
  }

  // ------------------------------------------------------------------ nothing grows

  @Test
  void tenThousandDistinctNames_leaveNoChildrenUnderTheRoot() throws Exception {
    String root = "/holdfast-reap-" + UUID.randomUUID().toString().substring(0, 8);
    LockService s =
        closeLater(ZooKeeperLockService.builder(server.connectString()).rootPath(root).build());
    int names = 10_000;
    int inFlight = 64;
    long t0 = System.nanoTime();
    java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(inFlight);
    AtomicInteger failures = new AtomicInteger();
    for (int i = 0; i < names; i++) {
      permits.acquire();
      s.acquireAsync(ns + "n" + i, Duration.ofSeconds(30))
          .whenComplete(
              (h, e) -> {
                if (e != null) {
                  failures.incrementAndGet();
                } else {
                  h.close();
                }
                permits.release();
              });
    }
    permits.acquire(inFlight);
    long acquired = System.nanoTime() - t0;
    assertThat(failures).hasValue(0);
    await().atMost(Duration.ofSeconds(90)).until(() -> ZkTesting.children(admin, root).isEmpty());
    LOG.info(
        "{} distinct names acquired and released in {} ms ({} in flight); root empty {} ms later",
        names,
        acquired / 1_000_000,
        inFlight,
        (System.nanoTime() - t0 - acquired) / 1_000_000);
  }

  // ------------------------------------------------------------------ the builder

  @Test
  void builder_rejectsBadArguments_namingThem() {
    assertThatNullPointerException()
        .isThrownBy(() -> ZooKeeperLockService.builder((String) null))
        .withMessageContaining("connectString");
    assertThatNullPointerException()
        .isThrownBy(() -> ZooKeeperLockService.builder((CuratorFramework) null))
        .withMessageContaining("client");
    assertThatThrownBy(() -> ZooKeeperLockService.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    ZooKeeperLockService.Builder b = ZooKeeperLockService.builder("127.0.0.1:1");
    assertThatNullPointerException()
        .isThrownBy(() -> b.rootPath(null))
        .withMessageContaining("rootPath");
    for (String bad :
        List.of("", "/", "relative", "/trailing/", "/a//b", "/a/./b", "/zookeeper/x", "/a\u0000")) {
      assertThatThrownBy(() -> b.rootPath(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rootPath");
    }
    assertThatThrownBy(() -> b.sessionTimeout(Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionTimeout");
    assertThatThrownBy(() -> b.commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> b.defaultWait(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultWait");
    assertThatNullPointerException()
        .isThrownBy(() -> b.lossPolicy(null))
        .withMessageContaining("lossPolicy");
    assertThatNullPointerException()
        .isThrownBy(() -> b.callbackExecutor(null))
        .withMessageContaining("executor");
    assertThatNullPointerException()
        .isThrownBy(() -> b.digestAuth(null, "p"))
        .withMessageContaining("user");
    assertThatThrownBy(() -> b.digestAuth("a:b", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user");
    assertThatThrownBy(() -> b.digestAuth("a", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password");

    CuratorFramework unstarted =
        CuratorFrameworkFactory.newClient(server.connectString(), new RetryNTimes(1, 10));
    assertThatThrownBy(() -> ZooKeeperLockService.builder(unstarted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("started");
    CuratorFramework started = client(Duration.ofSeconds(10));
    assertThatThrownBy(
            () -> ZooKeeperLockService.builder(started).sessionTimeout(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void applicationsClient_isNeverClosed_andNamespaceIsRespected() throws Exception {
    CuratorFramework client = client(Duration.ofSeconds(10));
    CuratorFramework namespaced = client.usingNamespace("tenant-a");
    LockService s = ZooKeeperLockService.builder(namespaced).build();
    try (LockHandle h = s.acquire(ns + "ns")) {
      assertThat(ZkTesting.children(admin, "/tenant-a" + ZkTesting.dir(ns + "ns"))).hasSize(1);
      assertThat(h.isHeld()).isTrue();
    }
    s.close();
    assertThat(client.getState()).isEqualTo(CuratorFrameworkState.STARTED);
    assertThatCode(() -> client.checkExists().forPath("/")).doesNotThrowAnyException();
  }
}
