package io.holdfast.examples.snippets;

import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.HoldfastRedis;
import io.holdfast.testkit.LockServiceContract;
import io.holdfast.testkit.SharedRegister;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** docs/testing.md: the LockService contract suite, run against an application's wrapper. */
// tag::contract[]
class CountingLockServiceContractTest extends LockServiceContract {
  @HoldfastRedis static RedisURI redis;
  static RedisClient client;
  static StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(redis);
    connection = client.connect();
  }

  @AfterAll
  static void disconnect() {
    connection.close();
    client.shutdown();
  }

  @Override
  protected LockService createService(Duration leaseTime) {
    return new CountingLockService(
        RedisLockService.builder(redis)
            .leaseTime(leaseTime)
            .commandTimeout(commandTimeout())
            .build());
  }

  @Override
  protected void breakLease(String name) {
    RedisCommands<String, String> commands = connection.sync();
    commands.keys("holdfast:{*}:lock:" + name).forEach(commands::del); // see docs/redis.md
  }

  @Override
  protected List<String> leftBehind(String namePrefix) {
    // Checked after each test: what a test leaves held fails it.
    return connection.sync().keys("holdfast:{*}:lock:" + namePrefix + "*");
  }

  @Override
  protected SharedRegister register(String key) {
    RedisCommands<String, String> commands = connection.sync();
    return new SharedRegister() {
      @Override
      public long read() {
        String v = commands.get(key);
        return v == null ? 0 : Long.parseLong(v);
      }

      @Override
      public void write(long value) {
        commands.set(key, Long.toString(value));
      }
    };
  }
}
// end::contract[]
