package io.holdfast.membership.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.Registration;
import io.holdfast.membership.RegistrationListener;
import io.holdfast.testkit.ZooKeeperEnsemble;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real three-server ensemble whose leader dies under a registered member and a watcher. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperMembershipEnsembleTest {

  @Test
  void leaderKilled_registrationSurvives_andTheWatcherKeepsFollowing() {
    String group = "ensemble";
    try (ZooKeeperEnsemble ensemble = ZooKeeperServers.ensemble(3)) {
      int leader = ensemble.leader();
      assertThat(leader).isNotNegative();
      int follower = (leader + 1) % ensemble.size();
      Duration session = Duration.ofSeconds(15);
      Membership member =
          ZooKeeperMembership.builder(ensemble.connectString()).sessionTimeout(session).build();
      // The watcher reads from one follower only: members() must still see a completed register.
      Membership watcher =
          ZooKeeperMembership.builder(ensemble.connectString(follower))
              .sessionTimeout(session)
              .build();
      try {
        Registration r = member.register(MemberInfo.builder(group).id("survivor").build());
        assertThat(watcher.members(group)).extracting(Member::id).containsExactly("survivor");
        AtomicInteger lost = new AtomicInteger();
        r.addListener(
            new RegistrationListener() {
              @Override
              public void lost(Member m) {
                lost.incrementAndGet();
              }
            });
        Map<String, Member> view = new ConcurrentHashMap<>();
        List<String> events = new CopyOnWriteArrayList<>();
        watcher.watch(
            group,
            new MembershipListener() {
              @Override
              public void snapshot(List<Member> members) {
                members.forEach(m -> view.put(m.id(), m));
              }

              @Override
              public void joined(Member m) {
                view.put(m.id(), m);
                events.add("joined " + m.id());
              }

              @Override
              public void updated(Member before, Member after) {
                view.put(after.id(), after);
              }

              @Override
              public void left(Member m) {
                view.remove(m.id());
                events.add("left " + m.id());
              }
            });
        await().atMost(Duration.ofSeconds(10)).until(() -> view.containsKey("survivor"));

        ensemble.kill(leader);

        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () -> {
                  r.update(Map.of("after", "failover"));
                  return true;
                });
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> "failover".equals(view.get("survivor").metadata().get("after")));
        member.register(MemberInfo.builder(group).id("late").build());
        await().atMost(Duration.ofSeconds(30)).until(() -> view.containsKey("late"));
        assertThat(events).doesNotContain("left survivor");
        assertThat(lost.get()).isZero();
        assertThat(r.isRegistered()).isTrue();
      } finally {
        watcher.close();
        member.close();
      }
    }
  }
}
