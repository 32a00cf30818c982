package io.holdfast.benchmarks;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * One lock library behind the two calls a benchmark makes: take a lock (waiting as long as it
 * takes) and give it back from the same thread. Each implementation is the library's ordinary idiom
 * with its default settings.
 */
interface Locker extends AutoCloseable {

  /** Acquires {@code name}, blocking until granted; returns what {@link #unlock} needs. */
  Object lock(String name) throws Exception;

  /** Releases what {@link #lock} returned, from the thread that locked it. */
  void unlock(Object held) throws Exception;

  @Override
  void close();

  /** The implementations measured against Redis. */
  static Locker redis(String impl, RedisURI uri) {
    return switch (impl) {
      case "floor" -> new Floor(uri);
      case "holdfast" ->
          new Holdfast(
              RedisLockService.builder(uri).commandTimeout(Duration.ofSeconds(30)).build());
      case "redisson" -> new RedissonLocker(uri);
      case "scripts" -> new HoldfastScripts(uri);
      default -> throw new IllegalArgumentException("unknown Redis implementation " + impl);
    };
  }

  /** The implementations measured against ZooKeeper. */
  static Locker zooKeeper(String impl, String connect) {
    return switch (impl) {
      // A long command timeout: a benchmark measures speed, and a loaded machine (the smoke test
      // under CI) can stall the server for seconds without anything being wrong.
      case "holdfast" ->
          new Holdfast(
              ZooKeeperLockService.builder(connect).commandTimeout(Duration.ofSeconds(30)).build());
      case "curator" -> new Curator(connect);
      default -> throw new IllegalArgumentException("unknown ZooKeeper implementation " + impl);
    };
  }

  /**
   * The least any safe Redis lock can do per cycle: {@code SET key value NX PX} to take it and one
   * {@code EVALSHA} compare-and-delete to give it back, on one Lettuce connection shared by all
   * threads (as Holdfast shares one). It has no way to wait: when the lock is taken it asks again
   * at once (polling), which makes it a reference for the contended case, not a usable lock.
   */
  final class Floor implements Locker {
    static final String COMPARE_AND_DELETE =
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> commands;
    private final String sha;
    private final String owner = UUID.randomUUID().toString();
    private final AtomicLong grants = new AtomicLong();
    private final SetArgs setArgs = SetArgs.Builder.nx().px(10_000);

    private record Held(String key, String value) {}

    Floor(RedisURI uri) {
      client = RedisClient.create(uri);
      connection = client.connect(StringCodec.UTF8);
      commands = connection.sync();
      sha = commands.scriptLoad(COMPARE_AND_DELETE);
    }

    @Override
    public Object lock(String name) {
      String key = "floor:" + name;
      String value = owner + ":" + grants.incrementAndGet();
      while (!"OK".equals(commands.set(key, value, setArgs))) {
        Thread.onSpinWait();
      }
      return new Held(key, value);
    }

    @Override
    public void unlock(Object held) {
      Held h = (Held) held;
      Long deleted =
          commands.evalsha(sha, ScriptOutputType.INTEGER, new String[] {h.key()}, h.value());
      if (deleted == null || deleted != 1L) {
        throw new IllegalStateException("the floor lost " + h.key() + " before releasing it");
      }
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /**
   * A diagnostic, not a lock library: Holdfast's own acquire and release scripts (the text of
   * lock-redis's {@code Scripts}, as documented in docs/redis.md) sent with raw Lettuce, the way
   * the floor sends its commands. Next to the floor it shows what the scripts cost the server; next
   * to Holdfast, what the client library adds. Uncontended use only (it polls).
   */
  final class HoldfastScripts implements Locker {
    static final String ACQUIRE =
        "if redis.call('EXISTS', KEYS[1]) == 1 then\n"
            + "  local ttl = redis.call('PTTL', KEYS[1])\n"
            + "  if ttl < 0 then ttl = tonumber(ARGV[2]) end\n"
            + "  return {0, ttl}\n"
            + "end\n"
            + "local last = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
            + "local now = redis.call('TIME')\n"
            + "local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])\n"
            + "local token = last + 1\n"
            + "if micros > token then token = micros end\n"
            + "local t = string.format('%d', token)\n"
            + "redis.call('SET', KEYS[2], t)\n"
            + "redis.call('SET', KEYS[1], ARGV[1] .. ':' .. t, 'PX', ARGV[2])\n"
            + "return {1, token}\n";
    static final String RELEASE =
        "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
            + "  redis.call('DEL', KEYS[1])\n"
            + "  redis.call('PUBLISH', ARGV[2], '1')\n"
            + "  return 1\n"
            + "end\n"
            + "return 0\n";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> commands;
    private final String acquireSha;
    private final String releaseSha;
    private final String owner = UUID.randomUUID().toString();

    private record ScriptHeld(String key, String value) {}

    HoldfastScripts(RedisURI uri) {
      client = RedisClient.create(uri);
      connection = client.connect(StringCodec.UTF8);
      commands = connection.sync();
      acquireSha = commands.scriptLoad(ACQUIRE);
      releaseSha = commands.scriptLoad(RELEASE);
    }

    @Override
    public Object lock(String name) {
      String key = "scripts:{0}:lock:" + name;
      String[] keys = {key, "scripts:{0}:fence"};
      while (true) {
        List<Object> reply =
            commands.evalsha(acquireSha, ScriptOutputType.MULTI, keys, owner, "10000");
        if ((Long) reply.get(0) == 1L) {
          return new ScriptHeld(key, owner + ":" + reply.get(1));
        }
        Thread.onSpinWait();
      }
    }

    @Override
    public void unlock(Object held) {
      ScriptHeld h = (ScriptHeld) held;
      commands.evalsha(
          releaseSha, ScriptOutputType.INTEGER, new String[] {h.key()}, h.value(), h.key());
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** A Holdfast {@link LockService}: {@code acquire(name)} and {@code close()}. */
  final class Holdfast implements Locker {
    private final LockService service;

    Holdfast(LockService service) {
      this.service = service;
    }

    LockService service() {
      return service;
    }

    @Override
    public Object lock(String name) throws InterruptedException {
      return service.acquire(name);
    }

    @Override
    public void unlock(Object held) {
      ((LockHandle) held).close();
    }

    @Override
    public void close() {
      service.close();
    }
  }

  /** Redisson's {@code RLock.lock()} and {@code unlock()}, with Redisson's default settings. */
  final class RedissonLocker implements Locker {
    private final RedissonClient redisson;

    RedissonLocker(RedisURI uri) {
      Config config = new Config();
      config.useSingleServer().setAddress("redis://" + Servers.hostPort(uri));
      redisson = Redisson.create(config);
    }

    RedissonClient client() {
      return redisson;
    }

    @Override
    public Object lock(String name) {
      RLock lock = redisson.getLock("redisson:" + name);
      lock.lock();
      return lock;
    }

    @Override
    public void unlock(Object held) {
      ((RLock) held).unlock();
    }

    @Override
    public void close() {
      redisson.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Curator's {@link InterProcessMutex}: one per name, shared by the threads that compete. */
  final class Curator implements Locker {
    private final CuratorFramework client;
    private final ConcurrentHashMap<String, InterProcessMutex> mutexes = new ConcurrentHashMap<>();

    Curator(String connect) {
      client =
          CuratorFrameworkFactory.builder()
              .connectString(connect)
              .sessionTimeoutMs(10_000)
              .retryPolicy(new ExponentialBackoffRetry(100, 5, 2000))
              .ensembleTracker(false)
              .build();
      client.start();
      try {
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("Curator did not connect to " + connect);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    @Override
    public Object lock(String name) throws Exception {
      InterProcessMutex m =
          mutexes.computeIfAbsent(
              name,
              n -> new InterProcessMutex(client, "/curator-bench/" + n.toLowerCase(Locale.ROOT)));
      m.acquire();
      return m;
    }

    @Override
    public void unlock(Object held) throws Exception {
      ((InterProcessMutex) held).release();
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
