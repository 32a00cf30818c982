package io.holdfast.membership;

import io.holdfast.membership.internal.Members;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A live member as the backend holds it: what it registered, when it joined (the backend server's
 * clock), and the leadership epoch it advertises. Immutable.
 */
public final class Member {
  private final MemberInfo info;
  private final Instant joinedAt;
  private final long leaderEpoch;

  static {
    // Backends create members through the internal factory; users only read them.
    Members.install(Member::new);
  }

  /** Created by the backends, through {@link Members#create}. */
  Member(MemberInfo info, Instant joinedAt, long leaderEpoch) {
    this.info = Objects.requireNonNull(info, "info");
    this.joinedAt = Objects.requireNonNull(joinedAt, "joinedAt");
    if (leaderEpoch < 0) {
      throw new IllegalArgumentException("leaderEpoch must be 0 or more, was " + leaderEpoch);
    }
    this.leaderEpoch = leaderEpoch;
  }

  /**
   * What the member registered.
   *
   * @return the info
   */
  public MemberInfo info() {
    return info;
  }

  /**
   * The group.
   *
   * @return the group
   */
  public String group() {
    return info.group();
  }

  /**
   * The member id.
   *
   * @return the id
   */
  public String id() {
    return info.id();
  }

  /**
   * The host.
   *
   * @return the host
   */
  public String host() {
    return info.host();
  }

  /**
   * The port, 0 if none.
   *
   * @return the port
   */
  public int port() {
    return info.port();
  }

  /**
   * The metadata.
   *
   * @return an immutable map sorted by key
   */
  public Map<String, String> metadata() {
    return info.metadata();
  }

  /**
   * When the member (last) joined, by the backend server's clock.
   *
   * @return the join time
   */
  public Instant joinedAt() {
    return joinedAt;
  }

  /**
   * The epoch of the leadership this member advertises, 0 if it does not claim to lead.
   *
   * @return the epoch
   */
  public long leaderEpoch() {
    return leaderEpoch;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Member m
        && info.equals(m.info)
        && joinedAt.equals(m.joinedAt)
        && leaderEpoch == m.leaderEpoch;
  }

  @Override
  public int hashCode() {
    return Objects.hash(info, joinedAt, leaderEpoch);
  }

  @Override
  public String toString() {
    return "Member["
        + info
        + ", joined "
        + joinedAt
        + (leaderEpoch > 0 ? ", leader epoch " + leaderEpoch : "")
        + "]";
  }
}
