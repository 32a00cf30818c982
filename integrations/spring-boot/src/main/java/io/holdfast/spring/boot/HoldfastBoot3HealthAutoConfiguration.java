package io.holdfast.spring.boot;

import io.holdfast.lock.LockService;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * The {@code holdfast} health indicator on Spring Boot 3.5, whose health API is in {@code
 * org.springframework.boot.actuate.health} (Boot 4 moved it to {@code
 * org.springframework.boot.health.contributor}, where {@link HoldfastAutoConfiguration} binds it).
 * The starter is compiled against Boot 4, so here the indicator is a proxy of Boot 3's {@code
 * HealthIndicator} that builds Boot 3's {@code Health} by reflection from the same {@link
 * HoldfastHealthCheck}; its bean definition carries the interface as its type, so Actuator's
 * registry finds it like any indicator. {@code management.health.holdfast.enabled=false} turns it
 * off.
 */
@AutoConfiguration(after = HoldfastAutoConfiguration.class)
@ConditionalOnClass(name = HoldfastBoot3HealthAutoConfiguration.INDICATOR)
@ConditionalOnProperty(
    prefix = "management.health.holdfast",
    name = "enabled",
    matchIfMissing = true)
@Import(HoldfastBoot3HealthAutoConfiguration.Registrar.class)
public class HoldfastBoot3HealthAutoConfiguration {
  static final String INDICATOR = "org.springframework.boot.actuate.health.HealthIndicator";
  static final String HEALTH = "org.springframework.boot.actuate.health.Health";
  static final String BEAN = "holdfastHealthIndicator";

  /** Registers the indicator's bean definition, typed as Boot 3's {@code HealthIndicator}. */
  static final class Registrar
      implements ImportBeanDefinitionRegistrar,
          BeanFactoryAware,
          BeanClassLoaderAware,
          EnvironmentAware {
    private @Nullable BeanFactory beans;
    private @Nullable ClassLoader loader;
    private @Nullable Environment env;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
      this.beans = beanFactory;
    }

    @Override
    public void setBeanClassLoader(ClassLoader classLoader) {
      this.loader = classLoader;
    }

    @Override
    public void setEnvironment(Environment environment) {
      this.env = environment;
    }

    @Override
    public void registerBeanDefinitions(
        AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
      if (registry.containsBeanDefinition(BEAN)) {
        return; // the application's own
      }
      ClassLoader cl = loader != null ? loader : ClassUtils.getDefaultClassLoader();
      Class<?> type = ClassUtils.resolveClassName(INDICATOR, cl);
      BeanFactory bf = beans;
      Environment e = env;
      if (bf == null || e == null) {
        throw new IllegalStateException("registrar not initialized");
      }
      RootBeanDefinition definition = new RootBeanDefinition(type);
      definition.setInstanceSupplier(
          () ->
              indicator(
                  type,
                  cl,
                  new HoldfastHealthCheck(
                      bf.getBeanProvider(LockService.class).getIfUnique(),
                      bf.getBeanProvider(HoldfastInstance.class).getIfUnique(),
                      BackendResolver.tag(e, cl))));
      registry.registerBeanDefinition(BEAN, definition);
    }
  }

  /** A proxy of Boot 3's {@code HealthIndicator} whose {@code health()} runs {@code check}. */
  static Object indicator(Class<?> type, @Nullable ClassLoader loader, HoldfastHealthCheck check) {
    Class<?> health = ClassUtils.resolveClassName(HEALTH, loader);
    Method up;
    Method down;
    try {
      up = health.getMethod("up");
      down = health.getMethod("down");
    } catch (NoSuchMethodException ex) {
      throw new IllegalStateException("not Spring Boot 3's Health: " + health, ex);
    }
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "equals" -> args != null && proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> "HoldfastHealthIndicator (Spring Boot 3)";
            };
          }
          if (method.getName().equals("health") && method.getParameterCount() == 0) {
            HoldfastHealthCheck.Result r = check.check();
            Object builder = (r.up() ? up : down).invoke(null);
            builder =
                builder.getClass().getMethod("withDetails", Map.class).invoke(builder, r.details());
            return builder.getClass().getMethod("build").invoke(builder);
          }
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          throw new UnsupportedOperationException(method.toString());
        };
    return Proxy.newProxyInstance(loader, new Class<?>[] {type}, handler);
  }
}
