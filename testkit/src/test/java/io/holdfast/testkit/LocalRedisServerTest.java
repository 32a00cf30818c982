package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

class LocalRedisServerTest {
  @Test
  void aServerThatRequiresAPassword_startsAndServesWithIt() {
    try (RedisServer server = RedisServers.localProcess("--requirepass", "s3cret")) {
      RedisURI uri = RedisURI.builder(server.uri()).withPassword("s3cret".toCharArray()).build();
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(c.sync().ping()).isEqualTo("PONG");
      } finally {
        client.shutdown();
      }
    }
  }
}
