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
 * MEET}. Created by {@link RedisServers#localCluster(int)}.
 */
public final class LocalRedisCluster implements AutoCloseable {
  private static final int SLOTS = 16_384;
  private final List<RedisServer> nodes = new ArrayList<>();

  LocalRedisCluster(int primaries) {
    if (primaries < 1) {
      throw new IllegalArgumentException("primaries must be at least 1, was " + primaries);
    }
    try {
      for (int i = 0; i < primaries; i++) {
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
      int per = SLOTS / nodes.size();
      for (int i = 0; i < nodes.size(); i++) {
        int from = i * per;
        int to = i == nodes.size() - 1 ? SLOTS - 1 : from + per - 1;
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
