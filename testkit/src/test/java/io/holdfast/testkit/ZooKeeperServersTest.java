package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ZooKeeper fixture itself: a real server that restarts in place and expires sessions. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperServersTest {

  private static CuratorFramework connect(String connectString) throws InterruptedException {
    CuratorFramework c =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(20_000)
            .connectionTimeoutMs(3_000)
            .retryPolicy(new RetryNTimes(10, 200))
            .build();
    c.start();
    assertThat(c.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
    return c;
  }

  @Test
  void inJvmServer_restartsOnTheSamePort_keepingDataAndSessions() throws Exception {
    try (ZooKeeperServer server = ZooKeeperServers.inJvm()) {
      assertThat(server.source()).isEqualTo("in-jvm");
      assertThat(server.controllable()).isTrue();
      assertThat(server.fourLetterWord("ruok")).isEqualTo("imok");
      String address = server.connectString();
      CuratorFramework c = connect(address);
      try {
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        c.getConnectionStateListenable().addListener((client, s) -> states.add(s));
        c.create().forPath("/kept", "v".getBytes(StandardCharsets.UTF_8));
        c.create().withMode(CreateMode.EPHEMERAL).forPath("/mine");
        server.stop();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> states.contains(ConnectionState.SUSPENDED));
        server.start();
        assertThat(server.connectString()).isEqualTo(address);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> states.contains(ConnectionState.RECONNECTED));
        assertThat(new String(c.getData().forPath("/kept"), StandardCharsets.UTF_8)).isEqualTo("v");
        assertThat(c.checkExists().forPath("/mine"))
            .as("the session survived the restart")
            .isNotNull();
        assertThat(states).doesNotContain(ConnectionState.LOST);
      } finally {
        c.close();
      }
    }
  }

  @Test
  void expireSession_makesCuratorReportLost_andStartANewSession() throws Exception {
    try (ZooKeeperServer server = ZooKeeperServers.inJvm()) {
      CuratorFramework c = connect(server.connectString());
      try {
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        c.getConnectionStateListenable().addListener((client, s) -> states.add(s));
        long session = c.getZookeeperClient().getZooKeeper().getSessionId();
        ZooKeeperServers.expireSession(c);
        await().atMost(Duration.ofSeconds(30)).until(() -> states.contains(ConnectionState.LOST));
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () ->
                    c.getZookeeperClient().getZooKeeper().getSessionId() != session
                        && c.getZookeeperClient().isConnected());
      } finally {
        c.close();
      }
    }
  }

  @Test
  void ensemble_hasOneLeader_andServesAfterItIsKilled() throws Exception {
    try (ZooKeeperEnsemble ensemble = ZooKeeperServers.ensemble(3)) {
      int leader = ensemble.leader();
      assertThat(leader).isBetween(0, 2);
      CuratorFramework c = connect(ensemble.connectString());
      try {
        c.create().forPath("/before");
        ensemble.kill(leader);
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> c.create().forPath("/after") != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> ensemble.leader() >= 0);
        assertThat(ensemble.leader()).isNotEqualTo(leader);
        assertThat(c.checkExists().forPath("/before")).isNotNull();
      } finally {
        c.close();
      }
    }
  }
}
