package io.holdfast.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What is particular to the Redis backend: its builder, its keys, restarts, replicas, clients. */
class RedisLockServiceTest {
  private static RedisFixture redis;

  @BeforeAll
  static void startRedis() {
    redis = new RedisFixture(RedisServers.dedicated());
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
    redis.server.close();
  }

  private static RedisLockService.Builder builder() {
    return RedisLockService.builder(redis.server.uri());
  }

  @Test
  void builder_rejectsBadOptions_namingThem() {
    assertThatNullPointerException()
        .isThrownBy(() -> RedisLockService.builder((RedisURI) null))
        .withMessageContaining("uri");
    assertThatNullPointerException()
        .isThrownBy(() -> RedisLockService.builder((RedisClient) null))
        .withMessageContaining("client");
    assertThatNullPointerException()
        .isThrownBy(() -> builder().leaseTime(null))
        .withMessageContaining("leaseTime");
    assertThatNullPointerException()
        .isThrownBy(() -> builder().keyPrefix(null))
        .withMessageContaining("keyPrefix");
    assertThatNullPointerException()
        .isThrownBy(() -> builder().callbackExecutor(null))
        .withMessageContaining("executor");
    assertThatThrownBy(() -> builder().leaseTime(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaseTime must be between");
    assertThatThrownBy(() -> builder().leaseTime(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().defaultWait(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().keyPrefix("a{b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'{'");
    assertThatThrownBy(() -> builder().keyPrefix("x".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().waitForReplicas(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().waitForReplicas(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void build_withNoServerListening_failsWithLockBackendException_withinTimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                RedisLockService.builder(RedisURI.create("127.0.0.1", port))
                    .commandTimeout(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(LockBackendException.class)
        .hasMessageContaining("could not connect to Redis")
        .hasCauseInstanceOf(RuntimeException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void keyPrefix_separatesLockSpaces() throws Exception {
    try (LockService a = builder().keyPrefix("app-a:").build();
        LockService b = builder().keyPrefix("app-b:").build();
        LockService a2 = builder().keyPrefix("app-a:").build()) {
      try (LockHandle h = a.acquire("shared-name")) {
        assertThat(b.tryAcquire("shared-name")).isPresent().get().satisfies(LockHandle::close);
        assertThat(a2.tryAcquire("shared-name")).isEmpty();
        assertThat(redis.sync().keys("app-a:*")).anyMatch(k -> k.endsWith(":lock:shared-name"));
      }
    }
  }

  @Test
  void tenThousandNames_leaveNoLockKeys_andAtMostOneCounterPerSlot() throws Exception {
    String prefix = "bounded:";
    try (LockService locks = builder().keyPrefix(prefix).build()) {
      for (int i = 0; i < 10_000; i++) {
        locks.acquire("name-" + i, Duration.ZERO).close();
      }
    }
    List<String> left = redis.sync().keys(prefix + "*");
    assertThat(left).noneMatch(k -> k.contains(":lock:"));
    assertThat(left).allMatch(k -> k.endsWith(":fence")).hasSizeLessThanOrEqualTo(16_384);
  }

  @Test
  void restartWithoutPersistence_holdersLearnTheyLost_newTokensStillLarger_serviceResumes()
      throws Exception {
    try (RedisServer own = RedisServers.dedicated()) {
      org.junit.jupiter.api.Assumptions.assumeTrue(own.controllable());
      try (LockService locks =
          RedisLockService.builder(own.uri()).leaseTime(Duration.ofSeconds(1)).build()) {
        LockHandle h = locks.acquire("restart");
        AtomicInteger lost = new AtomicInteger();
        h.onLost(x -> lost.incrementAndGet());
        own.stop();
        own.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> lost.get() == 1 && !h.isHeld());
        LockHandle again =
            await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> locks.acquire("restart", Duration.ofSeconds(1)), LockHandle::isHeld);
        assertThat(again.fencingToken()).isGreaterThan(h.fencingToken());
        again.close();
        h.close();
      }
    }
  }

  @Test
  void applicationsClient_isNotShutDown_andServiceConnectionsAreClosed() throws Exception {
    RedisClient client = RedisClient.create(redis.server.uri());
    try (StatefulRedisConnection<String, String> mine = client.connect()) {
      long before = clientCount();
      LockService locks = RedisLockService.builder(client).build();
      LockService other = builder().build();
      try (LockHandle h = locks.acquire("owned-client")) {
        // a waiter opens the pub/sub subscription
        assertThat(other.tryAcquire("owned-client", Duration.ofMillis(200))).isEmpty();
      }
      other.close();
      locks.close();
      assertThat(mine.sync().ping()).isEqualTo("PONG");
      await().atMost(Duration.ofSeconds(30)).until(() -> clientCount() == before);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static long clientCount() {
    return redis.sync().clientList().lines().filter(l -> !l.isBlank()).count();
  }

  @Test
  void waitForReplicas_grantsWhenAReplicaAcknowledges() throws Exception {
    RedisServer primary = redis.server;
    org.junit.jupiter.api.Assumptions.assumeTrue(primary.controllable());
    try (RedisServer replica =
        RedisServers.localProcess(
            "--replicaof", primary.uri().getHost(), Integer.toString(primary.uri().getPort()))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> redis.sync().info("replication").contains("connected_slaves:1"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> redis.sync().info("replication").contains("state=online"));
      try (LockService locks = builder().waitForReplicas(1, Duration.ofSeconds(5)).build()) {
        for (int i = 0; i < 5; i++) {
          try (LockHandle h = locks.acquire("replicated", Duration.ofSeconds(5))) {
            assertThat(h.isHeld()).isTrue();
          }
        }
      }
      assertThat(replica.source()).isEqualTo("local-process");
    }
  }

  @Test
  void waitForReplicas_withTooFewReplicas_failsAndLeavesNothingHeld() throws Exception {
    try (LockService locks = builder().waitForReplicas(3, Duration.ofMillis(200)).build();
        LockService plain = builder().build()) {
      assertThatThrownBy(() -> locks.acquire("unreplicated", Duration.ofSeconds(5)))
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("replicas");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  plain
                      .tryAcquire("unreplicated")
                      .map(
                          h -> {
                            h.close();
                            return true;
                          })
                      .orElse(false));
    }
  }

  /** The ACL documented in docs/redis.md; keep the two identical. */
  static final String DOCUMENTED_ACL =
      "on >s3cret resetkeys resetchannels ~holdfast:* &holdfast:* -@all "
          + "+evalsha +eval +subscribe +unsubscribe +ping +hello +client|setname "
          + "+wait +exists +pttl +get +set +time +del +publish +pexpire";

  @Test
  void documentedAcl_isEnough_andOtherKeysStayOutOfReach() throws Exception {
    redis
        .sync()
        .dispatch(
            io.lettuce.core.protocol.CommandType.ACL,
            new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
            new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                .add("SETUSER")
                .add("holdfast-app")
                .addValues(List.of(DOCUMENTED_ACL.split(" "))));
    RedisURI asApp =
        RedisURI.builder(redis.server.uri())
            .withAuthentication("holdfast-app", "s3cret".toCharArray())
            .build();
    try (LockService app =
            RedisLockService.builder(asApp).leaseTime(Duration.ofMillis(600)).build();
        LockService other = builder().build()) {
      LockHandle h = app.acquire("acl");
      // renewals run under the ACL too: still held after several lease times
      long until = System.nanoTime() + Duration.ofMillis(2000).toNanos();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                assertThat(h.isHeld()).isTrue();
                return System.nanoTime() > until;
              });
      var waiter = app.acquireAsync("acl-2", Duration.ofSeconds(30)); // pub/sub under the ACL
      LockHandle blocker = other.acquire("acl-3");
      var waiter2 = app.acquireAsync("acl-3", Duration.ofSeconds(30));
      blocker.close();
      waiter2.get().close();
      waiter.get().close();
      h.close();
    }
    RedisURI wrong =
        RedisURI.builder(redis.server.uri())
            .withAuthentication("holdfast-app", "wrong".toCharArray())
            .build();
    assertThatThrownBy(() -> RedisLockService.builder(wrong).build())
        .isInstanceOf(LockBackendException.class)
        .hasMessageContaining("could not connect to Redis");
    RedisClient appClient = RedisClient.create(asApp);
    try (StatefulRedisConnection<String, String> c = appClient.connect()) {
      assertThatThrownBy(() -> c.sync().set("other-app:key", "x")).hasMessageContaining("NOPERM");
    } finally {
      appClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
