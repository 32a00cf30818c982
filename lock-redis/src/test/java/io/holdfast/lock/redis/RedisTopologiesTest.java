package io.holdfast.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.LocalRedisCluster;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The service over Redis Cluster and through Sentinel, all real local processes. */
class RedisTopologiesTest {

  @Test
  void cluster_locksAcrossSlots_tokensIncreasePerName_waitersWake() throws Exception {
    try (LocalRedisCluster cluster = RedisServers.localCluster(3)) {
      RedisClusterClient client = RedisClusterClient.create(cluster.uris());
      try (LockService a =
              RedisLockService.builder(client).leaseTime(Duration.ofSeconds(2)).build();
          LockService b =
              RedisLockService.builder(client).leaseTime(Duration.ofSeconds(2)).build()) {
        Map<String, Long> lastToken = new HashMap<>();
        Set<Integer> nodesUsed = new HashSet<>();
        for (int round = 0; round < 3; round++) {
          for (int i = 0; i < 60; i++) {
            String name = "order:" + i;
            LockService s = (i + round) % 2 == 0 ? a : b;
            try (LockHandle h = s.acquire(name, Duration.ofSeconds(5))) {
              assertThat(h.fencingToken()).isGreaterThan(lastToken.getOrDefault(name, 0L));
              lastToken.put(name, h.fencingToken());
            }
            nodesUsed.add(KeySpace.slotOf(name) * 3 / SlotHash.SLOT_COUNT);
          }
        }
        assertThat(nodesUsed).containsExactlyInAnyOrder(0, 1, 2);

        // held locks are renewed (per-slot batches) and a waiter is woken by the release
        List<LockHandle> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          held.add(a.acquire("held:" + i, Duration.ZERO));
        }
        ((RedisLockServiceImpl) a).renewNow().get();
        assertThat(held).allMatch(LockHandle::isHeld);
        var waiter = b.acquireAsync("held:0", Duration.ofSeconds(30));
        held.forEach(LockHandle::close);
        try (LockHandle h = waiter.get()) {
          assertThat(h.fencingToken()).isGreaterThan(held.get(0).fencingToken());
        }
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void sentinel_uriFindsThePrimary() throws Exception {
    try (RedisServer primary = RedisServers.localProcess();
        RedisServer sentinel = RedisServers.localSentinel("holdfast-main", primary.uri(), 1)) {
      RedisURI viaSentinel =
          RedisURI.Builder.sentinel(
                  sentinel.uri().getHost(), sentinel.uri().getPort(), "holdfast-main")
              .build();
      try (LockService locks = RedisLockService.builder(viaSentinel).build();
          LockService direct = RedisLockService.builder(primary.uri()).build()) {
        try (LockHandle h = locks.acquire("via-sentinel")) {
          assertThat(direct.tryAcquire("via-sentinel")).isEmpty();
          assertThat(h.isHeld()).isTrue();
        }
        assertThat(direct.tryAcquire("via-sentinel"))
            .isPresent()
            .get()
            .satisfies(LockHandle::close);
      }
    }
  }
}
