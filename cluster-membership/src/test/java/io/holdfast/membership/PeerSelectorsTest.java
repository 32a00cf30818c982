package io.holdfast.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Selectors are pure functions of a view; these pin their distribution and stability. */
class PeerSelectorsTest {
  private static final class FixedView implements MembershipView {
    volatile List<Member> members;

    FixedView(List<Member> members) {
      this.members = members;
    }

    @Override
    public String group() {
      return "g";
    }

    @Override
    public List<Member> members() {
      return members;
    }

    @Override
    public void close() {}
  }

  private static List<Member> members(int n) {
    List<Member> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Member(MemberInfo.builder("g").id("m" + i).build(), Instant.EPOCH, 0));
    }
    return out;
  }

  @Test
  void rendezvous_spreadsKeysEvenly_andMovesOnlyTheLeaversKeys() {
    FixedView view = new FixedView(members(5));
    KeyedPeerSelector s = PeerSelectors.rendezvous(view);
    Map<String, String> owner = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      String id = s.select("key-" + i).id();
      owner.put("key-" + i, id);
      counts.merge(id, 1, Integer::sum);
    }
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(1700, 2300));
    view.members = members(5).subList(0, 4); // m4 leaves
    int moved = 0;
    for (Map.Entry<String, String> e : owner.entrySet()) {
      String now = s.select(e.getKey()).id();
      if (!now.equals(e.getValue())) {
        assertThat(e.getValue()).isEqualTo("m4");
        moved++;
      }
    }
    assertThat(moved).isEqualTo(counts.get("m4"));
  }

  @Test
  void roundRobin_visitsEveryMemberInTurn() {
    FixedView view = new FixedView(members(3));
    PeerSelector rr = PeerSelectors.roundRobin(view);
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(rr.select().id());
    }
    assertThat(picks).containsExactly("m0", "m1", "m2", "m0", "m1", "m2");
  }

  @Test
  void leastLoaded_skipsMembersWithoutANumber() {
    List<Member> ms = new ArrayList<>();
    ms.add(
        new Member(
            MemberInfo.builder("g").id("a").metadata("load", "x").build(), Instant.EPOCH, 0));
    ms.add(
        new Member(
            MemberInfo.builder("g").id("b").metadata("load", "2.5").build(), Instant.EPOCH, 0));
    ms.add(new Member(MemberInfo.builder("g").id("c").build(), Instant.EPOCH, 0));
    assertThat(PeerSelectors.leastLoaded(new FixedView(ms), "load").select().id()).isEqualTo("b");
    assertThatThrownBy(() -> PeerSelectors.leastLoaded(new FixedView(ms), "cpu").select())
        .isInstanceOf(NoLiveMembersException.class)
        .hasMessageContaining("'cpu'");
  }
}
