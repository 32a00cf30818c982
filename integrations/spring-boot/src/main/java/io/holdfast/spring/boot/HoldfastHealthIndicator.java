package io.holdfast.spring.boot;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The {@code holdfast} health ({@link HoldfastHealthCheck}) for Spring Boot 4's Actuator. */
final class HoldfastHealthIndicator implements HealthIndicator {
  private final HoldfastHealthCheck check;

  HoldfastHealthIndicator(HoldfastHealthCheck check) {
    this.check = check;
  }

  @Override
  public Health health() {
    HoldfastHealthCheck.Result r = check.check();
    return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
  }
}
