package io.holdfast.lock.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Services built from URIs share one set of Lettuce resources; an application's stay its own. (The
 * membership's side of this: RedisMembershipClientResourcesTest in cluster-membership-redis.)
 */
class SharedClientResourcesTest {
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
  void servicesFromUris_shareOneSet_shutDownWithTheLast() {
    int before = SharedClientResources.users();
    LockService a = RedisLockService.builder(server.uri()).build();
    LockService b = RedisLockService.builder(server.uri()).build();
    ClientResources shared;
    synchronized (SharedClientResources.class) {
      shared = SharedClientResources.acquire();
      SharedClientResources.release(shared);
    }
    assertThat(SharedClientResources.users()).isEqualTo(before + 2);
    a.close();
    assertThat(SharedClientResources.users()).isEqualTo(before + 1);
    assertThat(shared.eventExecutorGroup().isShuttingDown()).isFalse();
    b.close();
    assertThat(SharedClientResources.users()).isEqualTo(before);
    if (before == 0) {
      assertThat(shared.eventExecutorGroup().isShuttingDown()).isTrue();
    }
  }

  @Test
  void failedBuild_letsGoOfTheSharedSet() {
    int before = SharedClientResources.users();
    try (RedisServer down = RedisServers.localProcess()) {
      down.stop();
      assertThatThrownBy(
              () ->
                  RedisLockService.builder(down.uri())
                      .commandTimeout(Duration.ofMillis(500))
                      .build())
          .hasMessageContaining("refused the connection");
    }
    assertThat(SharedClientResources.users()).isEqualTo(before);
  }

  @Test
  void applicationsResources_areUsed_andNeverShutDown() {
    ClientResources mine = ClientResources.create();
    try {
      int before = SharedClientResources.users();
      try (LockService locks =
              RedisLockService.builder(server.uri()).clientResources(mine).build();
          LockService other =
              RedisLockService.builder(server.uri()).clientResources(mine).build()) {
        assertThat(SharedClientResources.users()).isEqualTo(before);
      }
      assertThat(mine.eventExecutorGroup().isShuttingDown()).isFalse();
    } finally {
      mine.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void clientResources_withTheApplicationsClient_isRefused() {
    RedisClient client = RedisClient.create(server.uri());
    try {
      ClientResources mine = client.getResources();
      assertThatThrownBy(() -> RedisLockService.builder(client).clientResources(mine))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("clientResources applies only to a client the service creates");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
