package io.holdfast.lock;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A lock was not granted within the time the caller allowed. Nothing is left held. When the backend
 * could tell, the message says who was ahead (the Redis backend: the holder and how long its lease
 * has left; ZooKeeper: how many acquirers were queued ahead), and {@link #holderOwnerId()} and
 * {@link #holderLeaseLeft()} carry the holder's owner id (as {@link LockInfo#ownerId()} shows it)
 * and its lease left.
 */
public class LockTimeoutException extends LockException {
  private static final long serialVersionUID = 1L;

  /** The lock that was not granted. */
  private final String lockName;

  /** How long the caller waited. */
  private final Duration maxWait;

  /** How long the holder's lease had left when the wait ended, if the backend could tell. */
  private final @Nullable Duration holderLeaseLeft;

  /** The holder's owner id when the wait ended, if the backend could tell. */
  private final @Nullable String holderOwnerId;

  /**
   * Creates an exception.
   *
   * @param lockName the lock that was not granted
   * @param maxWait how long the caller waited
   */
  public LockTimeoutException(String lockName, Duration maxWait) {
    this(lockName, maxWait, null, null);
  }

  /**
   * Creates an exception that says what the backend knew of the holder when the wait ended.
   *
   * @param lockName the lock that was not granted
   * @param maxWait how long the caller waited
   * @param holder who was ahead, in words (e.g. {@code "held by a1b2:17 with 4200 ms of lease
   *     left"}), or {@code null} if unknown
   * @param holderLeaseLeft how long the holder's lease had left, or {@code null} if unknown
   */
  public LockTimeoutException(
      String lockName,
      Duration maxWait,
      @Nullable String holder,
      @Nullable Duration holderLeaseLeft) {
    this(lockName, maxWait, holder, null, holderLeaseLeft);
  }

  /**
   * Creates an exception that says what the backend knew of the holder when the wait ended,
   * including its owner id.
   *
   * @param lockName the lock that was not granted
   * @param maxWait how long the caller waited
   * @param holder who was ahead, in words, or {@code null} if unknown
   * @param holderOwnerId the holder's owner id (see {@link LockInfo#ownerId()}), or {@code null} if
   *     unknown
   * @param holderLeaseLeft how long the holder's lease had left, or {@code null} if unknown
   */
  public LockTimeoutException(
      String lockName,
      Duration maxWait,
      @Nullable String holder,
      @Nullable String holderOwnerId,
      @Nullable Duration holderLeaseLeft) {
    super(
        "lock '"
            + lockName
            + "' was not acquired within "
            + maxWait
            + (holder == null ? "" : ": " + holder),
        null);
    this.lockName = lockName;
    this.maxWait = maxWait;
    this.holderLeaseLeft = holderLeaseLeft;
    this.holderOwnerId = holderOwnerId;
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

  /**
   * How long the holder's lease had left when the wait ended: when the lock frees at the latest if
   * the holder stops renewing. Empty if the backend could not tell (ZooKeeper grants have no lease;
   * they live as long as the holder's session).
   *
   * @return the holder's remaining lease, if known
   */
  public Optional<Duration> holderLeaseLeft() {
    return Optional.ofNullable(holderLeaseLeft);
  }

  /**
   * Who held the lock when the wait ended, as {@link LockInfo#ownerId()} names it: Redis and
   * PostgreSQL tell it; ZooKeeper and etcd do not (their refusal does not read the holder).
   *
   * @return the holder's owner id, if known
   */
  public Optional<String> holderOwnerId() {
    return Optional.ofNullable(holderOwnerId);
  }
}
