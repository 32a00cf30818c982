package io.holdfast.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every failure message names its root cause in plain words — against real servers: a wrong
 * password, a wrong ACL user, an ACL that denies {@code EVALSHA}, a stopped server, TLS to a plain
 * port — and keeps the client's exception as the cause.
 */
class RedisErrorMessagesTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static RedisServer server;
  private static RedisFixture admin;

  @BeforeAll
  static void start() {
    server = RedisServers.localProcess();
    admin = new RedisFixture(server);
    admin
        .sync()
        .aclSetuser(
            "alice",
            io.lettuce.core.AclSetuserArgs.Builder.on()
                .addPassword("alice-secret")
                .allKeys()
                .allChannels()
                .allCommands()
                .removeCommand(io.lettuce.core.protocol.CommandType.EVALSHA));
    // The first connection of a JVM loads much of Lettuce, the first TLS one the JDK's TLS: seconds
    // of class loading on a busy machine, which the timed test must not measure. A TLS attempt to a
    // closed port sets TLS up, then fails before any handshake.
    RedisLockService.builder(server.uri()).build().close();
    try (RedisServer closed = RedisServers.localProcess()) {
      closed.stop();
      RedisURI tls = RedisURI.builder(closed.uri()).withSsl(true).withVerifyPeer(false).build();
      assertThatThrownBy(() -> RedisLockService.builder(tls).build())
          .hasMessageContaining("refused the connection");
    }
  }

  @AfterAll
  static void stop() {
    admin.close();
    server.close();
  }

  private static String where() {
    return "Redis at 127.0.0.1:" + server.uri().getPort();
  }

  private static RedisURI withCredentials(String user, String password) {
    return RedisURI.builder(server.uri()).withAuthentication(user, password.toCharArray()).build();
  }

  private static List<Throwable> chain(Throwable t) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }

  private static boolean hasCause(Throwable t, Class<?> type) {
    return chain(t).stream().skip(1).anyMatch(type::isInstance);
  }

  @Test
  void wrongPassword_saysAuthenticationFailed_withTheServersAnswer() {
    // Not "--requirepass" on the command line: the testkit's start-up probe pings without AUTH.
    try (RedisServer locked = RedisServers.localProcess()) {
      try (RedisFixture setup = new RedisFixture(locked)) {
        setup.sync().configSet("requirepass", "right");
      }
      RedisURI uri = RedisURI.builder(locked.uri()).withPassword("wrong".toCharArray()).build();
      assertThatThrownBy(() -> RedisLockService.builder(uri).commandTimeout(TIMEOUT).build())
          .isInstanceOf(LockBackendException.class)
          .hasMessageStartingWith(
              "could not connect to Redis: authentication to Redis at 127.0.0.1:"
                  + uri.getPort()
                  + " failed (WRONGPASS")
          .satisfies(e -> assertThat(hasCause(e, RedisCommandExecutionException.class)).isTrue());
    }
  }

  @Test
  void wrongAclUser_saysAuthenticationFailed() {
    // The membership's message: RedisMembershipErrorMessagesTest (cluster-membership-redis).
    assertThatThrownBy(
            () ->
                RedisLockService.builder(withCredentials("mallory", "guess"))
                    .commandTimeout(TIMEOUT)
                    .build())
        .isInstanceOf(LockBackendException.class)
        .hasMessageStartingWith(
            "could not connect to Redis: authentication to " + where() + " failed (WRONGPASS")
        .satisfies(e -> assertThat(hasCause(e, RedisCommandExecutionException.class)).isTrue());
  }

  @Test
  void aclUserDeniedEvalsha_saysWhichCommandTheAclDenied() throws Exception {
    try (LockService locks =
        RedisLockService.builder(withCredentials("alice", "alice-secret"))
            .commandTimeout(TIMEOUT)
            .build()) {
      assertThatThrownBy(() -> locks.acquire("sku:apple", Duration.ofSeconds(1)))
          .isInstanceOf(LockBackendException.class)
          .hasMessageStartingWith(
              "acquiring 'sku:apple' failed: " + where() + ": ACL denied command EVALSHA")
          .hasMessageContaining("(NOPERM")
          .hasCauseInstanceOf(RedisCommandExecutionException.class);
    }
  }

  @Test
  void serverDown_atBuild_saysConnectionRefused() {
    try (RedisServer down = RedisServers.localProcess()) {
      down.stop();
      RedisURI uri = down.uri();
      assertThatThrownBy(() -> RedisLockService.builder(uri).commandTimeout(TIMEOUT).build())
          .isInstanceOf(LockBackendException.class)
          .hasMessage(
              "could not connect to Redis: Redis at 127.0.0.1:"
                  + uri.getPort()
                  + " refused the connection (connection refused)")
          .satisfies(e -> assertThat(hasCause(e, ConnectException.class)).isTrue());
    }
  }

  @Test
  void serverStopped_whileRunning_saysNotConnected() throws Exception {
    try (RedisServer dying = RedisServers.localProcess();
        LockService locks = RedisLockService.builder(dying.uri()).commandTimeout(TIMEOUT).build()) {
      locks.acquire("before", Duration.ofSeconds(1)).close();
      dying.stop();
      String where = "Redis at 127.0.0.1:" + dying.uri().getPort();
      // Until the client notices the closed socket, a command may still be written and time out.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThatThrownBy(() -> locks.acquire("sku:apple", Duration.ofMillis(100)))
                      .isInstanceOf(LockBackendException.class)
                      .hasMessage(
                          "acquiring 'sku:apple' failed: not connected to "
                              + where
                              + " (the connection was lost; reconnecting)")
                      .hasCauseInstanceOf(io.lettuce.core.RedisException.class));
    }
  }

  @Test
  void tlsToAPlainPort_failsWithinTheCommandTimeout_sayingTls() {
    RedisURI tls = RedisURI.builder(server.uri()).withSsl(true).withVerifyPeer(false).build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> RedisLockService.builder(tls).commandTimeout(TIMEOUT).build())
        .isInstanceOf(LockBackendException.class)
        // Netty's handshake timer or Lettuce's set-up timer, whichever fires first.
        .hasMessageStartingWith("could not connect to Redis: TLS handshake ")
        .hasMessageContaining(where() + " ")
        .hasMessageEndingWith(" timed out after 500 ms (does that port speak TLS?)")
        .satisfies(
            e ->
                assertThat(
                        hasCause(e, RedisCommandTimeoutException.class)
                            || hasCause(e, javax.net.ssl.SSLException.class))
                    .isTrue());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    // Lettuce's own handshake timeout is 10 s; ours is the command timeout.
    assertThat(took).isLessThan(TIMEOUT.plusSeconds(2));
  }

  @Test
  void timeout_saysHowLongTheHoldersLeaseHasLeft() throws Exception {
    Duration lease = Duration.ofSeconds(20);
    try (LockService holder = RedisLockService.builder(server.uri()).leaseTime(lease).build();
        LockService waiter = RedisLockService.builder(server.uri()).build();
        LockHandle h = holder.acquire("sku:pear", Duration.ofSeconds(1))) {
      assertThatThrownBy(() -> waiter.acquire("sku:pear", Duration.ofMillis(200)))
          .isInstanceOfSatisfying(
              LockTimeoutException.class,
              e -> {
                assertThat(e.getMessage())
                    .startsWith("lock 'sku:pear' was not acquired within PT0.2S: its holder (")
                    .contains(":" + h.fencingToken() + ") has ")
                    .endsWith(" ms of lease left");
                assertThat(e.holderLeaseLeft())
                    .hasValueSatisfying(
                        left -> assertThat(left).isPositive().isLessThanOrEqualTo(lease));
              });
      assertThat(waiter.tryAcquire("sku:pear")).isEmpty();
    }
  }

  @Test
  void invalidOptions_areNamedAsTheBuilderMethods() {
    assertThatThrownBy(
            () -> RedisLockService.builder(server.uri()).waitForReplicas(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("waitForReplicas replicas must be 0 or more");
    assertThatThrownBy(
            () -> RedisLockService.builder(server.uri()).waitForReplicas(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("waitForReplicas timeout must be at least 1 ms");
  }
}
