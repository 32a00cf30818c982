package io.holdfast.lock.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The two Lettuce connections a service uses — one for commands, one (opened on first need) for
 * pub/sub — over a standalone/Sentinel server or a Redis Cluster.
 */
abstract class Connector implements AutoCloseable {
  private final AbstractRedisClient client;
  private final boolean ownsClient;
  private @Nullable StatefulRedisPubSubConnection<String, String> pubSub;

  Connector(AbstractRedisClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  static Connector standalone(RedisClient client, boolean ownsClient) {
    return new Standalone(client, ownsClient);
  }

  static Connector cluster(RedisClusterClient client, boolean ownsClient) {
    return new Cluster(client, ownsClient);
  }

  abstract RedisScriptingAsyncCommands<String, String> scripting();

  /** WAIT on the connection (node) that executed writes to {@code key}. */
  abstract CompletionStage<Long> waitForReplicas(String key, int replicas, Duration timeout);

  abstract StatefulRedisPubSubConnection<String, String> openPubSub();

  abstract void closeCommands();

  /** The pub/sub connection, opened on first use. */
  final synchronized StatefulRedisPubSubConnection<String, String> pubSub() {
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
      if (ownsClient) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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

    @Override
    RedisScriptingAsyncCommands<String, String> scripting() {
      return connection.async();
    }

    @Override
    CompletionStage<Long> waitForReplicas(String key, int replicas, Duration timeout) {
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
    RedisScriptingAsyncCommands<String, String> scripting() {
      return connection.async();
    }

    @Override
    CompletionStage<Long> waitForReplicas(String key, int replicas, Duration timeout) {
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
