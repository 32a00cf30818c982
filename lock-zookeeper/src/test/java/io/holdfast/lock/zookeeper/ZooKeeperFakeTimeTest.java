package io.holdfast.lock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.FakeTicker;
import io.holdfast.testkit.Timing;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pause detection on a {@link FakeTicker}: a ZooKeeper grant lives as long as the session, and a
 * process that did not run for half the session timeout must treat its grants as lost. The pause is
 * a jump of the ticker, so the test neither freezes the JVM nor waits for a session to expire.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperFakeTimeTest {
  private static final Duration SESSION = Duration.ofSeconds(5);
  private static final Duration THRESHOLD =
      SESSION.dividedBy(ZooKeeperLockServiceImpl.PAUSE_DIVISOR);
  private static ZooKeeperServer server;

  @BeforeAll
  static void startServer() {
    server = ZooKeeperServers.shared();
  }

  @Test
  void pauseLongerThanHalfTheSession_losesTheGrant_atOnce() throws Exception {
    FakeTicker ticker = new FakeTicker();
    try (LockService locks =
        ZooKeeperLockService.builder(server.connectString())
            .sessionTimeout(SESSION)
            .ticker(ticker)
            .build()) {
      LockHandle h = locks.acquire("paused-" + System.identityHashCode(ticker));
      AtomicReference<@Nullable LockHandle> lost = new AtomicReference<>();
      h.onLost(lost::set);

      ticker.advance(THRESHOLD.minusMillis(1));
      assertThat(h.isHeld()).as("a gap within the threshold is no pause").isTrue();
      ticker.advance(THRESHOLD.plusMillis(1));
      assertThat(h.isHeld()).as("judged at once, before the tick reports it").isFalse();
      await()
          .atMost(Timing.scaled(Duration.ofSeconds(10)))
          .untilAsserted(() -> assertThat(lost.get()).isSameAs(h));
      h.close();
    }
  }
}
