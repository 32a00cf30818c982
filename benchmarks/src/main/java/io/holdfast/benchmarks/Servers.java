package io.holdfast.benchmarks;

import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.PostgresServers;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * The servers a benchmark JVM talks to. {@link BenchmarkRun} starts one Redis process, one
 * ZooKeeper server, one PostgreSQL server and (when it can) one etcd and hands their addresses to
 * every JMH fork through system properties, so that every library is measured against the same
 * server. A benchmark started some other way (from an IDE, or JMH's own main) starts its own
 * servers on first use.
 */
final class Servers {
  /** {@code host:port} of the Redis server to use. */
  static final String REDIS_PROPERTY = "holdfast.bench.redis";

  /** ZooKeeper connect string to use. */
  static final String ZOOKEEPER_PROPERTY = "holdfast.bench.zookeeper";

  /** JDBC URL, user and password included, of the PostgreSQL server to use. */
  static final String POSTGRES_PROPERTY = "holdfast.bench.postgres";

  /** Comma-separated client URLs of the etcd to use. */
  static final String ETCD_PROPERTY = "holdfast.bench.etcd";

  private static @Nullable RedisServer ownRedis;
  private static @Nullable ZooKeeperServer ownZooKeeper;

  private Servers() {}

  static synchronized RedisURI redis() {
    String hostPort = System.getProperty(REDIS_PROPERTY);
    if (hostPort != null && !hostPort.isBlank()) {
      int colon = hostPort.lastIndexOf(':');
      return RedisURI.create(
          hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
    RedisServer s = ownRedis;
    if (s == null) {
      s = RedisServers.localProcess();
      ownRedis = s;
      RedisServer toClose = s;
      Runtime.getRuntime().addShutdownHook(new Thread(toClose::close, "bench-redis-shutdown"));
    }
    return s.uri();
  }

  static synchronized String zooKeeper() {
    String connect = System.getProperty(ZOOKEEPER_PROPERTY);
    if (connect != null && !connect.isBlank()) {
      return connect;
    }
    ZooKeeperServer s = ownZooKeeper;
    if (s == null) {
      s = ZooKeeperServers.inJvm();
      ownZooKeeper = s;
      ZooKeeperServer toClose = s;
      Runtime.getRuntime().addShutdownHook(new Thread(toClose::close, "bench-zookeeper-shutdown"));
    }
    return s.connectString();
  }

  static synchronized String postgres() {
    String url = System.getProperty(POSTGRES_PROPERTY);
    if (url != null && !url.isBlank()) {
      return url;
    }
    // The testkit's shared server, stopped when the JVM exits.
    return PostgresServers.shared().jdbcUrlWithCredentials();
  }

  static synchronized String etcd() {
    String endpoints = System.getProperty(ETCD_PROPERTY);
    if (endpoints != null && !endpoints.isBlank()) {
      return endpoints;
    }
    // The testkit's shared server, stopped when the JVM exits.
    return EtcdServers.shared().endpointList();
  }

  static String hostPort(RedisURI uri) {
    return uri.getHost() + ":" + uri.getPort();
  }
}
