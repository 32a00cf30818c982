package io.holdfast.spring.boot;

import io.holdfast.membership.Member;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.Subscription;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Spring Cloud's {@link DiscoveryClient} over Holdfast membership: a service is a group, an
 * instance a live member. {@code getInstances} answers from a live view of the group, opened on the
 * first request for it and kept up to date by the backend's watch (no backend call per request); a
 * change in a group already asked for publishes a {@link HeartbeatEvent}, so caches such as Spring
 * Cloud LoadBalancer's refresh. {@code getServices} reads the backend each time ({@link
 * Membership#groups()}).
 *
 * <p>An instance is secure (https) when its metadata has {@code secure=true}. Thread-safe.
 */
final class HoldfastDiscoveryClient implements DiscoveryClient, AutoCloseable {
  private final Membership membership;
  private final ApplicationEventPublisher events;
  private final Map<String, Watched> groups = new ConcurrentHashMap<>();
  private final AtomicLong changes = new AtomicLong();

  /** A group's live view and the watch that tells Spring Cloud it changed. */
  private record Watched(MembershipView view, Subscription watch) {}

  HoldfastDiscoveryClient(Membership membership, ApplicationEventPublisher events) {
    this.membership = membership;
    this.events = events;
  }

  @Override
  public String description() {
    return "Holdfast membership";
  }

  @Override
  public List<ServiceInstance> getInstances(String serviceId) {
    Watched watched = groups.computeIfAbsent(serviceId, this::watch);
    List<Member> members = watched.view().members();
    if (members.isEmpty()) {
      // A view just opened may not hold its first snapshot yet: read the group itself.
      members = membership.members(serviceId);
    }
    return members.stream().map(HoldfastDiscoveryClient::instance).toList();
  }

  @Override
  public List<String> getServices() {
    return membership.groups();
  }

  private Watched watch(String group) {
    MembershipView view = membership.view(group);
    Subscription watch =
        membership.watch(
            group,
            new MembershipListener() {
              @Override
              public void joined(Member member) {
                changed();
              }

              @Override
              public void updated(Member before, Member after) {
                changed();
              }

              @Override
              public void left(Member member) {
                changed();
              }
            });
    return new Watched(view, watch);
  }

  private void changed() {
    events.publishEvent(new HeartbeatEvent(this, changes.incrementAndGet()));
  }

  private static ServiceInstance instance(Member m) {
    return new DefaultServiceInstance(
        m.id(), m.group(), m.host(), m.port(), isSecure(m.metadata()), m.metadata());
  }

  /** Whether a member with this metadata is reached over https ({@code secure=true}). */
  static boolean isSecure(Map<String, String> metadata) {
    return "true".equalsIgnoreCase(metadata.get("secure"));
  }

  @Override
  public void close() {
    for (Watched w : groups.values()) {
      w.watch().close();
      w.view().close();
    }
    groups.clear();
  }
}
