package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.InMemoryLockService;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServers;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * The auto-configuration in a real Spring application context, against real Redis and ZooKeeper
 * servers from the test kit: every condition and property, and the startup report for a refused
 * value.
 */
class HoldfastAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HoldfastAutoConfiguration.class));

  private static String redisUri() {
    return RedisServers.shared().uri().toString();
  }

  private static String zooKeeper() {
    return ZooKeeperServers.shared().connectString();
  }

  @Test
  void redis_fromHoldfastUri_locksAndReleasesOnClose() {
    String name = "spring:redis:" + System.nanoTime();
    runner
        .withPropertyValues("holdfast.backend=redis", "holdfast.redis.uri=" + redisUri())
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(LockService.class);
              assertThat(context).hasSingleBean(Membership.class);
              LockService locks = context.getBean(LockService.class);
              assertThat(locks.getClass().getName()).contains("redis");
              LockHandle held = locks.acquire(name, Duration.ofSeconds(5));
              assertThat(held.isHeld()).isTrue();
              assertThat(tryOnRedis(name)).isFalse();
            });
    // The context closed the service, and with it the lease it still held.
    assertThat(tryOnRedis(name)).isTrue();
  }

  @Test
  void redis_fallsBackToSpringDataRedisProperties() {
    RedisURI uri = RedisServers.shared().uri();
    runner
        .withClassLoader(new FilteredClassLoader(ZooKeeperLockService.class))
        .withPropertyValues(
            "spring.data.redis.host=" + uri.getHost(), "spring.data.redis.port=" + uri.getPort())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertLocks(context);
              assertThat(context.getBean(LockService.class).getClass().getName()).contains("redis");
            });
  }

  @Test
  void zooKeeper_isInferredFromItsConnectString() {
    runner
        .withPropertyValues("holdfast.zookeeper.connect-string=" + zooKeeper())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertLocks(context);
              assertThat(context.getBean(LockService.class).getClass().getName())
                  .contains("zookeeper");
              Membership members = context.getBean(Membership.class);
              String group = "spring-" + System.nanoTime();
              try (Registration r =
                  members.register(MemberInfo.builder(group).id("a").host("h").port(1).build())) {
                assertThat(members.members(group)).extracting(m -> m.id()).containsExactly("a");
                assertThat(r.isRegistered()).isTrue();
              }
            });
  }

  @Test
  void theOnlyBackendOnTheClasspath_isChosenWithoutProperties() {
    runner
        .withClassLoader(
            new FilteredClassLoader(
                RedisLockService.class, PostgresLockService.class, EtcdLockService.class))
        .withPropertyValues("holdfast.zookeeper.connect-string=" + zooKeeper())
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(LockService.class));
  }

  @Test
  void withoutTheMembershipModule_thereIsALockServiceAndNoMembership() {
    runner
        .withClassLoader(new FilteredClassLoader(RedisMembership.class))
        .withPropertyValues("holdfast.backend=redis", "holdfast.redis.uri=" + redisUri())
        .run(
            context ->
                assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(LockService.class)
                    .doesNotHaveBean(Membership.class)
                    .doesNotHaveBean(HoldfastInstance.class));
    runner
        .withClassLoader(new FilteredClassLoader(ZooKeeperMembership.class))
        .withPropertyValues(
            "holdfast.backend=zookeeper", "holdfast.zookeeper.connect-string=" + zooKeeper())
        .run(
            context ->
                assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(LockService.class)
                    .doesNotHaveBean(Membership.class));
  }

  @Test
  void applicationBeans_winOverHoldfasts() {
    LockService own = InMemoryLockService.create();
    runner
        .withPropertyValues("holdfast.redis.uri=" + redisUri(), "holdfast.backend=redis")
        .withBean(LockService.class, () -> own)
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(LockService.class);
              assertThat(context.getBean(LockService.class)).isSameAs(own);
              assertThat(context).hasSingleBean(Membership.class);
            });
  }

  @Test
  void eachBean_canBeSwitchedOff() {
    runner
        .withPropertyValues(
            "holdfast.redis.uri=" + redisUri(),
            "holdfast.backend=redis",
            "holdfast.membership.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(LockService.class)
                    .doesNotHaveBean(Membership.class));
    runner
        .withPropertyValues(
            "holdfast.zookeeper.connect-string=" + zooKeeper(),
            "holdfast.backend=zookeeper",
            "holdfast.lock.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(Membership.class)
                    .doesNotHaveBean(LockService.class));
    runner
        .withPropertyValues("holdfast.lock.enabled=false", "holdfast.membership.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LockService.class));
  }

  @Test
  void aRefusedValue_failsStartupNamingThePropertyTheValueAndWhatIsAllowed() {
    runner
        .withPropertyValues(
            "holdfast.backend=redis",
            "holdfast.redis.uri=" + redisUri(),
            "holdfast.lock.lease-time=1ms")
        .run(
            context -> {
              FailureAnalysis analysis = analyze(context);
              assertThat(analysis.getDescription())
                  .contains("'holdfast.lock.lease-time'", "'1ms'")
                  .contains("leaseTime");
              assertThat(analysis.getAction()).contains("holdfast.lock.lease-time");
            });
  }

  @Test
  void anUnknownBackend_isReportedWithTheAllowedValues() {
    runner
        .withPropertyValues("holdfast.backend=consul")
        .run(
            context ->
                assertThat(analyze(context).getDescription())
                    .contains(
                        "'holdfast.backend'", "'consul'", "redis, zookeeper, postgresql, etcd"));
  }

  @Test
  void twoCandidateBackends_askForHoldfastBackend() {
    runner
        .withPropertyValues(
            "holdfast.redis.uri=" + redisUri(), "holdfast.zookeeper.connect-string=" + zooKeeper())
        .run(
            context ->
                assertThat(analyze(context).getDescription())
                    .contains(
                        "several backends are on the classpath (redis, zookeeper, postgresql,"
                            + " etcd) and redis, zookeeper are configured",
                        "set holdfast.backend"));
  }

  @Test
  void aMalformedRedisUri_isReportedWithoutItsPassword() {
    runner
        .withPropertyValues(
            "holdfast.backend=redis", "holdfast.redis.uri=http://app:s3cret@localhost:6379")
        .run(
            context -> {
              FailureAnalysis analysis = analyze(context);
              assertThat(analysis.getDescription())
                  .contains("'holdfast.redis.uri'", "http://app:****@localhost:6379", "rediss://")
                  .doesNotContain("s3cret");
            });
  }

  @Test
  void theFailureAnalyzer_isRegistered() {
    // Other starters' analyzers need constructor arguments Spring supplies at startup: skip them.
    SpringFactoriesLoader.FailureHandler skipOthers =
        SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> {});
    assertThat(
            SpringFactoriesLoader.forDefaultResourceLocation()
                .load(FailureAnalyzer.class, skipOthers))
        .anyMatch(a -> a instanceof InvalidHoldfastPropertyFailureAnalyzer);
  }

  @Test
  void theConfigurationMetadata_describesTheProperties() throws IOException {
    String json;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(json)
        .contains(
            "\"holdfast.lock.lease-time\"",
            "\"holdfast.redis.uri\"",
            "\"holdfast.zookeeper.connect-string\"",
            "\"holdfast.membership.heartbeat-ttl\"",
            "\"holdfast.backend\"")
        .contains("The lease of every grant");
  }

  static FailureAnalysis analyze(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    FailureAnalysis analysis =
        new InvalidHoldfastPropertyFailureAnalyzer().analyze(context.getStartupFailure());
    assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
    return analysis;
  }

  private static void assertLocks(AssertableApplicationContext context)
      throws InterruptedException {
    LockService locks = context.getBean(LockService.class);
    try (LockHandle lock = locks.acquire("spring:" + System.nanoTime(), Duration.ofSeconds(5))) {
      assertThat(lock.isHeld()).isTrue();
      assertThat(lock.fencingToken()).isPositive();
    }
  }

  private static boolean tryOnRedis(String name) {
    try (LockService other = RedisLockService.builder(RedisServers.shared().uri()).build()) {
      Optional<LockHandle> h = other.tryAcquire(name);
      h.ifPresent(LockHandle::close);
      return h.isPresent();
    }
  }
}
