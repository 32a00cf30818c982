package io.holdfast.spring.boot;

import io.holdfast.membership.LeadershipListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passes each epoch's {@code gained} and {@code lost} on once. A listener added to an election at
 * the moment it gains the leadership can be told {@code gained} twice for one epoch (once by {@code
 * addListener}, once by the gain itself); counters and events must not count it twice.
 */
final class OncePerEpoch implements LeadershipListener {
  private final LeadershipListener delegate;
  private final AtomicLong gained = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();

  OncePerEpoch(LeadershipListener delegate) {
    this.delegate = delegate;
  }

  @Override
  public void gained(long epoch) {
    if (gained.getAndSet(epoch) != epoch) {
      delegate.gained(epoch);
    }
  }

  @Override
  public void lost(long epoch) {
    if (lost.getAndSet(epoch) != epoch) {
      delegate.lost(epoch);
    }
  }
}
