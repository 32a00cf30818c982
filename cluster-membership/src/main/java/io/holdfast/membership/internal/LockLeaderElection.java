package io.holdfast.membership.internal;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import io.holdfast.lock.internal.Futures;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.Member;
import io.holdfast.membership.MembershipView;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on the backend's lock: a candidate waits for the group's election lock; holding
 * it is leading, and the grant's fencing token is the epoch. When the lock's lease is lost (Redis
 * renewal not confirmed in time, ZooKeeper connection suspended) leadership ends at once and the
 * candidate competes again. The leader advertises its epoch in its member record, so every peer can
 * tell who leads from the live membership.
 */
final class LockLeaderElection implements LeaderElection {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership");
  private static final Duration LONG_WAIT = Duration.ofHours(1);

  private final AbstractMembership owner;
  private final AbstractRegistration candidate;
  private final LockService locks;
  private final String lockName;
  private final CopyOnWriteArrayList<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
  private final MembershipView view;

  /** Orders advertisements: a late retry never overwrites a withdrawal. */
  private final Object advertising = new Object();

  // Guarded by this.
  private @Nullable CompletableFuture<LockHandle> pending;
  private @Nullable LockHandle handle;
  private long epoch;
  private boolean closed;

  LockLeaderElection(AbstractMembership owner, AbstractRegistration candidate, LockService locks) {
    this.owner = owner;
    this.candidate = candidate;
    this.locks = locks;
    this.lockName = "holdfast.election/" + candidate.member().group();
    this.view = owner.view(candidate.member().group());
  }

  void start() {
    compete();
  }

  private void compete() {
    CompletableFuture<LockHandle> f;
    synchronized (this) {
      if (closed || candidate.isClosed()) {
        return;
      }
      try {
        f = locks.acquireAsync(lockName, LONG_WAIT);
      } catch (IllegalStateException closedUnderUs) {
        // The lock service was closed (its holders are told first): nothing left to compete for.
        LOG.debug("election of '{}' stops: its lock service is closed", lockName);
        return;
      }
      pending = f;
    }
    // onAcquired must not fail unseen: the election would stop without a word.
    Futures.onComplete(f, this::onAcquired);
  }

  private void onAcquired(@Nullable LockHandle h, @Nullable Throwable error) {
    if (h == null) {
      Throwable cause =
          error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause()
              : error;
      if (cause instanceof LockTimeoutException) {
        compete();
      } else if (!isClosed()) {
        LOG.debug("election of '{}' could not reach the backend; retrying", lockName, cause);
        owner.schedule(this::compete, 500, TimeUnit.MILLISECONDS);
      }
      return;
    }
    long e = h.fencingToken();
    List<LeadershipListener> toTell;
    synchronized (this) {
      if (closed) {
        h.close();
        return;
      }
      pending = null;
      handle = h;
      epoch = e;
      // Taken together with the handle, so that a listener added concurrently hears of this
      // epoch exactly once: from here, or from addListener().
      toTell = List.copyOf(listeners);
    }
    h.onLost(lost -> ended(lost, true));
    advertise(h, e);
    for (LeadershipListener l : toTell) {
      owner.dispatch(() -> l.gained(e));
    }
  }

  /**
   * Publishes this leader's epoch in its member record, retrying every 500 ms while it still leads
   * with that grant: peers learn of a leader only from that record.
   */
  private void advertise(LockHandle h, long e) {
    try {
      // Ordered against ended()'s withdrawal: a retry that starts after it sees handle != h.
      synchronized (advertising) {
        synchronized (this) {
          if (handle != h || closed) {
            return;
          }
        }
        candidate.advertise(e);
      }
    } catch (RuntimeException ex) {
      LOG.warn(
          "leader of '{}' (epoch {}) could not advertise itself; retrying: {}",
          lockName,
          e,
          ex.toString());
      LOG.debug("advertising epoch {} failed", e, ex);
      owner.schedule(() -> advertise(h, e), 500, TimeUnit.MILLISECONDS);
    }
  }

  private void ended(LockHandle h, boolean competeAgain) {
    long e;
    synchronized (this) {
      if (handle != h) {
        return;
      }
      handle = null;
      e = epoch;
    }
    LOG.info("leadership of '{}' (epoch {}) ended", lockName, e);
    for (LeadershipListener l : listeners) {
      owner.dispatch(() -> l.lost(e));
    }
    h.close();
    try {
      synchronized (advertising) {
        candidate.advertise(0);
      }
    } catch (RuntimeException ex) {
      LOG.debug("could not withdraw the leadership advertisement of epoch {}", e, ex);
    }
    if (competeAgain) {
      compete();
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public boolean isLeader() {
    LockHandle h;
    synchronized (this) {
      h = handle;
    }
    return h != null && h.isHeld();
  }

  @Override
  public synchronized long epoch() {
    return epoch;
  }

  @Override
  public Optional<Member> leader() {
    Member best = null;
    for (Member m : view.members()) {
      if (m.leaderEpoch() > 0 && (best == null || m.leaderEpoch() > best.leaderEpoch())) {
        best = m;
      }
    }
    // The view learns of this candidate's own leadership a round trip (or a notification) after
    // isLeader() turned true; a leader that knows it leads answers with itself meanwhile.
    Member self = selfIfLeading();
    if (self != null && (best == null || self.leaderEpoch() >= best.leaderEpoch())) {
      return Optional.of(self);
    }
    return Optional.ofNullable(best);
  }

  private @Nullable Member selfIfLeading() {
    LockHandle h;
    long e;
    synchronized (this) {
      h = handle;
      e = epoch;
    }
    if (h == null || !h.isHeld()) {
      return null;
    }
    Member m = candidate.member();
    return m.leaderEpoch() == e ? m : Members.create(m.info(), m.joinedAt(), e);
  }

  @Override
  public LeaderElection addListener(LeadershipListener listener) {
    Objects.requireNonNull(listener, "listener");
    long e;
    synchronized (this) {
      listeners.add(listener);
      e = handle != null ? epoch : 0;
    }
    if (e > 0 && isLeader()) {
      owner.dispatch(() -> listener.gained(e));
    }
    return this;
  }

  @Override
  public void close() {
    CompletableFuture<LockHandle> p;
    LockHandle h;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      p = pending;
      h = handle;
    }
    if (p != null) {
      p.cancel(false);
    }
    if (h != null) {
      ended(h, false);
    }
    view.close();
    owner.electionClosed(this);
  }
}
