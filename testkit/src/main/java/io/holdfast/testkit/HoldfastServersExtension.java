package io.holdfast.testkit;

import io.lettuce.core.RedisURI;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link HoldfastRedis}, {@link HoldfastZooKeeper}, {@link
 * HoldfastPostgres} and {@link HoldfastEtcd}: resolves annotated parameters, sets annotated static
 * fields before all tests of a class and instance fields before each test. A dedicated server lives
 * in the test class's store, which closes it after the class.
 */
final class HoldfastServersExtension
    implements ParameterResolver, BeforeAllCallback, BeforeEachCallback, ExecutionCondition {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(HoldfastServersExtension.class);

  /**
   * Skips (rather than fails) a test class or method that wants an etcd when none can be had: no
   * etcd binary is published on Maven Central, so a machine may well have none.
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    boolean wantsEtcd =
        context.getTestMethod().isPresent()
            ? Arrays.stream(context.getRequiredTestMethod().getParameters())
                .anyMatch(p -> p.isAnnotationPresent(HoldfastEtcd.class))
            : context.getTestClass().stream()
                .flatMap(c -> annotatedFields(c).stream())
                .anyMatch(f -> f.isAnnotationPresent(HoldfastEtcd.class));
    if (wantsEtcd && !EtcdServers.available()) {
      return ConditionEvaluationResult.disabled(EtcdServers.HOW_TO_ENABLE);
    }
    return ConditionEvaluationResult.enabled("no etcd needed, or one is available");
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(HoldfastRedis.class)
        || parameter.isAnnotated(HoldfastZooKeeper.class)
        || parameter.isAnnotated(HoldfastPostgres.class)
        || parameter.isAnnotated(HoldfastEtcd.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    try {
      Object value = valueFor(parameter.getParameter(), type, context);
      if (value == null) {
        throw new ParameterResolutionException(
            "no @HoldfastRedis, @HoldfastZooKeeper, @HoldfastPostgres or @HoldfastEtcd on "
                + parameter);
      }
      return value;
    } catch (ExtensionConfigurationException e) {
      throw new ParameterResolutionException(
          e.getMessage() + " (parameter " + parameter.getParameter() + ")", e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    Class<?> testClass = context.getRequiredTestClass();
    for (Field f : annotatedFields(testClass)) {
      if (Modifier.isStatic(f.getModifiers())) {
        set(f, null, context);
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IllegalAccessException {
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      for (Field f : annotatedFields(instance.getClass())) {
        if (!Modifier.isStatic(f.getModifiers())) {
          set(f, instance, context);
        }
      }
    }
  }

  private static void set(Field f, @Nullable Object instance, ExtensionContext context)
      throws IllegalAccessException {
    if (Modifier.isFinal(f.getModifiers())) {
      throw new ExtensionConfigurationException(
          "a field annotated @HoldfastRedis, @HoldfastZooKeeper, @HoldfastPostgres or"
              + " @HoldfastEtcd must not be final: "
              + f);
    }
    Object value = valueFor(f, f.getType(), context);
    f.setAccessible(true);
    f.set(instance, value);
  }

  private static List<Field> annotatedFields(Class<?> type) {
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.isAnnotationPresent(HoldfastRedis.class)
            || f.isAnnotationPresent(HoldfastZooKeeper.class)
            || f.isAnnotationPresent(HoldfastPostgres.class)
            || f.isAnnotationPresent(HoldfastEtcd.class)) {
          fields.add(f);
        }
      }
    }
    return fields;
  }

  /**
   * What to inject into {@code element} of {@code type}; null if it has none of the annotations.
   */
  private static @Nullable Object valueFor(
      AnnotatedElement element, Class<?> type, ExtensionContext context) {
    HoldfastRedis redis = element.getAnnotation(HoldfastRedis.class);
    HoldfastZooKeeper zk = element.getAnnotation(HoldfastZooKeeper.class);
    HoldfastPostgres pg = element.getAnnotation(HoldfastPostgres.class);
    HoldfastEtcd etcd = element.getAnnotation(HoldfastEtcd.class);
    if ((redis != null ? 1 : 0)
            + (zk != null ? 1 : 0)
            + (pg != null ? 1 : 0)
            + (etcd != null ? 1 : 0)
        > 1) {
      throw new ExtensionConfigurationException(
          "more than one of @HoldfastRedis, @HoldfastZooKeeper, @HoldfastPostgres and @HoldfastEtcd"
              + " on the same element: "
              + element);
    }
    if (redis != null) {
      RedisServer server =
          redis.dedicated()
              ? dedicated(context, "redis", RedisServer.class, k -> RedisServers.dedicated())
              : RedisServers.shared();
      if (type == RedisServer.class) {
        return server;
      } else if (type == RedisURI.class) {
        return server.uri();
      } else if (type == String.class) {
        return server.uri().toURI().toString();
      }
      throw wrongType(HoldfastRedis.class, "RedisServer, RedisURI or String", type);
    }
    if (zk != null) {
      ZooKeeperServer server =
          zk.dedicated()
              ? dedicated(
                  context, "zookeeper", ZooKeeperServer.class, k -> ZooKeeperServers.dedicated())
              : ZooKeeperServers.shared();
      if (type == ZooKeeperServer.class) {
        return server;
      } else if (type == String.class) {
        return server.connectString();
      }
      throw wrongType(HoldfastZooKeeper.class, "ZooKeeperServer or String", type);
    }
    if (pg != null) {
      PostgresServer server =
          pg.dedicated()
              ? dedicated(
                  context, "postgres", PostgresServer.class, k -> PostgresServers.dedicated())
              : PostgresServers.shared();
      if (type == PostgresServer.class) {
        return server;
      } else if (type == String.class) {
        return server.jdbcUrl();
      }
      throw wrongType(HoldfastPostgres.class, "PostgresServer or String", type);
    }
    if (etcd != null) {
      EtcdServer server =
          etcd.dedicated()
              ? dedicated(context, "etcd", EtcdServer.class, k -> EtcdServers.dedicated())
              : EtcdServers.shared();
      if (type == EtcdServer.class) {
        return server;
      } else if (type == String.class) {
        return server.endpointList();
      }
      throw wrongType(HoldfastEtcd.class, "EtcdServer or String", type);
    }
    return null;
  }

  private static ExtensionConfigurationException wrongType(
      Class<? extends Annotation> annotation, String allowed, Class<?> type) {
    return new ExtensionConfigurationException(
        "@" + annotation.getSimpleName() + " goes on a " + allowed + ", not a " + type.getName());
  }

  /** The test class's own server of this kind, created on first use, closed with the class. */
  private static <T extends AutoCloseable> T dedicated(
      ExtensionContext context, String kind, Class<T> type, Function<String, T> create) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    ExtensionContext.Store store = classContext.getStore(NAMESPACE);
    return store.getOrComputeIfAbsent(kind + ":" + classContext.getUniqueId(), create, type);
  }
}
