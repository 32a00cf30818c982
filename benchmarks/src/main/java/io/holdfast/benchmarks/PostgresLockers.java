package io.holdfast.benchmarks;

import io.holdfast.lock.postgresql.PostgresLockService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The libraries measured against PostgreSQL, each over the same connection pool, each creating its
 * table if needed (with the DDL its documentation gives).
 */
final class PostgresLockers {
  private PostgresLockers() {}

  static Locker create(String impl, DataSource pool) {
    return switch (impl) {
      case "floor" -> new Floor(pool);
      case "holdfast" -> new Locker.Holdfast(PostgresLockService.builder(pool).build());
      case "statements" -> new HoldfastStatements(pool);
      case "shedlock" -> new ShedLock(pool);
      case "spring" -> new SpringJdbc(pool);
      default -> throw new IllegalArgumentException("unknown PostgreSQL implementation " + impl);
    };
  }

  static void execute(DataSource pool, String... ddl) {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      for (String statement : ddl) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("creating a benchmark table failed", e);
    }
  }

  /**
   * The least any safe lease lock in PostgreSQL can do per cycle: one autocommit statement to take
   * the lock (insert, or take over a row whose lease ran out, timed by the database clock) and one
   * compare-and-delete on owner to give it back, each on a pooled connection. No fencing token, no
   * notification, no renewal; when the lock is taken it asks again at once (polling), which makes
   * it a reference for the contended case, not a usable lock.
   */
  static final class Floor implements Locker {
    private static final String ACQUIRE =
        "INSERT INTO floor_locks AS l (name, owner, expires_at)"
            + " VALUES (?, ?, clock_timestamp() + interval '10 seconds')"
            + " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
            + " expires_at = excluded.expires_at WHERE l.expires_at <= clock_timestamp()";
    private static final String RELEASE = "DELETE FROM floor_locks WHERE name = ? AND owner = ?";

    private final DataSource pool;
    private final String owner = UUID.randomUUID().toString();

    private record FloorHeld(String name) {}

    Floor(DataSource pool) {
      this.pool = pool;
      execute(
          pool,
          "CREATE TABLE IF NOT EXISTS floor_locks (name text PRIMARY KEY, owner text NOT NULL,"
              + " expires_at timestamptz NOT NULL)");
    }

    private int run(String sql, String name) throws SQLException {
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, name);
        ps.setString(2, owner);
        return ps.executeUpdate();
      }
    }

    @Override
    public Object lock(String name) throws SQLException {
      while (run(ACQUIRE, name) != 1) {
        Thread.onSpinWait();
      }
      return new FloorHeld(name);
    }

    @Override
    public void unlock(Object held) throws SQLException {
      String name = ((FloorHeld) held).name();
      if (run(RELEASE, name) != 1) {
        throw new IllegalStateException("the floor lost " + name + " before releasing it");
      }
    }

    @Override
    public void close() {}
  }

  /**
   * A diagnostic, not a lock library: Holdfast's own acquire and release statements (the text of
   * lock-postgresql's {@code Sql}, as described in docs/postgresql.md: token from a sequence, the
   * holder reported when refused, {@code pg_notify} on release) sent over raw JDBC on the pool, the
   * way the floor sends its own. Next to the floor it shows what the statements cost the server;
   * next to Holdfast, what the client library adds. Uncontended use only (it polls).
   */
  static final class HoldfastStatements implements Locker {
    private static final String ACQUIRE =
        "WITH granted AS (INSERT INTO stmt_locks AS l (name, owner, token, expires_at)"
            + " SELECT ?, ?, nextval('stmt_lock_tokens'), clock_timestamp() + make_interval(secs"
            + " => 10) FROM (SELECT pg_advisory_xact_lock(hashtext('stmt_locks'), hashtext(?))"
            + " AS locked) AS one_at_a_time ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
            + " token = GREATEST(excluded.token, l.token + 1), expires_at = excluded.expires_at"
            + " WHERE l.expires_at <= clock_timestamp() OR l.owner = excluded.owner"
            + " RETURNING token)"
            + " SELECT token, NULL::text, NULL::bigint FROM granted"
            + " UNION ALL SELECT -1, owner,"
            + " GREATEST(0, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint)"
            + " FROM stmt_locks WHERE name = ? AND NOT EXISTS (SELECT 1 FROM granted)";
    private static final String RELEASE =
        "WITH gone AS (DELETE FROM stmt_locks WHERE name = ? AND owner = ? AND token = ?"
            + " RETURNING name) SELECT pg_notify('stmt_locks', name) FROM gone";

    private final DataSource pool;
    private final String owner = UUID.randomUUID().toString();
    private final AtomicLong attempts = new AtomicLong();

    // Each attempt its own owner, as Holdfast's: the statement re-grants to the same owner.
    private record StatementsHeld(String name, String owner, long token) {}

    HoldfastStatements(DataSource pool) {
      this.pool = pool;
      execute(
          pool,
          "CREATE SEQUENCE IF NOT EXISTS stmt_lock_tokens AS bigint",
          "CREATE TABLE IF NOT EXISTS stmt_locks (name text PRIMARY KEY, owner text NOT NULL,"
              + " token bigint NOT NULL, expires_at timestamptz NOT NULL)");
    }

    @Override
    public Object lock(String name) throws SQLException {
      String me = owner + ":" + attempts.incrementAndGet();
      while (true) {
        try (Connection c = pool.getConnection();
            PreparedStatement ps = c.prepareStatement(ACQUIRE)) {
          ps.setString(1, name);
          ps.setString(2, me);
          ps.setString(3, name);
          ps.setString(4, name);
          try (ResultSet r = ps.executeQuery()) {
            if (r.next() && r.getLong(1) >= 0) {
              return new StatementsHeld(name, me, r.getLong(1));
            }
          }
        }
        Thread.onSpinWait();
      }
    }

    @Override
    public void unlock(Object held) throws SQLException {
      StatementsHeld h = (StatementsHeld) held;
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement(RELEASE)) {
        ps.setString(1, h.name());
        ps.setString(2, h.owner());
        ps.setLong(3, h.token());
        try (ResultSet r = ps.executeQuery()) {
          if (!r.next()) {
            throw new IllegalStateException("lost " + h.name() + " before releasing it");
          }
        }
      }
    }

    @Override
    public void close() {}
  }

  /**
   * ShedLock's JDBC provider with {@code usingDbTime()} (the database's clock), lockAtMostFor 10 s.
   * ShedLock never waits for a lock: when it is taken, this asks again at once, as the floor does.
   */
  static final class ShedLock implements Locker {
    private final JdbcTemplateLockProvider provider;

    ShedLock(DataSource pool) {
      execute(
          pool,
          "CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP"
              + " NOT NULL, locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL,"
              + " PRIMARY KEY (name))");
      provider =
          new JdbcTemplateLockProvider(
              JdbcTemplateLockProvider.Configuration.builder()
                  .withJdbcTemplate(new JdbcTemplate(pool))
                  .usingDbTime()
                  .build());
    }

    @Override
    public Object lock(String name) {
      String shortName = name.length() > 64 ? name.substring(name.length() - 64) : name;
      while (true) {
        Optional<SimpleLock> lock =
            provider.lock(
                new LockConfiguration(
                    Instant.now(), shortName, Duration.ofSeconds(10), Duration.ZERO));
        if (lock.isPresent()) {
          return lock.get();
        }
        Thread.onSpinWait();
      }
    }

    @Override
    public void unlock(Object held) {
      ((SimpleLock) held).unlock();
    }

    @Override
    public void close() {}
  }

  /**
   * Spring Integration's {@link JdbcLockRegistry} over a {@link DefaultLockRepository}, with their
   * default settings (TTL 60 s, 100 ms between tries when the lock is taken elsewhere).
   */
  static final class SpringJdbc implements Locker {
    private final DefaultLockRepository repository;
    private final JdbcLockRegistry registry;

    SpringJdbc(DataSource pool) {
      execute(
          pool,
          "CREATE TABLE IF NOT EXISTS INT_LOCK (LOCK_KEY CHAR(36) NOT NULL, REGION VARCHAR(100)"
              + " NOT NULL, CLIENT_ID CHAR(36), CREATED_DATE TIMESTAMP NOT NULL, EXPIRED_AFTER"
              + " TIMESTAMP NOT NULL, constraint INT_LOCK_PK primary key (LOCK_KEY, REGION))");
      repository = new DefaultLockRepository(pool);
      repository.setTransactionManager(new DataSourceTransactionManager(pool));
      repository.afterPropertiesSet();
      repository.afterSingletonsInstantiated();
      repository.start();
      registry = new JdbcLockRegistry(repository);
    }

    @Override
    public Object lock(String name) {
      Lock lock = registry.obtain(name);
      lock.lock();
      return lock;
    }

    @Override
    public void unlock(Object held) {
      ((Lock) held).unlock();
    }

    @Override
    public void close() {
      repository.close();
    }
  }
}
