package io.holdfast.lock;

import java.time.Duration;

/**
 * Sees what a {@link LockService} does, for metrics, logs and tracing: how each acquire ended and
 * how long it waited, how long each grant was held, and each lease lost. Give one to a service's
 * builder ({@code observer(...)}); the Spring Boot starter binds one to Micrometer.
 *
 * <p>Every method has an empty default, so an observer overrides only what it needs. Methods are
 * called on whichever thread did the work — a caller's thread, the backend's I/O thread, the
 * service's scheduler — and never with a lock of the service held: they must be fast, must not
 * block, and should not throw (a throw is logged at DEBUG and otherwise ignored). A reentrant
 * acquire, which asks the backend nothing, is not reported.
 *
 * <p>Lock names are reported as given. Do not turn them into metric tags as they are: per-item
 * names (one per SKU) would create one time series each.
 */
public interface LockObserver {
  /** How an acquire ended. */
  enum Outcome {
    /** Granted. */
    ACQUIRED,
    /** Not granted within its wait ({@code LockTimeoutException}, or an empty try). */
    TIMEOUT,
    /** The backend failed or did not answer ({@code LockBackendException}). */
    ERROR,
    /** The caller gave up: interrupted while waiting, or its future cancelled. */
    CANCELLED
  }

  /** An observer that does nothing. */
  LockObserver NONE = new LockObserver() {};

  /**
   * An acquire that asked the backend ended.
   *
   * @param name the lock name
   * @param outcome how it ended
   * @param waited from the call to its end
   */
  default void acquireEnded(String name, Outcome outcome, Duration waited) {}

  /**
   * A grant began: reported just before {@link #acquireEnded} with {@link Outcome#ACQUIRED}, with
   * the token that {@link #released} or {@link #lost} will report when it ends. For observers that
   * track what is held now (the Spring Boot starter's Actuator endpoint).
   *
   * @param name the lock name
   * @param fencingToken the grant's token
   */
  default void granted(String name, long fencingToken) {}

  /**
   * A grant ended by release: its last handle closed, or the service closed. Reported for lost
   * grants too, when their handles are closed.
   *
   * @param name the lock name
   * @param fencingToken the grant's token
   * @param held from the grant's request to its release
   */
  default void released(String name, long fencingToken, Duration held) {}

  /**
   * A held grant was lost: its lease ran out before a renewal was confirmed, the backend no longer
   * had it, the session ended, or this process paused past it.
   *
   * @param name the lock name
   * @param fencingToken the grant's token
   * @param reason why, in words
   */
  default void lost(String name, long fencingToken, String reason) {}

  /**
   * A round of lease renewals failed (backends that renew; it is retried until the leases run out,
   * which {@link #lost} then reports).
   *
   * @param locks how many grants the round covered
   * @param cause the failure
   */
  default void renewalFailed(int locks, Throwable cause) {}
}
