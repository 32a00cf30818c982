package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.membership.Member;
import io.holdfast.membership.Membership;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.testkit.RedisServers;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.cloud.client.serviceregistry.endpoint.ServiceRegistryEndpoint;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Cloud's ServiceRegistry and its Actuator endpoint over a real application's own
 * registration: one member per instance, whoever registers it.
 */
class HoldfastServiceRegistryTest {
  private static Membership observer;

  @BeforeAll
  static void observe() {
    observer = RedisMembership.builder(RedisServers.shared().uri()).build();
  }

  @AfterAll
  static void stopObserving() {
    observer.close();
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  private static ConfigurableApplicationContext start(String group, String... more) {
    return new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties(
            "spring.application.name=" + group,
            "holdfast.redis.uri=" + RedisServers.shared().uri(),
            "holdfast.membership.port=8080",
            "management.endpoints.web.exposure.include=serviceregistry")
        .properties(more)
        .run();
  }

  @Test
  void theApplicationsRegistration_isHoldfastInstances_neverASecondMember() {
    String group = "registry-" + System.nanoTime();
    try (ConfigurableApplicationContext context = start(group)) {
      @SuppressWarnings("unchecked")
      ServiceRegistry<Registration> registry = context.getBean(ServiceRegistry.class);
      Registration self = context.getBean(Registration.class);
      String id =
          context.getBean(HoldfastInstance.class).registration().orElseThrow().member().id();
      assertThat(self.getInstanceId()).isEqualTo(id);
      assertThat(self.getServiceId()).isEqualTo(group);
      assertThat(self.getPort()).isEqualTo(8080);
      assertThat((String) registry.getStatus(self)).isEqualTo("UP");

      registry.register(self); // already registered at startup
      assertThat(observer.members(group)).extracting(Member::id).containsExactly(id);

      ServiceRegistryEndpoint endpoint = context.getBean(ServiceRegistryEndpoint.class);
      endpoint.setStatus("OUT_OF_SERVICE");
      assertThat(observer.members(group)).isEmpty();
      assertThat(endpoint.getStatus().getBody()).isEqualTo("OUT_OF_SERVICE");

      endpoint.setStatus("UP");
      assertThat(observer.members(group)).extracting(Member::id).containsExactly(id);
      WebEndpointResponse<?> up = endpoint.getStatus();
      assertThat(up.getBody()).isEqualTo("UP");
    }
    assertThat(observer.members(group)).isEmpty();
  }

  @Test
  void autoRegistrationDisabled_registersOnlyWhenAsked() {
    String group = "manual-" + System.nanoTime();
    try (ConfigurableApplicationContext context =
        start(group, "spring.cloud.service-registry.auto-registration.enabled=false")) {
      @SuppressWarnings("unchecked")
      ServiceRegistry<Registration> registry = context.getBean(ServiceRegistry.class);
      Registration self = context.getBean(Registration.class);
      assertThat(observer.members(group)).isEmpty();
      assertThat((String) registry.getStatus(self)).isEqualTo("OUT_OF_SERVICE");

      registry.register(self);
      assertThat(observer.members(group))
          .extracting(Member::id)
          .containsExactly(self.getInstanceId());
      registry.deregister(self);
      assertThat(observer.members(group)).isEmpty();
    }
  }

  /** Another service's registration, as a sidecar would make it. */
  record Other(String getServiceId, String getInstanceId, String getHost, int getPort)
      implements Registration {
    @Override
    public boolean isSecure() {
      return true;
    }

    @Override
    public URI getUri() {
      return ServiceInstance.createUri(this);
    }

    @Override
    public Map<String, String> getMetadata() {
      return Map.of("zone", "eu-1");
    }
  }

  @Test
  void otherRegistrations_areMembersOfTheirOwn_untilDeregisteredOrClosed() {
    String group = "sidecar-" + System.nanoTime();
    Other other = new Other(group, "legacy-1", "10.0.0.9", 9000);
    try (ConfigurableApplicationContext context =
        start("registry-" + System.nanoTime(), "holdfast.membership.register=false")) {
      @SuppressWarnings("unchecked")
      ServiceRegistry<Registration> registry = context.getBean(ServiceRegistry.class);
      assertThat(context.getBeansOfType(Registration.class)).isEmpty();
      registry.register(other);
      registry.register(other);
      assertThat(observer.members(group))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.id()).isEqualTo("legacy-1");
                assertThat(m.port()).isEqualTo(9000);
                assertThat(m.metadata())
                    .containsEntry("zone", "eu-1")
                    .containsEntry("secure", "true");
              });
      assertThat((String) registry.getStatus(other)).isEqualTo("UP");
      registry.deregister(other);
      assertThat(observer.members(group)).isEmpty();
      registry.register(other);
    }
    assertThat(observer.members(group)).isEmpty();
  }
}
