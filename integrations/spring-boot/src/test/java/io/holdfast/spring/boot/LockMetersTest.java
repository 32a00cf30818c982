package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockObserver;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.RedisServers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Exact meter values after a known sequence of operations on a real Redis. */
class LockMetersTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HoldfastAutoConfiguration.class))
          .withPropertyValues(
              "holdfast.backend=redis",
              "holdfast.redis.uri=" + RedisServers.shared().uri(),
              "holdfast.membership.enabled=false")
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  private static long count(MeterRegistry r, String outcome) {
    return r.get("holdfast.lock.acquire")
        .tag("outcome", outcome)
        .tag("backend", "redis")
        .timer()
        .count();
  }

  @Test
  void acquiresTimeoutsReleasesAndHeldLocks_areCountedExactly() {
    String name = "meters-" + System.nanoTime();
    runner.run(
        context -> {
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          LockService locks = context.getBean(LockService.class);
          try (LockService other = RedisLockService.builder(RedisServers.shared().uri()).build()) {
            try (LockHandle a = locks.acquire(name, Duration.ofSeconds(5))) {
              assertThat(registry.get("holdfast.lock.active").gauge().value()).isEqualTo(1.0);
            }
            try (LockHandle b = locks.acquire(name, Duration.ofSeconds(5))) {
              assertThat(b.isHeld()).isTrue();
            }
            try (LockHandle held = other.acquire(name, Duration.ofSeconds(5))) {
              assertThat(locks.tryAcquire(name)).isEmpty();
            }
          }
          assertThat(count(registry, "acquired")).isEqualTo(2);
          assertThat(count(registry, "timeout")).isEqualTo(1);
          assertThat(count(registry, "error")).isZero();
          assertThat(registry.get("holdfast.lock.held").timer().count()).isEqualTo(2);
          assertThat(registry.get("holdfast.lock.active").gauge().value()).isZero();
        });
  }

  @Test
  void lostLeasesAndFailedRenewals_areCounters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LockObserver meters = new MicrometerLockObserver(registry, "zookeeper");
    meters.lost("a", 7, "the session ended");
    meters.renewalFailed(3, new IllegalStateException("down"));
    meters.renewalFailed(3, new IllegalStateException("down"));
    assertThat(registry.get("holdfast.lock.lost").tag("backend", "zookeeper").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("holdfast.lock.renewal.failures").counter().count()).isEqualTo(2.0);
  }

  @Test
  void metricsCanBeSwitchedOff() {
    runner
        .withPropertyValues("holdfast.metrics.enabled=false")
        .run(
            context -> {
              try (LockHandle h =
                  context
                      .getBean(LockService.class)
                      .acquire("m-" + System.nanoTime(), Duration.ofSeconds(5))) {
                assertThat(h.isHeld()).isTrue();
              }
              assertThat(
                      context.getBean(MeterRegistry.class).find("holdfast.lock.acquire").meters())
                  .isEmpty();
            });
  }

  @Test
  void lockNamesAreNotTagsByDefault_prefixTagsByKind_aTaggerBeanWins() {
    String run = "k" + System.nanoTime();
    runner.run(
        context -> {
          try (LockHandle h = context.getBean(LockService.class).acquire(run + ":1")) {
            assertThat(h.isHeld()).isTrue();
          }
          assertThat(context.getBean(MeterRegistry.class).get("holdfast.lock.acquire").meters())
              .allSatisfy(m -> assertThat(m.getId().getTag("lock")).isNull());
        });
    runner
        .withPropertyValues("holdfast.metrics.lock-name-tag=prefix")
        .run(
            context -> {
              LockService locks = context.getBean(LockService.class);
              for (String name : new String[] {run + ":1", run + ":2", "plain-" + run}) {
                locks.acquire(name).close();
              }
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(
                      registry
                          .get("holdfast.lock.acquire")
                          .tags("lock", run, "outcome", "acquired")
                          .timer()
                          .count())
                  .isEqualTo(2);
              assertThat(registry.get("holdfast.lock.held").tag("lock", "none").timer().count())
                  .isEqualTo(1);
            });
    runner
        .withPropertyValues("holdfast.metrics.lock-name-tag=prefix")
        .withBean(LockNameTagger.class, () -> name -> name.startsWith(run) ? "mine" : "theirs")
        .run(
            context -> {
              context.getBean(LockService.class).acquire(run + ":3").close();
              assertThat(
                      context
                          .getBean(MeterRegistry.class)
                          .get("holdfast.lock.held")
                          .tag("lock", "mine")
                          .timer()
                          .count())
                  .isEqualTo(1);
            });
  }

  @Test
  void taggedValues_areBounded() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LockObserver meters = new MicrometerLockObserver(registry, "redis", name -> name);
    for (int i = 0; i < LockNameTagger.MAX_VALUES + 50; i++) {
      meters.lost("lock-" + i, i, "test");
    }
    assertThat(registry.get("holdfast.lock.lost").counters())
        .hasSize(LockNameTagger.MAX_VALUES + 1);
    assertThat(registry.get("holdfast.lock.lost").tag("lock", "other").counter().count())
        .isEqualTo(50.0);
  }
}
