package io.holdfast.examples.spring;

import io.holdfast.examples.FencedStock;
import io.holdfast.examples.RedisFencedStock;
import io.lettuce.core.RedisURI;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The inventory service: a Spring Boot web application whose only Holdfast code is the
 * {@code @Locked} method {@link Reservations#reserve}. The starter gives it the lock service,
 * registers it in the {@code inventory} group when it is ready, and leaves before its web server
 * stops.
 *
 * <p>Run one with {@code holdfast.redis.uri} pointing at a Redis; {@link InventoryServiceDemo} runs
 * two against a local one.
 *
 * @see io.holdfast.spring.boot.Locked
 */
@SpringBootApplication
public class InventoryService {
  /**
   * The stock store, in the same Redis as the locks (any store that checks fencing tokens will do).
   *
   * @param env where {@code holdfast.redis.uri} is
   * @return the store, closed with the context
   */
  @Bean(destroyMethod = "close")
  FencedStock fencedStock(Environment env) {
    return new RedisFencedStock(
        RedisURI.create(env.getProperty("holdfast.redis.uri", "redis://localhost:6379")));
  }

  /**
   * Runs the service.
   *
   * @param args Spring Boot arguments ({@code --server.port=8081}, …)
   */
  public static void main(String[] args) {
    SpringApplication.run(InventoryService.class, args);
  }
}
