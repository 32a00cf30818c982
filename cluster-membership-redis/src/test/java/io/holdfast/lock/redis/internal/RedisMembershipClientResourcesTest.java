package io.holdfast.lock.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.membership.Membership;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A membership built from a URI shares the lock services' set of Lettuce resources; an
 * application's stay its own. (In lock-redis's internal package, for SharedClientResources's
 * package-private counters; lock-redis's SharedClientResourcesTest covers the lock services.)
 */
class RedisMembershipClientResourcesTest {
  private static RedisServer server;

  @BeforeAll
  static void start() {
    server = RedisServers.shared();
  }

  @AfterAll
  static void noneLeft() {
    assertThat(SharedClientResources.users()).isZero();
  }

  @Test
  void membershipAndLocksFromUris_shareOneSet_shutDownWithTheLast() {
    int before = SharedClientResources.users();
    LockService a = RedisLockService.builder(server.uri()).build();
    Membership m = RedisMembership.builder(server.uri()).build();
    ClientResources shared;
    synchronized (SharedClientResources.class) {
      shared = SharedClientResources.acquire();
      SharedClientResources.release(shared);
    }
    assertThat(SharedClientResources.users()).isEqualTo(before + 2);
    a.close();
    assertThat(SharedClientResources.users()).isEqualTo(before + 1);
    assertThat(shared.eventExecutorGroup().isShuttingDown()).isFalse();
    m.close();
    assertThat(SharedClientResources.users()).isEqualTo(before);
    if (before == 0) {
      assertThat(shared.eventExecutorGroup().isShuttingDown()).isTrue();
    }
  }

  @Test
  void applicationsResources_areUsed_andNeverShutDown() {
    ClientResources mine = ClientResources.create();
    try {
      int before = SharedClientResources.users();
      try (Membership m = RedisMembership.builder(server.uri()).clientResources(mine).build()) {
        assertThat(SharedClientResources.users()).isEqualTo(before);
      }
      assertThat(mine.eventExecutorGroup().isShuttingDown()).isFalse();
    } finally {
      mine.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Test
  void clientResources_withTheApplicationsClient_isRefused() {
    RedisClient client = RedisClient.create(server.uri());
    try {
      ClientResources mine = client.getResources();
      assertThatThrownBy(() -> RedisMembership.builder(client).clientResources(mine))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "clientResources applies only to a client the membership creates");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
