package io.holdfast.lock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ZooKeeper failures name their root cause — no connection within the timeout, a digest ACL that
 * refuses this client — against a real server, keeping ZooKeeper's exception as the cause. (The
 * membership's: ZooKeeperMembershipErrorMessagesTest in cluster-membership-zookeeper.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperErrorMessagesTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static ZooKeeperServer server;
  private final String root = "/holdfast-err-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    server = ZooKeeperServers.inJvm();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  private static String closedAddress() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void closedPort_acquireFailsWithinTheTimeout_sayingThereIsNoConnection() throws Exception {
    String address = closedAddress();
    LockService locks =
        closeLater(ZooKeeperLockService.builder(address).commandTimeout(TIMEOUT).build());
    long start = System.nanoTime();
    assertThatThrownBy(() -> locks.acquire("sku:apple", Duration.ofMillis(100)))
        .isInstanceOf(LockBackendException.class)
        .hasMessageStartingWith(
            "acquiring 'sku:apple' failed: no connection to ZooKeeper at "
                + address
                + " within 500 ms (")
        .hasCauseInstanceOf(KeeperException.ConnectionLossException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(2));
  }

  @Test
  void wrongDigestPassword_saysTheAclRefusedThisClient() throws Exception {
    LockService owner =
        closeLater(
            ZooKeeperLockService.builder(server.connectString())
                .rootPath(root)
                .digestAuth("orders", "right")
                .build());
    LockService intruder =
        closeLater(
            ZooKeeperLockService.builder(server.connectString())
                .rootPath(root)
                .digestAuth("orders", "wrong")
                .build());
    try (LockHandle h = owner.acquire("sku:apple", Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> intruder.tryAcquire("sku:apple"))
          .isInstanceOf(LockBackendException.class)
          .hasMessageStartingWith(
              "acquiring 'sku:apple' failed: ZooKeeper denied create of " + root)
          .hasMessageContaining(
              "not authorized (NOAUTH: the node's ACL does not allow this client;"
                  + " check its digest credentials, digestAuth)")
          .hasCauseInstanceOf(KeeperException.NoAuthException.class);
    }
  }

  @Test
  void timeout_saysHowManyAreAhead() throws Exception {
    LockService a =
        closeLater(ZooKeeperLockService.builder(server.connectString()).rootPath(root).build());
    LockService b =
        closeLater(ZooKeeperLockService.builder(server.connectString()).rootPath(root).build());
    try (LockHandle h = a.acquire("sku:pear", Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> b.acquire("sku:pear", Duration.ofMillis(200)))
          .isInstanceOfSatisfying(
              LockTimeoutException.class,
              e -> {
                assertThat(e.getMessage())
                    .isEqualTo(
                        "lock 'sku:pear' was not acquired within PT0.2S: 1 acquirer ahead"
                            + " (the first holds it as long as its session lives)");
                assertThat(e.holderLeaseLeft()).isEmpty();
              });
      assertThatThrownBy(() -> b.acquire("sku:pear", Duration.ZERO))
          .isInstanceOf(LockTimeoutException.class)
          .hasMessageContaining(": 1 acquirer ahead");
    }
  }

  @Test
  void invalidDigest_isNamedAsTheBuilderMethod() {
    assertThatThrownBy(
            () -> ZooKeeperLockService.builder(server.connectString()).digestAuth("a:b", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("digestAuth user must be non-blank");
  }
}
