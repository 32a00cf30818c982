package io.holdfast.membership.internal;

import io.holdfast.lock.LockService;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.Registration;
import io.holdfast.membership.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * The backend-independent half of a membership service: validation, lifecycle, one shared watch per
 * group with ordered delivery to every local subscriber, views, and leader election over the
 * backend's lock service. Threads: one scheduler per instance (heartbeats and short tasks), one
 * thread (on demand) for re-registrations, which block on the backend, and one callback thread (on
 * demand) unless the application chose an executor.
 */
public abstract class AbstractMembership implements Membership {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership");
  private static final AtomicInteger IDS = new AtomicInteger();

  /** How long one backend operation may take. */
  protected final Duration commandTimeout;

  private final String kind;
  private final ScheduledThreadPoolExecutor scheduler;
  private final ThreadPoolExecutor blocking;
  private final Executor callbacks;
  private final @Nullable ThreadPoolExecutor ownCallbacks;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<AbstractRegistration> registrations = ConcurrentHashMap.newKeySet();
  private final Set<LockLeaderElection> elections = ConcurrentHashMap.newKeySet();
  // Guarded by this.
  private final Map<String, GroupTracker> trackers = new HashMap<>();
  private final Map<String, AutoCloseable> feeds = new HashMap<>();

  /**
   * Creates the core.
   *
   * @param kind the backend's short name
   * @param commandTimeout how long one backend operation may take
   * @param callbackExecutor where listeners run by default, or {@code null} for a library thread
   */
  protected AbstractMembership(
      String kind, Duration commandTimeout, @Nullable Executor callbackExecutor) {
    this.kind = kind;
    this.commandTimeout = commandTimeout;
    int id = IDS.incrementAndGet();
    this.scheduler =
        new ScheduledThreadPoolExecutor(1, daemon("holdfast-membership-" + kind + "-" + id));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    // Re-registrations wait for the backend (up to a command timeout each): on a thread of their
    // own, so that heartbeats on the scheduler keep their period meanwhile.
    this.blocking =
        new ThreadPoolExecutor(
            1,
            1,
            5,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("holdfast-membership-" + kind + "-" + id + "-rejoin"));
    blocking.allowCoreThreadTimeOut(true);
    if (callbackExecutor == null) {
      ownCallbacks =
          new ThreadPoolExecutor(
              1,
              1,
              5,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              daemon("holdfast-membership-" + kind + "-" + id + "-callbacks"));
      ownCallbacks.allowCoreThreadTimeOut(true);
      callbacks = ownCallbacks;
    } else {
      ownCallbacks = null;
      callbacks = callbackExecutor;
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------- backend SPI

  /**
   * Registers a validated member; returns once peers can see it.
   *
   * @param info the member
   * @return the live registration
   */
  protected abstract AbstractRegistration doRegister(MemberInfo info);

  /**
   * Reads the live members of a group.
   *
   * @param group a validated group
   * @return the members, any order
   */
  protected abstract List<Member> doMembers(String group);

  /**
   * Reads the names of the groups that have at least one live member.
   *
   * @return the names, in any order
   */
  protected abstract Collection<String> doGroups();

  /**
   * Starts following a group: report a first snapshot, then changes, to {@code sink}. Must not
   * block.
   *
   * @param group a validated group
   * @param sink where to report
   * @return what stops following
   */
  protected abstract AutoCloseable openFeed(String group, GroupSink sink);

  /**
   * The lock service elections use.
   *
   * @return the lock service
   */
  protected abstract LockService electionLocks();

  /** Closes what the backend opened; called once, after everything else was closed. */
  protected abstract void shutdownBackend();

  // ---------------------------------------------------------------- Membership

  @Override
  public final Registration register(MemberInfo self) {
    Objects.requireNonNull(self, "self");
    ensureOpen();
    AbstractRegistration r = doRegister(self);
    registrations.add(r);
    if (closed.get()) {
      r.close();
      throw closedException();
    }
    return r;
  }

  @Override
  public final List<Member> members(String group) {
    Validation.checkName(group, "group");
    ensureOpen();
    List<Member> list = new ArrayList<>(doMembers(group));
    list.sort((a, b) -> a.id().compareTo(b.id()));
    return List.copyOf(list);
  }

  @Override
  public final List<String> groups() {
    ensureOpen();
    return doGroups().stream().distinct().sorted().toList();
  }

  @Override
  public final Subscription watch(String group, MembershipListener listener) {
    return watch(group, listener, callbacks);
  }

  @Override
  public final Subscription watch(String group, MembershipListener listener, Executor executor) {
    Validation.checkName(group, "group");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    ensureOpen();
    GroupTracker tracker;
    GroupTracker.Subscriber sub;
    synchronized (this) {
      tracker = tracker(group);
      sub = tracker.subscribe(listener, executor);
    }
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        release(tracker, sub);
      }
    };
  }

  @Override
  public final MembershipView view(String group) {
    Validation.checkName(group, "group");
    ensureOpen();
    GroupTracker tracker;
    GroupTracker.Subscriber sub;
    synchronized (this) {
      tracker = tracker(group);
      sub = tracker.subscribe(new MembershipListener() {}, Runnable::run);
    }
    try {
      tracker.ready().get(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      release(tracker, sub);
      throw new MembershipBackendException("interrupted while reading group '" + group + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      release(tracker, sub);
      throw new MembershipBackendException(
          "could not read group '" + group + "' within " + commandTimeout, e);
    }
    AtomicBoolean done = new AtomicBoolean();
    return new MembershipView() {
      @Override
      public String group() {
        return group;
      }

      @Override
      public List<Member> members() {
        return tracker.members();
      }

      @Override
      public void close() {
        if (done.compareAndSet(false, true)) {
          release(tracker, sub);
        }
      }

      @Override
      public String toString() {
        return "MembershipView[" + group + ", " + tracker.members().size() + " members]";
      }
    };
  }

  @Override
  public final LeaderElection election(Registration registration) {
    Objects.requireNonNull(registration, "registration");
    ensureOpen();
    if (!(registration instanceof AbstractRegistration r) || !registrations.contains(r)) {
      throw new IllegalArgumentException(
          "registration must be a live registration made by this Membership");
    }
    LockLeaderElection e = new LockLeaderElection(this, r, electionLocks());
    elections.add(e);
    e.start();
    return e;
  }

  // Guarded by this.
  private GroupTracker tracker(String group) {
    GroupTracker t = trackers.get(group);
    if (t == null) {
      t = new GroupTracker(group);
      trackers.put(group, t);
      feeds.put(group, openFeed(group, t));
    }
    return t;
  }

  private void release(GroupTracker tracker, GroupTracker.Subscriber sub) {
    AutoCloseable feed = null;
    synchronized (this) {
      tracker.unsubscribe(sub);
      if (!tracker.hasSubscribers() && trackers.get(tracker.group()) == tracker) {
        trackers.remove(tracker.group());
        feed = feeds.remove(tracker.group());
      }
    }
    closeQuietly(feed);
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("closing {} failed", c, e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      for (LockLeaderElection e : new ArrayList<>(elections)) {
        e.close();
      }
      for (AbstractRegistration r : new ArrayList<>(registrations)) {
        r.close();
      }
      List<AutoCloseable> toClose;
      synchronized (this) {
        toClose = new ArrayList<>(feeds.values());
        feeds.clear();
        trackers.clear();
      }
      toClose.forEach(AbstractMembership::closeQuietly);
      shutdownBackend();
    } finally {
      scheduler.shutdownNow();
      blocking.shutdownNow();
      if (ownCallbacks != null) {
        ownCallbacks.shutdown();
      }
    }
  }

  // ---------------------------------------------------------------- for backends and the core

  /** Throws {@link IllegalStateException} once closed. */
  protected final void ensureOpen() {
    if (closed.get()) {
      throw closedException();
    }
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("this " + kind + " membership is closed");
  }

  /**
   * Whether {@link #close()} has begun.
   *
   * @return whether closed
   */
  protected final boolean isClosed() {
    return closed.get();
  }

  /**
   * Runs a callback on the default callback executor, logging what it throws.
   *
   * @param task the callback
   */
  protected final void dispatch(Runnable task) {
    try {
      callbacks.execute(
          () -> {
            try {
              task.run();
            } catch (Throwable t) {
              LOG.warn("a Holdfast membership listener threw; ignored", t);
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.debug("callback dropped: the membership is closed", e);
    }
  }

  /**
   * Schedules a short task on the instance's scheduler; dropped after close.
   *
   * @param task the task
   * @param delay the delay
   * @param unit its unit
   */
  protected final void schedule(Runnable task, long delay, TimeUnit unit) {
    try {
      // Nobody reads the future: a task that throws is logged instead of failing it unseen.
      var unused =
          scheduler.schedule(
              () -> {
                try {
                  task.run();
                } catch (RuntimeException e) {
                  LOG.warn("a scheduled membership task failed", e);
                }
              },
              delay,
              unit);
    } catch (RejectedExecutionException e) {
      // Closed: dropped.
    }
  }

  /**
   * Schedules a task that blocks on the backend (a re-registration, waiting up to a command
   * timeout) to run after {@code delay} on the instance's thread for such tasks, one at a time,
   * never on the scheduler that sends heartbeats; dropped after close.
   *
   * @param task the task
   * @param delay the delay
   * @param unit its unit
   */
  protected final void scheduleBlocking(Runnable task, long delay, TimeUnit unit) {
    Runnable safe =
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.warn("a {} membership re-registration failed", kind, e);
          }
        };
    Runnable handOver =
        () -> {
          try {
            blocking.execute(safe);
          } catch (RejectedExecutionException e) {
            // Closed: dropped.
          }
        };
    if (delay <= 0) {
      handOver.run();
    } else {
      schedule(handOver, delay, unit);
    }
  }

  /**
   * Runs a short task periodically on the instance's scheduler until close.
   *
   * @param task the task
   * @param period the period
   * @return the scheduled future
   */
  protected final ScheduledFuture<?> every(Runnable task, Duration period) {
    long ms = Math.max(1, period.toMillis());
    return scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.warn("a periodic {} membership task failed; it runs again next period", kind, e);
          }
        },
        ms,
        ms,
        TimeUnit.MILLISECONDS);
  }

  final void registrationClosed(AbstractRegistration r) {
    registrations.remove(r);
  }

  final void electionClosed(LockLeaderElection e) {
    elections.remove(e);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + kind + (closed.get() ? ", closed" : "") + "]";
  }
}
