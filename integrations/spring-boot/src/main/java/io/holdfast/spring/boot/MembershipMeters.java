package io.holdfast.spring.boot;

import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The registered instance's meters, tagged with {@code group}: {@code holdfast.membership.members}
 * (live members the instance sees) and {@code holdfast.membership.leader} (1 while this instance
 * leads, else 0). Removed when the instance leaves.
 */
final class MembershipMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final MembershipView view;
  private final List<Meter> meters;

  MembershipMeters(
      MeterRegistry registry,
      Membership membership,
      String group,
      Supplier<Optional<LeaderElection>> election) {
    this.registry = registry;
    this.view = membership.view(group);
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
                .register(registry));
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
    view.close();
  }
}
