package io.holdfast.lock;

import io.holdfast.lock.internal.AbstractLockInspector;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.internal.Checks;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import io.holdfast.lock.internal.ServiceConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LockService} inside one JVM, with the same contract as the distributed backends —
 * fencing tokens, reentrancy, timeouts, interruption, async acquire, lost-lease listeners — for
 * unit tests of code that uses locks, and for single-node deployments.
 *
 * <p>Waiters are granted the lock in arrival order. Leases never run out on their own; {@link
 * #revoke(String)} takes a lock away from its holder as a lost lease would, so that tests can
 * exercise {@link LockHandle#onLost} handling. Fencing tokens come from one counter for all names,
 * so they strictly increase per name and no per-name state outlives the lock.
 *
 * <p>Thread-safe.
 */
public final class InMemoryLockService implements LockService {
  private final Core core;

  /** The locks themselves: what a server would hold. Shared by services built with sharedWith. */
  private static final class Store {
    final Object lock = new Object();
    final AtomicLong tokens = new AtomicLong();
    final AtomicLong services = new AtomicLong();
    // Guarded by lock. An entry exists only while the name is held or waited for.
    final Map<String, Slot> slots = new HashMap<>();
  }

  private static final class Slot {
    @Nullable MemoryLease holder;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  }

  private record Waiter(Core service, CompletableFuture<@Nullable Lease> future, long sentAt) {}

  private InMemoryLockService(ServiceConfig config, Store store) {
    this.core = new Core(config, store);
  }

  /**
   * A service with default options.
   *
   * @return a new service
   */
  public static InMemoryLockService create() {
    return builder().build();
  }

  /**
   * A builder for a service.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes the lock away from its current holder, as if its lease had been lost: the holder's
   * handles report {@code isHeld() == false}, their lost-listeners run, and the next waiter (if
   * any) is granted the lock with a larger fencing token.
   *
   * @param name the lock name
   * @return whether the lock was held
   */
  public boolean revoke(String name) {
    return core.revoke(name);
  }

  /**
   * The number of names currently held or waited for (by any service sharing these locks): zero
   * once everything is released.
   *
   * @return the count
   */
  public int activeNames() {
    return core.activeNames();
  }

  @Override
  public LockHandle acquire(String name) throws InterruptedException {
    return core.acquire(name);
  }

  @Override
  public LockHandle acquire(String name, Duration maxWait) throws InterruptedException {
    return core.acquire(name, maxWait);
  }

  @Override
  public Optional<LockHandle> tryAcquire(String name) {
    return core.tryAcquire(name);
  }

  @Override
  public Optional<LockHandle> tryAcquire(String name, Duration maxWait)
      throws InterruptedException {
    return core.tryAcquire(name, maxWait);
  }

  @Override
  public CompletableFuture<LockHandle> acquireAsync(String name, Duration maxWait) {
    return core.acquireAsync(name, maxWait);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: the owner id is {@code memory-<n>}, numbering the services that share these locks;
   * grant times are this JVM's clock; there are no leases. A force-release reports the holder's
   * lease lost at once.
   */
  @Override
  public LockInspector inspector() {
    return core.inspector();
  }

  @Override
  public void close() {
    core.close();
  }

  @Override
  public String toString() {
    return core.toString();
  }

  /**
   * The service itself, on the shared core; kept private so that the core's (internal) API does not
   * become this class's public API.
   */
  private static final class Core extends AbstractLockService {
    private final Store store;
    private final Object lock;
    private final Map<String, Slot> slots;
    private final String ownerId;
    private final LockInspector inspector = new Inspector();

    Core(ServiceConfig config, Store store) {
      super("memory", config, false);
      this.store = store;
      this.lock = store.lock;
      this.slots = store.slots;
      this.ownerId = "memory-" + store.services.incrementAndGet();
    }

    @Override
    public LockInspector inspector() {
      ensureOpen();
      return inspector;
    }

    private LockInfo info(String name, @Nullable Slot slot) {
      if (slot == null || slot.holder == null) {
        return LockInfo.free(name);
      }
      MemoryLease h = slot.holder;
      int waiting = 0;
      for (Waiter w : slot.waiters) {
        waiting += w.future().isDone() ? 0 : 1;
      }
      return LockInfo.held(name, h.owner.ownerId, h.token(), h.grantedAt, null, waiting);
    }

    private final class Inspector extends AbstractLockInspector {
      Inspector() {
        super(Core.this, "memory");
      }

      @Override
      protected CompletableFuture<LockInfo> doInspect(String name) {
        synchronized (lock) {
          return CompletableFuture.completedFuture(info(name, slots.get(name)));
        }
      }

      @Override
      protected CompletableFuture<LockPage> doList(String prefix, int pageSize, String cursor) {
        List<LockInfo> page = new ArrayList<>();
        String next = null;
        synchronized (lock) {
          TreeMap<String, Slot> sorted = new TreeMap<>(slots);
          for (Map.Entry<String, Slot> e : sorted.tailMap(cursor, false).entrySet()) {
            if (!e.getKey().startsWith(prefix) || e.getValue().holder == null) {
              continue;
            }
            if (page.size() == pageSize) {
              next = page.get(page.size() - 1).name();
              break;
            }
            page.add(info(e.getKey(), e.getValue()));
          }
        }
        return CompletableFuture.completedFuture(new LockPage(page, next));
      }

      @Override
      protected CompletableFuture<LockInfo> doForceRelease(String name) {
        MemoryLease victim;
        LockInfo released;
        synchronized (lock) {
          Slot slot = slots.get(name);
          victim = slot == null ? null : slot.holder;
          released = info(name, slot);
        }
        if (victim != null) {
          victim.lost("force-released by an operator (LockInspector.forceRelease)");
          victim.owner.freeIfHeldBy(victim);
        }
        return CompletableFuture.completedFuture(released);
      }
    }

    boolean revoke(String name) {
      Checks.checkName(name, "name");
      ensureOpen();
      MemoryLease victim;
      synchronized (lock) {
        Slot slot = slots.get(name);
        victim = slot == null ? null : slot.holder;
      }
      if (victim == null) {
        return false;
      }
      victim.lost("revoked by InMemoryLockService.revoke");
      freeIfHeldBy(victim);
      return true;
    }

    @Override
    protected CompletableFuture<@Nullable Lease> acquireLease(String name, long maxWaitNanos) {
      CompletableFuture<@Nullable Lease> future = new CompletableFuture<>();
      long sentAt = nanoTime();
      MemoryLease granted = null;
      synchronized (lock) {
        Slot slot = slots.computeIfAbsent(name, n -> new Slot());
        if (slot.holder == null && slot.waiters.isEmpty()) {
          granted = new MemoryLease(this, name, store.tokens.incrementAndGet(), sentAt);
          slot.holder = granted;
        } else if (maxWaitNanos > 0) {
          slot.waiters.add(new Waiter(this, future, sentAt));
        } else {
          dropIfIdle(name, slot);
        }
      }
      if (granted != null) {
        deliver(future, granted);
      } else if (maxWaitNanos == 0) {
        future.complete(null);
      } else {
        ScheduledFuture<?> timer =
            scheduleQuietly(() -> future.complete(null), maxWaitNanos, TimeUnit.NANOSECONDS);
        Futures.onComplete(
            future,
            (l, e) -> {
              timer.cancel(false);
              if (l == null) {
                forgetWaiter(name, future);
              }
            });
      }
      return future;
    }

    private void forgetWaiter(String name, CompletableFuture<@Nullable Lease> future) {
      synchronized (lock) {
        Slot slot = slots.get(name);
        if (slot != null) {
          slot.waiters.removeIf(w -> w.future() == future);
          dropIfIdle(name, slot);
        }
      }
      // The waiter at the head may have been this one while the lock was free.
      handOver(name);
    }

    private void freeIfHeldBy(MemoryLease lease) {
      synchronized (lock) {
        Slot slot = slots.get(lease.name());
        if (slot == null || slot.holder != lease) {
          return;
        }
        slot.holder = null;
      }
      handOver(lease.name());
    }

    /** Grants a free lock to the first waiter still waiting. */
    private void handOver(String name) {
      while (true) {
        Waiter next;
        MemoryLease granted;
        synchronized (lock) {
          Slot slot = slots.get(name);
          if (slot == null || slot.holder != null) {
            return;
          }
          next = slot.waiters.poll();
          if (next == null) {
            dropIfIdle(name, slot);
            return;
          }
          if (next.future().isDone()) {
            continue;
          }
          granted =
              new MemoryLease(next.service(), name, store.tokens.incrementAndGet(), next.sentAt());
          slot.holder = granted;
        }
        if (next.future().complete(granted)) {
          return;
        }
        // The waiter gave up at that very moment: take the grant back and try the next one.
        granted.releaseQuietly();
        return;
      }
    }

    // Guarded by lock.
    private void dropIfIdle(String name, Slot slot) {
      if (slot.holder == null && slot.waiters.isEmpty()) {
        slots.remove(name);
      }
    }

    @Override
    protected void shutdownBackend() {
      List<Waiter> mine = new ArrayList<>();
      synchronized (lock) {
        for (Slot slot : slots.values()) {
          slot.waiters.removeIf(w -> w.service() == this && mine.add(w));
        }
      }
      for (Waiter w : mine) {
        w.future().completeExceptionally(new IllegalStateException("lock service closed"));
      }
    }

    int activeNames() {
      synchronized (lock) {
        return slots.size();
      }
    }

    @Override
    public String toString() {
      return "InMemoryLockService" + super.toString().substring("Core".length());
    }
  }

  private static final class MemoryLease extends Lease {
    private final Core owner;
    private final Instant grantedAt = Instant.now();

    MemoryLease(Core owner, String name, long token, long sentAt) {
      super(owner, name, token, sentAt);
      this.owner = owner;
    }

    @Override
    protected CompletableFuture<?> doRelease() {
      owner.freeIfHeldBy(this);
      return CompletableFuture.completedFuture(null);
    }

    void releaseQuietly() {
      owner.freeIfHeldBy(this);
    }
  }

  /** Builds an {@link InMemoryLockService}. Not thread-safe; each setter validates at once. */
  public static final class Builder {
    private final ServiceConfig.Builder config = new ServiceConfig.Builder();
    private @Nullable Store store;

    private Builder() {}

    /**
     * Makes the new service a second client of {@code other}'s locks, as a second process would be
     * of a shared server: the two compete for the same names and share fencing tokens, but each has
     * its own reentrancy, waiters and {@code close()}.
     *
     * @param other a service whose locks to share
     * @return this builder
     */
    public Builder sharedWith(InMemoryLockService other) {
      this.store = Objects.requireNonNull(other, "other").core.store;
      return this;
    }

    /**
     * How long {@link LockService#acquire(String)} waits. Default 30 s.
     *
     * @param defaultWait zero or positive
     * @return this builder
     */
    public Builder defaultWait(Duration defaultWait) {
      config.defaultWait(defaultWait);
      return this;
    }

    /**
     * Where lost-listeners run. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      config.callbackExecutor(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * Sets an observer that sees how each acquire ended and how long it waited, each release with
     * the time held, each lost lease, and each failed renewal round: for metrics and tracing (the
     * Spring Boot starter binds one to Micrometer). Default: none.
     *
     * @param observer the observer; its methods must be fast and must not block
     * @return this builder
     */
    public Builder observer(LockObserver observer) {
      config.observer(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /**
     * Sets the time source leases, renewals and pause detection are judged by, for tests on fake
     * time (the testkit's {@code FakeTicker}). Default: {@link Ticker#system()}.
     *
     * @param ticker the time source
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      config.ticker(Objects.requireNonNull(ticker, "ticker"));
      return this;
    }

    /**
     * Builds the service.
     *
     * @return a new service
     */
    public InMemoryLockService build() {
      Store s = store;
      return new InMemoryLockService(config.build(), s == null ? new Store() : s);
    }
  }
}
