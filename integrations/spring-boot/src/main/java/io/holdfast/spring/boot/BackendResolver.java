package io.holdfast.spring.boot;

import io.holdfast.spring.boot.HoldfastProperties.Backend;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Decides which backend the application uses: {@code holdfast.backend} if set; else the only
 * backend artifact on the classpath; else the only backend with an address configured.
 */
final class BackendResolver {
  static final String PROPERTY = "holdfast.backend";
  static final String REDIS_CLASS = "io.holdfast.lock.redis.RedisLockService";
  static final String ZOOKEEPER_CLASS = "io.holdfast.lock.zookeeper.ZooKeeperLockService";

  private BackendResolver() {}

  /** The backend, or null when it cannot be decided (see {@link #resolve}). */
  static @Nullable Backend resolveOrNull(Environment env, @Nullable ClassLoader loader) {
    try {
      return resolve(env, loader);
    } catch (InvalidHoldfastPropertyException e) {
      return null;
    }
  }

  /**
   * The backend's name for meters and health details: {@code redis}, {@code zookeeper}, or {@code
   * unknown}.
   */
  static String tag(Environment env, @Nullable ClassLoader loader) {
    Backend backend = resolveOrNull(env, loader);
    return backend == null ? "unknown" : backend.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The backend.
   *
   * @throws InvalidHoldfastPropertyException if {@code holdfast.backend} is not a backend, names
   *     one whose artifact is missing, or is needed (both or neither backend configured) but unset
   */
  static Backend resolve(Environment env, @Nullable ClassLoader loader) {
    boolean redis = ClassUtils.isPresent(REDIS_CLASS, loader);
    boolean zookeeper = ClassUtils.isPresent(ZOOKEEPER_CLASS, loader);
    String explicit = env.getProperty(PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      Backend backend = parse(explicit);
      if (backend == Backend.REDIS && !redis) {
        throw missing(explicit, "holdfast-lock-redis");
      }
      if (backend == Backend.ZOOKEEPER && !zookeeper) {
        throw missing(explicit, "holdfast-lock-zookeeper");
      }
      return backend;
    }
    if (redis && !zookeeper) {
      return Backend.REDIS;
    }
    if (zookeeper && !redis) {
      return Backend.ZOOKEEPER;
    }
    if (!redis) {
      throw new InvalidHoldfastPropertyException(
          PROPERTY,
          "",
          "no Holdfast backend is on the classpath: add io.holdfast:holdfast-lock-redis or"
              + " io.holdfast:holdfast-lock-zookeeper next to the starter");
    }
    boolean redisConfigured =
        env.containsProperty("holdfast.redis.uri") || springDataRedisConfigured(env);
    boolean zookeeperConfigured = env.containsProperty("holdfast.zookeeper.connect-string");
    if (redisConfigured != zookeeperConfigured) {
      return redisConfigured ? Backend.REDIS : Backend.ZOOKEEPER;
    }
    throw new InvalidHoldfastPropertyException(
        PROPERTY,
        "",
        "both backends are on the classpath and "
            + (redisConfigured ? "both are" : "neither is")
            + " configured: set holdfast.backend to redis or zookeeper");
  }

  /** Whether any of Spring Boot's own Redis connection properties is set. */
  static boolean springDataRedisConfigured(Environment env) {
    for (String key : SPRING_DATA_REDIS) {
      if (env.containsProperty("spring.data.redis." + key)) {
        return true;
      }
    }
    return false;
  }

  static final String[] SPRING_DATA_REDIS = {
    "url", "host", "port", "username", "password", "database", "ssl.enabled"
  };

  private static Backend parse(String value) {
    String normalized = value.strip().toUpperCase(Locale.ROOT).replace("-", "");
    for (Backend b : Backend.values()) {
      if (b.name().equals(normalized)) {
        return b;
      }
    }
    throw new InvalidHoldfastPropertyException(
        PROPERTY, value, "allowed values are redis, zookeeper");
  }

  private static InvalidHoldfastPropertyException missing(String value, String artifact) {
    return new InvalidHoldfastPropertyException(
        PROPERTY, value, "add io.holdfast:" + artifact + " to the application's dependencies");
  }
}
