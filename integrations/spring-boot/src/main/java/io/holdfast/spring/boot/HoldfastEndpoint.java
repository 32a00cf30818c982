package io.holdfast.spring.boot;

import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.Member;
import io.holdfast.membership.Registration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code holdfast} Actuator endpoint: the locks this application holds now (name, fencing
 * token, since when, for how long, whether the lease was lost before release), its registration,
 * the members of its group as the backend lists them, and the group's leader.
 *
 * <p>Only grants of the starter's own {@code LockService} bean are listed (an application-defined
 * {@code LockService} is not observed). A lock held by another instance is not listed: each
 * instance shows its own.
 */
@Endpoint(id = "holdfast")
public class HoldfastEndpoint {
  private final HeldLocks locks;
  private final @Nullable HoldfastInstance instance;
  private final String backend;

  HoldfastEndpoint(HeldLocks locks, @Nullable HoldfastInstance instance, String backend) {
    this.locks = locks;
    this.instance = instance;
    this.backend = backend;
  }

  /**
   * What this instance holds and where it stands in its group.
   *
   * @return a JSON-ready map: {@code backend}, {@code locks}, and, when the application registers
   *     itself, {@code registration} and {@code group}
   */
  @ReadOperation
  public Map<String, Object> holdfast() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("backend", backend);
    out.put(
        "locks",
        locks.now().stream()
            .map(
                h -> {
                  Map<String, Object> lock = new LinkedHashMap<>();
                  lock.put("name", h.name());
                  lock.put("fencingToken", h.fencingToken());
                  lock.put("heldSince", h.since().toString());
                  lock.put("heldFor", h.heldFor().toString());
                  lock.put("lease", h.lost() ? "lost" : "held");
                  return lock;
                })
            .toList());
    HoldfastInstance i = instance;
    if (i == null) {
      return out;
    }
    Optional<Registration> r = i.registration();
    Map<String, Object> registration = new LinkedHashMap<>();
    registration.put("registered", r.map(Registration::isRegistered).orElse(false));
    r.ifPresent(reg -> registration.putAll(member(reg.member())));
    Optional<LeaderElection> election = i.election();
    registration.put("standsForLeader", election.isPresent());
    election.ifPresent(
        e -> {
          registration.put("leader", e.isLeader());
          registration.put("epoch", e.epoch());
        });
    out.put("registration", registration);
    if (r.isPresent()) {
      String group = r.get().member().group();
      List<Member> members = i.membership().members(group);
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("name", group);
      g.put("members", members.stream().map(HoldfastEndpoint::member).toList());
      members.stream()
          .filter(m -> m.leaderEpoch() > 0)
          .max(java.util.Comparator.comparingLong(Member::leaderEpoch))
          .ifPresent(m -> g.put("leader", Map.of("id", m.id(), "epoch", m.leaderEpoch())));
      out.put("group", g);
    }
    return out;
  }

  private static Map<String, Object> member(Member m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("group", m.group());
    out.put("id", m.id());
    out.put("host", m.host());
    out.put("port", m.port());
    out.put("joinedAt", m.joinedAt().toString());
    out.put("metadata", m.metadata());
    return out;
  }
}
