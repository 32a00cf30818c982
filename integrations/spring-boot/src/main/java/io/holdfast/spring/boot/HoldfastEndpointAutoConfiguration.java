package io.holdfast.spring.boot;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@code holdfast} Actuator endpoint ({@link HoldfastEndpoint}), when Actuator is on the
 * classpath and the endpoint is available (enabled and exposed, {@code
 * management.endpoints.web.exposure.include=holdfast}). Only then are grants tracked for it.
 */
@AutoConfiguration(after = HoldfastAutoConfiguration.class)
@ConditionalOnClass(
    name = {
      "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
      "org.springframework.boot.actuate.autoconfigure.endpoint.condition"
          + ".ConditionalOnAvailableEndpoint"
    })
public class HoldfastEndpointAutoConfiguration {
  // Static: an observer the lock service is built with, so defined before any regular bean.
  @Bean
  @ConditionalOnAvailableEndpoint(HoldfastEndpoint.class)
  static HeldLocks holdfastHeldLocks() {
    return new HeldLocks();
  }

  @Bean
  @ConditionalOnAvailableEndpoint(HoldfastEndpoint.class)
  @ConditionalOnMissingBean(HoldfastEndpoint.class)
  HoldfastEndpoint holdfastEndpoint(
      HeldLocks locks, ObjectProvider<HoldfastInstance> instance, Environment env) {
    return new HoldfastEndpoint(
        locks,
        instance.getIfUnique(),
        BackendResolver.tag(env, HoldfastEndpointAutoConfiguration.class.getClassLoader()));
  }
}
