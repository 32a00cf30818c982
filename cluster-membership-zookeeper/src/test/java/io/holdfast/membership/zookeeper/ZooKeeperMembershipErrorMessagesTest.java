package io.holdfast.membership.zookeeper;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
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
 * The membership's side of lock-zookeeper's ZooKeeperErrorMessagesTest: no connection within the
 * timeout and a digest ACL that refuses this client are named, keeping ZooKeeper's exception as the
 * cause.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperMembershipErrorMessagesTest {
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

  @Test
  void closedPort_registerFails_sayingThereIsNoConnection() throws Exception {
    String address;
    try (ServerSocket s = new ServerSocket(0)) {
      address = "127.0.0.1:" + s.getLocalPort();
    }
    Membership m = closeLater(ZooKeeperMembership.builder(address).commandTimeout(TIMEOUT).build());
    assertThatThrownBy(() -> m.register(MemberInfo.builder("workers").id("a").build()))
        .isInstanceOf(MembershipBackendException.class)
        .hasMessageContaining("no connection to ZooKeeper at " + address + " within 500 ms (")
        .hasCauseInstanceOf(KeeperException.ConnectionLossException.class);
  }

  @Test
  void wrongDigestPassword_saysTheAclRefusedThisClient() throws Exception {
    Membership owner =
        closeLater(
            ZooKeeperMembership.builder(server.connectString())
                .rootPath(root)
                .digestAuth("orders", "right")
                .build());
    closeLater(owner.register(MemberInfo.builder("workers").id("a").build()));
    Membership intruder =
        closeLater(
            ZooKeeperMembership.builder(server.connectString())
                .rootPath(root)
                .digestAuth("orders", "wrong")
                .build());
    assertThatThrownBy(() -> intruder.register(MemberInfo.builder("workers").id("b").build()))
        .isInstanceOf(MembershipBackendException.class)
        .hasMessageContaining(
            "not authorized (NOAUTH: the node's ACL does not allow this client;"
                + " check its digest credentials, digestAuth)")
        .hasCauseInstanceOf(KeeperException.NoAuthException.class);
  }

  @Test
  void invalidDigest_isNamedAsTheBuilderMethod() {
    assertThatThrownBy(
            () -> ZooKeeperMembership.builder(server.connectString()).digestAuth("a", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("digestAuth password must not be empty");
  }
}
