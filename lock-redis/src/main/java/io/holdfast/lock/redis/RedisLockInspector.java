package io.holdfast.lock.redis;

import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockPage;
import io.holdfast.lock.internal.AbstractLockInspector;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.redis.internal.Connector;
import io.holdfast.lock.redis.internal.Connector.Script;
import io.holdfast.lock.redis.internal.RedisErrors;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The Redis inspector. One script reads a lock key's value ({@code <service id>:<token>}), its
 * {@code PTTL} and the server's {@code TIME} atomically; listing walks the lock keys with {@code
 * SCAN MATCH} (never {@code KEYS}) and reads each key found the same way. A force-release deletes
 * the key and announces the release to waiters; the slot's fencing counter stays, so the next grant
 * has a larger token, and the old holder's next renewal finds the key gone.
 */
final class RedisLockInspector extends AbstractLockInspector {
  /** KEYS: lock. Returns {} if free, else {value, pttl, server seconds, server microseconds}. */
  static final String READ =
      "local v = redis.call('GET', KEYS[1])\n"
          + "if not v then return {} end\n"
          + "local now = redis.call('TIME')\n"
          + "return {v, redis.call('PTTL', KEYS[1]), now[1], now[2]}\n";

  /** KEYS: lock. ARGV: channel. As {@link #READ}, and deletes the key, announcing the release. */
  static final String FORCE_RELEASE =
      "local v = redis.call('GET', KEYS[1])\n"
          + "if not v then return {} end\n"
          + "local now = redis.call('TIME')\n"
          + "local ttl = redis.call('PTTL', KEYS[1])\n"
          + "redis.call('DEL', KEYS[1])\n"
          + "redis.call('PUBLISH', ARGV[1], '1')\n"
          + "return {v, ttl, now[1], now[2]}\n";

  private static final String LOCK_PART = "}:lock:";

  private final Connector redis;
  private final RedisErrors errors;
  private final KeySpace keys;
  private final Script read;
  private final Script forceRelease;

  RedisLockInspector(
      AbstractLockService service, Connector redis, RedisErrors errors, KeySpace keys) {
    super(service, "redis");
    this.redis = redis;
    this.errors = errors;
    this.keys = keys;
    this.read = redis.script(READ);
    this.forceRelease = redis.script(FORCE_RELEASE);
  }

  /** The owner id in a lock key's value {@code <service id>:<token>}: the service id. */
  static String ownerOf(String value) {
    int colon = value.lastIndexOf(':');
    return colon < 0 ? value : value.substring(0, colon);
  }

  @Override
  protected CompletableFuture<LockInfo> doInspect(String name) {
    String key = keys.lockKey(name);
    return redis
        .<List<Object>>eval(read, ScriptOutputType.MULTI, new String[] {key})
        .thenApply(reply -> info(name, reply))
        .exceptionallyCompose(
            e -> CompletableFuture.failedFuture(errors.lock("inspecting '" + name + "'", e)));
  }

  @Override
  protected CompletableFuture<LockInfo> doForceRelease(String name) {
    String key = keys.lockKey(name);
    return redis
        .<List<Object>>eval(
            forceRelease, ScriptOutputType.MULTI, new String[] {key}, keys.channel(key))
        .thenApply(reply -> info(name, reply))
        .exceptionallyCompose(
            e -> CompletableFuture.failedFuture(errors.lock("force-releasing '" + name + "'", e)));
  }

  @Override
  protected CompletableFuture<LockPage> doList(String prefix, int pageSize, String cursor) {
    String pattern =
        Connector.globEscaped(keys.prefix())
            + "{*"
            + LOCK_PART
            + Connector.globEscaped(prefix)
            + "*";
    return redis
        .scanStep(pattern, cursor, pageSize)
        .exceptionallyCompose(
            e ->
                e instanceof IllegalArgumentException
                    ? CompletableFuture.failedFuture(e)
                    : CompletableFuture.failedFuture(
                        errors.lock("listing locks under '" + prefix + "'", e)))
        .thenCompose(
            step -> {
              List<CompletableFuture<LockInfo>> reads = new ArrayList<>();
              for (String key : step.keys()) {
                String name = nameOf(key);
                if (name != null && name.startsWith(prefix)) {
                  reads.add(doInspect(name));
                }
              }
              return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0]))
                  .thenApply(
                      done -> {
                        List<LockInfo> held = new ArrayList<>();
                        for (CompletableFuture<LockInfo> r : reads) {
                          LockInfo i = r.join();
                          if (i.isHeld()) {
                            held.add(i); // a key may have gone between the SCAN and its read
                          }
                        }
                        return new LockPage(held, step.next());
                      });
            });
  }

  /** The lock name in a lock key, or null if the key is not one of our lock keys. */
  private @Nullable String nameOf(String key) {
    if (!key.startsWith(keys.prefix() + "{")) {
      return null;
    }
    int at = key.indexOf(LOCK_PART, keys.prefix().length());
    return at < 0 ? null : key.substring(at + LOCK_PART.length());
  }

  private static LockInfo info(String name, List<Object> reply) {
    if (reply.size() < 4) {
      return LockInfo.free(name);
    }
    String value = (String) reply.get(0);
    long pttl = (Long) reply.get(1);
    long nowMicros =
        Long.parseLong((String) reply.get(2)) * 1_000_000 + Long.parseLong((String) reply.get(3));
    long token = Long.parseLong(value.substring(value.lastIndexOf(':') + 1));
    // The token is the server clock in microseconds at the grant, unless the slot's counter ran
    // ahead of the clock; a token beyond the server's now did, and says nothing about the time.
    Instant grantedAt =
        token <= nowMicros
            ? Instant.ofEpochSecond(token / 1_000_000, (token % 1_000_000) * 1000)
            : null;
    Duration left = pttl >= 0 ? Duration.ofMillis(pttl) : null;
    return LockInfo.held(name, ownerOf(value), token, grantedAt, left, -1);
  }
}
