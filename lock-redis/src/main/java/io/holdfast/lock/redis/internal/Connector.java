package io.holdfast.lock.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisKeyAsyncCommands;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The Lettuce connections a service uses — one for commands, one (opened on first need) for
 * pub/sub, and one (opened on first need) for acquires that wait for replicas — over a
 * standalone/Sentinel server or a Redis Cluster, and scripts run on them.
 *
 * <p>{@code WAIT} covers the writes of the connection it is sent on and blocks that connection
 * until it returns. Sent on the command connection it would hold up every renewal and release
 * behind it for up to its timeout, so a grant that must reach replicas is written, and waited for,
 * on a connection of its own ({@link #evalForReplicas}, {@link #waitForReplicas}).
 */
public abstract class Connector implements AutoCloseable {
  private final @Nullable Runnable shutdown;
  private @Nullable StatefulRedisPubSubConnection<String, String> pubSub;
  private volatile long timeoutNanos;

  Connector(AbstractRedisClient client, boolean ownsClient) {
    this.shutdown = ownsClient ? () -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)) : null;
  }

  Connector(@Nullable Runnable shutdown) {
    this.shutdown = shutdown;
  }

  /**
   * Connects to a standalone or Sentinel-managed server.
   *
   * @param client the client
   * @param ownsClient whether {@link #close()} shuts the client down
   * @return the connector
   */
  public static Connector standalone(RedisClient client, boolean ownsClient) {
    return new Standalone(client, ownsClient);
  }

  /**
   * Connects with a client the service created; {@link #close()} shuts it down. If connecting
   * fails, the client is shut down before this throws.
   *
   * @param owned the client
   * @return the connector
   */
  public static Connector standalone(RedisSupport.OwnedClient owned) {
    try {
      return new Standalone(owned.client(), owned.shutdown());
    } catch (RuntimeException e) {
      owned.shutdown().run();
      throw e;
    }
  }

  /**
   * Connects to a Redis Cluster.
   *
   * @param client the client
   * @param ownsClient whether {@link #close()} shuts the client down
   * @return the connector
   */
  public static Connector cluster(RedisClusterClient client, boolean ownsClient) {
    return new Cluster(client, ownsClient);
  }

  /**
   * Bounds every operation of this connector from now on by {@code commandTimeout} (a {@code WAIT}
   * by its own timeout plus this), whatever the client's own timeout settings: a client the
   * application passes in may have none, or a longer one. Called once, by the service that owns
   * this connector, before its first operation.
   *
   * @param commandTimeout the service's command timeout
   */
  public void boundEachOperation(Duration commandTimeout) {
    this.timeoutNanos = commandTimeout.toNanos();
  }

  /**
   * {@code stage}, failed with {@link RedisCommandTimeoutException} unless it completes within the
   * command timeout plus {@code extra}.
   *
   * @param <T> the reply type
   * @param stage a Redis operation
   * @param extra time the operation may take on top of the command timeout (a {@code WAIT}'s own)
   * @return the bounded operation
   */
  public <T> CompletableFuture<T> bounded(CompletionStage<T> stage, Duration extra) {
    long nanos = timeoutNanos;
    if (nanos <= 0) {
      return stage.toCompletableFuture();
    }
    long limit = nanos + extra.toNanos();
    // A copy, so that the timeout completes our future and never Lettuce's own command.
    CompletableFuture<T> copy = stage.toCompletableFuture().thenApply(r -> r);
    return copy.orTimeout(limit, TimeUnit.NANOSECONDS)
        .exceptionallyCompose(
            e -> {
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              if (cause instanceof TimeoutException) {
                cause =
                    new RedisCommandTimeoutException(
                        "Redis did not answer within " + Duration.ofNanos(limit));
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  /**
   * The asynchronous key commands of the command connection (on a cluster, a {@code SCAN} walks
   * every primary).
   *
   * @return the commands
   */
  abstract RedisKeyAsyncCommands<String, String> keyCommands();

  /**
   * Every key matching {@code pattern}, by {@code SCAN} (never {@code KEYS}: the server stays
   * responsive), each step bounded by the command timeout.
   *
   * @param pattern a {@code SCAN MATCH} glob
   * @return the keys, in no order
   */
  public CompletableFuture<List<String>> scanKeys(String pattern) {
    List<String> found = new ArrayList<>();
    return scanFrom(ScanCursor.INITIAL, ScanArgs.Builder.matches(pattern).limit(1000), found)
        .thenApply(done -> found);
  }

  private CompletableFuture<Void> scanFrom(ScanCursor cursor, ScanArgs args, List<String> found) {
    return bounded(keyCommands().scan(cursor, args), Duration.ZERO)
        .thenCompose(
            next -> {
              found.addAll(next.getKeys());
              return next.isFinished()
                  ? CompletableFuture.completedFuture(null)
                  : scanFrom(next, args, found);
            });
  }

  /** One step of a paged {@code SCAN}: the keys found and where the next step starts. */
  public record ScanStep(List<String> keys, @Nullable String next) {}

  /**
   * One {@code SCAN} step, for paging through keys across calls. The cursor is Redis's own on a
   * standalone server, and {@code <primary index>:<cursor>} on a cluster, whose primaries are
   * walked one after another in node-id order.
   *
   * @param pattern a {@code SCAN MATCH} glob
   * @param cursor {@code ""} to start, else the {@code next} of the previous step
   * @param count the {@code COUNT} hint
   * @return the step; fails with {@link IllegalArgumentException} for a malformed cursor
   */
  public abstract CompletableFuture<ScanStep> scanStep(String pattern, String cursor, int count);

  /**
   * {@code s} with the glob characters of {@code SCAN MATCH} escaped, so it matches literally.
   *
   * @param s a literal part of a pattern
   * @return the escaped text
   */
  public static String globEscaped(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  /** A SCAN cursor from its text; digits only (Redis's cursors are unsigned numbers). */
  static ScanCursor scanCursor(String cursor) {
    if (cursor.isEmpty() || !cursor.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("not a SCAN cursor: '" + cursor + "'");
    }
    return ScanCursor.of(cursor);
  }

  /**
   * Whether this is a Redis Cluster connection.
   *
   * @return whether cluster
   */
  public abstract boolean isCluster();

  /**
   * The asynchronous scripting commands of the command connection.
   *
   * @return the commands
   */
  public abstract RedisScriptingAsyncCommands<String, String> scripting();

  /**
   * A script with its SHA-1, as {@code EVALSHA} needs.
   *
   * @param body the Lua source
   * @return the script
   */
  public Script script(String body) {
    return new Script(body, scripting().digest(body));
  }

  /** A Lua script and its SHA-1. */
  public record Script(String body, String sha) {}

  /**
   * Runs a script with {@code EVALSHA}, falling back once to {@code EVAL} (which also caches it) on
   * {@code NOSCRIPT}.
   *
   * @param <T> the reply type
   * @param script the script
   * @param type the reply type
   * @param keys the keys
   * @param args the arguments
   * @return the reply
   */
  public <T> CompletableFuture<T> eval(
      Script script, ScriptOutputType type, String[] keys, String... args) {
    return bounded(eval(scripting(), script, type, keys, args), Duration.ZERO);
  }

  private static <T> CompletableFuture<T> eval(
      RedisScriptingAsyncCommands<String, String> commands,
      Script script,
      ScriptOutputType type,
      String[] keys,
      String... args) {
    CompletableFuture<T> first =
        commands.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
    return first.exceptionallyCompose(
        e -> {
          Throwable cause =
              e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof RedisNoScriptException) {
            return commands.<T>eval(script.body(), type, keys, args).toCompletableFuture();
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  /**
   * Runs a script, as {@link #eval}, on the replica-wait connection of the node serving {@code
   * keys[0]}, so that a {@link #waitForReplicas} for that key sent after it covers its writes.
   *
   * @param <T> the reply type
   * @param script the script
   * @param type the reply type
   * @param keys the keys, all in the slot of the first
   * @param args the arguments
   * @return the reply
   */
  public <T> CompletableFuture<T> evalForReplicas(
      Script script, ScriptOutputType type, String[] keys, String... args) {
    return bounded(
        waitLane(keys[0]).thenCompose(c -> Connector.<T>eval(c, script, type, keys, args)),
        Duration.ZERO);
  }

  /**
   * {@code WAIT} on the replica-wait connection of the node serving {@code key}: it covers every
   * write sent there before it ({@link #evalForReplicas}), and blocks only that connection.
   *
   * @param key a key written just before with {@link #evalForReplicas}
   * @param replicas how many replicas
   * @param timeout how long
   * @return how many replicas acknowledged
   */
  public CompletableFuture<Long> waitForReplicas(String key, int replicas, Duration timeout) {
    return bounded(
        waitLane(key)
            .thenCompose(
                c -> c.waitForReplication(replicas, timeout.toMillis()).toCompletableFuture()),
        timeout);
  }

  /**
   * The connection, opened on first use, that carries only grants waiting for replicas and their
   * {@code WAIT}s; on a cluster, the one to the node serving {@code key}.
   */
  abstract CompletableFuture<RedisClusterAsyncCommands<String, String>> waitLane(String key);

  /**
   * Whether the command connection (and the replica-wait connection, if open) is connected now.
   *
   * @return whether commands can be sent
   */
  public abstract boolean isConnected();

  /**
   * Opens the replica-wait connection now, on the caller's thread (it must not be opened on a
   * Lettuce I/O thread). Services that wait for replicas call it once when built.
   */
  public abstract void openWaitLane();

  abstract StatefulRedisPubSubConnection<String, String> openPubSub();

  abstract void closeCommands();

  /**
   * The pub/sub connection, opened on first use.
   *
   * @return the connection
   */
  public final synchronized StatefulRedisPubSubConnection<String, String> pubSub() {
    StatefulRedisPubSubConnection<String, String> p = pubSub;
    if (p == null) {
      p = openPubSub();
      pubSub = p;
    }
    return p;
  }

  @Override
  public final void close() {
    StatefulRedisPubSubConnection<String, String> p;
    synchronized (this) {
      p = pubSub;
      pubSub = null;
    }
    try {
      if (p != null) {
        p.close();
      }
      closeCommands();
    } finally {
      Runnable s = shutdown;
      if (s != null) {
        s.run();
      }
    }
  }

  private static final class Standalone extends Connector {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private volatile @Nullable StatefulRedisConnection<String, String> lane;

    Standalone(RedisClient client, boolean ownsClient) {
      super(client, ownsClient);
      this.client = client;
      this.connection = client.connect(StringCodec.UTF8);
    }

    Standalone(RedisClient client, Runnable shutdown) {
      super(shutdown);
      this.client = client;
      this.connection = client.connect(StringCodec.UTF8);
    }

    @Override
    public boolean isCluster() {
      return false;
    }

    @Override
    public CompletableFuture<ScanStep> scanStep(String pattern, String cursor, int count) {
      ScanCursor from;
      try {
        from = cursor.isEmpty() ? ScanCursor.INITIAL : scanCursor(cursor);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(e);
      }
      return bounded(
              connection.async().scan(from, ScanArgs.Builder.matches(pattern).limit(count)),
              Duration.ZERO)
          .thenApply(r -> new ScanStep(r.getKeys(), r.isFinished() ? null : r.getCursor()));
    }

    @Override
    public RedisScriptingAsyncCommands<String, String> scripting() {
      return connection.async();
    }

    @Override
    RedisKeyAsyncCommands<String, String> keyCommands() {
      return connection.async();
    }

    @Override
    public boolean isConnected() {
      StatefulRedisConnection<String, String> l = lane;
      return connection.isOpen() && (l == null || l.isOpen());
    }

    @Override
    public synchronized void openWaitLane() {
      if (lane == null) {
        lane = client.connect(StringCodec.UTF8);
      }
    }

    @Override
    CompletableFuture<RedisClusterAsyncCommands<String, String>> waitLane(String key) {
      StatefulRedisConnection<String, String> l = lane;
      return l == null
          ? CompletableFuture.failedFuture(new IllegalStateException("no replica-wait connection"))
          : CompletableFuture.completedFuture(l.async());
    }

    @Override
    StatefulRedisPubSubConnection<String, String> openPubSub() {
      return client.connectPubSub(StringCodec.UTF8);
    }

    @Override
    void closeCommands() {
      StatefulRedisConnection<String, String> l = lane;
      if (l != null) {
        l.close();
      }
      connection.close();
    }
  }

  private static final class Cluster extends Connector {
    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, String> connection;
    private volatile @Nullable StatefulRedisClusterConnection<String, String> lane;

    Cluster(RedisClusterClient client, boolean ownsClient) {
      super(client, ownsClient);
      this.client = client;
      this.connection = client.connect(StringCodec.UTF8);
    }

    @Override
    public boolean isCluster() {
      return true;
    }

    @Override
    public CompletableFuture<ScanStep> scanStep(String pattern, String cursor, int count) {
      List<String> primaries = new ArrayList<>();
      for (RedisClusterNode n : connection.getPartitions()) {
        if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          primaries.add(n.getNodeId());
        }
      }
      primaries.sort(null);
      int node;
      ScanCursor from;
      try {
        int colon = cursor.indexOf(':');
        node = cursor.isEmpty() ? 0 : Integer.parseInt(cursor.substring(0, Math.max(0, colon)));
        from = cursor.isEmpty() ? ScanCursor.INITIAL : scanCursor(cursor.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("not a cluster SCAN cursor: '" + cursor + "'", e));
      }
      if (node < 0 || node >= primaries.size()) {
        return CompletableFuture.completedFuture(new ScanStep(List.of(), null));
      }
      int at = node;
      return bounded(
              connection
                  .getConnectionAsync(primaries.get(at))
                  .thenCompose(
                      c -> c.async().scan(from, ScanArgs.Builder.matches(pattern).limit(count))),
              Duration.ZERO)
          .thenApply(
              r -> {
                String next;
                if (!r.isFinished()) {
                  next = at + ":" + r.getCursor();
                } else {
                  next = at + 1 < primaries.size() ? (at + 1) + ":0" : null;
                }
                return new ScanStep(r.getKeys(), next);
              });
    }

    @Override
    public RedisScriptingAsyncCommands<String, String> scripting() {
      return connection.async();
    }

    @Override
    RedisKeyAsyncCommands<String, String> keyCommands() {
      return connection.async();
    }

    @Override
    public boolean isConnected() {
      StatefulRedisClusterConnection<String, String> l = lane;
      return connection.isOpen() && (l == null || l.isOpen());
    }

    @Override
    public synchronized void openWaitLane() {
      if (lane == null) {
        lane = client.connect(StringCodec.UTF8);
      }
    }

    /**
     * The lane's own connection to the node serving the key's slot, by node id: the script and its
     * {@code WAIT} both go there, so they share one TCP connection.
     */
    @Override
    CompletableFuture<RedisClusterAsyncCommands<String, String>> waitLane(String key) {
      StatefulRedisClusterConnection<String, String> l = lane;
      if (l == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("no replica-wait connection"));
      }
      RedisClusterNode node = l.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
      if (node == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("no cluster node serves the slot of " + key));
      }
      return l.getConnectionAsync(node.getNodeId()).thenApply(c -> c.async());
    }

    @Override
    StatefulRedisPubSubConnection<String, String> openPubSub() {
      return client.connectPubSub(StringCodec.UTF8);
    }

    @Override
    void closeCommands() {
      StatefulRedisClusterConnection<String, String> l = lane;
      if (l != null) {
        l.close();
      }
      connection.close();
    }
  }
}
