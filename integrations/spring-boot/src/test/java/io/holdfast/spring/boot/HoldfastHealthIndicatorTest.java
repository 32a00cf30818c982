package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The holdfast health follows a real Redis going away and coming back. */
class HoldfastHealthIndicatorTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HoldfastAutoConfiguration.class));

  @Test
  void downWhileTheServerIsStopped_upWhenItIsBack() {
    try (RedisServer redis = RedisServers.dedicated()) {
      runner
          .withPropertyValues(
              "holdfast.backend=redis",
              "holdfast.redis.uri=" + redis.uri(),
              "holdfast.command-timeout=2s", // connect bound too: generous on a loaded machine
              "holdfast.membership.enabled=false")
          .run(
              context -> {
                HealthIndicator health =
                    context.getBean("holdfastHealthIndicator", HealthIndicator.class);
                Health up = health.health();
                assertThat(up.getStatus()).isEqualTo(Status.UP);
                assertThat(up.getDetails()).containsEntry("backend", "redis");

                redis.stop();
                Health down = health.health();
                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(String.valueOf(down.getDetails().get("error"))).contains("Redis");

                redis.start();
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> health.health().getStatus().equals(Status.UP));
              });
    }
  }

  @Test
  void canBeSwitchedOff() {
    runner
        .withPropertyValues(
            "holdfast.backend=redis",
            "holdfast.redis.uri=" + RedisServers.shared().uri(),
            "management.health.holdfast.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("holdfastHealthIndicator"));
  }
}
