package io.holdfast.examples.snippets;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * A wrapper of the kind an application writes around a {@link LockService} (here: counting grants
 * for a metric), which docs/testing.md runs through the contract suite.
 */
final class CountingLockService implements LockService {
  private final LockService delegate;
  private final LongAdder grants = new LongAdder();

  CountingLockService(LockService delegate) {
    this.delegate = delegate;
  }

  long grants() {
    return grants.sum();
  }

  private LockHandle counted(LockHandle h) {
    grants.increment();
    return h;
  }

  @Override
  public LockHandle acquire(String name) throws InterruptedException {
    return counted(delegate.acquire(name));
  }

  @Override
  public LockHandle acquire(String name, Duration maxWait) throws InterruptedException {
    return counted(delegate.acquire(name, maxWait));
  }

  @Override
  public Optional<LockHandle> tryAcquire(String name) {
    return delegate.tryAcquire(name).map(this::counted);
  }

  @Override
  public Optional<LockHandle> tryAcquire(String name, Duration maxWait)
      throws InterruptedException {
    return delegate.tryAcquire(name, maxWait).map(this::counted);
  }

  // Not thenApply(this::counted): a caller's cancel must reach the delegate, and a grant that
  // arrives after the caller gave up must be released, or the lock stays held.
  @Override
  public CompletableFuture<LockHandle> acquireAsync(String name, Duration maxWait) {
    CompletableFuture<LockHandle> inner = delegate.acquireAsync(name, maxWait);
    CompletableFuture<LockHandle> outer = new CompletableFuture<>();
    // These stages are not needed: outer carries the outcome to the caller.
    var unused =
        inner.whenComplete(
            (h, error) -> {
              if (error != null) {
                outer.completeExceptionally(error);
              } else if (!outer.complete(counted(h))) {
                h.close(); // the caller cancelled meanwhile
              }
            });
    var unused2 =
        outer.whenComplete(
            (h, error) -> {
              if (outer.isCancelled()) {
                inner.cancel(false);
              }
            });
    return outer;
  }

  @Override
  public void close() {
    delegate.close();
  }
}
