package io.holdfast.spring.boot;

import io.holdfast.lock.LockException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.membership.Registration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The {@code holdfast} health, independent of Spring Boot's health API (which moved between Boot 3
 * and 4): UP when the backend answers a lock probe within the command timeout and this instance's
 * registration, if it registered, is live; DOWN with the reason otherwise. The probe takes and
 * releases a lock of this check's own ({@code holdfast.health.<random>}), so probes of several
 * instances never wait for each other: two commands on Redis, three requests on ZooKeeper.
 */
final class HoldfastHealthCheck {
  /** A check's outcome. */
  record Result(boolean up, Map<String, Object> details) {}

  private final @Nullable LockService locks;
  private final @Nullable HoldfastInstance instance;
  private final String backend;
  private final String probe = "holdfast.health." + UUID.randomUUID();

  HoldfastHealthCheck(
      @Nullable LockService locks, @Nullable HoldfastInstance instance, String backend) {
    this.locks = locks;
    this.instance = instance;
    this.backend = backend;
  }

  Result check() {
    boolean up = true;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("backend", backend);
    if (locks != null) {
      try {
        Optional<LockHandle> h = locks.tryAcquire(probe);
        h.ifPresent(LockHandle::close);
      } catch (LockException | IllegalStateException e) {
        up = false;
        details.put("error", String.valueOf(e.getMessage()));
      }
    }
    if (instance != null) {
      Optional<Registration> r = instance.registration();
      if (r.isPresent()) {
        boolean live = r.get().isRegistered();
        details.put("group", r.get().member().group());
        details.put("id", r.get().member().id());
        details.put("registered", live);
        if (!live) {
          up = false;
          details.put("registration", "lost; re-registering");
        }
      }
    }
    return new Result(up, details);
  }
}
