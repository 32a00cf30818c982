package io.holdfast.membership.postgresql;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockService;
import io.holdfast.lock.internal.Checks;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.postgresql.internal.Identifiers;
import io.holdfast.lock.postgresql.internal.PgClient;
import io.holdfast.lock.postgresql.internal.PgErrors;
import io.holdfast.lock.postgresql.internal.PgSchema;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Membership} over PostgreSQL, through JDBC.
 *
 * <pre>{@code
 * Membership membership = PostgresMembership.builder(dataSource)
 *     .heartbeatTtl(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <p>A member is a row of {@code <prefix>members} whose expiry, on the database's clock, a
 * heartbeat every third of the TTL extends (one statement per group per round). Every statement
 * that touches a group deletes its expired members first and, when the group changed, bumps its
 * version in {@code <prefix>member_groups} and notifies watchers ({@code NOTIFY}) in the same
 * statement. Watchers {@code LISTEN} on one dedicated connection and read the group again on each
 * notification, and every reconcile interval in any case, which heals a lost notification and
 * prunes members that expired while nobody wrote to the group: a crashed member leaves within
 * <b>TTL + the reconcile interval</b> (plus delivery). Elections use a {@link PostgresLockService}
 * with the same schema and prefix, the TTL as lease, and the fencing token as epoch. Statements run
 * as the lock service's do: autocommit, one connection each, never session state. See {@code
 * docs/postgresql.md} for the tables.
 */
public final class PostgresMembership {
  /** The default heartbeat TTL. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

  private PostgresMembership() {}

  /**
   * A builder over the application's data source (usually its pool), which the membership never
   * closes.
   *
   * @param dataSource where statements get their connections
   * @return a new builder
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  /**
   * A builder for a membership that connects to {@code jdbcUrl} itself.
   *
   * @param jdbcUrl a {@code jdbc:postgresql://host:port/database} URL
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

  /** Options of a PostgreSQL membership; each setter validates at once. Not thread-safe. */
  public static final class Builder {
    private final @Nullable DataSource dataSource;
    private final @Nullable String jdbcUrl;
    private @Nullable String user;
    private @Nullable String password;
    private Duration ttl = DEFAULT_TTL;
    private @Nullable Duration reconcileInterval;
    private Duration commandTimeout = Duration.ofSeconds(3);
    private @Nullable String schema;
    private String tablePrefix = PostgresLockService.DEFAULT_TABLE_PREFIX;
    private boolean schemaManagedExternally;
    private @Nullable Executor callbackExecutor;

    private Builder(@Nullable DataSource dataSource, @Nullable String jdbcUrl) {
      this.dataSource = dataSource;
      this.jdbcUrl = jdbcUrl;
    }

    /**
     * The user to connect as, for a membership built from a JDBC URL. Default: the URL's.
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
     * The password, for a membership built from a JDBC URL. Default: the URL's.
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
            option
                + " applies only to a membership built from a JDBC URL; set it on your"
                + " DataSource");
      }
    }

    /**
     * How long a member stays without a heartbeat; heartbeats run every third of it. Also the lease
     * of the election lock. Default 10 s; from 300 ms to 1 hour.
     *
     * @param ttl the TTL
     * @return this builder
     */
    public Builder heartbeatTtl(Duration ttl) {
      this.ttl =
          Checks.checkRange(ttl, "heartbeatTtl", Duration.ofMillis(300), Duration.ofHours(1));
      return this;
    }

    /**
     * How often a watcher reads its group again even without a notification, to heal a lost one and
     * prune members that expired unnoticed. Default: a third of the TTL; from 10 ms to 1 hour.
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder reconcileInterval(Duration interval) {
      this.reconcileInterval =
          Checks.checkRange(
              interval, "reconcileInterval", Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /**
     * How long one statement may take. Default 3 s; from 10 ms to 1 day.
     *
     * @param commandTimeout the timeout
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout =
          Checks.checkRange(
              commandTimeout, "commandTimeout", Duration.ofMillis(10), Duration.ofDays(1));
      return this;
    }

    /**
     * The schema of the tables. Default: the connection's search path.
     *
     * @param schema 1 to 63 characters of a-z, 0-9 and _
     * @return this builder
     */
    public Builder schema(String schema) {
      this.schema = Identifiers.checkSchema(schema);
      return this;
    }

    /**
     * The prefix of the tables ({@code <prefix>members}, {@code <prefix>member_groups}, and the
     * election lock's) and channels. Default {@code holdfast_}.
     *
     * @param tablePrefix 1 to 40 characters of a-z, 0-9 and _, not starting with a digit
     * @return this builder
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = Identifiers.checkPrefix(tablePrefix, "tablePrefix");
      return this;
    }

    /**
     * Whether a DBA owns the schema: the membership then only checks that its tables exist, and
     * fails with an error that contains their DDL if not. Default {@code false}: created on first
     * use.
     *
     * @param managed whether the schema is managed outside the membership
     * @return this builder
     */
    public Builder schemaManagedExternally(boolean managed) {
      this.schemaManagedExternally = managed;
      return this;
    }

    /**
     * Where listeners run by default. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The DDL of the membership's tables for these options (the election lock's is {@link
     * PostgresLockService.Builder#ddl()}).
     *
     * @return the statements, each ending with a semicolon
     */
    public String ddl() {
      return PgSchema.script(new MembershipSql(schema, tablePrefix).ddl);
    }

    /**
     * Connects, creates or checks the tables, and builds the membership.
     *
     * @return a new, open membership
     * @throws MembershipBackendException if PostgreSQL cannot be reached, or a table is missing
     *     when the schema is managed externally
     */
    public Membership build() {
      MembershipSql sql = new MembershipSql(schema, tablePrefix);
      PgClient client =
          dataSource != null
              ? PgClient.of(dataSource, commandTimeout)
              : PgClient.of(Objects.requireNonNull(jdbcUrl), user, password, commandTimeout);
      LockService locks = null;
      try {
        String missing =
            PgSchema.ensure(
                client,
                sql.ddl,
                schema,
                List.of(sql.membersName, sql.groupsName),
                !schemaManagedExternally);
        if (missing != null) {
          throw new MembershipBackendException(
              "the Holdfast membership tables are missing on PostgreSQL at "
                  + client.errors().where()
                  + " ("
                  + missing
                  + "), and the schema is managed externally; create them with:\n"
                  + PgSchema.script(sql.ddl),
              new SQLException("missing: " + missing, "42P01"));
        }
        PostgresLockService.Builder lockBuilder =
            dataSource != null
                ? PostgresLockService.builder(dataSource)
                : PostgresLockService.builder(Objects.requireNonNull(jdbcUrl));
        if (user != null) {
          lockBuilder.user(user);
        }
        if (password != null) {
          lockBuilder.password(password);
        }
        if (schema != null) {
          lockBuilder.schema(schema);
        }
        locks =
            lockBuilder
                .tablePrefix(tablePrefix)
                .schemaManagedExternally(schemaManagedExternally)
                .leaseTime(ttl)
                .commandTimeout(commandTimeout)
                .build();
        Duration reconcile =
            reconcileInterval != null
                ? reconcileInterval
                : ttl.dividedBy(PostgresMembershipImpl.HEARTBEATS_PER_TTL);
        return new PostgresMembershipImpl(
            client, sql, locks, ttl, reconcile, commandTimeout, callbackExecutor);
      } catch (SQLException | RuntimeException e) {
        if (locks != null) {
          locks.close();
        }
        client.close();
        if (e instanceof MembershipBackendException m) {
          throw m;
        }
        Throwable cause =
            e instanceof LockBackendException && e.getCause() != null ? e.getCause() : e;
        throw new MembershipBackendException(
            "could not connect to PostgreSQL: " + client.errors().describe(cause),
            PgErrors.unwrap(cause));
      }
    }
  }
}
