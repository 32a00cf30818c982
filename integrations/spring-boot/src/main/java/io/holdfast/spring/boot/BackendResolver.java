package io.holdfast.spring.boot;

import io.holdfast.spring.boot.HoldfastProperties.Backend;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Decides which backend the application uses: {@code holdfast.backend} if set; else the only
 * backend artifact on the classpath; else the only one of those with an address configured.
 */
final class BackendResolver {
  static final String PROPERTY = "holdfast.backend";
  static final String REDIS_CLASS = "io.holdfast.lock.redis.RedisLockService";
  static final String ZOOKEEPER_CLASS = "io.holdfast.lock.zookeeper.ZooKeeperLockService";
  static final String POSTGRESQL_CLASS = "io.holdfast.lock.postgresql.PostgresLockService";
  static final String ETCD_CLASS = "io.holdfast.lock.etcd.EtcdLockService";

  /** A backend: the class that shows its artifact is present, and whether it is configured. */
  private record Candidate(
      Backend backend, String serviceClass, String artifact, Predicate<Environment> configured) {
    String tag() {
      return backend.name().toLowerCase(Locale.ROOT);
    }
  }

  private static final List<Candidate> CANDIDATES =
      List.of(
          new Candidate(
              Backend.REDIS,
              REDIS_CLASS,
              "holdfast-lock-redis",
              env -> env.containsProperty("holdfast.redis.uri") || springDataRedisConfigured(env)),
          new Candidate(
              Backend.ZOOKEEPER,
              ZOOKEEPER_CLASS,
              "holdfast-lock-zookeeper",
              env -> env.containsProperty("holdfast.zookeeper.connect-string")),
          new Candidate(
              Backend.POSTGRESQL,
              POSTGRESQL_CLASS,
              "holdfast-lock-postgresql",
              env ->
                  env.containsProperty("holdfast.postgresql.url")
                      || env.containsProperty("spring.datasource.url")),
          new Candidate(
              Backend.ETCD,
              ETCD_CLASS,
              "holdfast-lock-etcd",
              env ->
                  env.containsProperty("holdfast.etcd.endpoints")
                      || env.containsProperty("holdfast.etcd.endpoints[0]")));

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
   * The backend's name for meters and health details: {@code redis}, {@code zookeeper}, {@code
   * postgresql}, {@code etcd}, or {@code unknown}.
   */
  static String tag(Environment env, @Nullable ClassLoader loader) {
    Backend backend = resolveOrNull(env, loader);
    return backend == null ? "unknown" : backend.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The backend.
   *
   * @throws InvalidHoldfastPropertyException if {@code holdfast.backend} is not a backend, names
   *     one whose artifact is missing, or is needed (several or no backend configured) but unset
   */
  static Backend resolve(Environment env, @Nullable ClassLoader loader) {
    List<Candidate> present =
        CANDIDATES.stream().filter(c -> ClassUtils.isPresent(c.serviceClass(), loader)).toList();
    String explicit = env.getProperty(PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      Backend backend = parse(explicit);
      Candidate chosen =
          CANDIDATES.stream().filter(c -> c.backend() == backend).findFirst().orElseThrow();
      if (!present.contains(chosen)) {
        throw missing(explicit, chosen.artifact());
      }
      return backend;
    }
    if (present.size() == 1) {
      return present.get(0).backend();
    }
    if (present.isEmpty()) {
      throw new InvalidHoldfastPropertyException(
          PROPERTY,
          "",
          "no Holdfast backend is on the classpath: add one of "
              + CANDIDATES.stream()
                  .map(c -> "io.holdfast:" + c.artifact())
                  .collect(Collectors.joining(", "))
              + " next to the starter");
    }
    List<Candidate> configured = present.stream().filter(c -> c.configured().test(env)).toList();
    if (configured.size() == 1) {
      return configured.get(0).backend();
    }
    throw new InvalidHoldfastPropertyException(
        PROPERTY,
        "",
        "several backends are on the classpath ("
            + names(present)
            + ") and "
            + (configured.isEmpty() ? "none is" : names(configured) + " are")
            + " configured: set holdfast.backend to one of "
            + names(present));
  }

  private static String names(List<Candidate> candidates) {
    return candidates.stream().map(Candidate::tag).collect(Collectors.joining(", "));
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
        PROPERTY, value, "allowed values are " + names(CANDIDATES));
  }

  private static InvalidHoldfastPropertyException missing(String value, String artifact) {
    return new InvalidHoldfastPropertyException(
        PROPERTY, value, "add io.holdfast:" + artifact + " to the application's dependencies");
  }
}
