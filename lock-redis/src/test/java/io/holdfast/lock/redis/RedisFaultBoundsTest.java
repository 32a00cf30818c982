package io.holdfast.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Promises the docs make about Redis faults, each against real servers: what a slow replica, a
 * restart without persistence and a frozen server do to a service's other traffic.
 */
class RedisFaultBoundsTest {

  @Test
  void waitForReplicas_withAPausedReplica_neverStarvesRenewalsOfHeldLocks() throws Exception {
    try (RedisServer primary = RedisServers.localProcess();
        RedisServer replica =
            RedisServers.localProcess(
                "--replicaof",
                primary.uri().getHost(),
                Integer.toString(primary.uri().getPort()))) {
      RedisClient admin = RedisClient.create(primary.uri());
      try (StatefulRedisConnection<String, String> c = admin.connect();
          LockService locks =
              RedisLockService.builder(primary.uri())
                  .leaseTime(Duration.ofMillis(900))
                  .waitForReplicas(1, Duration.ofMillis(1500))
                  .build()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> c.sync().info("replication").contains("state=online"));
        LockHandle held = locks.acquire("held", Duration.ofSeconds(5));
        AtomicInteger lost = new AtomicInteger();
        held.onLost(x -> lost.incrementAndGet());
        replica.pause();
        try {
          // Each acquire's WAIT blocks for 1.5 s, longer than the whole 900 ms lease: renewals
          // queued behind it on the same connection would lose the held lock.
          for (int i = 0; i < 3; i++) {
            String name = "other-" + i;
            assertThatThrownBy(() -> locks.acquire(name, Duration.ofSeconds(1)))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("replicas");
            assertThat(held.isHeld()).as("held after acquire %d", i).isTrue();
          }
        } finally {
          replica.resume();
        }
        assertThat(lost.get()).isZero();
        assertThat(held.isHeld()).isTrue();
        held.close();
      } finally {
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void restartWithoutPersistence_wakesWaitersAtOnce_notAtTheEndOfTheLostLease() throws Exception {
    try (RedisServer own = RedisServers.dedicated()) {
      Assumptions.assumeTrue(own.controllable());
      RedisClient admin = RedisClient.create(own.uri());
      try (LockService holder =
              RedisLockService.builder(own.uri()).leaseTime(Duration.ofSeconds(40)).build();
          LockService waiter = RedisLockService.builder(own.uri()).build()) {
        LockHandle h = holder.acquire("vanishing");
        var waiting = waiter.acquireAsync("vanishing", Duration.ofSeconds(120));
        KeySpace keys = new KeySpace(RedisLockService.DEFAULT_KEY_PREFIX);
        String channel = keys.channel(keys.lockKey("vanishing"));
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> c.sync().pubsubNumsub(channel).getOrDefault(channel, 0L) == 1L);
        }
        own.stop();
        own.start();
        long restarted = System.nanoTime();
        // The key vanished with the restart and published nothing; the waiter's own timer would
        // fire only when the holder's 40 s lease would have run out.
        LockHandle granted = waiting.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(granted.isHeld()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - restarted))
            .isLessThan(Duration.ofSeconds(15));
        granted.close();
        h.close();
      } finally {
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void commandTimeout_boundsEveryOperation_evenOnAnApplicationsClientWithoutTimeouts()
      throws Exception {
    try (RedisServer own = RedisServers.dedicated()) {
      Assumptions.assumeTrue(own.controllable());
      RedisClient client = RedisClient.create(own.uri());
      client.setOptions(
          io.lettuce.core.ClientOptions.builder()
              .timeoutOptions(
                  io.lettuce.core.TimeoutOptions.builder().timeoutCommands(false).build())
              .build());
      try (LockService locks =
          RedisLockService.builder(client)
              .leaseTime(Duration.ofSeconds(3))
              .commandTimeout(Duration.ofMillis(500))
              .build()) {
        LockHandle h = locks.acquire("frozen");
        own.pause();
        try {
          long t0 = System.nanoTime();
          var round = ((RedisLockServiceImpl) locks).renewNow();
          assertThatThrownBy(() -> round.get(10, java.util.concurrent.TimeUnit.SECONDS))
              .isInstanceOf(java.util.concurrent.ExecutionException.class)
              .hasRootCauseInstanceOf(io.lettuce.core.RedisCommandTimeoutException.class);
          assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        } finally {
          own.resume();
        }
        h.close();
        locks.acquire("frozen", Duration.ofSeconds(5)).close();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void waitForReplicas_onACluster_waitsWhereTheGrantWasWritten() throws Exception {
    try (io.holdfast.testkit.LocalRedisCluster cluster = RedisServers.localCluster(3)) {
      io.lettuce.core.cluster.RedisClusterClient client =
          io.lettuce.core.cluster.RedisClusterClient.create(cluster.uris());
      try (LockService locks =
              RedisLockService.builder(client).waitForReplicas(1, Duration.ofMillis(200)).build();
          LockService plain = RedisLockService.builder(client).build()) {
        // The nodes have no replicas: a WAIT sent where the grant was written counts 0 of 1, on
        // whichever node owns the name's slot, and the grant is released.
        for (String name : java.util.List.of("a", "b", "c", "order:7", "order:8", "order:9")) {
          assertThatThrownBy(() -> locks.acquire(name, Duration.ofSeconds(5)))
              .isInstanceOf(LockBackendException.class)
              .hasMessageContaining("reached 0 of the 1 replicas");
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      plain
                          .tryAcquire(name)
                          .map(
                              h -> {
                                h.close();
                                return true;
                              })
                          .orElse(false));
        }
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }
}
