package io.holdfast.examples;

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
import java.util.List;

/** The backend the demo runs on, as its processes name it on their command line. */
interface DemoBackend {
  /** Lease of the demo's locks and membership: short, so that a killed process is noticed fast. */
  Duration LEASE = Duration.ofSeconds(2);

  LockService locks();

  Membership membership();

  FencedStock stock();

  /** How a child process names this backend: {@code parse(args())} gives it back. */
  List<String> args();

  String describe();

  static DemoBackend parse(String kind, String address) {
    return switch (kind) {
      case "redis" -> new Redis(RedisURI.create(address));
      case "zookeeper" -> new ZooKeeper(address);
      case "postgres" -> new Postgres(address);
      case "etcd" -> new Etcd(address);
      default -> throw new IllegalArgumentException("unknown backend " + kind);
    };
  }

  /** ZooKeeper: locks, membership and the stock in one ensemble; the lease is the session. */
  record ZooKeeper(String connectString) implements DemoBackend {
    @Override
    public LockService locks() {
      return ZooKeeperLockService.builder(connectString).sessionTimeout(LEASE).build();
    }

    @Override
    public Membership membership() {
      return ZooKeeperMembership.builder(connectString).sessionTimeout(LEASE).build();
    }

    @Override
    public FencedStock stock() {
      return new ZooKeeperFencedStock(connectString);
    }

    @Override
    public List<String> args() {
      return List.of("zookeeper", connectString);
    }

    @Override
    public String describe() {
      return "ZooKeeper at " + connectString;
    }
  }

  /** Redis: locks, membership and the stock in one server. */
  record Redis(RedisURI uri) implements DemoBackend {
    @Override
    public LockService locks() {
      return RedisLockService.builder(uri).leaseTime(LEASE).build();
    }

    @Override
    public Membership membership() {
      return RedisMembership.builder(uri).heartbeatTtl(LEASE).build();
    }

    @Override
    public FencedStock stock() {
      return new RedisFencedStock(uri);
    }

    @Override
    public List<String> args() {
      return List.of("redis", uri.toURI().toString());
    }

    @Override
    public String describe() {
      return "Redis at " + uri.getHost() + ":" + uri.getPort();
    }
  }

  /** PostgreSQL: locks, membership and the stock in one database, leases on its clock. */
  record Postgres(String jdbcUrl) implements DemoBackend {
    @Override
    public LockService locks() {
      return PostgresLockService.builder(jdbcUrl).leaseTime(LEASE).build();
    }

    @Override
    public Membership membership() {
      return PostgresMembership.builder(jdbcUrl).heartbeatTtl(LEASE).build();
    }

    @Override
    public FencedStock stock() {
      return new PostgresFencedStock(jdbcUrl);
    }

    @Override
    public List<String> args() {
      return List.of("postgres", jdbcUrl);
    }

    @Override
    public String describe() {
      int query = jdbcUrl.indexOf('?');
      return "PostgreSQL at " + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query));
    }
  }

  /** etcd: locks, membership and the stock in one cluster; one lease per service, on etcd. */
  record Etcd(String endpoints) implements DemoBackend {
    /**
     * The first jetcd call of a fresh JVM loads gRPC and Vert.x, which on a busy machine takes
     * longer than the default 3 s; leases are judged on {@link #LEASE}, not on this.
     */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public LockService locks() {
      return EtcdLockService.builder(endpoints.split(","))
          .leaseTime(LEASE)
          .commandTimeout(COMMAND_TIMEOUT)
          .build();
    }

    @Override
    public Membership membership() {
      return EtcdMembership.builder(endpoints.split(","))
          .leaseTime(LEASE)
          .commandTimeout(COMMAND_TIMEOUT)
          .build();
    }

    @Override
    public FencedStock stock() {
      return new EtcdFencedStock(endpoints);
    }

    @Override
    public List<String> args() {
      return List.of("etcd", endpoints);
    }

    @Override
    public String describe() {
      return "etcd at " + endpoints;
    }
  }
}
