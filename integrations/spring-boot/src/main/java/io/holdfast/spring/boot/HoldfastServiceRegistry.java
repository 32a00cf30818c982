package io.holdfast.spring.boot;

import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * Spring Cloud's {@link ServiceRegistry} over Holdfast membership. This application's own
 * registration ({@link HoldfastRegistration}, or any registration with its instance id) is the one
 * {@link HoldfastInstance} holds, so the application never registers twice: {@code register} and
 * {@code deregister} join and leave through it. Any other registration becomes a member of its own
 * (group = service id), held until it is deregistered or the registry closes.
 *
 * <p>Statuses, as Spring Cloud's {@code serviceregistry} endpoint shows and sets them: {@code UP}
 * (registered and live), {@code DOWN} (registered, but the backend lost it; re-registering), {@code
 * OUT_OF_SERVICE} (not registered). Setting {@code OUT_OF_SERVICE} or {@code DOWN} leaves the
 * group, so peers stop routing here; setting {@code UP} joins again.
 */
final class HoldfastServiceRegistry
    implements ServiceRegistry<org.springframework.cloud.client.serviceregistry.Registration> {
  static final String UP = "UP";
  static final String DOWN = "DOWN";
  static final String OUT_OF_SERVICE = "OUT_OF_SERVICE";

  private final Membership membership;
  private final @Nullable HoldfastInstance instance;
  private final Map<String, Registration> others = new ConcurrentHashMap<>();

  HoldfastServiceRegistry(Membership membership, @Nullable HoldfastInstance instance) {
    this.membership = membership;
    this.instance = instance;
  }

  @Override
  // @Nullable as in Spring Cloud's interface; null is refused with an NPE.
  public void register(
      org.springframework.cloud.client.serviceregistry.@Nullable Registration registration) {
    Objects.requireNonNull(registration, "registration");
    HoldfastInstance self = self(registration);
    if (self != null) {
      if (!self.register()) {
        throw new IllegalStateException("the application context is not running");
      }
      return;
    }
    others.computeIfAbsent(key(registration), k -> membership.register(info(registration)));
  }

  @Override
  public void deregister(
      org.springframework.cloud.client.serviceregistry.@Nullable Registration registration) {
    Objects.requireNonNull(registration, "registration");
    HoldfastInstance self = self(registration);
    if (self != null) {
      self.deregister();
      return;
    }
    Registration r = others.remove(key(registration));
    if (r != null) {
      r.close();
    }
  }

  /** Leaves with every registration made through this registry other than the application's. */
  @Override
  public void close() {
    others.values().forEach(Registration::close);
    others.clear();
  }

  @Override
  public void setStatus(
      org.springframework.cloud.client.serviceregistry.Registration registration, String status) {
    Objects.requireNonNull(status, "status");
    switch (status.strip().toUpperCase(Locale.ROOT)) {
      case UP -> register(registration);
      case DOWN, OUT_OF_SERVICE -> deregister(registration);
      default ->
          throw new IllegalArgumentException(
              "status must be UP, DOWN or OUT_OF_SERVICE, was '" + status + "'");
    }
  }

  @Override
  // Spring Cloud's signature: the caller names the type it expects.
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  public <T> T getStatus(
      org.springframework.cloud.client.serviceregistry.Registration registration) {
    Objects.requireNonNull(registration, "registration");
    HoldfastInstance self = self(registration);
    Registration r =
        self != null ? self.registration().orElse(null) : others.get(key(registration));
    String status = r == null ? OUT_OF_SERVICE : r.isRegistered() ? UP : DOWN;
    return (T) status;
  }

  private @Nullable HoldfastInstance self(
      org.springframework.cloud.client.serviceregistry.Registration registration) {
    if (registration instanceof HoldfastRegistration own) {
      return own.instance();
    }
    HoldfastInstance i = instance;
    if (i != null
        && i.self().id().equals(registration.getInstanceId())
        && i.self().group().equals(registration.getServiceId())) {
      return i;
    }
    return null;
  }

  private static String key(org.springframework.cloud.client.serviceregistry.Registration r) {
    String id = r.getInstanceId();
    if (id == null) {
      throw new IllegalArgumentException(
          "registration " + r + " has no instance id: Holdfast members need one");
    }
    return r.getServiceId() + "/" + id;
  }

  private static MemberInfo info(org.springframework.cloud.client.serviceregistry.Registration r) {
    Map<String, String> metadata = r.getMetadata();
    MemberInfo.Builder b =
        MemberInfo.builder(r.getServiceId())
            .id(Objects.requireNonNull(r.getInstanceId(), "instanceId"))
            .host(r.getHost())
            .port(r.getPort())
            .metadata(metadata == null ? Map.of() : metadata);
    if (r.isSecure()) {
      b.metadata("secure", "true");
    }
    return b.build();
  }
}
