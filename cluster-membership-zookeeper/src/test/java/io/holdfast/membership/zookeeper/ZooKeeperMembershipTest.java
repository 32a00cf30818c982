package io.holdfast.membership.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.DuplicateMemberException;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.Registration;
import io.holdfast.membership.RegistrationListener;
import io.holdfast.membership.internal.MemberCodec;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What is particular to the ZooKeeper membership: node layout, ownership, ACLs, outages. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperMembershipTest {
  private static ZooKeeperServer server;
  private static CuratorFramework admin;

  private final String group = "g-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    server = ZooKeeperServers.inJvm();
    admin = client(server.connectString(), null);
  }

  @AfterAll
  static void stopServer() {
    admin.close();
    server.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  private static CuratorFramework client(String connectString, @Nullable String digest)
      throws InterruptedException {
    CuratorFrameworkFactory.Builder b =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs(3_000)
            .retryPolicy(new RetryNTimes(3, 200))
            .ensembleTracker(false);
    if (digest != null) {
      b.authorization("digest", digest.getBytes(StandardCharsets.UTF_8));
    }
    CuratorFramework c = b.build();
    c.start();
    assertThat(c.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
    return c;
  }

  private Membership membership() {
    return closeLater(ZooKeeperMembership.builder(server.connectString()).build());
  }

  private String path(String id) {
    return ZooKeeperMembership.DEFAULT_ROOT_PATH + "/" + group + "/" + id;
  }

  private static long session(Membership m) throws Exception {
    return ((ZooKeeperMembershipImpl) m).client.getZookeeperClient().getZooKeeper().getSessionId();
  }

  // ------------------------------------------------------------------ layout

  @Test
  void member_isAnEphemeralNodeAtRootGroupId_withTheVersionedPayload_andItsCtimeAsJoinTime()
      throws Exception {
    Membership m = membership();
    Registration r =
        m.register(
            MemberInfo.builder(group)
                .id("n1")
                .host("10.0.0.7")
                .port(8080)
                .metadata("zone", "eu-1")
                .build());
    Stat stat = new Stat();
    String payload =
        new String(admin.getData().storingStatIn(stat).forPath(path("n1")), StandardCharsets.UTF_8);
    assertThat(stat.getEphemeralOwner()).isEqualTo(session(m));
    assertThat(payload)
        .startsWith("format=" + MemberCodec.FORMAT + "\n")
        .contains("host=10.0.0.7", "port=8080", "meta.zone=eu-1");
    assertThat(r.member().joinedAt()).isEqualTo(Instant.ofEpochMilli(stat.getCtime()));
    assertThat(m.members(group)).singleElement().isEqualTo(r.member());

    r.update(Map.of("zone", "eu-2"));
    assertThat(new String(admin.getData().forPath(path("n1")), StandardCharsets.UTF_8))
        .contains("meta.zone=eu-2");
    r.close();
    assertThat(admin.checkExists().forPath(path("n1"))).isNull();
  }

  @Test
  void missingGroup_readsAsEmpty() {
    assertThat(membership().members("never-" + group)).isEmpty();
  }

  @Test
  void elections_liveUnderTheMembershipsRoot_soDifferentRootsNeverShareALeader() throws Exception {
    String rootA = "/holdfast-elect-" + UUID.randomUUID().toString().substring(0, 8) + "/a";
    String rootB = "/holdfast-elect-" + UUID.randomUUID().toString().substring(0, 8) + "/b";
    Membership a =
        closeLater(ZooKeeperMembership.builder(server.connectString()).rootPath(rootA).build());
    Membership b =
        closeLater(ZooKeeperMembership.builder(server.connectString()).rootPath(rootB).build());
    var electA =
        closeLater(a.election(closeLater(a.register(MemberInfo.builder(group).id("a1").build()))));
    var electB =
        closeLater(b.election(closeLater(b.register(MemberInfo.builder(group).id("b1").build()))));
    await().atMost(Duration.ofSeconds(30)).until(() -> electA.isLeader() && electB.isLeader());
    assertThat(admin.getChildren().forPath(rootA)).contains(group, "holdfast.election%2F" + group);
    assertThat(admin.getChildren().forPath(rootB)).contains(group, "holdfast.election%2F" + group);
  }

  // ------------------------------------------------------------------ ownership

  @Test
  void twoMembershipsOverOneClient_cannotTakeEachOthersId_andTheClientStaysOpen() throws Exception {
    CuratorFramework app = client(server.connectString(), null);
    try {
      Membership a = ZooKeeperMembership.builder(app).build();
      Membership b = ZooKeeperMembership.builder(app).build();
      a.register(MemberInfo.builder(group).id("shared").host("a-host").build());
      assertThatThrownBy(
              () -> b.register(MemberInfo.builder(group).id("shared").host("b-host").build()))
          .isInstanceOf(DuplicateMemberException.class);
      assertThatThrownBy(() -> a.register(MemberInfo.builder(group).id("shared").build()))
          .isInstanceOf(DuplicateMemberException.class);
      assertThat(b.members(group))
          .singleElement()
          .satisfies(x -> assertThat(x.host()).isEqualTo("a-host"));
      a.close();
      b.close();
      assertThat(app.getState()).isEqualTo(CuratorFrameworkState.STARTED);
      assertThat(admin.checkExists().forPath(path("shared"))).isNull();
    } finally {
      app.close();
    }
  }

  @Test
  void lostNode_isNotRecreatedOverAnotherMember_butComesBackWhenTheIdIsFree() throws Exception {
    Membership m = membership();
    Registration r = m.register(MemberInfo.builder(group).id("x").host("mine").build());
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger back = new AtomicInteger();
    r.addListener(
        new RegistrationListener() {
          @Override
          public void lost(Member member) {
            lost.incrementAndGet();
          }

          @Override
          public void reRegistered(Member member) {
            back.incrementAndGet();
          }
        });
    // The registration watches its own node; wait until the server has that watch.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.fourLetterWord("wchp").contains(path("x") + "\n"));

    // In one transaction, another session takes the id: the member's node is replaced.
    byte[] theirs =
        MemberCodec.encode(MemberInfo.builder(group).id("x").host("theirs").build(), 0)
            .getBytes(StandardCharsets.UTF_8);
    admin
        .transaction()
        .forOperations(
            admin.transactionOp().delete().forPath(path("x")),
            admin
                .transactionOp()
                .create()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(path("x"), theirs));

    await().atMost(Duration.ofSeconds(10)).until(() -> lost.get() == 1 && !r.isRegistered());
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                new String(admin.getData().forPath(path("x")), StandardCharsets.UTF_8)
                    .contains("host=theirs"));
    assertThat(back.get()).isZero();

    admin.delete().forPath(path("x")); // the other member leaves: the id is free again
    await().atMost(Duration.ofSeconds(10)).until(() -> back.get() == 1 && r.isRegistered());
    Stat stat = new Stat();
    String payload =
        new String(admin.getData().storingStatIn(stat).forPath(path("x")), StandardCharsets.UTF_8);
    assertThat(payload).contains("host=mine");
    assertThat(stat.getEphemeralOwner()).isEqualTo(session(m));
    assertThat(r.member().joinedAt()).isEqualTo(Instant.ofEpochMilli(stat.getCtime()));
  }

  @Test
  void updateAfterTheNodeWasTaken_neverWritesTheOtherMembersNode() throws Exception {
    Membership m = membership();
    Registration r = m.register(MemberInfo.builder(group).id("y").host("mine").build());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.fourLetterWord("wchp").contains(path("y") + "\n"));
    byte[] theirs =
        MemberCodec.encode(MemberInfo.builder(group).id("y").host("theirs").build(), 0)
            .getBytes(StandardCharsets.UTF_8);
    admin
        .transaction()
        .forOperations(
            admin.transactionOp().delete().forPath(path("y")),
            admin
                .transactionOp()
                .create()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(path("y"), theirs));
    r.update(Map.of("k", "v"));
    assertThat(new String(admin.getData().forPath(path("y")), StandardCharsets.UTF_8))
        .contains("host=theirs")
        .doesNotContain("meta.k");
    await().atMost(Duration.ofSeconds(10)).until(() -> !r.isRegistered());
    r.close();
    assertThat(admin.checkExists().forPath(path("y")))
        .isNotNull(); // closing does not delete theirs either
  }

  // ------------------------------------------------------------------ ACLs

  @Test
  void digestAcl_letsEveryoneSeeMembers_butOnlyTheOwnerRemoveOrAlterThem() throws Exception {
    String root = "/holdfast-acl-" + UUID.randomUUID().toString().substring(0, 8) + "/groups";
    Membership secure =
        closeLater(
            ZooKeeperMembership.builder(server.connectString())
                .rootPath(root)
                .digestAuth("holdfast", "s3cret")
                .build());
    secure.register(MemberInfo.builder(group).id("guarded").build());
    String node = root + "/" + group + "/guarded";
    List<ACL> acl = admin.getACL().forPath(node);
    assertThat(acl).anySatisfy(a -> assertThat(a.getId().getScheme()).isEqualTo("digest"));
    assertThat(admin.getACL().forPath(root + "/" + group)).isEqualTo(acl);

    CuratorFramework stranger = client(server.connectString(), "holdfast:wrong");
    try {
      for (CuratorFramework c : List.of(admin, stranger)) {
        assertThat(c.getData().forPath(node)).isNotEmpty();
        assertThatThrownBy(() -> c.delete().forPath(node))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> c.setData().forPath(node, "x".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(
                () ->
                    c.create()
                        .withMode(CreateMode.EPHEMERAL)
                        .forPath(root + "/" + group + "/intruder"))
            .isInstanceOf(KeeperException.NoAuthException.class);
      }
    } finally {
      stranger.close();
    }
    // Without the credentials a membership can read the group, not join it, and says why.
    Membership open =
        closeLater(ZooKeeperMembership.builder(server.connectString()).rootPath(root).build());
    assertThat(open.members(group)).extracting(Member::id).containsExactly("guarded");
    assertThatThrownBy(() -> open.register(MemberInfo.builder(group).id("other").build()))
        .isInstanceOf(MembershipBackendException.class)
        .hasMessageContaining("digest credentials");
  }

  // ------------------------------------------------------------------ outages

  @Test
  void unreachableServer_failsWithinTheCommandTimeout_neverHangs() {
    Duration timeout = Duration.ofMillis(500);
    long t0 = System.nanoTime();
    Membership m = ZooKeeperMembership.builder("127.0.0.1:1").commandTimeout(timeout).build();
    try {
      assertThatThrownBy(() -> m.register(MemberInfo.builder(group).id("a").build()))
          .isInstanceOf(MembershipBackendException.class);
      assertThatThrownBy(() -> m.members(group)).isInstanceOf(MembershipBackendException.class);
      assertThatThrownBy(() -> m.view(group)).isInstanceOf(MembershipBackendException.class);
    } finally {
      m.close();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(timeout.multipliedBy(3).plusSeconds(2));
  }

  @Test
  void serverDown_updateFailsWithinTheCommandTimeout_andTheRegistrationOutlivesAShortOutage() {
    ZooKeeperServer own = ZooKeeperServers.inJvm();
    try {
      Duration timeout = Duration.ofMillis(500);
      Membership m =
          ZooKeeperMembership.builder(own.connectString())
              .sessionTimeout(Duration.ofSeconds(20))
              .commandTimeout(timeout)
              .build();
      toClose.add(0, m); // closed before the server is
      Registration r = m.register(MemberInfo.builder(group).id("steady").build());
      AtomicInteger lost = new AtomicInteger();
      r.addListener(
          new RegistrationListener() {
            @Override
            public void lost(Member member) {
              lost.incrementAndGet();
            }
          });
      own.stop();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> r.update(Map.of("k", "v")))
          .isInstanceOf(MembershipBackendException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(timeout.plusSeconds(1));
      assertThat(r.isRegistered()).isTrue(); // suspended, not lost: the session lives on
      own.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                r.update(Map.of("k", "w"));
                assertThat(m.members(group))
                    .singleElement()
                    .satisfies(x -> assertThat(x.metadata()).containsEntry("k", "w"));
              });
      assertThat(lost.get()).isZero();
      assertThat(r.isRegistered()).isTrue();
      m.close();
    } finally {
      own.close();
    }
  }

  // ------------------------------------------------------------------ builder

  @Test
  void builder_validatesAtTheDoor() throws Exception {
    assertThatNullPointerException()
        .isThrownBy(() -> ZooKeeperMembership.builder((String) null))
        .withMessageContaining("connectString");
    assertThatNullPointerException()
        .isThrownBy(() -> ZooKeeperMembership.builder((CuratorFramework) null))
        .withMessageContaining("client");
    assertThatThrownBy(() -> ZooKeeperMembership.builder(" "))
        .isInstanceOf(IllegalArgumentException.class);
    ZooKeeperMembership.Builder b = ZooKeeperMembership.builder("localhost:2181");
    assertThatThrownBy(() -> b.rootPath("/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rootPath");
    assertThatThrownBy(() -> b.rootPath("relative")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.rootPath("/a/")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.rootPath("/zookeeper/x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatNullPointerException()
        .isThrownBy(() -> b.rootPath(null))
        .withMessageContaining("rootPath");
    assertThatThrownBy(() -> b.commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> b.sessionTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionTimeout");
    assertThatNullPointerException()
        .isThrownBy(() -> b.digestAuth(null, "p"))
        .withMessageContaining("user");
    assertThatThrownBy(() -> b.digestAuth("a:b", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user");
    assertThatThrownBy(() -> b.digestAuth("a", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password");
    assertThatNullPointerException()
        .isThrownBy(() -> b.callbackExecutor(null))
        .withMessageContaining("executor");

    CuratorFramework unstarted =
        CuratorFrameworkFactory.newClient(server.connectString(), new RetryNTimes(1, 10));
    try {
      assertThatThrownBy(() -> ZooKeeperMembership.builder(unstarted))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("started");
    } finally {
      unstarted.close();
    }
    assertThatThrownBy(
            () -> ZooKeeperMembership.builder(admin).sessionTimeout(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class);
    Membership custom = ZooKeeperMembership.builder(admin).rootPath("/custom/" + group).build();
    custom.register(MemberInfo.builder(group).id("c").build());
    assertThat(admin.checkExists().forPath("/custom/" + group + "/" + group + "/c")).isNotNull();
    custom.close();
    assertThat(admin.getState()).isEqualTo(CuratorFrameworkState.STARTED);
  }
}
