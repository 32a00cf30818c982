package io.holdfast.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands tests a real etcd, chosen in this order:
 *
 * <ol>
 *   <li>{@code HOLDFAST_ETCD_ENDPOINTS} (environment variable, or system property {@code
 *       holdfast.etcd.endpoints}; comma-separated client URLs): that cluster, which tests must not
 *       stop;
 *   <li>an etcd container ({@value ContainerEtcdServer#IMAGE}) through Testcontainers, when a
 *       Docker engine is reachable;
 *   <li>a local {@code etcd} process on free loopback ports, with a temporary data directory: the
 *       binary named by {@code HOLDFAST_ETCD_BINARY} (system property {@code holdfast.etcd.binary};
 *       {@code none} for none), else the one on the PATH (Debian's {@code etcd-server} package has
 *       one).
 * </ol>
 *
 * {@code HOLDFAST_TESTKIT_SERVERS=local} (or {@code container}) forces a choice, as for {@link
 * RedisServers}. No etcd binary is published on Maven Central: with none of these, every method
 * that would hand out a server <em>aborts</em> the calling test (a JUnit assumption: the test is
 * skipped, not failed) with one line saying how to enable it. The choice is logged once per JVM.
 *
 * <p>Every method is thread-safe.
 */
public final class EtcdServers {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdServers.class);

  /** Why etcd tests are skipped, and how to run them. */
  static final String HOW_TO_ENABLE =
      "no etcd for the etcd tests (skipped): set HOLDFAST_ETCD_ENDPOINTS, start a Docker engine,"
          + " or put an etcd binary on the PATH (Debian/Ubuntu: apt-get install etcd-server)";

  private static @Nullable EtcdServer shared;
  private static @Nullable String choice;

  private EtcdServers() {}

  /**
   * The JVM-wide shared server, started on first use and stopped when the JVM exits. Tests that
   * share it must not stop it: use {@link #dedicated()} for that.
   *
   * @return the shared server
   * @throws org.opentest4j.TestAbortedException if no etcd is available
   */
  public static synchronized EtcdServer shared() {
    EtcdServer s = shared;
    if (s == null) {
      s = create(false);
      shared = s;
      EtcdServer toClose = s;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(toClose::close, "holdfast-etcd-shared-shutdown"));
    }
    return s;
  }

  /**
   * A new server of the test's own, which it may stop, restart and pause, and must close. With
   * {@code HOLDFAST_ETCD_ENDPOINTS} set this is the environment's cluster, not controllable; check
   * {@link EtcdServer#controllable()}.
   *
   * @return a new server
   * @throws org.opentest4j.TestAbortedException if no etcd is available
   */
  public static EtcdServer dedicated() {
    return create(true);
  }

  /**
   * A new cluster of local {@code etcd} processes, regardless of the environment (it needs the
   * binary on the PATH), every member healthy when this returns.
   *
   * @param size how many members, at least 1 (3 for a quorum that survives one loss)
   * @return the cluster; close it to stop every member
   * @throws org.opentest4j.TestAbortedException if there is no etcd binary on the PATH
   */
  public static LocalEtcdCluster localCluster(int size) {
    Assumptions.assumeTrue(
        LocalEtcdServer.binary() != null,
        "no etcd binary on the PATH for a local etcd cluster (skipped): Debian/Ubuntu: apt-get"
            + " install etcd-server");
    QuietLogs.quiet(QuietLogs.ETCD_CLIENT);
    return new LocalEtcdCluster(size);
  }

  /**
   * A new single-member local {@code etcd} process, regardless of the environment (it needs the
   * binary on the PATH), serving its clients over TLS only ({@code https://} endpoints) with the
   * given certificate and private key. For tests of TLS: the caller makes the certificate.
   *
   * @param certFile the server's certificate chain, PEM
   * @param keyFile its private key, PEM (PKCS#8)
   * @return the started server; close it
   * @throws org.opentest4j.TestAbortedException if there is no etcd binary on the PATH
   */
  public static EtcdServer localTls(Path certFile, Path keyFile) {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Assumptions.assumeTrue(
        LocalEtcdServer.binary() != null,
        "no etcd binary on the PATH for a local etcd with TLS (skipped): Debian/Ubuntu: apt-get"
            + " install etcd-server");
    QuietLogs.quiet(QuietLogs.ETCD_CLIENT);
    return LocalEtcdServer.singleTls(certFile, keyFile);
  }

  /**
   * Whether an etcd can be had (environment, Docker, or a binary on the PATH).
   *
   * @return whether etcd tests can run
   */
  public static boolean available() {
    return !endpointsSetting().isEmpty()
        || LocalEtcdServer.binary() != null
        || RedisServers.dockerAvailable();
  }

  private static List<String> endpointsSetting() {
    String v =
        System.getProperty("holdfast.etcd.endpoints", System.getenv("HOLDFAST_ETCD_ENDPOINTS"));
    if (v == null || v.isBlank()) {
      return List.of();
    }
    return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static EtcdServer create(boolean dedicated) {
    List<String> endpoints = endpointsSetting();
    String forced = RedisServers.setting("HOLDFAST_TESTKIT_SERVERS", "holdfast.testkit.servers");
    String how;
    EtcdServer server;
    if (!endpoints.isEmpty()) {
      how = "the cluster named by HOLDFAST_ETCD_ENDPOINTS";
      server = new ExternalEtcdServer(endpoints);
    } else if (!"local".equals(forced)
        && ("container".equals(forced) || RedisServers.dockerAvailable())) {
      how = "an etcd container, " + ContainerEtcdServer.IMAGE + " (Testcontainers)";
      QuietLogs.quiet(QuietLogs.CONTAINERS);
      server = new ContainerEtcdServer();
    } else if (LocalEtcdServer.binary() != null) {
      how = "a local etcd process from the PATH (no Docker engine reachable)";
      server = LocalEtcdServer.single();
    } else {
      logChoice("nothing: " + HOW_TO_ENABLE);
      Assumptions.abort(HOW_TO_ENABLE);
      throw new AssertionError("unreachable");
    }
    QuietLogs.quiet(QuietLogs.ETCD_CLIENT);
    logChoice(how);
    LOG.debug("started {}{}", server, dedicated ? " (dedicated)" : "");
    return server;
  }

  private static synchronized void logChoice(String how) {
    if (!how.equals(choice)) {
      choice = how;
      LOG.info("Holdfast testkit: etcd tests use {}", how);
    }
  }

  /** Waits until the etcd at {@code clientUrl} is healthy (after a restart). */
  static void awaitHealthy(String clientUrl) {
    long deadline = System.nanoTime() + Timing.scaled(Duration.ofSeconds(30)).toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (LocalEtcdServer.healthy(clientUrl)) {
        return;
      }
      LocalRedisServer.parkMillis(25);
    }
    throw new IllegalStateException("etcd at " + clientUrl + " was not healthy in 30 s");
  }
}
