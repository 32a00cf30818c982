package io.holdfast.membership.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.MembershipListener;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GroupTrackerTest {
  private static Member m(String id, long joined, String load) {
    return Members.create(
        MemberInfo.builder("g").id(id).metadata("load", load).build(),
        Instant.ofEpochMilli(joined),
        0);
  }

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final MembershipListener recorder =
      new MembershipListener() {
        @Override
        public void snapshot(List<Member> members) {
          events.add("snapshot" + members.stream().map(Member::id).toList());
        }

        @Override
        public void joined(Member member) {
          events.add("joined " + member.id());
        }

        @Override
        public void updated(Member before, Member after) {
          events.add("updated " + after.id() + " " + after.metadata().get("load"));
        }

        @Override
        public void left(Member member) {
          events.add("left " + member.id());
        }
      };

  @Test
  void eventsBeforeTheFirstSnapshot_areIgnored_thenDiffsBecomeEvents() {
    GroupTracker t = new GroupTracker("g");
    t.subscribe(recorder, Runnable::run);
    t.upsert(5, m("early", 1, "0"));
    t.snapshot(10, List.of(m("a", 1, "0"), m("b", 1, "0")));
    t.upsert(11, m("c", 2, "0"));
    t.upsert(12, m("a", 1, "7"));
    t.remove(13, "b");
    assertThat(events).containsExactly("snapshot[a, b]", "joined c", "updated a 7", "left b");
    assertThat(t.members()).extracting(Member::id).containsExactly("a", "c");
  }

  @Test
  void staleReports_neverUndoNewerOnes() {
    GroupTracker t = new GroupTracker("g");
    t.subscribe(recorder, Runnable::run);
    t.snapshot(10, List.of(m("a", 1, "0")));
    t.upsert(12, m("b", 2, "0"));
    t.snapshot(11, List.of(m("a", 1, "0"))); // read before b joined: ignored
    t.remove(12, "b"); // same version as the join: ignored
    assertThat(t.members()).extracting(Member::id).containsExactly("a", "b");
    t.snapshot(20, List.of(m("b", 2, "0"), m("d", 3, "0"))); // a newer full read heals
    assertThat(events).containsExactly("snapshot[a]", "joined b", "left a", "joined d");
  }

  @Test
  void memberBackWithNewJoinTime_isReportedAsLeftThenJoined() {
    GroupTracker t = new GroupTracker("g");
    t.subscribe(recorder, Runnable::run);
    t.snapshot(1, List.of(m("a", 1, "0")));
    t.upsert(2, m("a", 5, "0"));
    assertThat(events).containsExactly("snapshot[a]", "left a", "joined a");
  }

  @Test
  void lateSubscriber_getsCurrentSnapshotFirst() {
    GroupTracker t = new GroupTracker("g");
    t.snapshot(1, List.of(m("a", 1, "0")));
    t.upsert(2, m("b", 1, "0"));
    t.subscribe(recorder, Runnable::run);
    t.remove(3, "a");
    assertThat(events).containsExactly("snapshot[a, b]", "left a");
  }
}
