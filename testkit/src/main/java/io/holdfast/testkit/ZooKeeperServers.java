package io.holdfast.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands tests a real ZooKeeper, chosen in this order:
 *
 * <ol>
 *   <li>{@code HOLDFAST_ZOOKEEPER_CONNECT} (environment variable, or system property {@code
 *       holdfast.zookeeper.connect}): that server, which tests must not stop;
 *   <li>a {@code zookeeper:3.9} container through Testcontainers, when a Docker engine is
 *       reachable;
 *   <li>a real ZooKeeper server inside this JVM (Curator's {@code TestingServer}, which runs
 *       ZooKeeper's {@code ZooKeeperServerEmbedded}).
 * </ol>
 *
 * {@code HOLDFAST_TESTKIT_SERVERS=local} (in-JVM) or {@code container} forces a choice, as for
 * {@link RedisServers}. The choice is logged once per JVM. {@link #ensemble(int)} always runs a
 * real quorum of in-JVM servers, for tests that kill the leader.
 *
 * <p>The testkit's own servers run with a tick time of {@value #TICK_TIME_MS} ms (sessions may last
 * from one tick to {@value #MAX_SESSION_TIMEOUT_MS} ms), reap empty container nodes every {@value
 * #CONTAINER_CHECK_MS} ms, and answer every four-letter word; in-JVM servers do not fsync (their
 * data still survives a stop and start).
 *
 * <p>Every method is thread-safe.
 */
public final class ZooKeeperServers {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperServers.class);

  /** The tick time of the testkit's servers, in milliseconds. */
  public static final int TICK_TIME_MS = 500;

  /** The longest session the testkit's servers grant, in milliseconds. */
  public static final int MAX_SESSION_TIMEOUT_MS = 60_000;

  /** How often the testkit's servers delete empty container nodes, in milliseconds. */
  public static final int CONTAINER_CHECK_MS = 500;

  /** How many empty container nodes the testkit's servers may delete per minute. */
  public static final int CONTAINER_MAX_PER_MINUTE = 1_000_000;

  private static @Nullable ZooKeeperServer shared;
  private static @Nullable String choice;

  private ZooKeeperServers() {}

  /**
   * The JVM-wide shared server, started on first use and stopped when the JVM exits. Tests that
   * share it must not stop it: use {@link #dedicated()} for that.
   *
   * @return the shared server
   */
  public static synchronized ZooKeeperServer shared() {
    ZooKeeperServer s = shared;
    if (s == null) {
      s = create(false);
      shared = s;
      ZooKeeperServer toClose = s;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(toClose::close, "holdfast-zookeeper-shared-shutdown"));
    }
    return s;
  }

  /**
   * A new server of the test's own, which it may stop and restart, and must close. With {@code
   * HOLDFAST_ZOOKEEPER_CONNECT} set this is the environment's server, not controllable; check
   * {@link ZooKeeperServer#controllable()}.
   *
   * @return a new server
   */
  public static ZooKeeperServer dedicated() {
    return create(true);
  }

  /**
   * A new in-JVM server regardless of the environment: for tests that must read its counters or
   * stop it.
   *
   * @return a new server
   */
  public static ZooKeeperServer inJvm() {
    return new InJvmZooKeeperServer();
  }

  /**
   * A real ensemble of {@code size} ZooKeeper servers in this JVM (Curator's {@code
   * TestingCluster}), started, for fault tests that kill members.
   *
   * @param size the number of servers, at least 3 for a quorum that survives a loss
   * @return the running ensemble; the test must close it
   */
  public static ZooKeeperEnsemble ensemble(int size) {
    return new ZooKeeperEnsemble(size);
  }

  private static ZooKeeperServer create(boolean dedicated) {
    String connect =
        System.getProperty(
            "holdfast.zookeeper.connect", System.getenv("HOLDFAST_ZOOKEEPER_CONNECT"));
    String forced = RedisServers.setting("HOLDFAST_TESTKIT_SERVERS", "holdfast.testkit.servers");
    String how;
    ZooKeeperServer server;
    if (connect != null && !connect.isBlank()) {
      how = "the server named by HOLDFAST_ZOOKEEPER_CONNECT";
      QuietLogs.zooKeeper();
      server = new ExternalZooKeeperServer(connect.trim());
    } else if (!"local".equals(forced)
        && ("container".equals(forced) || RedisServers.dockerAvailable())) {
      how = "a zookeeper:3.9 container (Testcontainers)";
      QuietLogs.zooKeeper();
      QuietLogs.quiet(QuietLogs.CONTAINERS);
      server = new ContainerZooKeeperServer();
    } else {
      how = "an in-JVM ZooKeeper server (no Docker engine reachable)";
      server = new InJvmZooKeeperServer();
    }
    logChoice(how);
    LOG.debug("started {}{}", server, dedicated ? " (dedicated)" : "");
    return server;
  }

  private static synchronized void logChoice(String how) {
    if (!how.equals(choice)) {
      choice = how;
      LOG.info("Holdfast testkit: ZooKeeper tests use {}", how);
    }
  }

  /**
   * Expires the session of {@code client} as the server would after a partition longer than the
   * session timeout: the client sees {@code Expired} (Curator reports LOST) and starts a new
   * session. The old session's ephemeral nodes stay on the server until the server times the
   * session out, or until someone deletes them.
   *
   * @param client a started client
   */
  public static void expireSession(CuratorFramework client) {
    Objects.requireNonNull(client, "client");
    ZooKeeper zk;
    try {
      zk = client.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      throw new IllegalStateException("the client has no ZooKeeper handle", e);
    }
    zk.getTestable().injectSessionExpiration();
  }

  /**
   * Sends a four-letter word to the first server of a connect string and returns its answer.
   *
   * @param connectString a ZooKeeper connect string
   * @param command the four-letter word, e.g. {@code "mntr"}
   * @return the answer, possibly empty
   */
  public static String fourLetterWord(String connectString, String command) {
    Objects.requireNonNull(connectString, "connectString");
    Objects.requireNonNull(command, "command");
    int comma = connectString.indexOf(',');
    String first = (comma < 0 ? connectString : connectString.substring(0, comma)).trim();
    int slash = first.indexOf('/');
    if (slash >= 0) {
      first = first.substring(0, slash);
    }
    int colon = first.lastIndexOf(':');
    String host = colon < 0 ? first : first.substring(0, colon);
    int port = colon < 0 ? 2181 : Integer.parseInt(first.substring(colon + 1));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(command.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      return answer.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "four-letter word '" + command + "' to " + host + ":" + port + " failed", e);
    }
  }

  /** Waits until the server answers {@code ruok} with {@code imok} (after a start). */
  static void awaitOk(String connectString) {
    long deadline = System.nanoTime() + Timing.scaled(Duration.ofSeconds(60)).toNanos();
    RuntimeException last = null;
    while (System.nanoTime() - deadline < 0) {
      try {
        if (fourLetterWord(connectString, "ruok").startsWith("imok")
            && fourLetterWord(connectString, "srvr").contains("Mode:")) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      parkMillis(50);
    }
    throw new IllegalStateException(
        "ZooKeeper at " + connectString + " did not answer in 60 s", last);
  }

  private static void parkMillis(long ms) {
    CountDownLatch never = new CountDownLatch(1);
    try {
      never.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** System properties an in-JVM server reads at start: fast reaping of empty container nodes. */
  static synchronized void configureInJvmServers() {
    QuietLogs.zooKeeper();
    // Else every start logs a WARN that this setting is missing; far above what a test opens.
    setIfAbsent("zookeeper.maxCnxns", "10000");
    setIfAbsent("znode.container.checkIntervalMs", Integer.toString(CONTAINER_CHECK_MS));
    setIfAbsent("znode.container.maxPerMinute", Integer.toString(CONTAINER_MAX_PER_MINUTE));
    setIfAbsent("zookeeper.admin.enableServer", "false");
    setIfAbsent("zookeeper.4lw.commands.whitelist", "*");
    // Test data need not survive a machine crash; without fsync an in-JVM server is several
    // times faster, and its data still survives stop() and start().
    setIfAbsent("zookeeper.forceSync", "no");
  }

  /**
   * ZooKeeperServerEmbedded installs System.exit as the reaction to a server that dies on its own;
   * in a test JVM a dying server must fail a test, not end the JVM. Called after every start.
   */
  static void neverExitTheJvm() {
    org.apache.zookeeper.util.ServiceUtils.setSystemExitProcedure(
        org.apache.zookeeper.util.ServiceUtils.LOG_ONLY);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
