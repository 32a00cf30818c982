package io.holdfast.lock.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.HoldfastPostgres;
import io.holdfast.testkit.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Statements counted by the server ({@code pg_stat_statements}), not timed: each test uses a table
 * prefix of its own, and only statements on that table count. Leases are a day long so that no
 * background renewal round falls inside a measured window; rounds are run by hand.
 */
class PostgresStatementCountTest {
  @HoldfastPostgres PostgresServer server;
  private PostgresFixture pg;

  @BeforeEach
  void loadStatistics() {
    pg = new PostgresFixture(server);
    try {
      pg.update("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    } catch (IllegalStateException e) {
      Assumptions.abort("pg_stat_statements is not loadable on this server: " + e.getCause());
    }
  }

  private LockService service(String prefix) {
    return pg.builder(Duration.ofDays(1), Duration.ofSeconds(3)).tablePrefix(prefix).build();
  }

  /** Statements run on {@code <prefix>locks} since the last reset. */
  private long statements(String prefix) {
    return pg.queryLong(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
            + " WHERE query LIKE ? AND query NOT LIKE '%pg_stat_statements%'",
        "%\"" + prefix + "locks\"%");
  }

  private void reset() {
    pg.queryLong("SELECT 1 FROM pg_stat_statements_reset()");
  }

  @Test
  void acquireAndRelease_costOneStatementEach_andReentrantAcquiresNone() throws Exception {
    try (LockService locks = service("count1_")) {
      reset();
      for (int i = 0; i < 100; i++) {
        try (LockHandle h = locks.acquire("count:" + (i % 10), Duration.ZERO)) {
          assertThat(h.isHeld()).isTrue();
        }
      }
      assertThat(statements("count1_")).isEqualTo(200);

      reset();
      List<LockHandle> handles = new ArrayList<>();
      handles.add(locks.acquire("reentrant"));
      for (int i = 0; i < 50; i++) {
        handles.add(locks.acquire("reentrant"));
        handles.add(locks.tryAcquire("reentrant").orElseThrow());
      }
      assertThat(statements("count1_")).isEqualTo(1);
      handles.forEach(LockHandle::close);
      assertThat(statements("count1_")).isEqualTo(2);
    }
  }

  @Test
  void renewingTwoHundredFiftyHeldLocks_costsThreeStatementsPerRound() throws Exception {
    try (LockService locks = service("count2_")) {
      List<LockHandle> held = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        held.add(locks.acquire("renew:" + i, Duration.ZERO));
      }
      reset();
      ((PostgresLockServiceImpl) locks).renewNow().get();
      assertThat(statements("count2_")).isEqualTo(3);
      assertThat(held).allMatch(LockHandle::isHeld);
      held.forEach(LockHandle::close);
    }
  }
}
