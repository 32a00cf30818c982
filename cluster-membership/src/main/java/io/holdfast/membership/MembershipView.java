package io.holdfast.membership;

import java.util.List;

/** A live view of one group, kept current by a watch. Thread-safe; close it to stop following. */
public interface MembershipView extends AutoCloseable {
  /**
   * The group.
   *
   * @return the group name
   */
  String group();

  /**
   * The live members as last seen, ordered by id.
   *
   * @return an immutable snapshot
   */
  List<Member> members();

  /** Stops following the group. */
  @Override
  void close();
}
