package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.membership.Membership;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring Boot application with the starter: locks, itself registered in its group, and the
 * holdfast health indicator on each Boot line's health API.
 */
class StarterTest {
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @Test
  void theStarterLocksRegistersAndReportsHealth() throws Exception {
    System.out.println("Spring Boot " + SpringBootVersion.getVersion());
    String group = "orders-" + System.nanoTime();
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.application.name=" + group,
                "holdfast.redis.uri=" + RedisServers.shared().uri(),
                "holdfast.membership.port=8080")
            .run()) {
      try (LockHandle lock =
          context.getBean(LockService.class).acquire("sku:apple", Duration.ofSeconds(5))) {
        assertTrue(lock.isHeld());
      }
      assertEquals(1, context.getBean(Membership.class).members(group).size());

      // The holdfast health indicator, typed as this Boot line's HealthIndicator so that
      // Actuator's registry finds it, and UP.
      String indicatorType =
          SpringBootVersion.getVersion().startsWith("3.")
              ? "org.springframework.boot.actuate.health.HealthIndicator"
              : "org.springframework.boot.health.contributor.HealthIndicator";
      Class<?> type = Class.forName(indicatorType);
      assertTrue(
          Arrays.asList(context.getBeanNamesForType(type)).contains("holdfastHealthIndicator"),
          "holdfastHealthIndicator is a " + indicatorType);
      Object indicator = context.getBean("holdfastHealthIndicator");
      Object health = type.getMethod("health").invoke(indicator);
      Object status = health.getClass().getMethod("getStatus").invoke(health);
      assertEquals("UP", status.toString(), String.valueOf(health));
    }
  }
}
