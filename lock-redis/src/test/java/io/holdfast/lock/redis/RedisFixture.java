package io.holdfast.lock.redis;

import io.holdfast.testkit.BackendFaults;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.SharedRegister;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A test's view of a real Redis: an admin connection, registers, command statistics, faults. */
final class RedisFixture implements AutoCloseable {
  final RedisServer server;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  RedisFixture(RedisServer server) {
    this.server = server;
    this.client = RedisClient.create(server.uri());
    this.connection = client.connect();
  }

  RedisCommands<String, String> sync() {
    return connection.sync();
  }

  void deleteLock(String name) {
    sync().del(new KeySpace(RedisLockService.DEFAULT_KEY_PREFIX).lockKey(name));
  }

  SharedRegister register(String key) {
    return new SharedRegister() {
      @Override
      public long read() {
        String v = sync().get(key);
        return v == null ? 0 : Long.parseLong(v);
      }

      @Override
      public void write(long value) {
        sync().set(key, Long.toString(value));
      }
    };
  }

  /** Calls per command since the last {@code CONFIG RESETSTAT}, from {@code INFO commandstats}. */
  Map<String, Long> commandCalls() {
    Map<String, Long> calls = new HashMap<>();
    for (String line : sync().info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String cmd = line.substring("cmdstat_".length(), line.indexOf(':'));
        String stats = line.substring(line.indexOf(':') + 1);
        for (String kv : stats.split(",")) {
          if (kv.startsWith("calls=")) {
            calls.put(cmd, Long.parseLong(kv.substring("calls=".length())));
          }
        }
      }
    }
    return calls;
  }

  void resetStats() {
    sync().configResetstat();
  }

  @Nullable BackendFaults faults() {
    if (!server.controllable()) {
      return null;
    }
    return new BackendFaults() {
      @Override
      public void stop() {
        server.stop();
      }

      @Override
      public void start() {
        server.start();
      }

      @Override
      public void pause() {
        server.pause();
      }

      @Override
      public void resume() {
        server.resume();
      }
    };
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
