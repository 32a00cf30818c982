package io.holdfast.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockObserver.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The observer sees each acquire's outcome, each release and each loss, exactly once. */
class LockObserverTest {
  /** Records events as short strings. */
  static final class Recorder implements LockObserver {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void acquireEnded(String name, Outcome outcome, Duration waited) {
      assertThat(waited.isNegative()).isFalse();
      events.add(outcome + " " + name);
    }

    @Override
    public void granted(String name, long fencingToken) {
      events.add("granted " + name + " " + fencingToken);
    }

    @Override
    public void released(String name, long fencingToken, Duration held) {
      assertThat(held.isNegative()).isFalse();
      events.add("released " + name + " " + fencingToken);
    }

    @Override
    public void lost(String name, long fencingToken, String reason) {
      events.add("lost " + name + " " + fencingToken);
    }
  }

  @Test
  void acquiredTimedOutReleasedAndLost_areEachReportedOnce() throws InterruptedException {
    Recorder seen = new Recorder();
    try (InMemoryLockService locks = InMemoryLockService.builder().observer(seen).build();
        InMemoryLockService other = InMemoryLockService.builder().sharedWith(locks).build()) {
      long token;
      try (LockHandle h = locks.acquire("a", Duration.ofSeconds(1))) {
        token = h.fencingToken();
        try (LockHandle again = locks.acquire("a", Duration.ofSeconds(1))) {
          assertThat(again.fencingToken()).isEqualTo(token); // reentrant: not reported
        }
      }
      try (LockHandle held = other.acquire("b", Duration.ofSeconds(1))) {
        assertThat(locks.tryAcquire("b")).isEmpty();
        assertThatThrownBy(() -> locks.acquire("b", Duration.ofMillis(20)))
            .isInstanceOf(LockTimeoutException.class);
      }
      LockHandle revoked = locks.acquire("c", Duration.ofSeconds(1));
      long revokedToken = revoked.fencingToken();
      assertThat(locks.revoke("c")).isTrue();
      revoked.close();
      assertThat(seen.events)
          .containsExactly(
              "granted a " + token,
              "ACQUIRED a",
              "released a " + token,
              "TIMEOUT b",
              "TIMEOUT b",
              "granted c " + revokedToken,
              "ACQUIRED c",
              "lost c " + revokedToken,
              "released c " + revokedToken);
    }
  }

  @Test
  void anInterruptedWait_isReportedAsCancelled() throws InterruptedException {
    Recorder seen = new Recorder();
    try (InMemoryLockService locks = InMemoryLockService.builder().observer(seen).build();
        InMemoryLockService other = InMemoryLockService.builder().sharedWith(locks).build();
        LockHandle held = other.acquire("x", Duration.ofSeconds(1))) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      CountDownLatch done = new CountDownLatch(1);
      Thread waiter =
          new Thread(
              () -> {
                try {
                  locks.acquire("x", Duration.ofMinutes(1));
                } catch (Throwable t) {
                  thrown.set(t);
                } finally {
                  done.countDown();
                }
              });
      waiter.start();
      // Interrupt until the waiter is out: the interrupt may land before it starts waiting.
      while (!done.await(10, TimeUnit.MILLISECONDS)) {
        waiter.interrupt();
      }
      assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
      assertThat(seen.events).containsExactly("CANCELLED x");
    }
  }

  @Test
  void aThrowingObserver_doesNotBreakTheService() throws InterruptedException {
    LockObserver broken =
        new LockObserver() {
          @Override
          public void acquireEnded(String name, Outcome outcome, Duration waited) {
            throw new IllegalStateException("observer bug");
          }
        };
    try (InMemoryLockService locks = InMemoryLockService.builder().observer(broken).build();
        LockHandle h = locks.acquire("a", Duration.ofSeconds(1))) {
      assertThat(h.isHeld()).isTrue();
    }
  }

  @Test
  void aNullObserver_isRefusedByName() {
    assertThatThrownBy(() -> InMemoryLockService.builder().observer(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("observer");
  }
}
