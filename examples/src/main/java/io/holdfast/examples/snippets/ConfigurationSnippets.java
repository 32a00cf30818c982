package io.holdfast.examples.snippets;

import io.holdfast.lock.InMemoryLockService;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.etcd.EtcdMembership;
import io.holdfast.membership.postgresql.PostgresMembership;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/** The code shown in docs/configuration.md: every option, set to its default where it has one. */
final class ConfigurationSnippets {
  private ConfigurationSnippets() {}

  static LockService redis(Executor callbacks) {
    // tag::redis[]
    LockService locks =
        RedisLockService.builder(RedisURI.create("redis://localhost:6379"))
            .leaseTime(Duration.ofSeconds(10))
            .defaultWait(Duration.ofSeconds(30))
            .commandTimeout(Duration.ofSeconds(3))
            .keyPrefix("holdfast:")
            .waitForReplicas(0, Duration.ZERO)
            .callbackExecutor(callbacks)
            .build();
    // end::redis[]
    return locks;
  }

  static LockService zooKeeper(Executor callbacks, String password) {
    // tag::zookeeper[]
    LockService locks =
        ZooKeeperLockService.builder("zk1:2181,zk2:2181,zk3:2181")
            .sessionTimeout(Duration.ofSeconds(10))
            .defaultWait(Duration.ofSeconds(30))
            .commandTimeout(Duration.ofSeconds(3))
            .rootPath("/holdfast/locks")
            .lossPolicy(ZooKeeperLockService.LossPolicy.SUSPENDED)
            .digestAuth("orders", password)
            .callbackExecutor(callbacks)
            .build();
    // end::zookeeper[]
    return locks;
  }

  static InMemoryLockService inMemory(Executor callbacks) {
    // tag::memory[]
    InMemoryLockService first =
        InMemoryLockService.builder()
            .defaultWait(Duration.ofSeconds(30))
            .callbackExecutor(callbacks)
            .build();
    InMemoryLockService second = InMemoryLockService.builder().sharedWith(first).build();
    // end::memory[]
    second.close();
    return first;
  }

  static Membership redisMembership(Executor callbacks) {
    // tag::redis-membership[]
    Membership membership =
        RedisMembership.builder(RedisURI.create("redis://localhost:6379"))
            .heartbeatTtl(Duration.ofSeconds(10))
            .reconcileInterval(Duration.ofSeconds(10).dividedBy(3))
            .commandTimeout(Duration.ofSeconds(3))
            .keyPrefix("holdfast:")
            .callbackExecutor(callbacks)
            .build();
    // end::redis-membership[]
    return membership;
  }

  static Membership zooKeeperMembership(Executor callbacks, String password) {
    // tag::zookeeper-membership[]
    Membership membership =
        ZooKeeperMembership.builder("zk1:2181,zk2:2181,zk3:2181")
            .sessionTimeout(Duration.ofSeconds(10))
            .commandTimeout(Duration.ofSeconds(3))
            .rootPath("/holdfast/groups")
            .digestAuth("orders", password)
            .callbackExecutor(callbacks)
            .build();
    // end::zookeeper-membership[]
    return membership;
  }

  static MemberInfo memberInfo() {
    // tag::member-info[]
    MemberInfo self =
        MemberInfo.builder("inventory")
            .id("inventory-7")
            .host("10.0.0.7")
            .port(8080)
            .metadata("zone", "eu-1")
            .build();
    // end::member-info[]
    return self;
  }

  static LockService postgres(DataSource dataSource, Executor callbacks) {
    // tag::postgres[]
    LockService locks =
        PostgresLockService.builder(dataSource)
            .leaseTime(Duration.ofSeconds(10))
            .defaultWait(Duration.ofSeconds(30))
            .commandTimeout(Duration.ofSeconds(3))
            .tablePrefix("holdfast_")
            .schemaManagedExternally(false)
            .callbackExecutor(callbacks)
            .build();
    // end::postgres[]
    return locks;
  }

  static Membership postgresMembership(String password, Executor callbacks) {
    // tag::postgres-membership[]
    Membership membership =
        PostgresMembership.builder("jdbc:postgresql://db:5432/orders")
            .user("orders")
            .password(password)
            .heartbeatTtl(Duration.ofSeconds(10))
            .reconcileInterval(Duration.ofSeconds(10).dividedBy(3))
            .commandTimeout(Duration.ofSeconds(3))
            .tablePrefix("holdfast_")
            .callbackExecutor(callbacks)
            .build();
    // end::postgres-membership[]
    return membership;
  }

  static LockService etcd(Executor callbacks, String password) {
    // tag::etcd[]
    LockService locks =
        EtcdLockService.builder("http://etcd1:2379", "http://etcd2:2379", "http://etcd3:2379")
            .leaseTime(Duration.ofSeconds(10))
            .defaultWait(Duration.ofSeconds(30))
            .commandTimeout(Duration.ofSeconds(3))
            .namespace("/holdfast/")
            .auth("orders", password)
            .callbackExecutor(callbacks)
            .build();
    // end::etcd[]
    return locks;
  }

  static Membership etcdMembership(Executor callbacks) {
    // tag::etcd-membership[]
    Membership membership =
        EtcdMembership.builder("http://etcd1:2379", "http://etcd2:2379", "http://etcd3:2379")
            .leaseTime(Duration.ofSeconds(10))
            .commandTimeout(Duration.ofSeconds(3))
            .namespace("/holdfast/")
            .callbackExecutor(callbacks)
            .build();
    // end::etcd-membership[]
    return membership;
  }
}
