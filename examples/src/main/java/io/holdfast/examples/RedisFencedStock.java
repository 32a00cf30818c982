package io.holdfast.examples;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;

/**
 * Stock levels kept in Redis, written only with a fencing token: a write whose token is lower
 * than the last one accepted for that SKU is rejected. This is the pattern to copy — the resource
 * itself checks the token, because a lock holder can pause between any check and its write.
 */
public final class FencedStock implements AutoCloseable {
  // KEYS[1] = the SKU's hash; ARGV = new stock, token. Accept only tokens not older than the last.
  private static final String FENCED_WRITE =
      "local last = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')\n"
          + "if tonumber(ARGV[2]) < last then return 0 end\n"
          + "redis.call('HSET', KEYS[1], 'stock', ARGV[1], 'token', ARGV[2])\n"
          + "return 1\n";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;

  /**
   * Connects to the Redis that holds the stock.
   *
   * @param uri where
   */
  public FencedStock(RedisURI uri) {
    this.client = RedisClient.create(uri);
    this.connection = client.connect();
    this.redis = connection.sync();
  }

  private static String key(String sku) {
    return "demo:stock:" + sku;
  }

  /**
   * Sets a SKU's stock, forgetting its tokens (set-up only).
   *
   * @param sku the SKU
   * @param stock the stock level
   */
  public void reset(String sku, long stock) {
    redis.del(key(sku));
    redis.hset(key(sku), "stock", Long.toString(stock));
  }

  /**
   * Reads a SKU's stock.
   *
   * @param sku the SKU
   * @return the stock level
   */
  public long read(String sku) {
    String v = redis.hget(key(sku), "stock");
    return v == null ? 0 : Long.parseLong(v);
  }

  /**
   * Writes a SKU's stock if {@code fencingToken} is not older than the last accepted one.
   *
   * @param sku the SKU
   * @param stock the new level
   * @param fencingToken the writer's lock token
   * @return whether the write was accepted
   */
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
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
