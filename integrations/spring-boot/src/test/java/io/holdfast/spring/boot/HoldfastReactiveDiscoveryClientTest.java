package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;

/** Spring Cloud's ReactiveDiscoveryClient over real membership, and Spring Cloud's switches. */
class HoldfastReactiveDiscoveryClientTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  HoldfastAutoConfiguration.class, HoldfastDiscoveryAutoConfiguration.class))
          .withPropertyValues(
              "holdfast.membership.register=false",
              "holdfast.backend=redis",
              "holdfast.redis.uri=" + RedisServers.shared().uri());

  @Test
  void instancesAreLiveMembers_servicesAreGroups_offTheCallersThread() {
    String group = "carts-" + System.nanoTime();
    try (Membership peers = RedisMembership.builder(RedisServers.shared().uri()).build()) {
      runner.run(
          context -> {
            ReactiveDiscoveryClient discovery = context.getBean(ReactiveDiscoveryClient.class);
            try (Registration a =
                peers.register(
                    MemberInfo.builder(group).id("a").host("10.0.0.1").port(80).build())) {
              List<ServiceInstance> first =
                  discovery.getInstances(group).collectList().block(Duration.ofSeconds(10));
              assertThat(first).extracting(ServiceInstance::getInstanceId).containsExactly("a");
              assertThat(first.get(0).getUri().toString()).isEqualTo("http://10.0.0.1:80");
              assertThat(discovery.getServices().collectList().block(Duration.ofSeconds(10)))
                  .contains(group);
              try (Registration b =
                  peers.register(MemberInfo.builder(group).id("b").host("h").port(81).build())) {
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(
                        () ->
                            discovery.getInstances(group).count().block(Duration.ofSeconds(10))
                                == 2);
              }
            }
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> discovery.getInstances(group).count().block(Duration.ofSeconds(10)) == 0);
          });
    }
  }

  @Test
  void sharesTheBlockingClientsViews_andEachFollowsSpringCloudsSwitch() {
    runner.run(
        context ->
            assertThat(context)
                .hasSingleBean(DiscoveryClient.class)
                .hasSingleBean(ReactiveDiscoveryClient.class));
    runner
        .withPropertyValues("spring.cloud.discovery.reactive.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(DiscoveryClient.class)
                    .doesNotHaveBean(ReactiveDiscoveryClient.class));
    runner
        .withPropertyValues("spring.cloud.discovery.blocking.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(DiscoveryClient.class)
                    .hasSingleBean(ReactiveDiscoveryClient.class));
    runner
        .withPropertyValues("spring.cloud.discovery.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(DiscoveryClient.class)
                    .doesNotHaveBean(ReactiveDiscoveryClient.class));
  }
}
