package io.holdfast.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Hands tests a real Redis, chosen in this order:
 *
 * <ol>
 *   <li>{@code HOLDFAST_REDIS_URI} (environment variable, or system property {@code
 *       holdfast.redis.uri}): that server, which tests must not stop;
 *   <li>a {@code redis:7} container through Testcontainers, when a Docker engine is reachable;
 *   <li>a local {@code redis-server} process on a free loopback port: the one on the PATH, else the
 *       Redis 7 binary shipped in {@code org.signal:embedded-redis}.
 * </ol>
 *
 * {@code HOLDFAST_TESTKIT_SERVERS=local} (or {@code container}) forces a choice. The choice is
 * logged once per JVM.
 */
public final class RedisServers {
  private static final Logger LOG = LoggerFactory.getLogger(RedisServers.class);
  private static @Nullable RedisServer shared;
  private static @Nullable String choice;

  private RedisServers() {}

  /**
   * The JVM-wide shared server, started on first use and stopped when the JVM exits. Tests that
   * share it must not inject faults into it: use {@link #dedicated()} for that.
   *
   * @return the shared server
   */
  public static synchronized RedisServer shared() {
    RedisServer s = shared;
    if (s == null) {
      s = create(false);
      shared = s;
      RedisServer toClose = s;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(toClose::close, "holdfast-redis-shared-shutdown"));
    }
    return s;
  }

  /**
   * A new server of the test's own, which it may stop, restart and pause, and must close. With
   * {@code HOLDFAST_REDIS_URI} set this is the environment's server, not controllable; check {@link
   * RedisServer#controllable()}.
   *
   * @return a new server
   */
  public static RedisServer dedicated() {
    return create(true);
  }

  /**
   * A new local {@code redis-server} process with extra command-line arguments (for replicas,
   * Sentinels, ACLs), regardless of the environment.
   *
   * @param args extra arguments, e.g. {@code "--requirepass", "secret"}
   * @return a new server
   */
  public static RedisServer localProcess(String... args) {
    return new LocalRedisServer(List.of(args));
  }

  /**
   * A new local Redis Sentinel process monitoring {@code master} under {@code masterName}.
   *
   * @param masterName the name clients ask Sentinel for
   * @param master the primary to monitor
   * @param quorum how many Sentinels must agree that the primary is down
   * @return the Sentinel; its {@link RedisServer#uri()} is the Sentinel's own address
   */
  public static RedisServer localSentinel(String masterName, RedisURI master, int quorum) {
    String conf =
        "sentinel monitor "
            + masterName
            + " "
            + master.getHost()
            + " "
            + master.getPort()
            + " "
            + quorum
            + "\n"
            + "sentinel down-after-milliseconds "
            + masterName
            + " 1000\n"
            + "sentinel failover-timeout "
            + masterName
            + " 5000\n"
            + "sentinel resolve-hostnames no\n";
    return new LocalRedisServer(List.of("--sentinel"), conf);
  }

  /**
   * A new Redis Cluster of local processes: {@code primaries} nodes (no replicas) sharing the
   * 16,384 slots evenly, ready ({@code cluster_state:ok}) when this returns.
   *
   * @param primaries how many primaries, at least 1
   * @return the cluster; close it to stop every node
   */
  public static LocalRedisCluster localCluster(int primaries) {
    return new LocalRedisCluster(primaries, 0);
  }

  /**
   * A new Redis Cluster of local processes in which every primary has replicas that a failover
   * promotes ({@code cluster-node-timeout} 2 s).
   *
   * @param primaries how many primaries, at least 1
   * @param replicasEach how many replicas per primary, at least 0
   * @return the cluster; close it to stop every node
   */
  public static LocalRedisCluster localCluster(int primaries, int replicasEach) {
    return new LocalRedisCluster(primaries, replicasEach);
  }

  private static RedisServer create(boolean dedicated) {
    String uri = System.getProperty("holdfast.redis.uri", System.getenv("HOLDFAST_REDIS_URI"));
    String forced = setting("HOLDFAST_TESTKIT_SERVERS", "holdfast.testkit.servers");
    String how;
    RedisServer server;
    if (uri != null && !uri.isBlank()) {
      how = "the server named by HOLDFAST_REDIS_URI";
      server = new ExternalRedisServer(RedisURI.create(uri));
    } else if (!"local".equals(forced) && ("container".equals(forced) || dockerAvailable())) {
      how = "a redis:7 container (Testcontainers)";
      QuietLogs.quiet(QuietLogs.CONTAINERS);
      server = new ContainerRedisServer();
    } else {
      how = "a local redis-server process (no Docker engine reachable)";
      server = new LocalRedisServer(List.of());
    }
    logChoice(how);
    LOG.debug("started {}{}", server, dedicated ? " (dedicated)" : "");
    return server;
  }

  private static synchronized void logChoice(String how) {
    if (!how.equals(choice)) {
      choice = how;
      LOG.info("Holdfast testkit: Redis tests use {}", how);
    }
  }

  static @Nullable String setting(String env, String property) {
    String v = System.getProperty(property);
    if (v == null) {
      v = System.getenv(env);
    }
    return v == null ? null : v.trim().toLowerCase(Locale.ROOT);
  }

  /**
   * Whether a Docker engine is reachable. Asks Testcontainers only when there is a sign of one
   * (DOCKER_HOST, a Docker socket, a Testcontainers configuration): its probe is slow and logs an
   * error when there is none.
   *
   * @return whether Testcontainers can start containers
   */
  public static boolean dockerAvailable() {
    String home = System.getProperty("user.home", "");
    boolean hint =
        System.getenv("DOCKER_HOST") != null
            || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
            || java.nio.file.Files.exists(
                java.nio.file.Path.of(home, ".docker", "run", "docker.sock"))
            || java.nio.file.Files.exists(
                java.nio.file.Path.of(home, ".testcontainers.properties"));
    if (!hint) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("Docker is not reachable", e);
      return false;
    }
  }

  /** Waits until the server answers PING (after a restart). */
  static void awaitPing(RedisURI uri) {
    RedisURI probe = RedisURI.builder(uri).withTimeout(Duration.ofSeconds(1)).build();
    RedisClient client = RedisClient.create(probe);
    try {
      long deadline = System.nanoTime() + Timing.scaled(Duration.ofSeconds(30)).toNanos();
      RuntimeException last = null;
      while (System.nanoTime() < deadline) {
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          c.sync().ping();
          return;
        } catch (RuntimeException e) {
          last = e;
        }
      }
      throw new IllegalStateException("Redis at " + uri + " did not come back in 30 s", last);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
