package io.holdfast.spring.boot;

import io.holdfast.lock.LockService;
import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.type.AnnotationMetadata;

/**
 * The {@link Locked} annotation: an advisor for annotated methods, and an auto-proxy creator if the
 * application has none (Spring Boot's AOP auto-configuration registers the same one, with
 * class-based proxies, which this keeps).
 */
@Configuration(proxyBeanMethods = false)
@Import(LockedConfiguration.ProxyCreator.class)
class LockedConfiguration {

  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static Advisor holdfastLockedAdvisor(ObjectProvider<LockService> locks) {
    DefaultPointcutAdvisor advisor =
        new DefaultPointcutAdvisor(
            new AnnotationMatchingPointcut(null, Locked.class, true),
            new LockedMethodInterceptor(locks));
    advisor.setOrder(0);
    return advisor;
  }

  /** Registers Spring's infrastructure auto-proxy creator unless a stronger one is there. */
  static final class ProxyCreator implements ImportBeanDefinitionRegistrar {
    @Override
    public void registerBeanDefinitions(
        AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
      AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
    }
  }
}
