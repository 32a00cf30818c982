package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.InMemoryLockService;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockObserver;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.internal.Lease;
import io.holdfast.lock.internal.ServiceConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core's judgement of time (lock-api's {@code AbstractLockService} and {@code Lease}) on a
 * {@link FakeTicker}: lease expiry, renewals and pause detection happen exactly when the ticker
 * says, not on the real clock. No test here waits for a lease time; the only real wait is for the
 * service's 100 ms tick to report a loss the ticker already decided.
 */
class FakeTimeCoreTest {
  private static final Duration LEASE = Duration.ofSeconds(10);
  // ServiceConfig.driftMarginNanos(): 1 % of the lease plus 2 ms.
  private static final Duration VALID_FOR = LEASE.minusMillis(100 + 2);
  private static final Duration PAUSE_THRESHOLD = Duration.ofSeconds(1);

  private final FakeTicker ticker = new FakeTicker();
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  /** A backend that grants every lock at once and renews only when a test says so. */
  private static final class TestService extends AbstractLockService {
    final List<Lease> leases = new CopyOnWriteArrayList<>();
    private final AtomicLong tokens = new AtomicLong();

    TestService(ServiceConfig config, boolean localExpiry, @Nullable Duration pauseThreshold) {
      super("test", config, localExpiry);
      if (pauseThreshold != null) {
        long nanos = pauseThreshold.toNanos();
        detectPauses(() -> nanos);
      }
    }

    @Override
    protected CompletableFuture<@Nullable Lease> acquireLease(String name, long maxWaitNanos) {
      Lease lease =
          new Lease(this, name, tokens.incrementAndGet(), nanoTime()) {
            @Override
            protected CompletableFuture<?> doRelease() {
              return CompletableFuture.completedFuture(null);
            }
          };
      leases.add(lease);
      return CompletableFuture.completedFuture(lease);
    }

    @Override
    protected void shutdownBackend() {}
  }

  private TestService service(boolean localExpiry, @Nullable Duration pauseThreshold) {
    ServiceConfig.Builder config = new ServiceConfig.Builder();
    config.leaseTime(LEASE);
    config.ticker(ticker);
    TestService s = new TestService(config.build(), localExpiry, pauseThreshold);
    toClose.add(s);
    return s;
  }

  private static AtomicReference<@Nullable LockHandle> lostOf(LockHandle h) {
    AtomicReference<@Nullable LockHandle> lost = new AtomicReference<>();
    h.onLost(lost::set);
    return lost;
  }

  private static void awaitLost(AtomicReference<@Nullable LockHandle> lost) {
    await().atMost(Timing.scaled(Duration.ofSeconds(10))).until(() -> lost.get() != null);
  }

  @Test
  void lease_runsOutAtItsDeadlineOnTheTicker_notBefore() throws Exception {
    TestService s = service(true, null);
    LockHandle h = s.acquire("a");
    AtomicReference<@Nullable LockHandle> lost = lostOf(h);

    ticker.advance(VALID_FOR.minusNanos(1));
    assertThat(h.isHeld()).isTrue();
    ticker.advance(Duration.ofNanos(1));
    assertThat(h.isHeld()).as("judged by the ticker, at once").isFalse();
    awaitLost(lost);
  }

  @Test
  void renewal_extendsTheLeaseFromItsSendTime() throws Exception {
    TestService s = service(true, null);
    LockHandle h = s.acquire("a");
    ticker.advance(Duration.ofSeconds(5));
    s.leases.get(0).renewed(ticker.nanoTime());

    ticker.advance(VALID_FOR.minusNanos(1));
    assertThat(h.isHeld()).isTrue();
    ticker.advance(Duration.ofNanos(1));
    assertThat(h.isHeld()).isFalse();
  }

  @Test
  void renewalConfirmedAfterTheDeadline_doesNotReviveTheLease() throws Exception {
    TestService s = service(true, null);
    LockHandle h = s.acquire("a");
    AtomicReference<@Nullable LockHandle> lost = lostOf(h);
    ticker.advance(LEASE);

    s.leases.get(0).renewed(ticker.nanoTime());

    assertThat(h.isHeld()).isFalse();
    awaitLost(lost);
  }

  @Test
  void pause_longerThanTheThreshold_losesTheLeasesGrantedBeforeIt() throws Exception {
    TestService s = service(false, PAUSE_THRESHOLD);
    LockHandle h = s.acquire("a");
    AtomicReference<@Nullable LockHandle> lost = lostOf(h);

    ticker.advance(PAUSE_THRESHOLD.minusMillis(1));
    assertThat(h.isHeld()).as("a gap within the threshold is no pause").isTrue();
    ticker.advance(PAUSE_THRESHOLD.plusMillis(1));
    assertThat(h.isHeld()).as("before the tick notices").isFalse();
    awaitLost(lost);
    LockHandle after = s.acquire("b");
    assertThat(after.isHeld()).as("a grant after the pause is valid").isTrue();
  }

  @Test
  void inMemory_observerTimesComeFromTheTicker() throws Exception {
    AtomicReference<@Nullable Duration> waited = new AtomicReference<>();
    AtomicReference<@Nullable Duration> held = new AtomicReference<>();
    InMemoryLockService s =
        InMemoryLockService.builder()
            .ticker(ticker)
            .observer(
                new LockObserver() {
                  @Override
                  public void acquireEnded(String name, Outcome outcome, Duration w) {
                    waited.set(w);
                  }

                  @Override
                  public void released(String name, long fencingToken, Duration h) {
                    held.set(h);
                  }
                })
            .build();
    toClose.add(s);

    LockHandle h = s.acquire("a");
    ticker.advance(Duration.ofMinutes(3));
    h.close();

    assertThat(waited.get()).isEqualTo(Duration.ZERO);
    assertThat(held.get()).isEqualTo(Duration.ofMinutes(3));
  }
}
