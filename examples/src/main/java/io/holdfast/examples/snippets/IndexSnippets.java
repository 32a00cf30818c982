package io.holdfast.examples.snippets;

import io.holdfast.lock.InMemoryLockService;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.lettuce.core.RedisURI;

/** The code shown in docs/index.md. */
final class IndexSnippets {
  private IndexSnippets() {}

  static LockService redis() {
    // tag::redis[]
    LockService locks = RedisLockService.builder(RedisURI.create("redis://localhost:6379")).build();
    // end::redis[]
    return locks;
  }

  static LockService zooKeeper() {
    // tag::zookeeper[]
    LockService locks = ZooKeeperLockService.builder("zk1:2181,zk2:2181,zk3:2181").build();
    // end::zookeeper[]
    return locks;
  }

  static LockService etcd() {
    // tag::etcd[]
    LockService locks = EtcdLockService.builder("http://etcd1:2379", "http://etcd2:2379").build();
    // end::etcd[]
    return locks;
  }

  static LockService inMemory() {
    // tag::memory[]
    InMemoryLockService locks =
        InMemoryLockService.create(); // same contract, one JVM: for unit tests
    // end::memory[]
    return locks;
  }
}
