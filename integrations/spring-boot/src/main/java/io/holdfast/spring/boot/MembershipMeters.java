package io.holdfast.spring.boot;

import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.Member;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.Subscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The registered instance's meters, tagged with {@code group}: {@code holdfast.membership.members}
 * (gauge: live members the instance sees), {@code holdfast.membership.leader} (gauge: 1 while this
 * instance leads, else 0), {@code holdfast.membership.joins} and {@code holdfast.membership.leaves}
 * (counters: members that joined or left the group since this instance registered, itself not
 * counted), and {@code holdfast.membership.leadership.changes} (counter, tag {@code change}: {@code
 * gained} or {@code lost}, this instance's). Removed when the instance leaves.
 */
final class MembershipMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final MembershipView view;
  private final Subscription watch;
  private final List<Meter> meters;

  MembershipMeters(
      MeterRegistry registry,
      Membership membership,
      String group,
      Supplier<Optional<LeaderElection>> election) {
    this.registry = registry;
    this.view = membership.view(group);
    Counter joins = counter(registry, "holdfast.membership.joins", "Members that joined", group);
    Counter leaves = counter(registry, "holdfast.membership.leaves", "Members that left", group);
    Counter gained =
        Counter.builder("holdfast.membership.leadership.changes")
            .description("Times this instance gained or lost the leadership of its group")
            .tags("group", group, "change", "gained")
            .register(registry);
    Counter lost =
        Counter.builder("holdfast.membership.leadership.changes")
            .description("Times this instance gained or lost the leadership of its group")
            .tags("group", group, "change", "lost")
            .register(registry);
    this.meters =
        List.of(
            Gauge.builder("holdfast.membership.members", view, v -> v.members().size())
                .description("Live members of the group, as this instance sees them")
                .tag("group", group)
                .register(registry),
            Gauge.builder(
                    "holdfast.membership.leader",
                    election,
                    e -> e.get().map(x -> x.isLeader() ? 1.0 : 0.0).orElse(0.0))
                .description("1 while this instance leads its group, else 0")
                .tag("group", group)
                .register(registry),
            joins,
            leaves,
            gained,
            lost);
    this.watch =
        membership.watch(
            group,
            new MembershipListener() {
              @Override
              public void joined(Member member) {
                joins.increment();
              }

              @Override
              public void left(Member member) {
                leaves.increment();
              }
            });
    election
        .get()
        .ifPresent(
            e ->
                e.addListener(
                    new OncePerEpoch(
                        new LeadershipListener() {
                          @Override
                          public void gained(long epoch) {
                            gained.increment();
                          }

                          @Override
                          public void lost(long epoch) {
                            lost.increment();
                          }
                        })));
  }

  private static Counter counter(
      MeterRegistry registry, String name, String description, String group) {
    return Counter.builder(name)
        .description(description + " (since this instance registered)")
        .tag("group", group)
        .register(registry);
  }

  @Override
  public void close() {
    watch.close();
    meters.forEach(registry::remove);
    view.close();
  }
}
