package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@link Locked} methods on a real Redis, seen from a second, independent client. */
class LockedTest {
  private static LockService other;

  @BeforeAll
  static void otherClient() {
    other = RedisLockService.builder(RedisServers.shared().uri()).build();
  }

  @AfterAll
  static void closeOther() {
    other.close();
  }

  /**
   * What a service would look like. The test reads its state through methods: the bean it gets is a
   * class-based proxy, whose own fields are not the target's.
   */
  static class Inventory {
    private final List<Long> tokens = new ArrayList<>();
    private final List<Boolean> freeForOthers = new ArrayList<>();
    private int runs;

    public List<Long> tokens() {
      return tokens;
    }

    public List<Boolean> freeForOthers() {
      return freeForOthers;
    }

    public int runs() {
      return runs;
    }

    @Locked("'sku:' + #sku")
    public void reserve(String sku) {
      runs++;
      tokens.add(CurrentLock.fencingToken());
      freeForOthers.add(isFree("sku:" + sku));
    }

    @Locked(value = "'sku:' + #p0", maxWait = "0")
    public void reserveOrGiveUp(String sku) {
      runs++;
    }

    @Locked("'sku:' + #sku")
    public void fail(String sku) {
      throw new IllegalStateException("out of stock");
    }

    @Locked("'sku:' + #sku")
    public void reserveTwice(String sku) {
      reserve(sku); // self-invocation: not through the proxy, runs under the same lock
    }

    @Locked("#sku")
    public void unnamed(String sku) {
      runs++;
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HoldfastAutoConfiguration.class))
          .withPropertyValues(
              "holdfast.backend=redis",
              "holdfast.redis.uri=" + RedisServers.shared().uri(),
              "holdfast.membership.enabled=false")
          .withBean(Inventory.class);

  private static String sku() {
    return "locked-" + System.nanoTime();
  }

  private static boolean isFree(String name) {
    Optional<LockHandle> h = other.tryAcquire(name);
    h.ifPresent(LockHandle::close);
    return h.isPresent();
  }

  @Test
  void theMethodRunsUnderTheLock_withItsToken_andReleasesIt() {
    String sku = sku();
    runner.run(
        context -> {
          Inventory inventory = context.getBean(Inventory.class);
          inventory.reserve(sku);
          inventory.reserve(sku);
          assertThat(inventory.freeForOthers()).containsExactly(false, false);
          assertThat(inventory.tokens()).hasSize(2);
          assertThat(inventory.tokens().get(1)).isGreaterThan(inventory.tokens().get(0));
          assertThat(isFree("sku:" + sku)).isTrue();
          assertThat(CurrentLock.handle()).isEmpty();
        });
  }

  @Test
  void aThrowingMethod_releasesTheLock() {
    String sku = sku();
    runner.run(
        context -> {
          assertThatThrownBy(() -> context.getBean(Inventory.class).fail(sku))
              .isInstanceOf(IllegalStateException.class)
              .hasMessage("out of stock");
          assertThat(isFree("sku:" + sku)).isTrue();
        });
  }

  @Test
  void aLockHeldElsewhere_timesOut_withoutRunningTheMethod() {
    String sku = sku();
    runner.run(
        context -> {
          Inventory inventory = context.getBean(Inventory.class);
          try (LockHandle held = other.acquire("sku:" + sku, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> inventory.reserveOrGiveUp(sku))
                .isInstanceOf(LockTimeoutException.class);
          }
          assertThat(inventory.runs()).isZero();
          inventory.reserveOrGiveUp(sku);
          assertThat(inventory.runs()).isEqualTo(1);
        });
  }

  @Test
  void anInterruptedWait_saysSo_andKeepsTheInterrupt() {
    String sku = sku();
    runner.run(
        context -> {
          Inventory inventory = context.getBean(Inventory.class);
          try (LockHandle held = other.acquire("sku:" + sku, Duration.ofSeconds(5))) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> inventory.reserve(sku))
                .isInstanceOf(LockedInterruptedException.class)
                .hasMessageContaining("sku:" + sku);
            assertThat(Thread.interrupted()).isTrue();
          }
          assertThat(inventory.runs()).isZero();
        });
  }

  @Test
  void selfInvocation_runsUnderTheSameLock() {
    String sku = sku();
    runner.run(
        context -> {
          Inventory inventory = context.getBean(Inventory.class);
          inventory.reserveTwice(sku);
          assertThat(inventory.freeForOthers()).containsExactly(false);
          assertThat(isFree("sku:" + sku)).isTrue();
        });
  }

  @Test
  void anEmptyName_isRefusedBeforeAnyLock() {
    runner.run(
        context ->
            assertThatThrownBy(() -> context.getBean(Inventory.class).unnamed(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty lock name"));
  }

  @Test
  void outsideALockedMethod_thereIsNoToken() {
    assertThatThrownBy(CurrentLock::fencingToken)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no @Locked method");
  }
}
