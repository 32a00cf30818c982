package io.holdfast.lock.internal;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockObserver;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import io.holdfast.lock.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend-independent half of a lock service: validation, reentrancy, handles, timeouts,
 * interruption, async acquire, abandoned grants, lease expiry on the local clock, listener dispatch
 * and shutdown. A backend implements {@link #acquireLease} and {@link Lease#doRelease}.
 *
 * <p>Threads: one scheduler thread per service for timers and renewals, and one callback thread
 * (started on demand, ending when idle) unless the application chose a callback executor.
 *
 * <p>Time: leases, renewals and pauses are judged by the configured {@link Ticker} ({@link
 * #nanoTime()}); timers run on the real clock. Besides each lease's own timer at its deadline, a
 * tick every {@value #PAUSE_TICK_MILLIS} ms checks the leases against the ticker, so that a lease
 * whose time ran out on a ticker that jumped (a test's fake one) is reported lost promptly.
 */
public abstract class AbstractLockService implements LockService {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock");
  private static final AtomicInteger SERVICE_IDS = new AtomicInteger();

  /** The clock tick (and the pause detector's), at most (docs/configuration.md quotes it). */
  static final long PAUSE_TICK_MILLIS = 100;

  /** The validated common options. */
  protected final ServiceConfig config;

  private final String kind;
  private final boolean localExpiry;
  private final Ticker ticker;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Executor callbacks;
  private final @Nullable ThreadPoolExecutor ownCallbacks;
  private final ConcurrentHashMap<HoldKey, Lease> reentrant = new ConcurrentHashMap<>();
  private final Set<Lease> active = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile long lastTickNanos;
  private volatile java.util.function.@Nullable LongSupplier pauseThresholdNanos;
  private final AtomicBoolean ticking = new AtomicBoolean();

  private record HoldKey(Thread thread, String name) {}

  /**
   * Creates the core.
   *
   * @param kind the backend's short name, for thread names and messages ("redis", "zookeeper")
   * @param config the common options
   * @param localExpiry whether leases run out on the local clock unless renewed ({@code false} for
   *     backends whose grants live as long as a session the backend watches)
   */
  protected AbstractLockService(String kind, ServiceConfig config, boolean localExpiry) {
    this.kind = kind;
    this.config = config;
    this.localExpiry = localExpiry;
    this.ticker = config.ticker();
    this.lastTickNanos = ticker.nanoTime();
    int id = SERVICE_IDS.incrementAndGet();
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("holdfast-" + kind + "-" + id));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    Executor chosen = config.callbackExecutor();
    if (chosen == null) {
      ownCallbacks =
          new ThreadPoolExecutor(
              1,
              1,
              5,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              daemon("holdfast-" + kind + "-" + id + "-callbacks"));
      ownCallbacks.allowCoreThreadTimeOut(true);
      callbacks = ownCallbacks;
    } else {
      ownCallbacks = null;
      callbacks = chosen;
    }
    if (localExpiry) {
      startTicking(TimeUnit.MILLISECONDS.toNanos(PAUSE_TICK_MILLIS));
    }
  }

  /**
   * The service's time, from its {@link Ticker}: what grants, renewals and pauses are judged by.
   *
   * @return nanoseconds, as {@link System#nanoTime()}
   */
  protected final long nanoTime() {
    return ticker.nanoTime();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------- pause detection

  /**
   * Watches for this process being paused (a long GC pause, SIGSTOP, a suspended VM): a timer ticks
   * every 100 ms (or four times per threshold, if more often), and a gap between ticks longer than
   * the threshold means the process did not run for that long. Then every lease granted before the
   * pause is reported lost at once, and {@link Lease#isValid()} already answers {@code false} for
   * them before the timer catches up. For backends whose leases have no local clock (a ZooKeeper
   * grant lives as long as the session): without this, a thawed holder would believe it holds until
   * the client library notices, asynchronously, that its session expired meanwhile.
   *
   * @param thresholdNanos the longest tolerated gap, read at every tick (it may change, e.g. when a
   *     session timeout is negotiated)
   */
  protected final void detectPauses(java.util.function.LongSupplier thresholdNanos) {
    pauseThresholdNanos = thresholdNanos;
    lastTickNanos = ticker.nanoTime();
    // Tick often enough for the smallest threshold the supplier may come to return.
    long period =
        Math.max(
            TimeUnit.MILLISECONDS.toNanos(5),
            Math.min(
                TimeUnit.MILLISECONDS.toNanos(PAUSE_TICK_MILLIS), thresholdNanos.getAsLong() / 4));
    startTicking(period);
  }

  /** Starts the one periodic tick (a second call keeps the first period). */
  private void startTicking(long periodNanos) {
    if (!ticking.compareAndSet(false, true)) {
      return;
    }
    // A periodic task that throws is silently never run again: log and keep ticking instead.
    var unused =
        scheduler.scheduleAtFixedRate(
            () -> {
              try {
                tick();
              } catch (RuntimeException e) {
                LOG.warn("checking the leases failed on this tick; it goes on", e);
              }
            },
            periodNanos,
            periodNanos,
            TimeUnit.NANOSECONDS);
  }

  private void tick() {
    long now = ticker.nanoTime();
    long gap = now - lastTickNanos;
    lastTickNanos = now;
    if (localExpiry) {
      for (Lease l : active) {
        l.checkExpiry();
      }
    }
    java.util.function.LongSupplier threshold = pauseThresholdNanos;
    if (threshold == null) {
      return;
    }
    long limit = threshold.getAsLong();
    if (gap <= limit) {
      return;
    }
    for (Lease l : activeLeases()) {
      // Older than the threshold: it existed when the gap began (nothing is granted while the
      // process is frozen), including a grant made just after the last tick.
      if (now - l.sentAtNanos() > limit) {
        l.lost(
            "this process did not run for "
                + TimeUnit.NANOSECONDS.toMillis(gap)
                + " ms (a GC pause or a freeze): its session may have expired meanwhile");
      }
    }
  }

  /** Whether a lease sent at {@code sentAtNanos} may have lived through a pause not yet ticked. */
  final boolean pausedSince(long sentAtNanos) {
    java.util.function.LongSupplier threshold = pauseThresholdNanos;
    if (threshold == null) {
      return false;
    }
    long limit = threshold.getAsLong();
    long now = ticker.nanoTime();
    return now - lastTickNanos > limit && now - sentAtNanos > limit;
  }

  // ---------------------------------------------------------------- backend SPI

  /**
   * Starts acquiring {@code name}. The future completes with the grant, with {@code null} if the
   * lock was not granted within {@code maxWaitNanos} (zero: a single attempt), or exceptionally (a
   * {@link LockException}, or any exception, which is wrapped in {@link LockBackendException}).
   * Must not block. The core may complete or cancel the future early when the caller gives up;
   * backends stop waiting when they see it done, and hand over grants with {@link #deliver} so that
   * a grant nobody takes is released.
   *
   * @param name a validated lock name
   * @param maxWaitNanos how long to wait, at least zero
   * @return the future grant
   */
  protected abstract CompletableFuture<@Nullable Lease> acquireLease(
      String name, long maxWaitNanos);

  /** Closes what the backend opened. Called once, after every lease was released. */
  protected abstract void shutdownBackend();

  /**
   * Completes {@code future} with {@code lease}, or releases the lease if the future was already
   * done (the caller gave up).
   *
   * @param future the future returned by {@link #acquireLease}
   * @param lease the new grant
   */
  protected static void deliver(CompletableFuture<@Nullable Lease> future, Lease lease) {
    if (!future.complete(lease)) {
      var unused = lease.releaseNow(); // never fails: a failed release is logged and runs out
    }
  }

  /**
   * Ends an attempt that was not granted within its wait, like completing {@code future} with
   * {@code null}, but telling the caller what the backend knew of the holder: the {@link
   * LockTimeoutException} then says so (a {@code tryAcquire} returns empty all the same).
   *
   * @param future the future returned by {@link #acquireLease}
   * @param holder who was ahead, in words
   * @param holderLeaseLeft how long the holder's lease had left, or {@code null} if unknown
   */
  protected static void notGranted(
      CompletableFuture<@Nullable Lease> future,
      String holder,
      @Nullable Duration holderLeaseLeft) {
    notGranted(future, holder, null, holderLeaseLeft);
  }

  /**
   * Like {@link #notGranted(CompletableFuture, String, Duration)}, with the holder's owner id.
   *
   * @param future the future returned by {@link #acquireLease}
   * @param holder who was ahead, in words
   * @param holderOwnerId the holder's owner id, as the inspector names it, or {@code null}
   * @param holderLeaseLeft how long the holder's lease had left, or {@code null} if unknown
   */
  protected static void notGranted(
      CompletableFuture<@Nullable Lease> future,
      String holder,
      @Nullable String holderOwnerId,
      @Nullable Duration holderLeaseLeft) {
    future.completeExceptionally(new NotGranted(holder, holderOwnerId, holderLeaseLeft));
  }

  /** What {@link #notGranted} completes a future with; never reaches a caller. */
  private static final class NotGranted extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final @Nullable Duration leaseLeft;
    private final @Nullable String ownerId;

    NotGranted(String holder, @Nullable String ownerId, @Nullable Duration leaseLeft) {
      super(holder, null, false, false);
      this.leaseLeft = leaseLeft;
      this.ownerId = ownerId;
    }

    LockTimeoutException timeout(String name, Duration maxWait) {
      return new LockTimeoutException(name, maxWait, getMessage(), ownerId, leaseLeft);
    }
  }

  /**
   * The service's scheduler: one thread, for short non-blocking tasks only.
   *
   * @return the scheduler
   */
  protected final ScheduledThreadPoolExecutor scheduler() {
    return scheduler;
  }

  /**
   * The leases currently granted through this service (held or lost, not yet released).
   *
   * @return a snapshot
   */
  protected final List<Lease> activeLeases() {
    return new ArrayList<>(active);
  }

  /**
   * Whether {@link #close()} has begun.
   *
   * @return whether the service is closed
   */
  protected final boolean isClosed() {
    return closed.get();
  }

  /** Throws {@link IllegalStateException} if the service is closed. */
  protected final void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this " + kind + " lock service is closed");
    }
  }

  // ---------------------------------------------------------------- LockService

  @Override
  public final LockHandle acquire(String name) throws InterruptedException {
    return acquire(name, config.defaultWait());
  }

  @Override
  public final LockHandle acquire(String name, Duration maxWait) throws InterruptedException {
    Optional<LockHandle> h = acquireBlocking(name, maxWait, true, true);
    return h.orElseThrow(() -> new LockTimeoutException(name, maxWait));
  }

  @Override
  public final Optional<LockHandle> tryAcquire(String name) {
    try {
      return acquireBlocking(name, Duration.ZERO, false, false);
    } catch (InterruptedException e) {
      throw new AssertionError("uninterruptible acquire was interrupted", e);
    }
  }

  @Override
  public final Optional<LockHandle> tryAcquire(String name, Duration maxWait)
      throws InterruptedException {
    return acquireBlocking(name, maxWait, true, false);
  }

  @Override
  public final CompletableFuture<LockHandle> acquireAsync(String name, Duration maxWait) {
    Checks.checkName(name, "name");
    Checks.checkWait(maxWait, "maxWait");
    ensureOpen();
    CompletableFuture<@Nullable Lease> grant = start(name, maxWait.toNanos());
    CompletableFuture<LockHandle> result = new CompletableFuture<>();
    Futures.onComplete(
        grant,
        (lease, error) -> {
          if (error instanceof NotGranted ng) {
            result.completeExceptionally(ng.timeout(name, maxWait));
          } else if (error != null) {
            result.completeExceptionally(translate(error, name));
          } else if (lease == null) {
            result.completeExceptionally(new LockTimeoutException(name, maxWait));
          } else {
            DefaultLockHandle h;
            try {
              h = register(lease, null);
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
              return;
            }
            // Complete on the callback executor, not the backend's I/O thread: a caller's
            // continuation may block (close() waits for the release), which would stall I/O.
            try {
              callbacks.execute(
                  () -> {
                    if (!result.complete(h)) {
                      var unused = h.closeAsync(); // never fails (a failed release is logged)
                    }
                  });
            } catch (RejectedExecutionException e) {
              var unused = h.closeAsync(); // never fails (a failed release is logged)
              result.completeExceptionally(
                  new IllegalStateException("this " + kind + " lock service is closed", e));
            }
          }
        });
    Futures.onComplete(
        result,
        (h, e) -> {
          if (result.isCancelled()) {
            grant.cancel(false);
          }
        });
    return result;
  }

  private Optional<LockHandle> acquireBlocking(
      String name, Duration maxWait, boolean interruptible, boolean throwIfNotGranted)
      throws InterruptedException {
    Checks.checkName(name, "name");
    Checks.checkWait(maxWait, "maxWait");
    ensureOpen();
    if (interruptible && Thread.interrupted()) {
      throw new InterruptedException("interrupted before acquiring '" + name + "'");
    }
    Thread me = Thread.currentThread();
    Lease mine = reentrant.get(new HoldKey(me, name));
    if (mine != null) {
      DefaultLockHandle h = mine.reenter();
      if (h != null) {
        return Optional.of(h);
      }
    }
    CompletableFuture<@Nullable Lease> grant = start(name, maxWait.toNanos());
    long limit = acquireLimitNanos(maxWait.toNanos());
    Lease lease;
    try {
      lease =
          interruptible ? grant.get(limit, TimeUnit.NANOSECONDS) : getUninterruptibly(grant, limit);
    } catch (InterruptedException e) {
      abandon(grant);
      throw e;
    } catch (TimeoutException e) {
      abandon(grant);
      throw new LockBackendException(
          "the "
              + kind
              + " backend did not answer within "
              + config.commandTimeout()
              + " while acquiring '"
              + name
              + "'",
          e);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof NotGranted ng)) {
        throw translate(e.getCause(), name);
      }
      if (throwIfNotGranted) {
        throw ng.timeout(name, maxWait);
      }
      lease = null;
    } catch (CancellationException e) {
      throw new LockBackendException("acquiring '" + name + "' was cancelled", e);
    }
    if (lease == null) {
      return Optional.empty();
    }
    return Optional.of(register(lease, me));
  }

  private static <T> T getUninterruptibly(CompletableFuture<T> f, long nanos)
      throws ExecutionException, TimeoutException {
    boolean interrupted = false;
    long deadline = System.nanoTime() + nanos;
    try {
      while (true) {
        try {
          return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private CompletableFuture<@Nullable Lease> start(String name, long maxWaitNanos) {
    long startedNanos = ticker.nanoTime();
    CompletableFuture<@Nullable Lease> grant;
    try {
      grant = acquireLease(name, maxWaitNanos);
    } catch (RuntimeException e) {
      observeAcquire(name, startedNanos, null, e);
      return CompletableFuture.failedFuture(e);
    }
    // Whatever the backend does, the attempt ends within the wait plus one command timeout; a
    // grant that arrives later is released by deliver().
    long limit = acquireLimitNanos(maxWaitNanos);
    ScheduledFuture<?> guard =
        scheduleQuietly(
            () ->
                grant.completeExceptionally(
                    new LockBackendException(
                        "the "
                            + kind
                            + " backend did not answer within "
                            + config.commandTimeout()
                            + " while acquiring '"
                            + name
                            + "'",
                        new TimeoutException())),
            limit,
            TimeUnit.NANOSECONDS);
    Futures.onComplete(
        grant,
        (l, e) -> {
          guard.cancel(false);
          observeAcquire(name, startedNanos, l, e);
        });
    return grant;
  }

  // ---------------------------------------------------------------- the observer

  private void observeAcquire(
      String name, long startedNanos, @Nullable Lease lease, @Nullable Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    LockObserver.Outcome outcome;
    if (e == null) {
      outcome = lease != null ? LockObserver.Outcome.ACQUIRED : LockObserver.Outcome.TIMEOUT;
    } else if (e instanceof NotGranted) {
      outcome = LockObserver.Outcome.TIMEOUT;
    } else if (e instanceof CancellationException) {
      outcome = LockObserver.Outcome.CANCELLED;
    } else {
      outcome = LockObserver.Outcome.ERROR;
    }
    Duration waited = Duration.ofNanos(ticker.nanoTime() - startedNanos);
    if (lease != null && outcome == LockObserver.Outcome.ACQUIRED) {
      long token = lease.token();
      observe(o -> o.granted(name, token));
    }
    observe(o -> o.acquireEnded(name, outcome, waited));
  }

  final void observeReleased(Lease lease) {
    Duration held = Duration.ofNanos(ticker.nanoTime() - lease.sentAtNanos());
    observe(o -> o.released(lease.name(), lease.token(), held));
  }

  final void observeLost(Lease lease, String reason) {
    observe(o -> o.lost(lease.name(), lease.token(), reason));
  }

  /**
   * Reports a failed round of renewals to the observer (backends that renew).
   *
   * @param locks how many grants the round covered
   * @param cause the failure
   */
  protected final void renewalFailed(int locks, Throwable cause) {
    observe(o -> o.renewalFailed(locks, cause));
  }

  private void observe(java.util.function.Consumer<LockObserver> event) {
    LockObserver observer = config.observer();
    if (observer == LockObserver.NONE) {
      return;
    }
    try {
      event.accept(observer);
    } catch (RuntimeException e) {
      LOG.debug("a LockObserver threw; ignored", e);
    }
  }

  private long acquireLimitNanos(long maxWaitNanos) {
    return Checks.saturatedAdd(
        Checks.saturatedAdd(maxWaitNanos, config.commandTimeout().toNanos()), grantGraceNanos());
  }

  /**
   * How much longer than its wait plus one command timeout an acquire may take, for a backend whose
   * grant has a further step with a timeout of its own (a Redis {@code WAIT} for replicas).
   *
   * @return nanoseconds, zero by default
   */
  protected long grantGraceNanos() {
    return 0;
  }

  /** The caller gave up: stop the attempt, and release a grant that raced the give-up. */
  private static void abandon(CompletableFuture<@Nullable Lease> grant) {
    if (!grant.cancel(false)) {
      // A grant that failed holds nothing to release.
      Futures.onComplete(
          grant,
          (l, e) -> {
            if (l != null) {
              var unused = l.releaseNow(); // never fails (a failed release is logged)
            }
          });
    }
  }

  private DefaultLockHandle register(Lease lease, @Nullable Thread owner) {
    active.add(lease);
    lease.register(owner);
    if (owner != null) {
      reentrant.put(new HoldKey(owner, lease.name()), lease);
    }
    if (closed.get()) {
      var unused = lease.releaseNow(); // never fails (a failed release is logged)
      throw new IllegalStateException("this " + kind + " lock service is closed");
    }
    return lease.newHandle();
  }

  private static LockException translate(@Nullable Throwable error, String name) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof LockException le) {
      return le;
    }
    if (e instanceof CancellationException) {
      return new LockBackendException("acquiring '" + name + "' was cancelled", e);
    }
    return new LockBackendException(
        "acquiring '" + name + "' failed: " + e, e == null ? new IllegalStateException() : e);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Holders hear first, and their listeners have run (up to one command timeout) before any
    // grant is released: a leader built on a handle steps down before another can be elected.
    List<Lease> leases = activeLeases();
    List<CompletableFuture<?>> told = new ArrayList<>();
    for (Lease l : leases) {
      told.add(l.endedByServiceClose());
    }
    awaitQuietly(CompletableFuture.allOf(told.toArray(new CompletableFuture<?>[0])));
    List<CompletableFuture<?>> releases = new ArrayList<>();
    for (Lease l : leases) {
      releases.add(l.releaseNow());
    }
    awaitQuietly(CompletableFuture.allOf(releases.toArray(new CompletableFuture<?>[0])));
    try {
      shutdownBackend();
    } finally {
      scheduler.shutdownNow();
      if (ownCallbacks != null) {
        ownCallbacks.shutdown();
      }
    }
  }

  // ---------------------------------------------------------------- used by leases and handles

  final boolean leasesExpireLocally() {
    return localExpiry;
  }

  final long leaseDeadline(long sentAtNanos) {
    return sentAtNanos + config.leaseTime().toNanos() - config.driftMarginNanos();
  }

  final void leaseEnded(Lease lease) {
    active.remove(lease);
    Thread owner = lease.owner();
    if (owner != null) {
      reentrant.remove(new HoldKey(owner, lease.name()), lease);
    }
  }

  /**
   * Schedules a task on the service's scheduler; after shutdown it is silently dropped.
   *
   * @param task the task
   * @param delay the delay
   * @param unit its unit
   * @return the scheduled future
   */
  protected final ScheduledFuture<?> scheduleQuietly(Runnable task, long delay, TimeUnit unit) {
    try {
      return scheduler.schedule(task, delay, unit);
    } catch (RejectedExecutionException e) {
      return new CancelledFuture();
    }
  }

  /**
   * Runs a listener on the callback executor, logging (never propagating) what it throws.
   *
   * @param listener the listener call
   */
  protected final void dispatch(Runnable listener) {
    var unused = dispatchTracked(listener); // never fails; the listener's own throw is logged
  }

  /**
   * Like {@link #dispatch}, and says when the listener has run (or was refused).
   *
   * @param listener what to run
   * @return completes (normally) once the listener has run, thrown or been refused
   */
  final CompletableFuture<@Nullable Void> dispatchTracked(Runnable listener) {
    CompletableFuture<@Nullable Void> ran = new CompletableFuture<>();
    Runnable safe =
        () -> {
          try {
            listener.run();
          } catch (Throwable t) {
            LOG.warn("a Holdfast listener threw; ignored", t);
          } finally {
            ran.complete(null);
          }
        };
    try {
      callbacks.execute(safe);
    } catch (RejectedExecutionException e) {
      LOG.warn("the callback executor refused a listener; it did not run", e);
      ran.complete(null);
    }
    return ran;
  }

  /**
   * Waits up to one command timeout for {@code f}, never throwing; keeps the interrupt flag.
   *
   * @param f what to wait for
   */
  protected final void awaitQuietly(CompletableFuture<?> f) {
    try {
      f.get(config.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | CancellationException e) {
      LOG.debug("gave up waiting for a release", e);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + kind
        + ", held="
        + active.size()
        + (closed.get() ? ", closed" : "")
        + "]";
  }

  /** A future that is already cancelled, for tasks scheduled after shutdown. */
  private static final class CancelledFuture implements ScheduledFuture<Object> {
    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(java.util.concurrent.Delayed o) {
      return 0;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return true;
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public Object get() {
      throw new CancellationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new CancellationException();
    }
  }
}
