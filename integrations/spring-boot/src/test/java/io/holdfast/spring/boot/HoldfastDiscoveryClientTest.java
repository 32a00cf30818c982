package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;

/** Spring Cloud's DiscoveryClient over real membership, seen while peers come and go. */
class HoldfastDiscoveryClientTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  HoldfastAutoConfiguration.class, HoldfastDiscoveryAutoConfiguration.class))
          .withPropertyValues("holdfast.membership.register=false");

  /** Collects heartbeats. */
  static final class Heartbeats implements ApplicationListener<HeartbeatEvent> {
    final List<HeartbeatEvent> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onApplicationEvent(HeartbeatEvent event) {
      seen.add(event);
    }
  }

  @Test
  void redis_instancesAreLiveMembers_servicesAreGroups_changesAreHeartbeats() {
    String group = "orders-" + System.nanoTime();
    try (Membership peers = RedisMembership.builder(RedisServers.shared().uri()).build()) {
      runner
          .withPropertyValues(
              "holdfast.backend=redis", "holdfast.redis.uri=" + RedisServers.shared().uri())
          .withBean(Heartbeats.class)
          .run(
              context -> {
                DiscoveryClient discovery = context.getBean(DiscoveryClient.class);
                Heartbeats heartbeats = context.getBean(Heartbeats.class);
                Registration a =
                    peers.register(
                        MemberInfo.builder(group)
                            .id("a")
                            .host("10.0.0.1")
                            .port(8080)
                            .metadata("zone", "eu-1")
                            .build());
                List<ServiceInstance> first = discovery.getInstances(group);
                assertThat(first).extracting(ServiceInstance::getInstanceId).containsExactly("a");
                ServiceInstance one = first.get(0);
                assertThat(one.getServiceId()).isEqualTo(group);
                assertThat(one.getUri().toString()).isEqualTo("http://10.0.0.1:8080");
                assertThat(one.getMetadata()).containsEntry("zone", "eu-1");
                assertThat(discovery.getServices()).contains(group);

                try (Registration b =
                    peers.register(
                        MemberInfo.builder(group)
                            .id("b")
                            .host("10.0.0.2")
                            .port(8443)
                            .metadata("secure", "true")
                            .build())) {
                  await()
                      .atMost(Duration.ofSeconds(30))
                      .until(() -> discovery.getInstances(group).size() == 2);
                  assertThat(discovery.getInstances(group))
                      .filteredOn(i -> i.getInstanceId().equals("b"))
                      .singleElement()
                      .satisfies(
                          i ->
                              assertThat(i.getUri().toString()).isEqualTo("https://10.0.0.2:8443"));
                  await().atMost(Duration.ofSeconds(30)).until(() -> !heartbeats.seen.isEmpty());
                }
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> discovery.getInstances(group).size() == 1);
                a.close();
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> discovery.getInstances(group).isEmpty());
                assertThat(discovery.getServices()).doesNotContain(group);
              });
    }
  }

  @Test
  void zooKeeper_sameContract() {
    String group = "stock-" + System.nanoTime();
    runner
        .withPropertyValues(
            "holdfast.zookeeper.connect-string=" + ZooKeeperServers.shared().connectString())
        .run(
            context -> {
              DiscoveryClient discovery = context.getBean(DiscoveryClient.class);
              Membership membership = context.getBean(Membership.class);
              try (Registration r =
                  membership.register(
                      MemberInfo.builder(group).id("z").host("h").port(1).build())) {
                assertThat(discovery.getInstances(group))
                    .extracting(ServiceInstance::getInstanceId)
                    .containsExactly("z");
                assertThat(discovery.getServices()).contains(group);
              }
            });
  }

  @Test
  void canBeSwitchedOff() {
    runner
        .withPropertyValues(
            "holdfast.backend=redis",
            "holdfast.redis.uri=" + RedisServers.shared().uri(),
            "holdfast.discovery.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(DiscoveryClient.class));
  }
}
