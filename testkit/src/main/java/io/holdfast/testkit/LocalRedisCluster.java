package io.holdfast.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster of local {@code redis-server} processes, built without {@code redis-cli}: each
 * node is given a contiguous range of slots, then introduced to the first with {@code CLUSTER
 * MEET}; replicas, when asked for, follow their primary with {@code CLUSTER REPLICATE}. Created by
 * {@link RedisServers#localCluster(int)} and {@link RedisServers#localCluster(int, int)}.
 */
public final class LocalRedisCluster implements AutoCloseable {
  private static final int SLOTS = 16_384;
  private final List<RedisServer> nodes = new ArrayList<>();
  private final int primaries;

  LocalRedisCluster(int primaries, int replicasEach) {
    if (primaries < 1) {
      throw new IllegalArgumentException("primaries must be at least 1, was " + primaries);
    }
    if (replicasEach < 0) {
      throw new IllegalArgumentException("replicasEach must be at least 0, was " + replicasEach);
    }
    this.primaries = primaries;
    try {
      for (int i = 0; i < primaries * (1 + replicasEach); i++) {
        nodes.add(
            new LocalRedisServer(
                List.of(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "2000")));
      }
      form();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void form() {
    RedisClient client = RedisClient.create();
    try {
      List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
      for (RedisServer n : nodes) {
        conns.add(client.connect(n.uri()));
      }
      int per = SLOTS / primaries;
      for (int i = 0; i < primaries; i++) {
        int from = i * per;
        int to = i == primaries - 1 ? SLOTS - 1 : from + per - 1;
        conns
            .get(i)
            .sync()
            .clusterAddSlots(java.util.stream.IntStream.rangeClosed(from, to).toArray());
      }
      RedisCommands<String, String> first = conns.get(0).sync();
      for (int i = 1; i < nodes.size(); i++) {
        RedisURI u = nodes.get(i).uri();
        first.clusterMeet(u.getHost(), u.getPort());
      }
      long deadline = System.nanoTime() + Timing.scaled(Duration.ofSeconds(60)).toNanos();
      for (StatefulRedisConnection<String, String> c : conns) {
        while (!ready(c.sync())) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the local Redis Cluster did not form in 60 s");
          }
          java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
      }
      // Replica i follows primary i % primaries, once every node knows every other.
      for (int i = primaries; i < nodes.size(); i++) {
        String primaryId = conns.get(i % primaries).sync().clusterMyId();
        conns.get(i).sync().clusterReplicate(primaryId);
      }
      for (int i = primaries; i < nodes.size(); i++) {
        RedisCommands<String, String> replica = conns.get(i).sync();
        while (!replica.info("replication").contains("master_link_status:up")) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("a local Redis Cluster replica did not sync in 60 s");
          }
          java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
      }
      conns.forEach(StatefulRedisConnection::close);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private boolean ready(RedisCommands<String, String> node) {
    String info = node.clusterInfo();
    return info.contains("cluster_state:ok")
        && info.contains("cluster_known_nodes:" + nodes.size())
        && info.contains("cluster_slots_ok:" + SLOTS);
  }

  /**
   * The primaries as formed (a failover may since have changed roles), each stoppable and pausable.
   *
   * @return the first {@code primaries} nodes
   */
  public List<RedisServer> primaries() {
    return List.copyOf(nodes.subList(0, primaries));
  }

  /**
   * The nodes, each stoppable and pausable on its own.
   *
   * @return the nodes
   */
  public List<RedisServer> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * The nodes' addresses, the seeds for a {@code RedisClusterClient}.
   *
   * @return one URI per node
   */
  public List<RedisURI> uris() {
    List<RedisURI> uris = new ArrayList<>();
    for (RedisServer n : nodes) {
      uris.add(n.uri());
    }
    return uris;
  }

  @Override
  public void close() {
    for (RedisServer n : nodes) {
      n.close();
    }
  }
}
