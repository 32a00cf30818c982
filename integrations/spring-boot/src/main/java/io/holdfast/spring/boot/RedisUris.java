package io.holdfast.spring.boot;

import io.lettuce.core.RedisURI;
import org.springframework.core.env.Environment;

/**
 * The Redis server's URI: {@code holdfast.redis.uri}; else Spring Boot's own {@code
 * spring.data.redis.*} (url, or host, port, username, password, database, ssl.enabled), so an
 * application that already talks to Redis needs no Holdfast property; else {@code
 * redis://localhost:6379}, Spring Boot's default too.
 */
final class RedisUris {
  private RedisUris() {}

  static RedisURI from(HoldfastProperties.Redis props, Environment env) {
    String uri = props.getUri();
    if (uri != null) {
      return parse("holdfast.redis.uri", uri);
    }
    String url = env.getProperty("spring.data.redis.url");
    if (url != null && !url.isBlank()) {
      return parse("spring.data.redis.url", url);
    }
    RedisURI.Builder b =
        RedisURI.builder()
            .withHost(env.getProperty("spring.data.redis.host", "localhost"))
            .withPort(integer(env, "spring.data.redis.port", 6379))
            .withDatabase(integer(env, "spring.data.redis.database", 0))
            .withSsl(
                Boolean.parseBoolean(env.getProperty("spring.data.redis.ssl.enabled", "false")));
    String password = env.getProperty("spring.data.redis.password");
    if (password != null) {
      String user = env.getProperty("spring.data.redis.username");
      if (user != null) {
        b.withAuthentication(user, password);
      } else {
        b.withPassword(password.toCharArray());
      }
    }
    return b.build();
  }

  private static RedisURI parse(String property, String value) {
    try {
      return RedisURI.create(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidHoldfastPropertyException(
          property,
          redacted(value),
          "a Redis URI such as redis://[user:password@]host:6379[/database] or rediss://… for"
              + " TLS ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /** The URI with any password masked, fit for a startup report. */
  static String redacted(String uri) {
    return uri.replaceAll("(//[^/@:]*:)[^/@]*@", "$1****@");
  }

  private static int integer(Environment env, String property, int defaultValue) {
    String value = env.getProperty(property);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new InvalidHoldfastPropertyException(property, value, "a whole number", e);
    }
  }
}
