package io.holdfast.membership;

import java.util.List;

/**
 * Events of one group. Callbacks of one subscription run one at a time, in order: first {@link
 * #snapshot}, then joins, updates and leaves as they happen. After a missed notification is healed
 * by reconciliation, the events that bring the listener's view in line are delivered then.
 *
 * <p>Callbacks run on the executor given to {@link Membership#watch(String, MembershipListener,
 * java.util.concurrent.Executor)}, or else on the membership's callback executor, never while the
 * library holds an internal lock; a callback that throws is logged and the next event is still
 * delivered.
 */
public interface MembershipListener {
  /**
   * The members live when the watch began (possibly empty).
   *
   * @param members live members, ordered by id
   */
  default void snapshot(List<Member> members) {}

  /**
   * A member joined (or came back after its registration was lost).
   *
   * @param member the member
   */
  default void joined(Member member) {}

  /**
   * A member published new metadata.
   *
   * @param before the member as it was
   * @param after the member as it is now
   */
  default void updated(Member before, Member after) {}

  /**
   * A member left: closed its registration, or was detected as failed.
   *
   * @param member the member as last seen
   */
  default void left(Member member) {}
}
