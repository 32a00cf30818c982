package io.holdfast.spring.boot;

import io.holdfast.lock.LockException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.membership.Registration;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code holdfast} health of Actuator (Spring Boot 4): UP when the backend answers a lock probe
 * within the command timeout and this instance's registration, if it registered, is live; DOWN with
 * the reason otherwise. The probe takes and releases a lock of this indicator's own ({@code
 * holdfast.health.<random>}), so probes of several instances never wait for each other: two
 * commands on Redis, three requests on ZooKeeper.
 */
final class HoldfastHealthIndicator implements HealthIndicator {
  private final @Nullable LockService locks;
  private final @Nullable HoldfastInstance instance;
  private final String backend;
  private final String probe = "holdfast.health." + UUID.randomUUID();

  HoldfastHealthIndicator(
      @Nullable LockService locks, @Nullable HoldfastInstance instance, String backend) {
    this.locks = locks;
    this.instance = instance;
    this.backend = backend;
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up().withDetail("backend", backend);
    if (locks != null) {
      try {
        Optional<LockHandle> h = locks.tryAcquire(probe);
        h.ifPresent(LockHandle::close);
      } catch (LockException | IllegalStateException e) {
        health = Health.down().withDetail("backend", backend).withDetail("error", e.getMessage());
      }
    }
    if (instance != null) {
      Optional<Registration> r = instance.registration();
      if (r.isPresent()) {
        boolean live = r.get().isRegistered();
        health
            .withDetail("group", r.get().member().group())
            .withDetail("id", r.get().member().id())
            .withDetail("registered", live);
        if (!live) {
          health.down().withDetail("registration", "lost; re-registering");
        }
      }
    }
    return health.build();
  }
}
