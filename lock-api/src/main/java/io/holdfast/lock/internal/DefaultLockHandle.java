package io.holdfast.lock.internal;

import io.holdfast.lock.LockHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** One handle on a {@link Lease}. */
final class DefaultLockHandle implements LockHandle {
  private final Lease lease;
  private final AbstractLockService service;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Guarded by this.
  private final List<Consumer<LockHandle>> listeners = new ArrayList<>(1);
  private boolean lostFired;

  DefaultLockHandle(Lease lease, AbstractLockService service) {
    this.lease = lease;
    this.service = service;
  }

  @Override
  public String name() {
    return lease.name();
  }

  @Override
  public long fencingToken() {
    return lease.token();
  }

  @Override
  public boolean isHeld() {
    return !closed.get() && lease.isValid();
  }

  @Override
  public LockHandle onLost(Consumer<LockHandle> listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (this) {
      if (closed.get()) {
        return this;
      }
      if (!lostFired) {
        listeners.add(listener);
        return this;
      }
    }
    service.dispatch(() -> listener.accept(this));
    return this;
  }

  /** Runs the lost-listeners once; the result completes when they have all run. */
  CompletableFuture<?> fireLost() {
    List<Consumer<LockHandle>> toRun;
    synchronized (this) {
      if (closed.get() || lostFired) {
        return CompletableFuture.completedFuture(null);
      }
      lostFired = true;
      toRun = new ArrayList<>(listeners);
      listeners.clear();
    }
    List<CompletableFuture<?>> ran = new ArrayList<>();
    for (Consumer<LockHandle> l : toRun) {
      ran.add(service.dispatchTracked(() -> l.accept(this)));
    }
    return CompletableFuture.allOf(ran.toArray(new CompletableFuture<?>[0]));
  }

  synchronized void markLostAtBirth() {
    lostFired = true;
  }

  @Override
  public void close() {
    service.awaitQuietly(closeAsync());
  }

  CompletableFuture<?> closeAsync() {
    if (!closed.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (this) {
      listeners.clear();
    }
    return lease.handleClosed(this);
  }

  @Override
  public String toString() {
    return "LockHandle[" + lease.name() + ", token=" + lease.token() + ", held=" + isHeld() + "]";
  }
}
