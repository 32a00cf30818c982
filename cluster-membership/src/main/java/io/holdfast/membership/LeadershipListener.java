package io.holdfast.membership;

/** Leadership changes of one candidate. */
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
