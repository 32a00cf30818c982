package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.Test;

/**
 * After {@code close()}, nothing of the library is left: no thread it started, no connection it
 * opened, and no key or node beyond the documented bounded counters.
 */
class ResourceHygieneTest {

  private static Set<Thread> threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .collect(Collectors.toSet());
  }

  /**
   * Client-side threads started since {@code before} that are still alive: Holdfast's own, and
   * those of the Lettuce/Netty and Curator/ZooKeeper clients it created (the in-JVM ZooKeeper
   * server's threads are the test's, not the library's).
   */
  private static List<String> newThreads(Set<Thread> before) {
    return threads().stream()
        .filter(t -> !before.contains(t))
        .map(Thread::getName)
        .filter(
            n ->
                n.startsWith("holdfast-")
                    || n.startsWith("lettuce-")
                    || n.startsWith("Curator-")
                    || n.contains("EventLoop")
                    || n.contains("-SendThread(")
                    || n.endsWith("-EventThread"))
        .toList();
  }

  /** Exercises every part of the API that opens something. */
  private static void workout(
      LockService locks, LockService other, Membership membership, String group) throws Exception {
    for (int i = 0; i < 50; i++) {
      locks.acquire("hygiene-" + i).close();
    }
    LockHandle held = locks.acquire("hygiene-wait");
    CompletableFuture<LockHandle> waiter =
        other.acquireAsync("hygiene-wait", Duration.ofSeconds(30));
    held.close();
    waiter.get().close();
    locks.acquire("left-held"); // closing the service must release it
    Registration r = membership.register(MemberInfo.builder(group).id("clean").build());
    membership.watch(group, new MembershipListener() {});
    MembershipView view = membership.view(group);
    LeaderElection e = membership.election(r);
    await().atMost(Duration.ofSeconds(30)).until(e::isLeader);
    assertThat(view.members()).hasSize(1);
  }

  @Test
  void redis_afterClose_noThreadNoConnectionNoKeyLeft() throws Exception {
    try (RedisServer redis = RedisServers.localProcess()) {
      RedisClient admin = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> c = admin.connect()) {
        long connectionsBefore = c.sync().clientList().lines().count();
        Set<Thread> before = threads();
        LockService locks = RedisLockService.builder(redis.uri()).build();
        LockService other = RedisLockService.builder(redis.uri()).build();
        Membership membership = RedisMembership.builder(redis.uri()).build();
        workout(locks, other, membership, "hygiene");
        membership.close();
        other.close();
        locks.close();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(newThreads(before)).isEmpty());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> c.sync().clientList().lines().count() == connectionsBefore);
        List<String> keys = c.sync().keys("*");
        assertThat(keys)
            .allMatch(
                k -> k.endsWith(":fence") || k.endsWith(":version"), "only counters: " + keys);
        System.out.printf(
            "[reliability] hygiene redis: after close, 0 library threads, %d connections"
                + " (the test's own), %d keys left, all bounded counters%n",
            connectionsBefore, keys.size());
      } finally {
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void zookeeper_afterClose_noThreadNoConnectionNoNodeLeft() throws Exception {
    try (ZooKeeperServer zk = ZooKeeperServers.dedicated()) {
      String cons = ZooKeeperServers.fourLetterWord(zk.connectString(), "cons");
      long connectionsBefore = cons.lines().filter(l -> l.contains("sid=")).count();
      Set<Thread> before = threads();
      LockService locks = ZooKeeperLockService.builder(zk.connectString()).build();
      LockService other = ZooKeeperLockService.builder(zk.connectString()).build();
      Membership membership = ZooKeeperMembership.builder(zk.connectString()).build();
      workout(locks, other, membership, "hygiene");
      membership.close();
      other.close();
      locks.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(newThreads(before)).isEmpty());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ZooKeeperServers.fourLetterWord(zk.connectString(), "cons")
                          .lines()
                          .filter(l -> l.contains("sid="))
                          .count()
                      == connectionsBefore);
      CuratorFramework inspect =
          CuratorFrameworkFactory.newClient(zk.connectString(), new RetryNTimes(3, 200));
      inspect.start();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  assertThat(children(inspect, "/holdfast/locks")).isEmpty();
                  assertThat(children(inspect, "/holdfast/groups/hygiene")).isEmpty();
                });
      } finally {
        inspect.close();
      }
      System.out.println(
          "[reliability] hygiene zookeeper: after close, 0 library threads, 0 sessions,"
              + " no lock or member node left");
    }
  }

  private static List<String> children(CuratorFramework c, String path) throws Exception {
    if (c.checkExists().forPath(path) == null) {
      return List.of();
    }
    return c.getChildren().forPath(path);
  }
}
