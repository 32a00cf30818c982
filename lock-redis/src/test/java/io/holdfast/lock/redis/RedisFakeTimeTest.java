package io.holdfast.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.FakeTicker;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.Timing;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Local lease expiry on a {@link FakeTicker}: a grant whose renewals are not confirmed in time is
 * lost when the ticker passes its deadline (lease time less the drift margin, from the send time of
 * the acquire), not a nanosecond before and without waiting the lease time for real.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisFakeTimeTest {
  private static final Duration LEASE = Duration.ofSeconds(10);
  // ServiceConfig.driftMarginNanos(): 1 % of the lease plus 2 ms.
  private static final Duration VALID_FOR = LEASE.minusMillis(100 + 2);

  @Test
  void leaseRunsOutWhenTheTickerPassesItsDeadline() throws Exception {
    FakeTicker ticker = new FakeTicker();
    try (LockService locks =
        RedisLockService.builder(RedisServers.shared().uri())
            .leaseTime(LEASE)
            .ticker(ticker)
            .build()) {
      LockHandle h = locks.acquire("fake-time-" + UUID.randomUUID());
      AtomicReference<@Nullable LockHandle> lost = new AtomicReference<>();
      h.onLost(lost::set);

      ticker.advance(VALID_FOR.minusNanos(1));
      assertThat(h.isHeld()).isTrue();
      ticker.advance(Duration.ofNanos(1));
      assertThat(h.isHeld()).as("judged by the ticker, at once").isFalse();
      await()
          .atMost(Timing.scaled(Duration.ofSeconds(10)))
          .untilAsserted(() -> assertThat(lost.get()).isSameAs(h));
      h.close();
    }
  }
}
