package io.holdfast.lock.postgresql.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs short autocommit statements for a service, each on a connection of its own for the
 * statement's duration: from the application's {@link DataSource} (its pool), or from a small pool
 * of connections to a JDBC URL that this client keeps. Never sets session state; a connection that
 * comes with autocommit off is switched on for the statement and back after. Each statement is
 * bounded by the command timeout (socket timeout and query timeout); a statement that fails because
 * its connection was gone (terminated, reset, restarted server), or that the server rolled back for
 * a deadlock, is tried once more (on a fresh connection), which is why every statement given to it
 * must be safe to repeat.
 *
 * <p>Statements run on a few threads of the client's own ({@value #THREADS} at most), so callers
 * never block on JDBC.
 */
public final class PgClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.postgresql");
  private static final AtomicInteger IDS = new AtomicInteger();

  /** The most statements a client runs at once. */
  public static final int THREADS = 8;

  /** A unit of work on a connection. */
  @FunctionalInterface
  public interface Work<T> {
    /**
     * Runs statements on {@code c}.
     *
     * @param c a connection in autocommit mode
     * @return the result
     * @throws SQLException on failure
     */
    T run(Connection c) throws SQLException;
  }

  private final @Nullable DataSource dataSource;
  private final @Nullable String url;
  private final Properties properties;
  private final Duration commandTimeout;
  private final PgErrors errors;
  private final ThreadPoolExecutor io;
  private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(THREADS);
  private volatile boolean closed;

  private PgClient(
      @Nullable DataSource dataSource,
      @Nullable String url,
      Properties properties,
      Duration commandTimeout,
      String where) {
    this.dataSource = dataSource;
    this.url = url;
    this.properties = properties;
    this.commandTimeout = commandTimeout;
    this.errors = new PgErrors(where, commandTimeout);
    int id = IDS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.io =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t =
                  new Thread(r, "holdfast-postgresql-jdbc-" + id + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    io.allowCoreThreadTimeOut(true);
  }

  /**
   * A client over the application's data source.
   *
   * @param dataSource the data source (usually a pool)
   * @param commandTimeout the bound of each statement
   * @return the client
   */
  public static PgClient of(DataSource dataSource, Duration commandTimeout) {
    return new PgClient(dataSource, null, new Properties(), commandTimeout, "the DataSource");
  }

  /**
   * A client that connects to {@code url} itself, keeping up to {@value #THREADS} idle connections.
   *
   * @param url a {@code jdbc:postgresql:} URL
   * @param user the user, or {@code null} to take it from the URL
   * @param password the password, or {@code null}
   * @param commandTimeout the bound of each statement, and the connect timeout
   * @return the client
   */
  public static PgClient of(
      String url, @Nullable String user, @Nullable String password, Duration commandTimeout) {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    long seconds = Math.max(1, (commandTimeout.toMillis() + 999) / 1000);
    p.setProperty("connectTimeout", Long.toString(seconds));
    p.setProperty("loginTimeout", Long.toString(seconds));
    p.setProperty("socketTimeout", Long.toString(seconds));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", "holdfast");
    int query = url.indexOf('?');
    return new PgClient(null, url, p, commandTimeout, query < 0 ? url : url.substring(0, query));
  }

  /**
   * The error classifier.
   *
   * @return the classifier
   */
  public PgErrors errors() {
    return errors;
  }

  /**
   * The command timeout.
   *
   * @return the bound of each statement
   */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * Runs {@code work} on a client thread.
   *
   * @param work the statements; must be safe to run twice
   * @param <T> the result type
   * @return its result, or the failure
   */
  public <T> CompletableFuture<T> submit(Work<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      io.execute(
          () -> {
            try {
              f.complete(call(work));
            } catch (SQLException | RuntimeException e) {
              f.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new IllegalStateException("the PostgreSQL client is closed", e));
    }
    return f;
  }

  /**
   * Runs {@code work} on the calling thread, once more on a fresh connection if the first one was
   * gone.
   *
   * @param work the statements; must be safe to run twice
   * @param <T> the result type
   * @return its result
   * @throws SQLException if it failed
   */
  public <T> T call(Work<T> work) throws SQLException {
    try {
      return callOnce(work);
    } catch (SQLException e) {
      boolean conflict = isConflict(e);
      if (closed || !(conflict || PgErrors.isConnectionFailure(e)) || isConnectFailure(e)) {
        throw e;
      }
      LOG.debug(
          "{}; trying once more: {}",
          conflict ? "a deadlock or serialization conflict" : "a connection was gone",
          e.toString());
      if (!conflict) {
        // The idle ones are most likely gone too (a restart, a failover): retry on a new one.
        closeIdle();
      }
      return callOnce(work);
    }
  }

  /** A deadlock or serialization failure: the server rolled the statement back. */
  private static boolean isConflict(SQLException e) {
    String state = PgErrors.sqlState(e);
    return "40P01".equals(state) || "40001".equals(state);
  }

  private static boolean isConnectFailure(SQLException e) {
    String state = PgErrors.sqlState(e);
    return "08001".equals(state) || "08004".equals(state) || "28P01".equals(state);
  }

  private <T> T callOnce(Work<T> work) throws SQLException {
    Connection c = borrow();
    boolean broken = true;
    int networkTimeout = 0;
    boolean autoCommit = true;
    try {
      networkTimeout = c.getNetworkTimeout();
      c.setNetworkTimeout(DIRECT, (int) Math.min(Integer.MAX_VALUE, commandTimeout.toMillis()));
      autoCommit = c.getAutoCommit();
      if (!autoCommit) {
        c.setAutoCommit(true);
      }
      T result = work.run(c);
      broken = false;
      return result;
    } catch (SQLException e) {
      broken = PgErrors.isConnectionFailure(e);
      throw e;
    } finally {
      giveBack(c, broken, networkTimeout, autoCommit);
    }
  }

  /** setNetworkTimeout's executor only closes the socket: no thread needed. */
  private static final Executor DIRECT = Runnable::run;

  /**
   * A query timeout for {@link java.sql.Statement#setQueryTimeout}, in whole seconds (at least 1).
   *
   * @return seconds
   */
  public int queryTimeoutSeconds() {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (commandTimeout.toMillis() + 999) / 1000));
  }

  /**
   * A connection for a long-lived use of the caller's own (a LISTEN connection), not from this
   * client's pool: from the data source, or a new one to the URL.
   *
   * @return a new connection; the caller closes it
   * @throws SQLException if it cannot be opened
   */
  public Connection dedicatedConnection() throws SQLException {
    Connection c = open();
    if (!c.getAutoCommit()) {
      c.setAutoCommit(true);
    }
    return c;
  }

  private Connection borrow() throws SQLException {
    if (closed) {
      throw new SQLException("the PostgreSQL client is closed", "08003");
    }
    if (dataSource == null) {
      Connection c = idle.poll();
      if (c != null) {
        return c;
      }
    }
    return open();
  }

  private Connection open() throws SQLException {
    if (dataSource != null) {
      return dataSource.getConnection();
    }
    return DriverManager.getConnection(java.util.Objects.requireNonNull(url), properties);
  }

  private void giveBack(Connection c, boolean broken, int networkTimeout, boolean autoCommit) {
    try {
      if (!broken) {
        c.setNetworkTimeout(DIRECT, networkTimeout);
        if (!autoCommit) {
          c.setAutoCommit(false);
        }
      }
      if (dataSource == null && !broken && !closed && idle.offer(c)) {
        return;
      }
      c.close();
    } catch (SQLException e) {
      LOG.debug("closing a connection failed", e);
      closeQuietly(c);
    }
  }

  /**
   * Closes a connection, ignoring failures.
   *
   * @param c the connection
   */
  public static void closeQuietly(@Nullable Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("closing a connection failed", e);
    }
  }

  /** Stops the threads (after the statements running finish) and closes idle connections. */
  @Override
  public void close() {
    closed = true;
    io.shutdown();
    try {
      io.awaitTermination(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    io.shutdownNow();
    closeIdle();
  }

  private void closeIdle() {
    Connection c;
    while ((c = idle.poll()) != null) {
      closeQuietly(c);
    }
  }
}
