package io.holdfast.spring.boot;

import io.holdfast.membership.Membership;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Cloud over the application's {@link Membership} bean ({@code holdfast.discovery.enabled},
 * default true), when spring-cloud-commons is on the classpath: a {@code DiscoveryClient}, a {@code
 * ReactiveDiscoveryClient} (with Reactor), each switched off by Spring Cloud's own {@code
 * spring.cloud.discovery.[blocking|reactive.]enabled} like Spring Cloud's clients, and a {@code
 * ServiceRegistry} with this application's {@code Registration}. After {@link
 * HoldfastAutoConfiguration}, whose beans it uses; before Spring Cloud's service-registry
 * auto-configuration, whose Actuator endpoint needs a {@code ServiceRegistry} bean.
 */
@AutoConfiguration(
    after = HoldfastAutoConfiguration.class,
    beforeName =
        "org.springframework.cloud.client.serviceregistry.ServiceRegistryAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.cloud.client.discovery.DiscoveryClient")
@ConditionalOnProperty(prefix = "holdfast.discovery", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(Membership.class)
public class HoldfastDiscoveryAutoConfiguration {
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(HoldfastDiscoveryClient.class)
  @ConditionalOnProperty(
      prefix = "spring.cloud.discovery",
      name = {"enabled", "blocking.enabled"},
      matchIfMissing = true)
  HoldfastDiscoveryClient holdfastDiscoveryClient(
      Membership membership, ApplicationEventPublisher events) {
    return new HoldfastDiscoveryClient(membership, events);
  }

  /** The reactive client, sharing the blocking one's views when both exist. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.cloud.client.discovery.ReactiveDiscoveryClient",
        "reactor.core.publisher.Flux"
      })
  @ConditionalOnProperty(
      prefix = "spring.cloud.discovery",
      name = {"enabled", "reactive.enabled"},
      matchIfMissing = true)
  static class Reactive {
    @Bean
    @ConditionalOnMissingBean(HoldfastReactiveDiscoveryClient.class)
    HoldfastReactiveDiscoveryClient holdfastReactiveDiscoveryClient(
        ObjectProvider<HoldfastDiscoveryClient> blocking,
        Membership membership,
        ApplicationEventPublisher events) {
      HoldfastDiscoveryClient shared = blocking.getIfAvailable();
      return shared != null
          ? new HoldfastReactiveDiscoveryClient(shared, false)
          : new HoldfastReactiveDiscoveryClient(
              new HoldfastDiscoveryClient(membership, events), true);
    }
  }

  /**
   * Spring Cloud's {@code ServiceRegistry} over the membership, and this application's {@code
   * Registration} when it registers itself ({@link HoldfastInstance}).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.cloud.client.serviceregistry.ServiceRegistry")
  static class Registry {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(HoldfastServiceRegistry.class)
    HoldfastServiceRegistry holdfastServiceRegistry(
        Membership membership, ObjectProvider<HoldfastInstance> instance) {
      return new HoldfastServiceRegistry(membership, instance.getIfUnique());
    }

    @Bean
    @ConditionalOnBean(HoldfastInstance.class)
    @ConditionalOnMissingBean(HoldfastRegistration.class)
    HoldfastRegistration holdfastRegistration(HoldfastInstance instance) {
      return new HoldfastRegistration(instance);
    }
  }
}
