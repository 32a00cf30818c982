package io.holdfast.lock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.LocalEtcdCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults in a real 3-member cluster of local etcd processes (skipped without an etcd binary): the
 * holder talks to one member only, which is frozen past the lease time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdClusterFaultsTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static LocalEtcdCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = EtcdServers.localCluster(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void holdersMemberFrozenPastTheLease_holderLearnsItLost_othersGetALargerToken() throws Exception {
    try (LockService holder =
            EtcdLockService.builder(cluster.endpoints().get(0)).leaseTime(LEASE).build();
        LockService other =
            EtcdLockService.builder(cluster.endpoints().get(1), cluster.endpoints().get(2))
                .leaseTime(LEASE)
                .build()) {
      LockHandle h = holder.acquire("frozen-member", Duration.ofSeconds(30));
      AtomicInteger lost = new AtomicInteger();
      h.onLost(x -> lost.incrementAndGet());
      long frozenAt = System.nanoTime();
      cluster.member(0).pause();
      try {
        await().atMost(LEASE.plusSeconds(5)).until(() -> !h.isHeld() && lost.get() == 1);
        Duration noticed = Duration.ofNanos(System.nanoTime() - frozenAt);
        assertThat(noticed).isLessThan(LEASE.plusSeconds(1));
        // The other members expire the holder's etcd lease (a new leader first extends it by one
        // TTL if member 0 led), and the lock passes on.
        try (LockHandle next = other.acquire("frozen-member", Duration.ofSeconds(30))) {
          assertThat(next.fencingToken()).isGreaterThan(h.fencingToken());
          assertThat(h.isHeld()).isFalse();
        }
      } finally {
        cluster.member(0).resume();
      }
      h.close();
      assertThat(lost).hasValue(1);
    }
  }
}
