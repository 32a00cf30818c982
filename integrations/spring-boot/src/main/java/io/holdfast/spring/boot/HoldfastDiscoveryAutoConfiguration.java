package io.holdfast.spring.boot;

import io.holdfast.membership.Membership;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * Spring Cloud's {@code DiscoveryClient} over the application's {@link Membership} bean ({@code
 * holdfast.discovery.enabled}, default true), when spring-cloud-commons is on the classpath. After
 * {@link HoldfastAutoConfiguration}, whose {@code Membership} it uses.
 */
@AutoConfiguration(after = HoldfastAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.cloud.client.discovery.DiscoveryClient")
@ConditionalOnProperty(prefix = "holdfast.discovery", name = "enabled", matchIfMissing = true)
public class HoldfastDiscoveryAutoConfiguration {
  @Bean(destroyMethod = "close")
  @ConditionalOnBean(Membership.class)
  @ConditionalOnMissingBean(HoldfastDiscoveryClient.class)
  HoldfastDiscoveryClient holdfastDiscoveryClient(
      Membership membership, ApplicationEventPublisher events) {
    return new HoldfastDiscoveryClient(membership, events);
  }
}
