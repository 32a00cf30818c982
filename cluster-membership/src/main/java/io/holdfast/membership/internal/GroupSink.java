package io.holdfast.membership.internal;

import io.holdfast.membership.Member;
import java.util.Collection;

/**
 * Where a backend reports what it sees of a group. Every report carries a version that grows with
 * each change of the group (a backend's own counter); reports no newer than what was already
 * applied are ignored, so a snapshot fetched before a change cannot undo it. May be called from any
 * thread.
 */
public interface GroupSink {
  /**
   * The complete set of live members at {@code version}.
   *
   * @param version the group's version when the set was read
   * @param live the live members
   */
  void snapshot(long version, Collection<Member> live);

  /**
   * A member joined or changed at {@code version}.
   *
   * @param version the version of the change
   * @param member the member as it is now
   */
  void upsert(long version, Member member);

  /**
   * A member left at {@code version}.
   *
   * @param version the version of the change
   * @param id the member id
   */
  void remove(long version, String id);
}
