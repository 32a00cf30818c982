package io.holdfast.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * What a backend knows about one lock at one moment, from {@link LockInspector}. Immutable.
 *
 * <p>What each backend can tell:
 *
 * <table>
 *   <caption>fields by backend</caption>
 *   <tr><th>backend</th><th>owner id</th><th>granted at</th><th>lease left</th><th>waiters</th></tr>
 *   <tr><td>Redis</td><td>the holding service's random id</td><td>the token's server clock (see
 *   {@link #grantedAt()})</td><td>{@code PTTL}</td><td>no</td></tr>
 *   <tr><td>ZooKeeper</td><td>the holder's session id (hex)</td><td>the node's creation time</td>
 *   <td>no (a grant lives as long as its session)</td><td>yes</td></tr>
 *   <tr><td>PostgreSQL</td><td>the holding service's id and attempt number</td><td>no</td><td>the
 *   row's expiry on the database clock</td><td>no</td></tr>
 *   <tr><td>etcd</td><td>the holder's etcd lease id (hex)</td><td>no</td><td>the etcd lease's
 *   TTL</td><td>yes</td></tr>
 *   <tr><td>in memory</td><td>the holding service's id</td><td>yes</td><td>no (no leases)</td>
 *   <td>yes</td></tr>
 * </table>
 */
public final class LockInfo {
  private final String name;
  private final @Nullable String ownerId;
  private final long fencingToken;
  private final @Nullable Instant grantedAt;
  private final @Nullable Duration leaseLeft;
  private final int waiters;

  private LockInfo(
      String name,
      @Nullable String ownerId,
      long fencingToken,
      @Nullable Instant grantedAt,
      @Nullable Duration leaseLeft,
      int waiters) {
    this.name = name;
    this.ownerId = ownerId;
    this.fencingToken = fencingToken;
    this.grantedAt = grantedAt;
    this.leaseLeft = leaseLeft;
    this.waiters = waiters;
  }

  /**
   * A lock nobody holds.
   *
   * @param name the lock name
   * @return the info
   */
  public static LockInfo free(String name) {
    return new LockInfo(Objects.requireNonNull(name, "name"), null, 0, null, null, -1);
  }

  /**
   * A held lock.
   *
   * @param name the lock name
   * @param ownerId who holds it, as the backend identifies the holder
   * @param fencingToken the grant's fencing token, positive
   * @param grantedAt when it was granted, by the backend's clock, or {@code null} if unknown
   * @param leaseLeft how long its lease has left, or {@code null} if unknown or not leased
   * @param waiters how many acquirers wait for it, or -1 if unknown
   * @return the info
   */
  public static LockInfo held(
      String name,
      String ownerId,
      long fencingToken,
      @Nullable Instant grantedAt,
      @Nullable Duration leaseLeft,
      int waiters) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ownerId, "ownerId");
    if (fencingToken <= 0) {
      throw new IllegalArgumentException("fencingToken must be positive, was " + fencingToken);
    }
    if (leaseLeft != null && leaseLeft.isNegative()) {
      throw new IllegalArgumentException("leaseLeft must not be negative, was " + leaseLeft);
    }
    if (waiters < -1) {
      throw new IllegalArgumentException("waiters must be -1 (unknown) or more, was " + waiters);
    }
    return new LockInfo(name, ownerId, fencingToken, grantedAt, leaseLeft, waiters);
  }

  /**
   * The lock name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Whether someone held the lock when it was read.
   *
   * @return whether held
   */
  public boolean isHeld() {
    return ownerId != null;
  }

  /**
   * Who holds the lock, as the backend identifies the holder (see the table above). The same id
   * appears in {@link LockTimeoutException#holderOwnerId()}.
   *
   * @return the owner id, or empty if the lock is free
   */
  public Optional<String> ownerId() {
    return Optional.ofNullable(ownerId);
  }

  /**
   * The holder's fencing token.
   *
   * @return the token, or 0 if the lock is free
   */
  public long fencingToken() {
    return fencingToken;
  }

  /**
   * When the lock was granted, by the backend's clock. On Redis this is read from the fencing
   * token, which is the server's clock in microseconds at the grant unless that slot granted more
   * than one lock per microsecond before it (then the time is a little later than the grant).
   *
   * @return the grant time, or empty if free or unknown
   */
  public Optional<Instant> grantedAt() {
    return Optional.ofNullable(grantedAt);
  }

  /**
   * How long the holder's lease has left by the backend's clock: when the lock frees itself at the
   * latest if the holder stops renewing it.
   *
   * @return the lease left, or empty if free, unknown or not leased (ZooKeeper)
   */
  public Optional<Duration> leaseLeft() {
    return Optional.ofNullable(leaseLeft);
  }

  /**
   * How many acquirers wait for the lock, where the backend can tell (ZooKeeper, etcd, in memory).
   *
   * @return the number of waiters, or empty if unknown
   */
  public OptionalInt waiters() {
    return waiters < 0 ? OptionalInt.empty() : OptionalInt.of(waiters);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof LockInfo i
        && name.equals(i.name)
        && Objects.equals(ownerId, i.ownerId)
        && fencingToken == i.fencingToken
        && Objects.equals(grantedAt, i.grantedAt)
        && Objects.equals(leaseLeft, i.leaseLeft)
        && waiters == i.waiters;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, ownerId, fencingToken, grantedAt, leaseLeft, waiters);
  }

  @Override
  public String toString() {
    if (ownerId == null) {
      return "LockInfo[" + name + ", free]";
    }
    return "LockInfo["
        + name
        + ", owner="
        + ownerId
        + ", token="
        + fencingToken
        + (grantedAt == null ? "" : ", grantedAt=" + grantedAt)
        + (leaseLeft == null ? "" : ", leaseLeft=" + leaseLeft)
        + (waiters < 0 ? "" : ", waiters=" + waiters)
        + "]";
  }
}
