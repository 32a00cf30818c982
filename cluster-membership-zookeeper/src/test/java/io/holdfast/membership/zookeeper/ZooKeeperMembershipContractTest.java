package io.holdfast.membership.zookeeper;

import io.holdfast.membership.Membership;
import io.holdfast.testkit.MembershipContract;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The membership contract against a real in-JVM ZooKeeper server (tick 500 ms). Every membership
 * has its own client and session, as separate processes would; losing all registrations expires
 * every one of those sessions.
 */
class ZooKeeperMembershipContractTest extends MembershipContract {
  private static final Duration SESSION = Duration.ofSeconds(2);
  private static ZooKeeperServer server;

  private final List<ZooKeeperMembershipImpl> created = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server = ZooKeeperServers.inJvm();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  protected Membership createMembership() {
    Membership m =
        ZooKeeperMembership.builder(server.connectString()).sessionTimeout(SESSION).build();
    created.add((ZooKeeperMembershipImpl) m);
    return m;
  }

  @Override
  protected Duration failureTimeout() {
    return SESSION;
  }

  /**
   * The server expires sessions in buckets of one tick (500 ms), measured from the client's last
   * contact, which a live client renews at least every third of the session; deleting the node and
   * notifying watchers takes a few milliseconds more.
   */
  @Override
  protected Duration detectionSlack() {
    return Duration.ofMillis(ZooKeeperServers.TICK_TIME_MS).plusMillis(500);
  }

  @Override
  protected Class<?> memberMain() {
    return ZooKeeperMemberMain.class;
  }

  @Override
  protected String[] memberMainArgs(String group, String id, boolean elect) {
    return new String[] {
      server.connectString(), group, id, Boolean.toString(elect), Long.toString(SESSION.toMillis())
    };
  }

  @Override
  protected boolean loseAllRegistrations() {
    for (ZooKeeperMembershipImpl m : created) {
      if (m.client.getState() == CuratorFrameworkState.STARTED) {
        ZooKeeperServers.expireSession(m.client);
      }
    }
    return true;
  }
}
