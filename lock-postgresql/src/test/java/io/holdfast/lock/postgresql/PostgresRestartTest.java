package io.holdfast.lock.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.HoldfastPostgres;
import io.holdfast.testkit.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What docs/postgresql.md promises of a restart: grants and the token sequence survive it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresRestartTest {
  @HoldfastPostgres(dedicated = true)
  PostgresServer server;

  @Test
  void afterARestart_heldLocksAreStillHeld_theFirstStatementSucceeds_andTokensKeepGrowing()
      throws Exception {
    Assumptions.assumeTrue(server.controllable(), "the environment's server is not ours to stop");
    PostgresFixture pg = new PostgresFixture(server);
    try (LockService a = pg.builder(Duration.ofSeconds(20), Duration.ofSeconds(3)).build();
        LockService b = pg.builder(Duration.ofSeconds(20), Duration.ofSeconds(3)).build()) {
      // Several acquires at once leave several idle connections in the service's pool.
      List<CompletableFuture<LockHandle>> many = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        many.add(a.acquireAsync("warm:" + i, Duration.ofSeconds(5)));
      }
      long highest = 0;
      for (CompletableFuture<LockHandle> f : many) {
        try (LockHandle h = f.get(10, TimeUnit.SECONDS)) {
          highest = Math.max(highest, h.fencingToken());
        }
      }
      LockHandle kept = a.acquire("kept");

      server.stop();
      server.start();

      // Every idle connection died with the server: the first statement still succeeds.
      try (LockHandle after = a.acquire("after", Duration.ZERO)) {
        assertThat(after.fencingToken()).isGreaterThan(Math.max(highest, kept.fencingToken()));
      }
      ((PostgresLockServiceImpl) a).renewNow().get(10, TimeUnit.SECONDS);
      assertThat(kept.isHeld()).isTrue();
      assertThat(b.tryAcquire("kept")).isEmpty();
      kept.close();
      try (LockHandle h = b.acquire("kept", Duration.ofSeconds(10))) {
        assertThat(h.fencingToken()).isGreaterThan(kept.fencingToken());
      }
    }
  }
}
