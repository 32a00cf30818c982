package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Real Spring applications registering themselves: at startup, with the election's events, and
 * leaving before a lifecycle at the web server's graceful-shutdown phase stops.
 */
class HoldfastInstanceTest {
  private static Membership observer;

  @BeforeAll
  static void observe() {
    observer = RedisMembership.builder(RedisServers.shared().uri()).build();
  }

  @AfterAll
  static void stopObserving() {
    observer.close();
  }

  /** The application: nothing but auto-configuration, and probes for the test. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    final List<HoldfastLeadershipEvent> leadership = new CopyOnWriteArrayList<>();

    @EventListener
    void on(HoldfastLeadershipEvent event) {
      leadership.add(event);
    }

    @Bean
    GracefulShutdownProbe gracefulShutdownProbe(Membership membership) {
      return new GracefulShutdownProbe();
    }
  }

  /**
   * Stands where the web server's graceful shutdown stands ({@code DEFAULT_PHASE - 1024}) and
   * records whether this instance had already left its group when it was stopped.
   */
  static final class GracefulShutdownProbe implements SmartLifecycle {
    static volatile List<String> membersAtStop = List.of("not stopped");
    static volatile String group = "";
    private volatile boolean running;

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      membersAtStop = observer.members(group).stream().map(Member::id).toList();
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return SmartLifecycle.DEFAULT_PHASE - 1024;
    }
  }

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties(properties)
        .run();
  }

  @Test
  void registersWhenReady_leadsWithAnEpoch_andLeavesBeforeTheWebServerWouldStop() {
    String group = "orders-" + System.nanoTime();
    GracefulShutdownProbe.group = group;
    ConfigurableApplicationContext context =
        start(
            "spring.application.name=" + group,
            "holdfast.redis.uri=" + RedisServers.shared().uri(),
            "holdfast.membership.id=orders-1",
            "holdfast.membership.port=8080",
            "holdfast.membership.metadata.zone=eu-1",
            "holdfast.membership.election.enabled=true");
    try {
      List<Member> members = observer.members(group);
      assertThat(members).extracting(Member::id).containsExactly("orders-1");
      assertThat(members.get(0).port()).isEqualTo(8080);
      assertThat(members.get(0).metadata()).containsEntry("zone", "eu-1");
      assertThat(members.get(0).host()).isNotBlank();

      App app = context.getBean(App.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> !app.leadership.isEmpty());
      assertThat(app.leadership.get(0).isLeader()).isTrue();
      assertThat(app.leadership.get(0).epoch()).isPositive();
      HoldfastInstance instance = context.getBean(HoldfastInstance.class);
      assertThat(instance.election()).hasValueSatisfying(e -> assertThat(e.isLeader()).isTrue());
    } finally {
      context.close();
    }
    assertThat(GracefulShutdownProbe.membersAtStop).isEmpty();
    assertThat(observer.members(group)).isEmpty();
  }

  /** A Micrometer registry, as Actuator would give the application. */
  @Configuration(proxyBeanMethods = false)
  static class WithMeters {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  /** The application's listener beans: told of its group's changes and its election's. */
  static final class Listeners implements MembershipListener, LeadershipListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void joined(Member member) {
      events.add("joined " + member.id());
    }

    @Override
    public void left(Member member) {
      events.add("left " + member.id());
    }

    @Override
    public void gained(long epoch) {
      events.add("gained");
    }
  }

  @Test
  void membershipMeters_andListenerBeans_followTheGroupAndTheLeadership_andGoAwayOnLeave() {
    String group = "metered-" + System.nanoTime();
    GracefulShutdownProbe.group = group;
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class, WithMeters.class, Listeners.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.application.name=" + group,
                "holdfast.redis.uri=" + RedisServers.shared().uri(),
                "holdfast.membership.election.enabled=true")
            .run();
    MeterRegistry registry = context.getBean(MeterRegistry.class);
    try (Registration peer =
        observer.register(MemberInfo.builder(group).id("peer").host("h").port(1).build())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  registry.get("holdfast.membership.members").tag("group", group).gauge().value()
                      == 2.0);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  registry.get("holdfast.membership.leader").tag("group", group).gauge().value()
                      == 1.0);
      await() // the gauge reads the election; the counter waits for its listener's call
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          registry
                              .get("holdfast.membership.leadership.changes")
                              .tags("group", group, "change", "gained")
                              .counter()
                              .count())
                      .isEqualTo(1.0));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  registry.get("holdfast.membership.joins").tag("group", group).counter().count()
                      == 1.0);
      peer.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  registry.get("holdfast.membership.leaves").tag("group", group).counter().count()
                      == 1.0);
      assertThat(registry.get("holdfast.membership.joins").counter().count()).isEqualTo(1.0);
      assertThat(context.getBean(Listeners.class).events)
          .contains("gained", "joined peer", "left peer");
    } finally {
      context.close();
    }
    assertThat(registry.find("holdfast.membership.members").meters()).isEmpty();
    assertThat(registry.find("holdfast.membership.joins").meters()).isEmpty();
  }

  @Test
  void onZooKeeper_theIdDefaultsToTheGroupAndARandomSuffix() {
    String group = "stock-" + System.nanoTime();
    GracefulShutdownProbe.group = group;
    try (ConfigurableApplicationContext context =
        start(
            "holdfast.zookeeper.connect-string=" + ZooKeeperServers.shared().connectString(),
            "holdfast.membership.group=" + group)) {
      Member self = context.getBean(HoldfastInstance.class).registration().orElseThrow().member();
      assertThat(self.id()).startsWith(group + "-").hasSizeGreaterThan(group.length() + 8);
      assertThat(context.getBean(Membership.class).members(group))
          .extracting(Member::id)
          .containsExactly(self.id());
    }
  }

  @Test
  void registerFalse_keepsTheApplicationOutOfItsGroup() {
    String group = "quiet-" + System.nanoTime();
    GracefulShutdownProbe.group = group;
    try (ConfigurableApplicationContext context =
        start(
            "spring.application.name=" + group,
            "holdfast.redis.uri=" + RedisServers.shared().uri(),
            "holdfast.membership.register=false")) {
      assertThat(context.getBeansOfType(HoldfastInstance.class)).isEmpty();
      assertThat(observer.members(group)).isEmpty();
    }
  }

  @Test
  void withoutAGroupName_startupFailsSayingWhichPropertyToSet() {
    assertThatThrownBy(() -> start("holdfast.redis.uri=" + RedisServers.shared().uri()))
        .satisfies(
            e ->
                assertThat(new InvalidHoldfastPropertyFailureAnalyzer().analyze(e).getDescription())
                    .contains("holdfast.membership.group", "spring.application.name"));
  }
}
