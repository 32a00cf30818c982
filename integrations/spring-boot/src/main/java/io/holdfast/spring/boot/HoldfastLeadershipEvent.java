package io.holdfast.spring.boot;

import org.springframework.context.ApplicationEvent;

/**
 * This instance gained or lost the leadership of its group ({@code
 * holdfast.membership.election.enabled=true}). Published on a Holdfast thread, never while a lock
 * is held; listeners must return quickly.
 *
 * <p>The epoch is the election's fencing token: strictly larger for each new leader, so work a
 * leader sends elsewhere can carry it and be refused once a newer leader exists.
 */
public final class HoldfastLeadershipEvent extends ApplicationEvent {
  private static final long serialVersionUID = 1L;

  private final boolean leader;
  private final long epoch;

  HoldfastLeadershipEvent(Object source, boolean leader, long epoch) {
    super(source);
    this.leader = leader;
    this.epoch = epoch;
  }

  /**
   * Whether this instance is now the leader (false: it has just lost the leadership).
   *
   * @return true when gained
   */
  public boolean isLeader() {
    return leader;
  }

  /**
   * The epoch of the leadership gained or lost.
   *
   * @return the epoch, a fencing token
   */
  public long epoch() {
    return epoch;
  }

  @Override
  public String toString() {
    return "HoldfastLeadershipEvent[" + (leader ? "gained" : "lost") + ", epoch " + epoch + "]";
  }
}
