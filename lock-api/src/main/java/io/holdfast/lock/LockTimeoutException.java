package io.holdfast.lock;

import java.time.Duration;

/** A lock was not granted within the time the caller allowed. Nothing is left held. */
public class LockTimeoutException extends LockException {
  private static final long serialVersionUID = 1L;

  /** The lock that was not granted. */
  private final String lockName;

  /** How long the caller waited. */
  private final Duration maxWait;

  /**
   * Creates an exception.
   *
   * @param lockName the lock that was not granted
   * @param maxWait how long the caller waited
   */
  public LockTimeoutException(String lockName, Duration maxWait) {
    super("lock '" + lockName + "' was not acquired within " + maxWait, null);
    this.lockName = lockName;
    this.maxWait = maxWait;
  }

  /**
   * The lock that was not granted.
   *
   * @return the lock name
   */
  public String lockName() {
    return lockName;
  }

  /**
   * How long the caller waited.
   *
   * @return the wait
   */
  public Duration maxWait() {
    return maxWait;
  }
}
