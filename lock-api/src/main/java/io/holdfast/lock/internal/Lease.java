package io.holdfast.lock.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One grant of a lock by a backend, shared by the reentrant handles of one thread. Backends
 * subclass it to remember what they need to renew and release the grant.
 *
 * <p>States: HELD → LOST (the lease may be gone) and HELD/LOST → RELEASED (every handle closed, or
 * the service closed). Transitions happen under this object's monitor; listeners and backend calls
 * happen outside it.
 */
public abstract class Lease {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock");

  enum State {
    HELD,
    LOST,
    RELEASED
  }

  private final AbstractLockService service;
  private final String name;
  private final long token;
  private final boolean expires;
  private final long sentAtNanos;

  private volatile State state = State.HELD;
  private volatile long validUntilNanos;

  // Guarded by this.
  private final List<DefaultLockHandle> handles = new ArrayList<>(1);
  private @Nullable Thread owner;
  private boolean registered;
  private @Nullable ScheduledFuture<?> expiryTimer;

  /**
   * Creates a lease.
   *
   * @param service the service that granted it
   * @param name the lock name
   * @param token the fencing token
   * @param sentAtNanos the service's {@link AbstractLockService#nanoTime()} when the acquire
   *     request that produced this grant was sent: the lease is judged from then, not from when the
   *     answer arrived
   */
  protected Lease(AbstractLockService service, String name, long token, long sentAtNanos) {
    this.service = service;
    this.name = name;
    this.token = token;
    this.expires = service.leasesExpireLocally();
    this.sentAtNanos = sentAtNanos;
    this.validUntilNanos = expires ? service.leaseDeadline(sentAtNanos) : Long.MAX_VALUE;
  }

  /**
   * The lock name.
   *
   * @return the name
   */
  public final String name() {
    return name;
  }

  /**
   * The fencing token.
   *
   * @return the token
   */
  public final long token() {
    return token;
  }

  /**
   * Whether this grant is still held and, as far as the local clock can tell, not expired.
   *
   * @return whether the lease is valid
   */
  public final boolean isValid() {
    return state == State.HELD
        && (!expires || service.nanoTime() - validUntilNanos < 0)
        && !service.pausedSince(sentAtNanos);
  }

  /**
   * When the acquire request of this grant was sent ({@link AbstractLockService#nanoTime()}).
   *
   * @return the time
   */
  public final long sentAtNanos() {
    return sentAtNanos;
  }

  /**
   * Whether this grant ended (released or lost): backends stop renewing it.
   *
   * @return whether this lease is over
   */
  public final boolean isOver() {
    return state != State.HELD;
  }

  /**
   * Records a confirmed renewal: the lease is now valid until the lease time after {@code
   * sentAtNanos}, less the drift margin. A renewal confirmed after the lease already ran out does
   * not bring it back ({@link #isValid()} may have said {@code false} meanwhile): the lease is
   * lost.
   *
   * @param sentAtNanos when the confirmed renewal request was sent
   */
  public final void renewed(long sentAtNanos) {
    if (!expires) {
      return;
    }
    long deadline = service.leaseDeadline(sentAtNanos);
    synchronized (this) {
      if (state != State.HELD) {
        return;
      }
      if (service.nanoTime() - validUntilNanos < 0) {
        if (deadline - validUntilNanos > 0) {
          validUntilNanos = deadline;
          scheduleExpiryCheck();
        }
        return;
      }
    }
    checkExpiry();
  }

  /**
   * Marks this lease lost: handles report {@code isHeld() == false} and their lost-listeners run.
   * Does nothing if the lease was already released or lost.
   *
   * @param reason why, for the log
   */
  public final void lost(String reason) {
    List<DefaultLockHandle> toNotify;
    synchronized (this) {
      if (state != State.HELD) {
        return;
      }
      state = State.LOST;
      cancelExpiryCheck();
      toNotify = new ArrayList<>(handles);
    }
    LOG.warn("lock '{}' (fencing token {}) lost: {}", name, token, reason);
    service.observeLost(this, reason);
    for (DefaultLockHandle h : toNotify) {
      var unused = h.fireLost(); // never fails: each listener's throw is logged
    }
  }

  /**
   * The service is closing: handles report {@code isHeld() == false} and their lost-listeners run,
   * as for a loss (but not logged or observed as one); the grant is released afterwards.
   *
   * @return completes once every listener has run
   */
  final CompletableFuture<?> endedByServiceClose() {
    List<DefaultLockHandle> toNotify;
    synchronized (this) {
      if (state != State.HELD) {
        return CompletableFuture.completedFuture(null);
      }
      state = State.LOST;
      cancelExpiryCheck();
      toNotify = new ArrayList<>(handles);
    }
    LOG.debug("lock '{}' (fencing token {}) ends: the service is closing", name, token);
    List<CompletableFuture<?>> ran = new ArrayList<>();
    for (DefaultLockHandle h : toNotify) {
      ran.add(h.fireLost());
    }
    return CompletableFuture.allOf(ran.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Releases the grant at the backend. Called once, after the last handle closed, after the service
   * closed, or for a grant nobody claimed (the acquire was abandoned); also for a lost lease, so
   * that backends can clean up what is left of it. Must not block.
   *
   * @return completes when the backend confirmed (or failed)
   */
  protected abstract CompletableFuture<?> doRelease();

  // ---- used by the core ----

  final synchronized void register(@Nullable Thread owner) {
    this.owner = owner;
    this.registered = true;
    if (state == State.HELD && expires) {
      scheduleExpiryCheck();
    }
  }

  final synchronized @Nullable Thread owner() {
    return owner;
  }

  /** A new handle on this grant, or {@code null} if it is no longer valid (reentry refused). */
  final synchronized @Nullable DefaultLockHandle reenter() {
    if (!isValid()) {
      return null;
    }
    return newHandle();
  }

  final synchronized DefaultLockHandle newHandle() {
    DefaultLockHandle h = new DefaultLockHandle(this, service);
    handles.add(h);
    if (state == State.LOST) {
      h.markLostAtBirth();
    }
    return h;
  }

  /** Called when a handle closes; releases the grant when it was the last. */
  final CompletableFuture<?> handleClosed(DefaultLockHandle h) {
    synchronized (this) {
      handles.remove(h);
      if (!handles.isEmpty() || state == State.RELEASED) {
        return CompletableFuture.completedFuture(null);
      }
      state = State.RELEASED;
      cancelExpiryCheck();
    }
    return end();
  }

  /** Releases regardless of open handles (service close, or an unclaimed grant). */
  final CompletableFuture<?> releaseNow() {
    synchronized (this) {
      if (state == State.RELEASED) {
        return CompletableFuture.completedFuture(null);
      }
      state = State.RELEASED;
      cancelExpiryCheck();
    }
    return end();
  }

  private CompletableFuture<?> end() {
    boolean wasRegistered;
    synchronized (this) {
      wasRegistered = registered;
    }
    if (wasRegistered) {
      service.leaseEnded(this);
      service.observeReleased(this);
    }
    try {
      return doRelease()
          .exceptionally(
              e -> {
                LOG.debug(
                    "releasing lock '{}' (token {}) failed; its lease runs out", name, token, e);
                return null;
              });
    } catch (RuntimeException e) {
      LOG.debug("releasing lock '{}' (token {}) failed; its lease runs out", name, token, e);
      return CompletableFuture.completedFuture(null);
    }
  }

  // Guarded by this.
  private void scheduleExpiryCheck() {
    cancelExpiryCheck();
    long delay = validUntilNanos - service.nanoTime();
    expiryTimer =
        service.scheduleQuietly(this::checkExpiry, Math.max(0, delay), TimeUnit.NANOSECONDS);
  }

  // Guarded by this.
  private void cancelExpiryCheck() {
    ScheduledFuture<?> t = expiryTimer;
    if (t != null) {
      t.cancel(false);
      expiryTimer = null;
    }
  }

  /** Reports the lease lost if its time ran out on the service's ticker. */
  final void checkExpiry() {
    if (expires && state == State.HELD && service.nanoTime() - validUntilNanos >= 0) {
      lost("the lease ran out before a renewal was confirmed");
    }
  }

  @Override
  public String toString() {
    return "Lease[" + name + ", token=" + token + ", " + state + "]";
  }
}
