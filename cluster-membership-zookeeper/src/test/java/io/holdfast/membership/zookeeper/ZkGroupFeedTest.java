package io.holdfast.membership.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.internal.GroupSink;
import io.holdfast.membership.internal.MemberCodec;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The group feed's full reads: what a watcher missed while its watch was not set. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZkGroupFeedTest {
  private static ZooKeeperServer server;
  private static CuratorFramework admin;

  @BeforeAll
  static void startServer() throws InterruptedException {
    server = ZooKeeperServers.inJvm();
    admin = CuratorFrameworkFactory.newClient(server.connectString(), new RetryNTimes(3, 200));
    admin.start();
    assertThat(admin.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
  }

  @AfterAll
  static void stopServer() {
    admin.close();
    server.close();
  }

  /** Records reports in order, checking that versions grow. */
  private static final class Recorder implements GroupSink {
    final List<String> reports = new CopyOnWriteArrayList<>();
    final List<Member> upserts = new CopyOnWriteArrayList<>();
    long last = Long.MIN_VALUE;

    private synchronized void version(long v) {
      assertThat(v).isGreaterThan(last);
      last = v;
    }

    @Override
    public void snapshot(long version, Collection<Member> live) {
      version(version);
      reports.add("snapshot" + live.stream().map(Member::id).sorted().toList());
    }

    @Override
    public void upsert(long version, Member member) {
      version(version);
      upserts.add(member);
      reports.add("upsert " + member.id());
    }

    @Override
    public void remove(long version, String id) {
      version(version);
      reports.add("remove " + id);
    }
  }

  @Test
  void fullRead_reportsWhatChangedWhileUnwatched_andAReplacedNodeAsLeftThenJoined()
      throws Exception {
    String group = "g-" + UUID.randomUUID().toString().substring(0, 8);
    ZooKeeperMembershipImpl m =
        (ZooKeeperMembershipImpl) ZooKeeperMembership.builder(server.connectString()).build();
    try {
      String dir = m.groupPath(group);
      byte[] a = payload(group, "a");
      admin
          .create()
          .creatingParentContainersIfNeeded()
          .withMode(CreateMode.EPHEMERAL)
          .forPath(dir + "/a", a);
      admin.create().withMode(CreateMode.EPHEMERAL).forPath(dir + "/b", payload(group, "b"));
      Recorder sink = new Recorder();
      ZkGroupFeed feed = new ZkGroupFeed(m, dir, sink);
      feed.start();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.reports.contains("snapshot[a, b]"));
        long firstCtime = admin.checkExists().forPath(dir + "/a").getCtime();

        // Take the watch away, as a disconnection would, and change the group meanwhile:
        // 'a' is replaced by a node with the same data and version, 'b' leaves, 'c' joins.
        m.client.watchers().removeAll().ofType(Watcher.WatcherType.Any).forPath(dir);
        admin
            .transaction()
            .forOperations(
                admin.transactionOp().delete().forPath(dir + "/a"),
                admin
                    .transactionOp()
                    .create()
                    .withMode(CreateMode.EPHEMERAL)
                    .forPath(dir + "/a", a));
        admin.delete().forPath(dir + "/b");
        admin.create().withMode(CreateMode.EPHEMERAL).forPath(dir + "/c", payload(group, "c"));
        assertThat(sink.reports).containsExactly("snapshot[a, b]");

        feed.reload();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.reports.size() >= 5);
        assertThat(sink.reports)
            .hasSize(5)
            .startsWith("snapshot[a, b]", "remove b")
            .containsSubsequence("remove a", "upsert a")
            .contains("upsert c");
        Member back =
            sink.upserts.stream().filter(x -> x.id().equals("a")).findFirst().orElseThrow();
        assertThat(back.joinedAt().toEpochMilli()).isGreaterThan(firstCtime);

        feed.reload(); // nothing changed: nothing to report
        admin.delete().forPath(dir + "/c");
        feed.reload();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.reports.size() >= 6);
        assertThat(sink.reports).hasSize(6).endsWith("remove c");
      } finally {
        feed.close();
      }
    } finally {
      m.close();
    }
  }

  private static byte[] payload(String group, String id) {
    return MemberCodec.encode(MemberInfo.builder(group).id(id).build(), 0)
        .getBytes(StandardCharsets.UTF_8);
  }
}
