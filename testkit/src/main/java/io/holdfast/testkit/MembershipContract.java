package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.DuplicateMemberException;
import io.holdfast.membership.KeyedPeerSelector;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.NoLiveMembersException;
import io.holdfast.membership.PeerSelector;
import io.holdfast.membership.PeerSelectors;
import io.holdfast.membership.Registration;
import io.holdfast.membership.RegistrationListener;
import io.holdfast.membership.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The behaviour every {@link Membership} backend must have, against a real server. A backend's test
 * class says how to build a membership, how long its failure detection takes, how to run a member
 * in a separate JVM (for {@code kill -9}), and how to make the backend forget every registration
 * (session expiry, server restart).
 */
public abstract class MembershipContract {
  /** Each test's limit, scaled by {@link Timing}. */
  @RegisterExtension static final ScaledTimeout TIMEOUT = new ScaledTimeout(Duration.ofMinutes(3));

  private final List<Membership> memberships = new CopyOnWriteArrayList<>();
  private Set<String> threadsBefore = Set.of();
  private final List<JvmProcess> children = new CopyOnWriteArrayList<>();

  /** A group name unique to this test. */
  protected final String group = "g-" + UUID.randomUUID().toString().substring(0, 8);

  /**
   * Builds a membership against the real backend, with {@link #failureTimeout()}.
   *
   * @return a new membership; the suite closes it
   */
  protected abstract Membership createMembership();

  /**
   * The backend's failure-detection timeout as configured by {@link #createMembership()} (ZooKeeper
   * session timeout; Redis heartbeat TTL).
   *
   * @return the timeout
   */
  protected abstract Duration failureTimeout();

  /**
   * The bound the backend states on top of {@link #failureTimeout()} for a crashed member to be
   * seen as left.
   *
   * @return the extra bound
   */
  protected abstract Duration detectionSlack();

  /**
   * A main class that registers a member (and joins the election if asked), prints {@link
   * JvmProcess#READY}, then blocks: run in a separate JVM and killed with {@code kill -9}.
   *
   * @return the main class
   */
  protected abstract Class<?> memberMain();

  /**
   * The arguments for {@link #memberMain()}.
   *
   * @param group the group
   * @param id the member id
   * @param elect whether to join the election
   * @return the arguments
   */
  protected abstract String[] memberMainArgs(String group, String id, boolean elect);

  /**
   * Makes the backend forget every registration while the members live (expire their ZooKeeper
   * sessions, restart Redis without persistence). Unsupported by default.
   *
   * @return whether it was done
   */
  protected boolean loseAllRegistrations() {
    return false;
  }

  /**
   * A membership that the suite closes after the test.
   *
   * @return a new membership
   */
  protected final Membership membership() {
    Membership m = createMembership();
    memberships.add(m);
    return m;
  }

  private Duration detectionBound() {
    return failureTimeout().plus(detectionSlack());
  }

  @BeforeEach
  void recordThreads() {
    threadsBefore = LibraryThreads.alive();
  }

  @AfterEach
  void closeAll() {
    children.forEach(JvmProcess::close);
    memberships.forEach(Membership::close);
    verifyNothingLeftBehind();
  }

  /**
   * After the memberships closed: no member of this test's groups is left in the backend (a killed
   * member's within the detection bound) and no Holdfast thread started by the test is alive.
   */
  private void verifyNothingLeftBehind() {
    try (Membership probe = createMembership()) {
      await()
          .atMost(detectionBound().plus(Timing.scaled(Duration.ofSeconds(10))))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                List<String> left = new ArrayList<>();
                for (String g : probe.groups()) {
                  if (g.startsWith(group)) {
                    probe.members(g).forEach(m -> left.add(g + "/" + m.id()));
                  }
                }
                assertThat(left).as("members left in the backend after close()").isEmpty();
              });
    }
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(10)))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThat(LibraryThreads.startedSince(threadsBefore))
                    .as("Holdfast threads alive after close()")
                    .isEmpty());
  }

  private MemberInfo info(String id) {
    return MemberInfo.builder(group)
        .id(id)
        .host("10.0.0." + (Math.floorMod(id.hashCode(), 250) + 1))
        .port(8080)
        .metadata("zone", "z-" + id)
        .build();
  }

  /** Records a watcher's events, in order, as strings. */
  private static final class Recorder implements MembershipListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final Map<String, Member> view = new java.util.concurrent.ConcurrentHashMap<>();
    volatile boolean snapshotSeen;

    @Override
    public void snapshot(List<Member> members) {
      members.forEach(m -> view.put(m.id(), m));
      events.add("snapshot" + members.stream().map(Member::id).toList());
      snapshotSeen = true;
    }

    @Override
    public void joined(Member member) {
      view.put(member.id(), member);
      events.add("joined " + member.id());
    }

    @Override
    public void updated(Member before, Member after) {
      view.put(after.id(), after);
      events.add("updated " + after.id());
    }

    @Override
    public void left(Member member) {
      view.remove(member.id());
      events.add("left " + member.id());
    }
  }

  // ------------------------------------------------------------------ seeing peers

  @Test
  void threeMembers_watcherSeesExactlyThree_withMetadata() {
    Membership a = membership();
    Membership b = membership();
    Membership c = membership();
    Membership watcherSide = membership();
    Recorder rec = new Recorder();
    try (Subscription s = watcherSide.watch(group, rec)) {
      await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> rec.snapshotSeen);
      a.register(info("a"));
      b.register(info("b"));
      c.register(info("c"));
      await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> rec.view.size() == 3);
      assertThat(rec.view.keySet()).containsExactlyInAnyOrder("a", "b", "c");
      Member seenB = Objects.requireNonNull(rec.view.get("b"), "b in the view");
      assertThat(seenB.metadata()).containsEntry("zone", "z-b");
      assertThat(seenB.port()).isEqualTo(8080);
      assertThat(rec.events).startsWith("snapshot[]").contains("joined a", "joined b", "joined c");
      List<Member> now = watcherSide.members(group);
      assertThat(now).extracting(Member::id).containsExactly("a", "b", "c");
      assertThat(now.get(0).joinedAt()).isNotNull();
    }
  }

  @Test
  void register_returnsOnceVisible_toAnotherClientsRead() {
    Membership a = membership();
    Membership b = membership();
    a.register(info("visible"));
    assertThat(b.members(group)).extracting(Member::id).containsExactly("visible");
  }

  @Test
  void groups_listTheGroupsWithLiveMembers_andForgetOnesThatEmptied() {
    Membership a = membership();
    Membership b = membership();
    String other = group + "-other";
    Registration one = a.register(info("one"));
    Registration two =
        a.register(MemberInfo.builder(other).id("two").host("10.0.0.2").port(8080).build());
    // The election of a group leaves nodes or keys of its own: they are not groups.
    LeaderElection election = a.election(one);
    await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(election::isLeader);
    assertThat(b.groups()).contains(group, other).isSorted().doesNotHaveDuplicates();
    assertThat(b.groups()).allSatisfy(g -> assertThat(g).doesNotContain("%", "{", "/"));
    two.close();
    assertThat(b.groups()).contains(group).doesNotContain(other);
    election.close();
    one.close();
    assertThat(b.groups()).doesNotContain(group, other);
  }

  @Test
  void watch_startsWithSnapshotOfExistingMembers() {
    Membership a = membership();
    a.register(info("m1"));
    a.register(info("m2"));
    Recorder rec = new Recorder();
    try (Subscription s = membership().watch(group, rec)) {
      await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> rec.snapshotSeen);
      assertThat(rec.events.get(0)).isEqualTo("snapshot[m1, m2]");
    }
  }

  @Test
  void closedRegistration_leavesPromptly_andUpdatesArriveInOrder() {
    Membership a = membership();
    Recorder rec = new Recorder();
    membership().watch(group, rec);
    await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> rec.snapshotSeen);
    Registration r = a.register(info("x"));
    r.update(Map.of("load", "1"));
    r.update(Map.of("load", "2"));
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(30)))
        .until(() -> "2".equals(view(rec, "x", "load")));
    long t0 = System.nanoTime();
    r.close();
    r.close();
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(10)))
        .until(() -> rec.events.contains("left x"));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(failureTimeout());
    assertThat(rec.events).containsSubsequence("joined x", "updated x", "updated x", "left x");
    assertThat(r.isRegistered()).isFalse();
    assertThatThrownBy(() -> r.update(Map.of())).isInstanceOf(IllegalStateException.class);
  }

  private static @Nullable String view(Recorder rec, String id, String key) {
    Member m = rec.view.get(id);
    return m == null ? null : m.metadata().get(key);
  }

  @Test
  void duplicateLiveId_isRejected_andNothingIsOverwritten() {
    Membership a = membership();
    Membership b = membership();
    a.register(info("dup"));
    MemberInfo other = MemberInfo.builder(group).id("dup").host("elsewhere").build();
    assertThatThrownBy(() -> b.register(other))
        .isInstanceOf(DuplicateMemberException.class)
        .hasMessageContaining("dup");
    assertThat(b.members(group))
        .singleElement()
        .satisfies(m -> assertThat(m.host()).isNotEqualTo("elsewhere"));
  }

  @Test
  void crashedMemberInAnotherJvm_leavesWithinTheStatedBound() {
    Membership watcherSide = membership();
    Recorder rec = new Recorder();
    watcherSide.watch(group, rec);
    JvmProcess child = JvmProcess.start(memberMain(), memberMainArgs(group, "doomed", false));
    children.add(child);
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(30)))
        .until(() -> rec.view.containsKey("doomed"));
    long killedAt = System.nanoTime();
    child.kill();
    await()
        .atMost(detectionBound().plus(Timing.scaled(Duration.ofSeconds(2))))
        .until(() -> rec.events.contains("left doomed"));
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf(
        "[membership] kill -9 -> left after %d ms (bound %d ms)%n",
        took.toMillis(), detectionBound().toMillis());
    assertThat(took).isLessThan(detectionBound().plus(Timing.scaled(Duration.ofSeconds(2))));
  }

  @Test
  void lostRegistrations_comeBackByThemselves_andWatchersSeeThemReturn() {
    Membership a = membership();
    Recorder rec = new Recorder();
    membership().watch(group, rec);
    await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> rec.snapshotSeen);
    Registration r = a.register(info("phoenix"));
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger back = new AtomicInteger();
    r.addListener(
        new RegistrationListener() {
          @Override
          public void lost(Member member) {
            lost.incrementAndGet();
          }

          @Override
          public void reRegistered(Member member) {
            back.incrementAndGet();
          }
        });
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(30)))
        .until(() -> rec.view.containsKey("phoenix"));
    Assumptions.assumeTrue(loseAllRegistrations(), "the backend cannot be made to forget");
    await()
        .atMost(detectionBound().plus(Timing.scaled(Duration.ofSeconds(30))))
        .until(() -> back.get() >= 1 && r.isRegistered());
    assertThat(lost.get()).isGreaterThanOrEqualTo(1);
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(30)))
        .until(() -> a.members(group).stream().anyMatch(m -> m.id().equals("phoenix")));
    await()
        .atMost(detectionBound().plus(Timing.scaled(Duration.ofSeconds(30))))
        .until(
            () ->
                rec.view.containsKey("phoenix")
                    && rec.events.lastIndexOf("joined phoenix")
                        > rec.events.indexOf("joined phoenix"));
  }

  @Test
  void thousandMembers_overOneClient_registerWatchAndLeave() {
    Membership m = membership();
    Recorder rec = new Recorder();
    Membership watcherSide = membership();
    watcherSide.watch(group, rec);
    await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> rec.snapshotSeen);
    List<Registration> regs = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      regs.add(m.register(MemberInfo.builder(group).id(String.format("n%04d", i)).build()));
    }
    long registered = System.nanoTime();
    await().atMost(Timing.scaled(Duration.ofMinutes(2))).until(() -> rec.view.size() == 1000);
    long seen = System.nanoTime();
    assertThat(watcherSide.members(group)).hasSize(1000);
    regs.forEach(Registration::close);
    long closed = System.nanoTime();
    await().atMost(Timing.scaled(Duration.ofMinutes(2))).until(() -> rec.view.isEmpty());
    long gone = System.nanoTime();
    System.out.printf(
        "[membership] 1000 members: register %d ms, full view at watcher +%d ms, deregister %d ms, all left at watcher +%d ms%n",
        (registered - t0) / 1_000_000,
        (seen - registered) / 1_000_000,
        (closed - seen) / 1_000_000,
        (gone - closed) / 1_000_000);
    assertThat(watcherSide.members(group)).isEmpty();
  }

  // ------------------------------------------------------------------ choosing a peer

  @Test
  void selectors_overALiveView() {
    Membership m = membership();
    Registration ra = m.register(MemberInfo.builder(group).id("a").metadata("load", "5").build());
    m.register(MemberInfo.builder(group).id("b").metadata("load", "1").build());
    Registration rc = m.register(MemberInfo.builder(group).id("c").metadata("load", "3").build());
    try (MembershipView view = membership().view(group)) {
      assertThat(view.members()).extracting(Member::id).containsExactly("a", "b", "c");
      PeerSelector rr = PeerSelectors.roundRobin(view);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        seen.add(rr.select().id());
      }
      assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
      assertThat(PeerSelectors.leastLoaded(view, "load").select().id()).isEqualTo("b");
      assertThat(PeerSelectors.random(view).select().id()).isIn("a", "b", "c");

      KeyedPeerSelector sticky = PeerSelectors.rendezvous(view);
      Map<String, String> before = new HashMap<>();
      for (int i = 0; i < 200; i++) {
        before.put("k" + i, sticky.select("k" + i).id());
      }
      assertThat(new HashSet<>(before.values())).containsExactlyInAnyOrder("a", "b", "c");
      for (int i = 0; i < 200; i++) {
        assertThat(sticky.select("k" + i).id()).isEqualTo(before.get("k" + i));
      }
      ra.close();
      await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> view.members().size() == 2);
      for (Map.Entry<String, String> e : before.entrySet()) {
        String now = sticky.select(e.getKey()).id();
        if (!e.getValue().equals("a")) {
          assertThat(now).as("key %s must stay where it was", e.getKey()).isEqualTo(e.getValue());
        } else {
          assertThat(now).isIn("b", "c");
        }
      }
      rc.update(Map.of("load", "0"));
      await()
          .atMost(Timing.scaled(Duration.ofSeconds(30)))
          .until(() -> PeerSelectors.leastLoaded(view, "load").select().id().equals("c"));
    }
  }

  @Test
  void selectorOverEmptyGroup_saysSo() {
    try (MembershipView view = membership().view(group)) {
      assertThatThrownBy(() -> PeerSelectors.roundRobin(view).select())
          .isInstanceOf(NoLiveMembersException.class)
          .hasMessageContaining(group);
      assertThatThrownBy(() -> PeerSelectors.rendezvous(view).select("k"))
          .isInstanceOf(NoLiveMembersException.class);
      assertThatThrownBy(() -> PeerSelectors.leastLoaded(view, "load").select())
          .isInstanceOf(NoLiveMembersException.class)
          .hasMessageContaining("load");
    }
  }

  // ------------------------------------------------------------------ leader election

  @Test
  void election_oneLeaderAtATime_epochsIncrease_peersSeeTheLeader() {
    List<long[]> history = new CopyOnWriteArrayList<>(); // {start, end, epoch} of each leadership
    List<Membership> ms = List.of(membership(), membership(), membership());
    List<LeaderElection> elections = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      Registration r = ms.get(i).register(info("cand-" + i));
      LeaderElection e = ms.get(i).election(r);
      e.addListener(recording(history));
      elections.add(e);
    }
    long lastEpoch = 0;
    for (int round = 0; round < 3; round++) {
      await()
          .atMost(detectionBound().plus(Timing.scaled(Duration.ofSeconds(30))))
          .until(() -> elections.stream().filter(LeaderElection::isLeader).count() == 1);
      LeaderElection leader =
          elections.stream().filter(LeaderElection::isLeader).findFirst().orElseThrow();
      assertThat(leader.epoch()).isGreaterThan(lastEpoch);
      lastEpoch = leader.epoch();
      long epoch = lastEpoch;
      for (LeaderElection other : elections) {
        await()
            .atMost(Timing.scaled(Duration.ofSeconds(30)))
            .until(() -> other.leader().map(Member::leaderEpoch).orElse(0L) == epoch);
      }
      leader.close(); // resign: the next candidate takes over
      elections.remove(leader);
    }
    assertNoOverlap(history);
  }

  @Test
  void leader_isThisCandidate_theMomentItsIsLeaderTurnsTrue() {
    List<String> seenInGained = new CopyOnWriteArrayList<>();
    for (int round = 0; round < 3; round++) {
      Membership m = membership();
      String id = "cand-" + round;
      LeaderElection e = m.election(m.register(info(id)));
      e.addListener(
          new LeadershipListener() {
            @Override
            public void gained(long epoch) {
              seenInGained.add(
                  e.leader().map(l -> l.id() + "@" + l.leaderEpoch()).orElse("none")
                      + " for "
                      + id
                      + "@"
                      + epoch);
            }

            @Override
            public void lost(long epoch) {}
          });
      // Spin, not poll: the moment isLeader() turns true is what this test is about.
      long deadline =
          System.nanoTime()
              + detectionBound().plus(Timing.scaled(Duration.ofSeconds(30))).toNanos();
      while (!e.isLeader()) {
        assertThat(System.nanoTime() - deadline).as("%s became leader in time", id).isNegative();
        Thread.onSpinWait();
      }
      Member leader =
          e.leader()
              .orElseThrow(
                  () -> new AssertionError("leader() right after isLeader() of " + id + " empty"));
      assertThat(leader.id()).isEqualTo(id);
      assertThat(leader.leaderEpoch()).isEqualTo(e.epoch());
      int told = round + 1;
      await()
          .atMost(Timing.scaled(Duration.ofSeconds(30)))
          .until(() -> seenInGained.size() == told);
      assertThat(seenInGained.get(round))
          .isEqualTo(id + "@" + e.epoch() + " for " + id + "@" + e.epoch());
      e.close(); // resign, so that the next round's candidate leads
    }
  }

  @Test
  void leaderInAnotherJvmKilled_newLeaderWithLargerEpoch_withinBound() {
    JvmProcess child = JvmProcess.start(memberMain(), memberMainArgs(group, "old-leader", true));
    children.add(child);
    Membership m = membership();
    LeaderElection mine = m.election(m.register(info("successor")));
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(30)))
        .until(() -> mine.leader().map(Member::id).orElse("").equals("old-leader"));
    long oldEpoch = mine.leader().orElseThrow().leaderEpoch();
    assertThat(mine.isLeader()).isFalse();
    long killedAt = System.nanoTime();
    child.kill();
    await()
        .atMost(detectionBound().plus(Timing.scaled(Duration.ofSeconds(5))))
        .until(mine::isLeader);
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf("[membership] leader kill -9 -> new leader after %d ms%n", took.toMillis());
    assertThat(mine.epoch()).isGreaterThan(oldEpoch);
    await()
        .atMost(detectionBound().plus(Timing.scaled(Duration.ofSeconds(30))))
        .until(() -> mine.leader().map(Member::id).orElse("").equals("successor"));
  }

  private static LeadershipListener recording(List<long[]> history) {
    Map<Long, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
    return new LeadershipListener() {
      @Override
      public void gained(long epoch) {
        started.put(epoch, System.nanoTime());
      }

      @Override
      public void lost(long epoch) {
        Long s = started.remove(epoch);
        if (s != null) {
          history.add(new long[] {s, System.nanoTime(), epoch});
        }
      }
    };
  }

  private static void assertNoOverlap(List<long[]> history) {
    List<long[]> sorted = new ArrayList<>(history);
    sorted.sort((x, y) -> Long.compare(x[0], y[0]));
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(sorted.get(i)[0])
          .as("leadership %d began before %d ended", sorted.get(i)[2], sorted.get(i - 1)[2])
          .isGreaterThanOrEqualTo(sorted.get(i - 1)[1]);
      assertThat(sorted.get(i)[2]).isGreaterThan(sorted.get(i - 1)[2]);
    }
  }

  // ------------------------------------------------------------------ contracts of misuse

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the API must answer with an NPE
  void badInput_getsClearErrors() {
    Membership m = membership();
    assertThatNullPointerException()
        .isThrownBy(() -> m.register(null))
        .withMessageContaining("self");
    assertThatNullPointerException()
        .isThrownBy(() -> m.members(null))
        .withMessageContaining("group");
    assertThatNullPointerException()
        .isThrownBy(() -> m.watch(group, null))
        .withMessageContaining("listener");
    assertThatNullPointerException()
        .isThrownBy(() -> MemberInfo.builder(null))
        .withMessageContaining("group");
    assertThatThrownBy(() -> m.members(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("A-Z");
    assertThatThrownBy(() -> MemberInfo.builder("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MemberInfo.builder("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("group");
    assertThatThrownBy(() -> MemberInfo.builder("..")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MemberInfo.builder(group).id("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
    assertThatThrownBy(() -> MemberInfo.builder(group).id("x".repeat(129)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MemberInfo.builder(group).port(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(() -> MemberInfo.builder(group).host("a b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                MemberInfo.builder(group).metadata("k", "v".repeat(MemberInfo.MAX_METADATA_BYTES)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(MemberInfo.MAX_METADATA_BYTES));
    assertThatThrownBy(() -> MemberInfo.builder(group).metadata("holdfast.x", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    Registration r = m.register(info("ok"));
    assertThatThrownBy(() -> r.update(Map.of("k", "v".repeat(MemberInfo.MAX_METADATA_BYTES))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(m.members(group))
        .singleElement()
        .satisfies(x -> assertThat(x.metadata()).containsEntry("zone", "z-ok"));
  }

  @Test
  void throwingListener_doesNotStopLaterEvents() {
    Membership m = membership();
    Recorder rec = new Recorder();
    AtomicInteger calls = new AtomicInteger();
    Membership watcherSide = membership();
    watcherSide.watch(
        group,
        new MembershipListener() {
          @Override
          public void joined(Member member) {
            calls.incrementAndGet();
            throw new IllegalStateException("listener failure (expected by the test)");
          }
        });
    watcherSide.watch(group, rec);
    await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> rec.snapshotSeen);
    m.register(info("one"));
    m.register(info("two"));
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(30)))
        .until(() -> calls.get() == 2 && rec.view.size() == 2);
  }

  @Test
  void closedMembership_deregistersEverything_andRefusesUse() {
    Membership m = createMembership();
    Membership watcherSide = membership();
    m.register(info("r1"));
    m.register(info("r2"));
    assertThat(watcherSide.members(group)).hasSize(2);
    m.close();
    m.close();
    assertThat(watcherSide.members(group)).isEmpty();
    assertThatThrownBy(() -> m.register(info("r3")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> m.members(group)).isInstanceOf(IllegalStateException.class);
  }
}
