package io.holdfast.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server that a test can use, and — when the testkit started it — stop, restart
 * and pause. Obtain one from {@link PostgresServers}. Its data survives {@link #stop()} and {@link
 * #start()}, as a restarted database's would.
 */
public interface PostgresServer extends AutoCloseable {

  /**
   * Where to connect: {@code jdbc:postgresql://host:port/database} (the environment's URL as
   * given).
   *
   * @return the JDBC URL
   */
  String jdbcUrl();

  /**
   * {@link #jdbcUrl()} with {@link #user()} and {@link #password()} added as parameters, for code
   * that takes one JDBC URL (a child process's command line, a JDBC-URL builder).
   *
   * @return the JDBC URL with credentials
   */
  default String jdbcUrlWithCredentials() {
    String url = jdbcUrl();
    return url
        + (url.contains("?") ? "&" : "?")
        + "user="
        + URLEncoder.encode(user(), StandardCharsets.UTF_8)
        + "&password="
        + URLEncoder.encode(password(), StandardCharsets.UTF_8);
  }

  /**
   * A superuser (or the environment's user) to connect as.
   *
   * @return the user name
   */
  String user();

  /**
   * The password of {@link #user()}; empty when the server trusts local connections.
   *
   * @return the password
   */
  String password();

  /**
   * How this server was provided: {@code "environment"}, {@code "testcontainers"} or {@code
   * "local-process"}.
   *
   * @return the source
   */
  String source();

  /**
   * Whether {@link #stop()}, {@link #start()}, {@link #pause()} and {@link #resume()} work (they do
   * not for a server given by the environment).
   *
   * @return whether faults can be injected
   */
  boolean controllable();

  /** Stops the server (a fast shutdown: connections are closed, committed data is kept). */
  void stop();

  /** Starts a stopped server again on the same address, with its data. */
  void start();

  /**
   * Freezes the server and every backend process (SIGSTOP, or {@code docker pause}): connections
   * stay open, nothing answers.
   */
  void pause();

  /** Thaws a paused server. */
  void resume();

  /** Stops the server for good and removes what it left on disk. Idempotent. */
  @Override
  void close();

  /**
   * This server's stop, start, pause and resume as the faults a contract test injects.
   *
   * @return the faults, or {@code null} if the server is not {@link #controllable()}
   */
  default @Nullable BackendFaults faults() {
    if (!controllable()) {
      return null;
    }
    PostgresServer server = this;
    return new BackendFaults() {
      @Override
      public void stop() {
        server.stop();
      }

      @Override
      public void start() {
        server.start();
      }

      @Override
      public void pause() {
        server.pause();
      }

      @Override
      public void resume() {
        server.resume();
      }
    };
  }

  /**
   * A new connection as {@link #user()}, for a test's own setup and checks.
   *
   * @return an open connection; the caller closes it
   * @throws SQLException if the server cannot be reached
   */
  default Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user());
    p.setProperty("password", password());
    p.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(), p);
  }
}
