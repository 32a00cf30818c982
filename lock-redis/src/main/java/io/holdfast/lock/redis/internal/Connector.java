package io.holdfast.lock.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The two Lettuce connections a service uses — one for commands, one (opened on first need) for
 * pub/sub — over a standalone/Sentinel server or a Redis Cluster, and scripts run on them.
 */
public abstract class Connector implements AutoCloseable {
  private final @Nullable Runnable shutdown;
  private @Nullable StatefulRedisPubSubConnection<String, String> pubSub;

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
   * Runs a script with {@code EVALSHA}, falling back once to {@code EVAL} (which also caches it)
   * on {@code NOSCRIPT}.
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
    RedisScriptingAsyncCommands<String, String> commands = scripting();
    CompletableFuture<T> first =
        commands.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
    return first.exceptionallyCompose(
        e -> {
          Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof RedisNoScriptException) {
            return commands.<T>eval(script.body(), type, keys, args).toCompletableFuture();
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  /**
   * {@code WAIT} on the connection (node) that executed writes to {@code key}.
   *
   * @param key a key written just before
   * @param replicas how many replicas
   * @param timeout how long
   * @return how many replicas acknowledged
   */
  public abstract CompletionStage<Long> waitForReplicas(String key, int replicas, Duration timeout);

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
    public RedisScriptingAsyncCommands<String, String> scripting() {
      return connection.async();
    }

    @Override
    public CompletionStage<Long> waitForReplicas(String key, int replicas, Duration timeout) {
      return connection.async().waitForReplication(replicas, timeout.toMillis());
    }

    @Override
    StatefulRedisPubSubConnection<String, String> openPubSub() {
      return client.connectPubSub(StringCodec.UTF8);
    }

    @Override
    void closeCommands() {
      connection.close();
    }
  }

  private static final class Cluster extends Connector {
    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, String> connection;

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
    public RedisScriptingAsyncCommands<String, String> scripting() {
      return connection.async();
    }

    @Override
    public CompletionStage<Long> waitForReplicas(String key, int replicas, Duration timeout) {
      RedisClusterNode node =
          connection.getPartitions().getPartitionBySlot(io.lettuce.core.cluster.SlotHash.getSlot(key));
      if (node == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("no cluster node serves the slot of " + key));
      }
      return connection
          .getConnectionAsync(node.getNodeId())
          .thenCompose(c -> c.async().waitForReplication(replicas, timeout.toMillis()));
    }

    @Override
    StatefulRedisPubSubConnection<String, String> openPubSub() {
      return client.connectPubSub(StringCodec.UTF8);
    }

    @Override
    void closeCommands() {
      connection.close();
    }
  }
}
