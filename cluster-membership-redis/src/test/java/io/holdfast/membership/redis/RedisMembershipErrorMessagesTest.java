package io.holdfast.membership.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.Registration;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The membership's side of lock-redis's RedisErrorMessagesTest and of the documented ACL: failure
 * messages name their root cause, and the ACL of docs/operations.md is enough.
 */
class RedisMembershipErrorMessagesTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  /**
   * The ACL documented in docs/redis.md (lock-redis's RedisLockServiceTest holds the same) plus the
   * membership commands documented in docs/operations.md; keep them identical.
   */
  static final String DOCUMENTED_MEMBERSHIP_ACL =
      "on >s3cret resetkeys resetchannels ~holdfast:* &holdfast:* -@all "
          + "+evalsha +eval +subscribe +unsubscribe +ping +hello +client|setname "
          + "+wait +exists +pttl +get +set +time +del +publish +pexpire"
          + " +hdel +hget +hset +hvals +zadd +zrangebyscore +zrem +zscore";

  private static RedisServer server;

  @BeforeAll
  static void start() {
    server = RedisServers.localProcess();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String where() {
    return "Redis at 127.0.0.1:" + server.uri().getPort();
  }

  private static RedisURI withCredentials(String user, String password) {
    return RedisURI.builder(server.uri()).withAuthentication(user, password.toCharArray()).build();
  }

  @Test
  void wrongAclUser_saysAuthenticationFailed() {
    assertThatThrownBy(
            () ->
                RedisMembership.builder(withCredentials("mallory", "guess"))
                    .commandTimeout(TIMEOUT)
                    .build())
        .isInstanceOf(MembershipBackendException.class)
        .hasMessageStartingWith(
            "could not connect to Redis: authentication to " + where() + " failed (WRONGPASS")
        .satisfies(e -> assertThat(hasCause(e, RedisCommandExecutionException.class)).isTrue());
  }

  @Test
  void invalidOptions_areNamedAsTheBuilderMethods() {
    assertThatThrownBy(
            () -> RedisMembership.builder(server.uri()).heartbeatTtl(Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("heartbeatTtl must be between PT0.3S and PT1H");
    assertThatThrownBy(
            () -> RedisMembership.builder(server.uri()).reconcileInterval(Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("reconcileInterval must be between");
  }

  @Test
  void documentedMembershipAcl_isEnough() throws Exception {
    RedisClient admin = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      c.sync()
          .dispatch(
              CommandType.ACL,
              new StatusOutput<>(StringCodec.UTF8),
              new CommandArgs<>(StringCodec.UTF8)
                  .add("SETUSER")
                  .add("holdfast-members")
                  .addValues(List.of(DOCUMENTED_MEMBERSHIP_ACL.split(" "))));
    } finally {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    RedisURI asApp = withCredentials("holdfast-members", "s3cret");
    try (Membership m =
            RedisMembership.builder(asApp).heartbeatTtl(Duration.ofMillis(900)).build();
        MembershipView view = m.view("acl-group")) {
      Registration r = m.register(MemberInfo.builder("acl-group").id("a").build());
      r.update(Map.of("load", "1"));
      LeaderElection e = m.election(r);
      await().atMost(Duration.ofSeconds(30)).until(e::isLeader);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  view.members().size() == 1
                      && "1".equals(view.members().get(0).metadata().get("load")));
      // heartbeats (and pruning) run under the ACL too: still registered after several TTLs
      long until = System.nanoTime() + Duration.ofMillis(2700).toNanos();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                assertThat(r.isRegistered()).isTrue();
                return System.nanoTime() > until;
              });
      r.close();
      assertThat(m.members("acl-group")).isEmpty();
    }
  }

  private static boolean hasCause(Throwable t, Class<?> type) {
    for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
