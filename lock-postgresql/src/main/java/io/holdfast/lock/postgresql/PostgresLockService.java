package io.holdfast.lock.postgresql;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockObserver;
import io.holdfast.lock.LockService;
import io.holdfast.lock.Ticker;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.postgresql.internal.Identifiers;
import io.holdfast.lock.postgresql.internal.PgClient;
import io.holdfast.lock.postgresql.internal.PgSchema;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Builds {@link LockService}s over PostgreSQL, through JDBC.
 *
 * <pre>{@code
 * LockService locks = PostgresLockService.builder(dataSource)
 *     .leaseTime(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <p>Locks are rows of a lease table ({@code <prefix>locks}: name, owner, token, expiry), timed by
 * the database's clock only; fencing tokens come from a sequence ({@code <prefix>lock_tokens}).
 * Every statement is a single autocommit statement on a connection the service takes for that
 * statement alone and gives back at once — from the application's {@link DataSource} (its pool), or
 * from a small pool of its own for a JDBC URL — and relies on no session state, so it works behind
 * a transaction-mode pooler and never joins a transaction the application has open. Waiters sleep
 * until a release is notified ({@code LISTEN}/{@code NOTIFY}) on one connection the service keeps
 * for that (taken from the data source and held while the service is open), with a timed retry
 * bounded by the holder's remaining lease, so a lost notification delays a waiter but never hangs
 * it. PostgreSQL 12 or later.
 *
 * <p>Costs, in statements (each one round trip): acquire 1, release 1 (the notification rides on
 * it), renewal 1 per 100 held locks per round (every third of the lease time), reentrant acquire 0.
 * See {@code docs/postgresql.md} for the tables, what survives a restart or a failover and the
 * minimal privileges.
 */
public final class PostgresLockService {
  /** The default table prefix. */
  public static final String DEFAULT_TABLE_PREFIX = "holdfast_";

  private PostgresLockService() {}

  /**
   * A builder for a service over the application's data source (usually its connection pool). The
   * data source stays the application's: the service never closes it.
   *
   * @param dataSource where statements get their connections
   * @return a new builder
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  /**
   * A builder for a service that connects to {@code jdbcUrl} itself, keeping a few connections
   * open.
   *
   * @param jdbcUrl a {@code jdbc:postgresql://host:port/database} URL; it may carry the user and
   *     password as parameters, or see {@link Builder#user} and {@link Builder#password}
   * @return a new builder
   */
  public static Builder builder(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl must start with jdbc:postgresql:, was '" + jdbcUrl + "'");
    }
    return new Builder(null, jdbcUrl);
  }

  /**
   * Options of a PostgreSQL lock service. Each setter validates its argument at once. Not
   * thread-safe; {@link #build()} may be called more than once.
   */
  public static final class Builder {
    private final @Nullable DataSource dataSource;
    private final @Nullable String jdbcUrl;
    private final ServiceConfig.Builder config = new ServiceConfig.Builder();
    private @Nullable String user;
    private @Nullable String password;
    private @Nullable String schema;
    private String tablePrefix = DEFAULT_TABLE_PREFIX;
    private boolean schemaManagedExternally;

    private Builder(@Nullable DataSource dataSource, @Nullable String jdbcUrl) {
      this.dataSource = dataSource;
      this.jdbcUrl = jdbcUrl;
    }

    /**
     * The user to connect as, for a service built from a JDBC URL. Default: the URL's.
     *
     * @param user the user
     * @return this builder
     * @throws IllegalStateException if the builder was made with a data source
     */
    public Builder user(String user) {
      Objects.requireNonNull(user, "user");
      requireUrl("user");
      this.user = user;
      return this;
    }

    /**
     * The password, for a service built from a JDBC URL. Default: the URL's.
     *
     * @param password the password
     * @return this builder
     * @throws IllegalStateException if the builder was made with a data source
     */
    public Builder password(String password) {
      Objects.requireNonNull(password, "password");
      requireUrl("password");
      this.password = password;
      return this;
    }

    private void requireUrl(String option) {
      if (jdbcUrl == null) {
        throw new IllegalStateException(
            option + " applies only to a service built from a JDBC URL; set it on your DataSource");
      }
    }

    /**
     * How long a grant lives without renewal; renewals run every third of it while a handle is
     * open. A holder that stops renewing (crash, pause, partition) keeps the lock at most this
     * long. Default 10 s; from 100 ms to 1 day.
     *
     * @param leaseTime the lease time
     * @return this builder
     */
    public Builder leaseTime(Duration leaseTime) {
      config.leaseTime(leaseTime);
      return this;
    }

    /**
     * How long {@link LockService#acquire(String)} waits. Default 30 s; zero or more.
     *
     * @param defaultWait the wait
     * @return this builder
     */
    public Builder defaultWait(Duration defaultWait) {
      config.defaultWait(defaultWait);
      return this;
    }

    /**
     * How long one statement may take before it fails with {@code LockBackendException}: the socket
     * timeout and query timeout of each statement, and the connect and login timeout of the
     * connections a service built from a JDBC URL opens. Default 3 s; from 10 ms to 1 day (the
     * query timeout is in whole seconds, at least 1).
     *
     * @param commandTimeout the timeout
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      config.commandTimeout(commandTimeout);
      return this;
    }

    /**
     * The schema of the service's table and sequence. Default: the connection's search path
     * (usually {@code public}).
     *
     * @param schema 1 to 63 characters of a-z, 0-9 and _
     * @return this builder
     */
    public Builder schema(String schema) {
      this.schema = Identifiers.checkSchema(schema);
      return this;
    }

    /**
     * The prefix of the table ({@code <prefix>locks}), the sequence ({@code <prefix>lock_tokens})
     * and the notification channel. Default {@value #DEFAULT_TABLE_PREFIX}. Services that must see
     * each other's locks use the same schema and prefix.
     *
     * @param tablePrefix 1 to 40 characters of a-z, 0-9 and _, not starting with a digit
     * @return this builder
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = Identifiers.checkPrefix(tablePrefix, "tablePrefix");
      return this;
    }

    /**
     * Whether a DBA owns the schema: the service then never creates its table and sequence, only
     * checks at {@link #build()} that they exist, and fails with an error that contains their DDL
     * if not. Default {@code false}: created on first use ({@code CREATE ... IF NOT EXISTS}).
     *
     * @param managed whether the schema is managed outside the service
     * @return this builder
     */
    public Builder schemaManagedExternally(boolean managed) {
      this.schemaManagedExternally = managed;
      return this;
    }

    /**
     * Where {@code onLost} listeners run. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      config.callbackExecutor(executor);
      return this;
    }

    /**
     * Sets an observer that sees how each acquire ended and how long it waited, each release with
     * the time held, each lost lease, and each failed renewal round. Default: none.
     *
     * @param observer the observer; its methods must be fast and must not block
     * @return this builder
     */
    public Builder observer(LockObserver observer) {
      config.observer(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /**
     * Sets the time source leases, renewals and pause detection are judged by, for tests on fake
     * time (the testkit's {@code FakeTicker}). Default: {@link Ticker#system()}.
     *
     * @param ticker the time source
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      config.ticker(Objects.requireNonNull(ticker, "ticker"));
      return this;
    }

    /**
     * The DDL of the table and sequence for these options, for a DBA.
     *
     * @return the statements, each ending with a semicolon
     */
    public String ddl() {
      return PgSchema.script(new Sql(schema, tablePrefix).ddl);
    }

    /**
     * Connects, creates or checks the table and sequence, and builds the service.
     *
     * @return a new, open service
     * @throws LockBackendException if PostgreSQL cannot be reached within the command timeout, or
     *     the table is missing when the schema is managed externally
     */
    public LockService build() {
      ServiceConfig cfg = config.build();
      Sql sql = new Sql(schema, tablePrefix);
      PgClient client =
          dataSource != null
              ? PgClient.of(dataSource, cfg.commandTimeout())
              : PgClient.of(Objects.requireNonNull(jdbcUrl), user, password, cfg.commandTimeout());
      try {
        String missing =
            PgSchema.ensure(
                client,
                sql.ddl,
                schema,
                List.of(sql.tableName, sql.sequenceName),
                !schemaManagedExternally);
        if (missing != null) {
          throw new LockBackendException(
              "the Holdfast lock table is missing on PostgreSQL at "
                  + client.errors().where()
                  + " ("
                  + missing
                  + "), and the schema is managed externally; create it with:\n"
                  + PgSchema.script(sql.ddl),
              new SQLException("missing: " + missing, "42P01"));
        }
        return new PostgresLockServiceImpl(cfg, client, sql);
      } catch (SQLException | RuntimeException e) {
        client.close();
        if (e instanceof LockBackendException le) {
          throw le;
        }
        throw new LockBackendException(
            "connecting the lock service failed: " + client.errors().describe(e), e);
      }
    }
  }
}
