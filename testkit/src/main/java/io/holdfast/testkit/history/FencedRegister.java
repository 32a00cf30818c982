package io.holdfast.testkit.history;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;

/**
 * A protected resource: named counters in a Redis server of their own (not the lock backend, so
 * that faults injected into the lock service do not touch the resource). Every operation carries
 * the caller's fencing token, reads included, and the register refuses any operation whose token is
 * lower than the highest it has seen for that name. Fencing only the writes is not enough for a
 * read–modify–write: an old holder could write between a new holder's read and write, and both
 * writes would pass. Counts operations refused as stale. Thread-safe.
 */
public final class FencedRegister implements AutoCloseable {
  // KEYS[1] the register's hash; ARGV token. Returns the value, or -1 if the token is stale.
  private static final String READ =
      "local last = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')\n"
          + "if tonumber(ARGV[1]) < last then\n"
          + "  redis.call('HINCRBY', KEYS[1], 'stale', 1)\n"
          + "  return -1\n"
          + "end\n"
          + "redis.call('HSET', KEYS[1], 'token', ARGV[1])\n"
          + "return tonumber(redis.call('HGET', KEYS[1], 'value') or '0')\n";

  // KEYS[1] the register's hash; ARGV value, token.
  private static final String WRITE =
      "local last = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')\n"
          + "if tonumber(ARGV[2]) < last then\n"
          + "  redis.call('HINCRBY', KEYS[1], 'stale', 1)\n"
          + "  return 0\n"
          + "end\n"
          + "redis.call('HSET', KEYS[1], 'value', ARGV[1], 'token', ARGV[2])\n"
          + "return 1\n";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;

  /**
   * Connects to the resource's Redis.
   *
   * @param uri where
   */
  public FencedRegister(RedisURI uri) {
    this.client = RedisClient.create(uri);
    this.connection = client.connect();
    this.redis = connection.sync();
  }

  private static String key(String name) {
    return "register:" + name;
  }

  /**
   * Reads a register under a fencing token, raising the register's high-water mark to it.
   *
   * @param name the register
   * @param token the reader's fencing token
   * @return its value (0 if never written), or -1 if the token is older than one already seen
   */
  public long read(String name, long token) {
    Long v =
        redis.eval(READ, ScriptOutputType.INTEGER, new String[] {key(name)}, Long.toString(token));
    return v == null ? -1 : v;
  }

  /**
   * Reads a register without a token (for checking results, not for read–modify–write).
   *
   * @param name the register
   * @return its value (0 if never written)
   */
  public long read(String name) {
    String v = redis.hget(key(name), "value");
    return v == null ? 0 : Long.parseLong(v);
  }

  /**
   * Writes a register if {@code token} is not lower than the highest accepted.
   *
   * @param name the register
   * @param value the value
   * @param token the writer's fencing token
   * @return whether accepted
   */
  public boolean write(String name, long value, long token) {
    Long ok =
        redis.eval(
            WRITE,
            ScriptOutputType.INTEGER,
            new String[] {key(name)},
            Long.toString(value),
            Long.toString(token));
    return ok != null && ok == 1L;
  }

  /**
   * How many writes of a register were refused as stale.
   *
   * @param name the register
   * @return the count
   */
  public long staleRefused(String name) {
    String v = redis.hget(key(name), "stale");
    return v == null ? 0 : Long.parseLong(v);
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
