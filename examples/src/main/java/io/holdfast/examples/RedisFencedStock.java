package io.holdfast.examples;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;

/** {@link FencedStock} in a Redis hash per SKU; the fenced write is one Lua script. */
public final class RedisFencedStock implements FencedStock {
  // KEYS[1] = the SKU's hash; ARGV = token. Returns the stock, or -1 if the token is stale.
  private static final String FENCED_READ =
      "local last = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')\n"
          + "if tonumber(ARGV[1]) < last then\n"
          + "  redis.call('HINCRBY', KEYS[1], 'rejected', 1)\n"
          + "  return -1\n"
          + "end\n"
          + "redis.call('HSET', KEYS[1], 'token', ARGV[1])\n"
          + "return tonumber(redis.call('HGET', KEYS[1], 'stock') or '0')\n";

  // KEYS[1] = the SKU's hash; ARGV = new stock, token. Accept only tokens not older than the last.
  private static final String FENCED_WRITE =
      "local last = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')\n"
          + "if tonumber(ARGV[2]) < last then\n"
          + "  redis.call('HINCRBY', KEYS[1], 'rejected', 1)\n"
          + "  return 0\n"
          + "end\n"
          + "redis.call('HSET', KEYS[1], 'stock', ARGV[1], 'token', ARGV[2])\n"
          + "redis.call('HINCRBY', KEYS[1], 'accepted', 1)\n"
          + "return 1\n";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;

  /**
   * Connects to the Redis that holds the stock.
   *
   * @param uri where
   */
  public RedisFencedStock(RedisURI uri) {
    this.client = RedisClient.create(uri);
    this.connection = client.connect();
    this.redis = connection.sync();
  }

  private static String key(String sku) {
    return "demo:stock:" + sku;
  }

  @Override
  public void reset(String sku, long stock) {
    redis.del(key(sku));
    redis.hset(key(sku), "stock", Long.toString(stock));
  }

  @Override
  public long read(String sku) {
    return field(sku, "stock");
  }

  @Override
  public long read(String sku, long fencingToken) {
    Long v =
        redis.eval(
            FENCED_READ,
            ScriptOutputType.INTEGER,
            new String[] {key(sku)},
            Long.toString(fencingToken));
    return v == null ? -1 : v;
  }

  private long field(String sku, String field) {
    String v = redis.hget(key(sku), field);
    return v == null ? 0 : Long.parseLong(v);
  }

  @Override
  public boolean write(String sku, long stock, long fencingToken) {
    Long ok =
        redis.eval(
            FENCED_WRITE,
            ScriptOutputType.INTEGER,
            new String[] {key(sku)},
            Long.toString(stock),
            Long.toString(fencingToken));
    return ok != null && ok == 1L;
  }

  @Override
  public long accepted(String sku) {
    return field(sku, "accepted");
  }

  @Override
  public long rejected(String sku) {
    return field(sku, "rejected");
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
