package io.holdfast.testkit;

import io.holdfast.lock.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that stands still until a test advances it: give it to a service's builder
 * ({@code .ticker(fake)}) and {@link #advance} it past a lease's deadline, or by more than the
 * pause threshold, to make the lease run out or a pause happen at once. Thread-safe.
 */
public final class FakeTicker implements Ticker {
  // Not 0: a reading of 0 means "none" in places; and far from overflow either way.
  private final AtomicLong nanos = new AtomicLong(Duration.ofDays(1).toNanos());

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  /**
   * Moves the time forward.
   *
   * @param amount how far, zero or positive
   * @return this ticker
   */
  public FakeTicker advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    if (amount.isNegative()) {
      throw new IllegalArgumentException("amount must be zero or positive: " + amount);
    }
    nanos.addAndGet(amount.toNanos());
    return this;
  }

  @Override
  public String toString() {
    return "FakeTicker[" + nanos.get() + " ns]";
  }
}
