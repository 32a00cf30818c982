package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.membership.Membership;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** A Spring Boot application with the starter: locks, and itself registered in its group. */
class StarterTest {
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @Test
  void theStarterLocksAndRegisters() throws InterruptedException {
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
    }
  }
}
