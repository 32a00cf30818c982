package io.holdfast.lock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counted, not timed: the server's own per-session counters ({@code cons}: the last request xid of
 * each session) say how many requests each operation costs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperRequestCountTest {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperRequestCountTest.class);
  private static ZooKeeperServer server;
  private static CuratorFramework admin;
  private final String ns = "c" + UUID.randomUUID().toString().substring(0, 8) + ":";

  @BeforeAll
  static void startServer() {
    server = ZooKeeperServers.dedicated();
    String probe = server.fourLetterWord("cons");
    Assumptions.assumeTrue(
        probe.contains("queued=") && !probe.contains("whitelist"),
        "the server does not answer 'cons': " + probe);
    admin = ZkTesting.client(server.connectString());
  }

  @AfterAll
  static void stopServer() {
    if (admin != null) {
      admin.close();
    }
    server.close();
  }

  /** A folder that exists for the whole test (a persistent node, which the server never reaps). */
  private void precreate(String name) throws Exception {
    admin.create().creatingParentsIfNeeded().forPath(ZkTesting.dir(name));
  }

  @Test
  void uncontendedAcquireAndRelease_costsAtMostThreeRequests() throws Exception {
    String name = ns + "solo";
    precreate(name);
    CuratorFramework client = ZkTesting.client(server.connectString());
    try (LockService locks = ZooKeeperLockService.builder(client).build()) {
      long w0 = System.nanoTime();
      locks.acquire(name).close(); // warm-up: the connection state is known
      LOG.info("warm-up took {} ms", (System.nanoTime() - w0) / 1_000_000);
      int cycles = 20;
      List<Long> costs = new ArrayList<>();
      for (int i = 0; i < cycles; i++) {
        long before = ZkTesting.requests(server, client);
        try (LockHandle h = locks.acquire(name, Duration.ZERO)) {
          assertThat(h.isHeld()).isTrue();
        }
        long after = ZkTesting.requests(server, client);
        costs.add(after - before);
      }
      LOG.info(
          "requests per uncontended acquire+release: {} ({} ms)",
          costs,
          (System.nanoTime() - w0) / 1_000_000);
      assertThat(costs).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(3));

      long before = ZkTesting.requests(server, client);
      assertThat(locks.tryAcquire(name)).hasValueSatisfying(LockHandle::close);
      LOG.info(
          "requests per successful tryAcquire+release: {}",
          ZkTesting.requests(server, client) - before);

      // A name whose folder does not exist yet (the root does): the create and the listing sent
      // behind it fail with NONODE, the service creates the folder (a container) and creates
      // (and lists) again: 6 requests in 4 round trips.
      before = ZkTesting.requests(server, client);
      locks.acquire(ns + "fresh", Duration.ZERO).close();
      long fresh = ZkTesting.requests(server, client) - before;
      LOG.info("requests per acquire+release of a name without a folder: {}", fresh);
      assertThat(fresh).isLessThanOrEqualTo(6);
    } finally {
      client.close();
    }
  }

  @Test
  void failedTryAcquire_costsThreeRequests_thenOneOnceContended_andLeavesNoNode() throws Exception {
    String name = ns + "busy";
    precreate(name);
    CuratorFramework holderClient = ZkTesting.client(server.connectString());
    CuratorFramework client = ZkTesting.client(server.connectString());
    try (LockService holder = ZooKeeperLockService.builder(holderClient).build();
        LockService other = ZooKeeperLockService.builder(client).build();
        LockHandle h = holder.acquire(name)) {
      other.acquire(ns + "warm-up").close();
      long before = ZkTesting.requests(server, client);
      assertThat(other.tryAcquire(name)).isEmpty();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ZkTesting.children(admin, ZkTesting.dir(name)).size() == 1);
      long cost = ZkTesting.requests(server, client) - before;
      LOG.info("requests per refused tryAcquire (create, getChildren, delete): {}", cost);
      assertThat(cost).isEqualTo(3);
      assertThat(h.isHeld()).isTrue();

      // Refused once, the name counts as contended: the next single attempts list the folder
      // first and, seeing a node, are refused without creating one.
      for (int i = 0; i < 5; i++) {
        before = ZkTesting.requests(server, client);
        assertThat(other.tryAcquire(name)).isEmpty();
        long again = ZkTesting.requests(server, client) - before;
        LOG.info("requests per refused tryAcquire on a contended name (getChildren): {}", again);
        assertThat(again).isEqualTo(1);
      }
      assertThat(ZkTesting.children(admin, ZkTesting.dir(name))).hasSize(1);
      h.close();
      // Free again: listed, created and listed, granted (the hint is then dropped).
      before = ZkTesting.requests(server, client);
      assertThat(other.tryAcquire(name)).hasValueSatisfying(LockHandle::close);
      assertThat(ZkTesting.requests(server, client) - before).isEqualTo(4);
      before = ZkTesting.requests(server, client);
      assertThat(other.tryAcquire(name)).hasValueSatisfying(LockHandle::close);
      assertThat(ZkTesting.requests(server, client) - before).isEqualTo(3);
    } finally {
      client.close();
      holderClient.close();
    }
  }

  @Test
  void releaseWithFiftyWaiters_wakesExactlyOne() throws Exception {
    String name = ns + "herd";
    String dir = ZkTesting.dir(name);
    precreate(name);
    int waiters = 50;
    CuratorFramework holderClient = ZkTesting.client(server.connectString());
    List<CuratorFramework> clients = new ArrayList<>();
    List<LockService> services = new ArrayList<>();
    try (LockService holder = ZooKeeperLockService.builder(holderClient).build()) {
      for (int i = 0; i < waiters; i++) {
        CuratorFramework c = ZkTesting.client(server.connectString());
        clients.add(c);
        services.add(ZooKeeperLockService.builder(c).build());
      }
      LockHandle held = holder.acquire(name);
      List<CompletableFuture<LockHandle>> waiting = new ArrayList<>();
      for (LockService s : services) {
        waiting.add(s.acquireAsync(name, Duration.ofSeconds(90)));
      }
      // Every waiter is queued and watches its predecessor: 1 + 50 nodes, and 51 sessions each
      // watching one lock node (the holder watches its own since the first waiter came).
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(ZkTesting.children(admin, dir)).hasSize(waiters + 1);
                assertThat(watchingLockNodes(dir))
                    .as(server.fourLetterWord("wchc"))
                    .isEqualTo(waiters + 1);
              });
      Map<Long, ZkTesting.Connection> before = ZkTesting.connections(server);
      long deletedWatchesBefore = mntr("zk_sum_node_deleted_watch_count");
      long folderWatchesBefore = mntr("zk_sum_node_children_watch_count");
      Map<Long, CuratorFramework> bySession = new HashMap<>();
      for (CuratorFramework c : clients) {
        bySession.put(ZkTesting.sessionId(c), c);
      }

      held.close();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> waiting.stream().anyMatch(CompletableFuture::isDone));
      // Nobody else moves: exactly one waiter sent any request after the release.
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(10))
          .until(() -> wokenWaiters(before, bySession.keySet()) == 1);
      assertThat(waiting.stream().filter(CompletableFuture::isDone).count()).isEqualTo(1);
      Map<Long, ZkTesting.Connection> after = ZkTesting.connections(server);
      long requests = 0;
      for (long session : bySession.keySet()) {
        requests += after.get(session).lastCxid() - before.get(session).lastCxid();
      }
      // Watches the deletion of the holder's node fired: the holder's own, and the next waiter's.
      long deletedWatches = mntr("zk_sum_node_deleted_watch_count") - deletedWatchesBefore;
      long folderWatches = mntr("zk_sum_node_children_watch_count") - folderWatchesBefore;
      long holderCost =
          after.get(ZkTesting.sessionId(holderClient)).lastCxid()
              - before.get(ZkTesting.sessionId(holderClient)).lastCxid();
      LOG.info(
          "release with {} waiters: holder sent {} request(s), waiters sent {} request(s) in all;"
              + " node-deleted watches fired: {} (holder's own + next waiter's); folder watches"
              + " fired: {} (dropped by the waiters without a request)",
          waiters,
          holderCost,
          requests,
          deletedWatches,
          folderWatches);
      assertThat(deletedWatches).isEqualTo(2);
      assertThat(holderCost).isEqualTo(1);
      assertThat(requests).isEqualTo(1);

      LockHandle next =
          waiting.stream().filter(CompletableFuture::isDone).findFirst().orElseThrow().join();
      assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
      // The rest get the lock one after another, in queue order, as each releases.
      List<CompletableFuture<Void>> released = new ArrayList<>();
      for (CompletableFuture<LockHandle> f : waiting) {
        released.add(f.thenAccept(LockHandle::close));
      }
      next.close();
      CompletableFuture.allOf(released.toArray(new CompletableFuture<?>[0]))
          .get(60, TimeUnit.SECONDS);
    } finally {
      services.forEach(LockService::close);
      clients.forEach(CuratorFramework::close);
      holderClient.close();
    }
  }

  private static long mntr(String key) {
    for (String line : server.fourLetterWord("mntr").split("\n")) {
      String[] kv = line.split("\t");
      if (kv.length == 2 && kv[0].equals(key)) {
        return Long.parseLong(kv[1].trim());
      }
    }
    throw new IllegalStateException("mntr has no " + key);
  }

  private static long wokenWaiters(
      Map<Long, ZkTesting.Connection> before, java.util.Set<Long> sessions) {
    Map<Long, ZkTesting.Connection> now = ZkTesting.connections(server);
    return sessions.stream().filter(s -> now.get(s).lastCxid() != before.get(s).lastCxid()).count();
  }

  /** How many sessions watch a lock node (not a folder) in {@code dir}, from {@code wchc}. */
  private static long watchingLockNodes(String dir) {
    String wchc = server.fourLetterWord("wchc");
    long sessions = 0;
    boolean counted = true;
    for (String line : wchc.split("\n")) {
      if (line.startsWith("0x")) {
        counted = false;
      } else if (!counted && line.trim().startsWith(dir + "/")) {
        sessions++;
        counted = true;
      }
    }
    return sessions;
  }
}
