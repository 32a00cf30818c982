package io.holdfast.cli;

import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.Membership;
import io.holdfast.membership.etcd.EtcdMembership;
import io.holdfast.membership.postgresql.PostgresMembership;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Which backend to talk to and how: exactly one of {@code --redis}, {@code --zookeeper}, {@code
 * --postgresql}, {@code --etcd}, with credentials, TLS and the prefix the services use. A mixin of
 * every command that connects.
 */
final class Connection {
  @Option(
      names = "--redis",
      paramLabel = "URI",
      description = "Redis URI: redis://[user:password@]host:6379, rediss:// for TLS")
  @Nullable String redis;

  @Option(
      names = "--zookeeper",
      paramLabel = "CONNECT",
      description = "ZooKeeper connect string: host1:2181,host2:2181")
  @Nullable String zookeeper;

  @Option(
      names = "--postgresql",
      paramLabel = "JDBC_URL",
      description = "PostgreSQL JDBC URL: jdbc:postgresql://host:5432/db")
  @Nullable String postgresql;

  @Option(
      names = "--etcd",
      paramLabel = "ENDPOINTS",
      split = ",",
      description = "etcd endpoints: http://host:2379[,...]; https:// for TLS")
  String @Nullable [] etcd;

  @Option(names = "--user", description = "user (Redis ACL, PostgreSQL, etcd)")
  @Nullable String user;

  @Option(
      names = "--password",
      description = "password (Redis ACL, PostgreSQL, etcd); default: $HOLDFAST_PASSWORD",
      defaultValue = "${env:HOLDFAST_PASSWORD}")
  @Nullable String password;

  @Option(names = "--tls", description = "use TLS (Redis, etcd), trusting the JVM's CAs")
  boolean tls;

  @Option(
      names = "--zk-digest",
      paramLabel = "USER:PASSWORD",
      description = "ZooKeeper digest credentials, as the services' digestAuth")
  @Nullable String zkDigest;

  @Option(
      names = "--namespace",
      paramLabel = "PREFIX",
      description =
          "the services' key prefix (Redis), root path (ZooKeeper), table prefix (PostgreSQL) or"
              + " namespace (etcd); default: the services' default")
  @Nullable String prefix;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "connect and command timeout (default PT10S)",
      defaultValue = "PT10S")
  Duration timeout = Duration.ofSeconds(10);

  /** The backend chosen on the command line. */
  enum Kind {
    REDIS,
    ZOOKEEPER,
    POSTGRESQL,
    ETCD
  }

  Kind kind() {
    int chosen =
        (redis != null ? 1 : 0)
            + (zookeeper != null ? 1 : 0)
            + (postgresql != null ? 1 : 0)
            + (etcd != null ? 1 : 0);
    if (chosen != 1) {
      throw new IllegalArgumentException(
          "give exactly one of --redis, --zookeeper, --postgresql, --etcd");
    }
    if (redis != null) {
      return Kind.REDIS;
    }
    if (zookeeper != null) {
      return Kind.ZOOKEEPER;
    }
    return postgresql != null ? Kind.POSTGRESQL : Kind.ETCD;
  }

  /** Where, for messages. */
  String where() {
    return switch (kind()) {
      case REDIS -> redisUri().toString();
      case ZOOKEEPER -> String.valueOf(zookeeper);
      case POSTGRESQL -> String.valueOf(postgresql);
      case ETCD -> String.join(",", etcdEndpoints());
    };
  }

  RedisURI redisUri() {
    RedisURI uri = RedisURI.create(String.valueOf(redis));
    if (user != null && password != null) {
      uri.setAuthentication(user, password.toCharArray());
    } else if (password != null) {
      uri.setAuthentication(password.toCharArray());
    }
    if (tls) {
      uri.setSsl(true);
    }
    uri.setTimeout(timeout);
    return uri;
  }

  String[] etcdEndpoints() {
    String[] e = etcd;
    return e == null ? new String[0] : e.clone();
  }

  String zooKeeper() {
    return String.valueOf(zookeeper);
  }

  /** The digest credentials as {user, password}, or null. */
  String @Nullable [] digest() {
    String d = zkDigest;
    if (d == null) {
      return null;
    }
    int colon = d.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--zk-digest must be USER:PASSWORD");
    }
    return new String[] {d.substring(0, colon), d.substring(colon + 1)};
  }

  /** A lock service on the chosen backend, for inspection and the bench. */
  LockService locks() {
    String p = prefix;
    switch (kind()) {
      case REDIS -> {
        RedisLockService.Builder b = RedisLockService.builder(redisUri()).commandTimeout(timeout);
        if (p != null) {
          b.keyPrefix(p);
        }
        return b.build();
      }
      case ZOOKEEPER -> {
        ZooKeeperLockService.Builder b =
            ZooKeeperLockService.builder(zooKeeper()).commandTimeout(timeout);
        if (p != null) {
          b.rootPath(p);
        }
        String[] d = digest();
        if (d != null) {
          b.digestAuth(d[0], d[1]);
        }
        return b.build();
      }
      case POSTGRESQL -> {
        PostgresLockService.Builder b =
            PostgresLockService.builder(String.valueOf(postgresql)).commandTimeout(timeout);
        if (user != null) {
          b.user(user);
        }
        if (password != null) {
          b.password(password);
        }
        if (p != null) {
          b.tablePrefix(p);
        }
        return b.build();
      }
      case ETCD -> {
        EtcdLockService.Builder b =
            EtcdLockService.builder(etcdEndpoints()).commandTimeout(timeout);
        if (user != null && password != null) {
          b.auth(user, password);
        }
        if (tls) {
          b.tls();
        }
        if (p != null) {
          b.namespace(p);
        }
        return b.build();
      }
    }
    throw new AssertionError(kind());
  }

  /** A membership client on the chosen backend. */
  Membership membership() {
    String p = prefix;
    switch (kind()) {
      case REDIS -> {
        RedisMembership.Builder b = RedisMembership.builder(redisUri()).commandTimeout(timeout);
        if (p != null) {
          b.keyPrefix(p);
        }
        return b.build();
      }
      case ZOOKEEPER -> {
        ZooKeeperMembership.Builder b =
            ZooKeeperMembership.builder(zooKeeper()).commandTimeout(timeout);
        if (p != null) {
          b.rootPath(p);
        }
        String[] d = digest();
        if (d != null) {
          b.digestAuth(d[0], d[1]);
        }
        return b.build();
      }
      case POSTGRESQL -> {
        PostgresMembership.Builder b =
            PostgresMembership.builder(String.valueOf(postgresql)).commandTimeout(timeout);
        if (user != null) {
          b.user(user);
        }
        if (password != null) {
          b.password(password);
        }
        if (p != null) {
          b.tablePrefix(p);
        }
        return b.build();
      }
      case ETCD -> {
        EtcdMembership.Builder b = EtcdMembership.builder(etcdEndpoints()).commandTimeout(timeout);
        if (user != null && password != null) {
          b.auth(user, password);
        }
        if (p != null) {
          b.namespace(p);
        }
        return b.build();
      }
    }
    throw new AssertionError(kind());
  }

  /** Rethrows an invalid connection as a usage error of {@code command}. */
  static ParameterException usage(picocli.CommandLine command, IllegalArgumentException e) {
    return new ParameterException(command, e.getMessage(), e);
  }
}
