package io.holdfast.membership;

/**
 * Leadership changes of one candidate. Callbacks run on the membership's callback executor (its own
 * thread unless the builder was given one); a callback that throws is logged and ignored. Keep them
 * short: stop or start work elsewhere.
 *
 * <p>{@link #lost} comes as soon as the candidate can no longer be sure it leads (the election
 * lock's lease may be lost), which can be after another member already leads. Fence the leader's
 * writes with the epoch.
 */
public interface LeadershipListener {
  /**
   * This candidate became leader.
   *
   * @param epoch the epoch of this leadership: larger than every earlier one of the group
   */
  default void gained(long epoch) {}

  /**
   * This candidate is no longer leader (it resigned, or can no longer be sure it leads).
   *
   * @param epoch the epoch that ended
   */
  default void lost(long epoch) {}
}
