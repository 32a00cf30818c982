package io.holdfast.lock.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.HoldfastPostgres;
import io.holdfast.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PostgreSQL service through a pool, inside transactions, and against bad input. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresLockServiceTest {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  @HoldfastPostgres PostgresServer server;
  private PostgresFixture pg;
  private final String ns = "u" + UUID.randomUUID().toString().substring(0, 8) + ":";

  @BeforeEach
  void fixture() {
    pg = new PostgresFixture(server);
  }

  private HikariDataSource pool(boolean autoCommit) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(server.jdbcUrl());
    c.setUsername(server.user());
    c.setPassword(server.password());
    c.setMaximumPoolSize(4);
    c.setAutoCommit(autoCommit);
    return new HikariDataSource(c);
  }

  @Test
  void throughHikari_grantsAreCommittedAndConnectionsGoBack_evenWithAutoCommitOffByDefault()
      throws Exception {
    try (HikariDataSource pool = pool(false);
        LockService a = PostgresLockService.builder(pool).build();
        LockService b = pg.builder(Duration.ofSeconds(10), COMMAND_TIMEOUT).build()) {
      try (LockHandle h = a.acquire(ns + "pooled")) {
        assertThat(b.tryAcquire(ns + "pooled")).isEmpty();
        assertThat(h.fencingToken()).isPositive();
      }
      try (LockHandle h = b.acquire(ns + "pooled", Duration.ofSeconds(5))) {
        assertThat(h.isHeld()).isTrue();
      }
      // Only the listening connection stays out of the pool.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 1);
    }
  }

  @Test
  void insideAnApplicationTransaction_theLockNeverJoinsIt() throws Exception {
    try (HikariDataSource pool = pool(true);
        LockService locks = PostgresLockService.builder(pool).build();
        LockService other = pg.builder(Duration.ofSeconds(10), COMMAND_TIMEOUT).build();
        Connection app = pool.getConnection()) {
      pg.update("CREATE TABLE IF NOT EXISTS app_orders (id text)");
      app.setAutoCommit(false);
      try (Statement s = app.createStatement()) {
        s.execute("INSERT INTO app_orders VALUES ('" + ns + "')");
      }
      LockHandle h = locks.acquire(ns + "in-tx");
      // The grant is visible outside the open transaction: it was committed on its own.
      assertThat(other.tryAcquire(ns + "in-tx")).isEmpty();
      app.rollback();
      assertThat(h.isHeld()).isTrue();
      assertThat(other.tryAcquire(ns + "in-tx")).isEmpty();
      h.close();
      // The release does not wait for, nor roll back with, the application's transaction.
      try (LockHandle h2 = other.acquire(ns + "in-tx", Duration.ofSeconds(5))) {
        assertThat(h2.fencingToken()).isGreaterThan(h.fencingToken());
      }
    }
  }

  @Test
  void aWaiter_isWokenByTheRelease_notByItsTimer() throws Exception {
    try (LockService a = pg.builder(Duration.ofSeconds(60), COMMAND_TIMEOUT).build();
        LockService b = pg.builder(Duration.ofSeconds(60), COMMAND_TIMEOUT).build()) {
      await().until(((PostgresLockServiceImpl) b)::isListening);
      LockHandle h = a.acquire(ns + "wake");
      CompletableFuture<LockHandle> waiter = b.acquireAsync(ns + "wake", Duration.ofSeconds(30));
      long t0 = System.nanoTime();
      h.close();
      // The holder had a minute of lease left: only the notification can be this quick.
      try (LockHandle h2 = waiter.get(10, TimeUnit.SECONDS)) {
        assertThat(h2.fencingToken()).isGreaterThan(h.fencingToken());
      }
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void terminatedConnections_areReplaced_andWaitersStillWake() throws Exception {
    try (LockService a = pg.builder(Duration.ofSeconds(60), COMMAND_TIMEOUT).build();
        LockService b = pg.builder(Duration.ofSeconds(60), COMMAND_TIMEOUT).build()) {
      a.acquire(ns + "warm").close();
      await().until(((PostgresLockServiceImpl) b)::isListening);
      LockHandle h = a.acquire(ns + "terminated");
      CompletableFuture<LockHandle> waiter =
          b.acquireAsync(ns + "terminated", Duration.ofSeconds(60));
      long killed =
          pg.queryLong(
              "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                  + " WHERE application_name = 'holdfast' AND pid <> pg_backend_pid()");
      assertThat(killed).isPositive();
      // The listener reconnects and listens again before the release.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  pg.queryLong(
                          "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                              + " 'holdfast' AND query LIKE 'LISTEN%'")
                      == 2);
      h.close();
      try (LockHandle h2 = waiter.get(30, TimeUnit.SECONDS)) {
        assertThat(h2.isHeld()).isTrue();
      }
      assertThat(h.isHeld()).isFalse();
    }
  }

  @Test
  void wrongPassword_failsFast_sayingAuthentication() {
    pg.update("DROP ROLE IF EXISTS holdfast_pw");
    pg.update("CREATE ROLE holdfast_pw LOGIN PASSWORD 'right'");
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                PostgresLockService.builder(server.jdbcUrl())
                    .user("holdfast_pw")
                    .password("wrong")
                    .commandTimeout(COMMAND_TIMEOUT)
                    .build())
        .isInstanceOf(LockBackendException.class)
        .hasMessageContaining("authentication failed");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(COMMAND_TIMEOUT.plusSeconds(2));
  }

  @Test
  void nothingListening_failsWithinTheTimeout_sayingRefused() {
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                PostgresLockService.builder("jdbc:postgresql://127.0.0.1:1/postgres")
                    .commandTimeout(COMMAND_TIMEOUT)
                    .build())
        .isInstanceOf(LockBackendException.class)
        .hasMessageContaining("refused the connection");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(COMMAND_TIMEOUT.plusSeconds(2));
  }

  @Test
  void schemaManagedExternally_missingTable_failsWithTheDdl_andWorksOnceCreated() {
    PostgresLockService.Builder b =
        pg.builder(Duration.ofSeconds(10), COMMAND_TIMEOUT)
            .schema("dba_owned")
            .tablePrefix("app1_")
            .schemaManagedExternally(true);
    pg.update("DROP SCHEMA IF EXISTS dba_owned CASCADE");
    pg.update("CREATE SCHEMA dba_owned");
    assertThatThrownBy(b::build)
        .isInstanceOf(LockBackendException.class)
        .hasMessageContaining("schema is managed externally")
        .hasMessageContaining(
            "CREATE TABLE IF NOT EXISTS \"dba_owned\".\"app1_locks\" (name text PRIMARY KEY");
    for (String ddl : b.ddl().split(";\n?")) {
      if (!ddl.isBlank()) {
        pg.update(ddl);
      }
    }
    try (LockService locks = b.build()) {
      assertThat(locks.tryAcquire(ns + "dba")).isPresent();
    }
    assertThat(pg.queryLong("SELECT count(*) FROM dba_owned.app1_locks")).isZero();
  }

  @Test
  void readOnlyRole_andMissingPrivileges_areNamedInTheError() {
    try (LockService setup = pg.builder(Duration.ofSeconds(10), COMMAND_TIMEOUT).build()) {
      assertThat(setup.tryAcquire(ns + "setup")).isPresent();
    }
    pg.update("DROP ROLE IF EXISTS holdfast_ro");
    pg.update("CREATE ROLE holdfast_ro LOGIN PASSWORD 'pw'");
    pg.update("GRANT SELECT, INSERT, UPDATE, DELETE ON holdfast_locks TO holdfast_ro");
    pg.update("GRANT USAGE ON SEQUENCE holdfast_lock_tokens TO holdfast_ro");
    pg.update("ALTER ROLE holdfast_ro SET default_transaction_read_only = on");
    pg.update("DROP ROLE IF EXISTS holdfast_none");
    pg.update("CREATE ROLE holdfast_none LOGIN PASSWORD 'pw'");
    try (LockService ro = as("holdfast_ro");
        LockService none = as("holdfast_none")) {
      assertThatThrownBy(() -> ro.tryAcquire(ns + "ro"))
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("is read-only");
      assertThatThrownBy(() -> none.tryAcquire(ns + "none"))
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("lacks a privilege");
    }
  }

  private LockService as(String role) {
    return PostgresLockService.builder(server.jdbcUrl())
        .user(role)
        .password("pw")
        .commandTimeout(COMMAND_TIMEOUT)
        .schemaManagedExternally(true)
        .build();
  }

  @Test
  void droppedTable_failsSayingSo_andNothingHangs() throws Exception {
    try (LockService locks =
        pg.builder(Duration.ofSeconds(10), COMMAND_TIMEOUT).tablePrefix("dropped_").build()) {
      locks.acquire(ns + "before").close();
      pg.update("DROP TABLE dropped_locks");
      assertThatThrownBy(() -> locks.acquire(ns + "after", Duration.ofSeconds(1)))
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("table is missing");
    }
  }

  /**
   * An acquire that the database runs slowly (here: held up between taking its token from the
   * sequence and inserting its row, as a busy server can deschedule a backend) must not be granted
   * with a token smaller than one granted meanwhile: fencing needs tokens to grow in grant order.
   */
  @Test
  void aSlowAcquire_neverGrantsASmallerTokenThanOneGrantedMeanwhile() throws Exception {
    String prefix = "slowinsert_";
    String slowUrl = server.jdbcUrl() + (server.jdbcUrl().contains("?") ? "&" : "?");
    try (LockService fast =
            pg.builder(Duration.ofSeconds(10), Duration.ofSeconds(10)).tablePrefix(prefix).build();
        LockService slow =
            PostgresLockService.builder(slowUrl + "ApplicationName=holdfast-slow")
                .user(server.user())
                .password(server.password())
                .tablePrefix(prefix)
                .commandTimeout(Duration.ofSeconds(10))
                .build()) {
      fast.acquire(ns + "schema").close();
      pg.update(
          "CREATE OR REPLACE FUNCTION slowinsert_hold() RETURNS trigger LANGUAGE plpgsql AS $$"
              + " BEGIN IF current_setting('application_name') = 'holdfast-slow'"
              + " THEN PERFORM pg_sleep(2); END IF; RETURN NEW; END $$");
      pg.update(
          "CREATE OR REPLACE TRIGGER slowinsert_hold BEFORE INSERT ON slowinsert_locks"
              + " FOR EACH ROW EXECUTE FUNCTION slowinsert_hold()");
      try {
        String name = ns + "slow";
        List<Long> grantOrder = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> slowAttempt =
            CompletableFuture.runAsync(
                () ->
                    slow.tryAcquire(name)
                        .ifPresent(
                            h -> {
                              grantOrder.add(h.fencingToken());
                              h.close();
                            }));
        // The slow attempt has its token and sits in the trigger, before its row exists.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    pg.queryLong(
                            "SELECT count(*) FROM pg_stat_activity"
                                + " WHERE application_name = 'holdfast-slow'"
                                + " AND wait_event = 'PgSleep'")
                        == 1);
        fast.tryAcquire(name)
            .ifPresent(
                h -> {
                  grantOrder.add(h.fencingToken());
                  h.close();
                });
        slowAttempt.get(30, TimeUnit.SECONDS);
        assertThat(grantOrder).isNotEmpty().isSorted().doesNotHaveDuplicates();
      } finally {
        pg.update("DROP TRIGGER slowinsert_hold ON slowinsert_locks");
      }
    }
  }

  @Test
  void builderRejectsBadOptions() {
    PostgresLockService.Builder b = PostgresLockService.builder(server.jdbcUrl());
    assertThatThrownBy(() -> b.tablePrefix("Bad-Prefix"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix");
    assertThatThrownBy(() -> b.schema("1x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresLockService.builder("jdbc:mysql://x/y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresLockService.builder((String) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("jdbcUrl");
    try (HikariDataSource pool = pool(true)) {
      assertThatThrownBy(() -> PostgresLockService.builder(pool).user("x"))
          .isInstanceOf(IllegalStateException.class);
    }
  }
}
