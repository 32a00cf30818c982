package io.holdfast.examples.snippets;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.LockPage;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.DuplicateMemberException;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** The code shown in docs/operations.md. */
final class OperationsSnippets {
  private OperationsSnippets() {}

  static void inspect(LockService locks) {
    // tag::inspect[]
    LockInspector inspector = locks.inspector();
    LockInfo sku = inspector.inspect("sku:1234");
    if (sku.isHeld()) {
      System.out.printf(
          "held by %s, token %d, lease left %s%n",
          sku.ownerId().orElseThrow(), sku.fencingToken(), sku.leaseLeft().orElse(null));
    }
    String cursor = LockPage.FIRST; // every held lock whose name starts with "sku:"
    do {
      LockPage page = inspector.list("sku:", 100, cursor);
      page.locks().forEach(System.out::println);
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
    // end::inspect[]
  }

  static void timeoutNamesTheHolder(LockService locks) throws InterruptedException {
    // tag::timeout-holder[]
    try (LockHandle lock = locks.acquire("sku:1234", Duration.ofSeconds(2))) {
      // ...
    } catch (LockTimeoutException e) {
      // Redis and PostgreSQL say who was in the way, as the inspector names it.
      System.out.printf(
          "'%s' is held by %s for %s more%n",
          e.lockName(), e.holderOwnerId().orElse("?"), e.holderLeaseLeft().orElse(null));
    }
    // end::timeout-holder[]
  }

  static LockService standalone() {
    // tag::standalone[]
    LockService locks =
        RedisLockService.builder(
                RedisURI.create("rediss://holdfast-app:s3cret@redis.internal:6379"))
            .build();
    // end::standalone[]
    return locks;
  }

  static LockService sentinel() {
    // tag::sentinel[]
    LockService locks =
        RedisLockService.builder(
                RedisURI.create(
                    "redis-sentinel://holdfast-app:s3cret@s1:26379,s2:26379,s3:26379#orders"))
            .build();
    // end::sentinel[]
    return locks;
  }

  static void cluster() {
    // tag::cluster[]
    RedisClusterClient cluster =
        RedisClusterClient.create(
            List.of(
                RedisURI.create("redis://holdfast-app:s3cret@node1:6379"),
                RedisURI.create("redis://holdfast-app:s3cret@node2:6379"),
                RedisURI.create("redis://holdfast-app:s3cret@node3:6379")));
    cluster.setOptions(
        ClusterClientOptions.builder()
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enablePeriodicRefresh(
                        Duration.ofSeconds(30)) // follow failovers and resharding
                    .build())
            .build());
    LockService locks = RedisLockService.builder(cluster).build();
    // ... at shutdown: the service never shuts down a client you passed in
    locks.close();
    cluster.shutdown();
    // end::cluster[]
  }

  static LockService ensemble() {
    // tag::ensemble[]
    LockService locks =
        ZooKeeperLockService.builder("zk1:2181,zk2:2181,zk3:2181/orders") // chroot
            .digestAuth("orders", "secret")
            .build();
    // end::ensemble[]
    return locks;
  }

  static LockService ownCurator() {
    // tag::own-curator[]
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString("zk1:2181,zk2:2181,zk3:2181")
            .sessionTimeoutMs(10_000) // the lease of every lock taken through this client
            .retryPolicy(new ExponentialBackoffRetry(100, 5))
            .authorization("digest", "orders:secret".getBytes(StandardCharsets.UTF_8))
            .build();
    client.start();
    LockService locks =
        ZooKeeperLockService.builder(client)
            .digestAuth("orders", "secret") // the ACL of the nodes it creates
            .build();
    // end::own-curator[]
    return locks;
  }

  static boolean timeout(LockService locks, String sku) throws InterruptedException {
    // tag::timeout[]
    try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofMillis(500))) {
      // ... the work, fenced with lock.fencingToken()
      return true;
    } catch (LockTimeoutException e) {
      // Another holder kept it for 500 ms: answer "busy, retry later" instead of queueing up.
      return false;
    }
    // end::timeout[]
  }

  static void skipIfHeld(LockService locks) {
    // tag::skip-if-held[]
    Optional<LockHandle> maybe = locks.tryAcquire("report:daily");
    if (maybe.isEmpty()) {
      return; // another instance is doing it
    }
    try (LockHandle lock = maybe.get()) {
      // ... the job, fenced with lock.fencingToken()
    }
    // end::skip-if-held[]
  }

  static Registration register(Membership membership, MemberInfo self, Duration ttl)
      throws InterruptedException {
    // tag::duplicate[]
    // Our previous process with this id crashed less than a TTL ago and is still listed:
    // wait until it is pruned (TTL + TTL/3 on Redis, the session timeout on ZooKeeper).
    long deadline = System.nanoTime() + ttl.multipliedBy(2).toNanos();
    while (true) {
      try {
        return membership.register(self);
      } catch (DuplicateMemberException e) {
        if (System.nanoTime() - deadline > 0) {
          throw e; // really a second live process with our id: a configuration error
        }
        Thread.sleep(ttl.toMillis() / 3);
      }
    }
    // end::duplicate[]
  }
}
