package io.holdfast.lock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.ZooKeeperEnsemble;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real three-server ensemble whose leader dies while the lock is held and waited for. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ZooKeeperEnsembleTest {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperEnsembleTest.class);

  @Test
  void leaderKilled_whileHeldAndWaitedFor_survivorsKeepServing_neverTwoHolders() throws Exception {
    String name = "ensemble:leader-kill";
    int clients = 4;
    try (ZooKeeperEnsemble ensemble = ZooKeeperServers.ensemble(3)) {
      List<LockService> services = new ArrayList<>();
      List<CuratorFramework> curators = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      Set<LockHandle> open = ConcurrentHashMap.newKeySet();
      List<Long> tokensInGrantOrder = Collections.synchronizedList(new ArrayList<>());
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger grants = new AtomicInteger();
      AtomicInteger errors = new AtomicInteger();
      AtomicInteger lost = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      try {
        // Half the clients on the leader, half on followers (clients pick a server at random).
        int leader = ensemble.leader();
        assertThat(leader).isNotNegative();
        int onLeader = 0;
        int indexOnLeader = -1;
        int indexOnFollower = -1;
        int onFollowers = 0;
        for (int tries = 0; tries < 200 && services.size() < clients; tries++) {
          CuratorFramework c =
              ZkTesting.client(ensemble.connectString(), Duration.ofSeconds(15), null);
          boolean leaderSide =
              ZkTesting.connections(ensemble.connectString(leader))
                  .containsKey(ZkTesting.sessionId(c));
          if (leaderSide ? onLeader < clients / 2 : onFollowers < clients - clients / 2) {
            if (leaderSide) {
              onLeader++;
              indexOnLeader = services.size();
            } else {
              onFollowers++;
              indexOnFollower = services.size();
            }
            curators.add(c);
            services.add(
                ZooKeeperLockService.builder(c).commandTimeout(Duration.ofSeconds(3)).build());
          } else {
            c.close();
          }
        }
        assertThat(onLeader).isEqualTo(clients / 2);
        assertThat(services).hasSize(clients);
        List<Future<?>> workers = new ArrayList<>();
        for (LockService s : services) {
          workers.add(
              pool.submit(
                  () -> {
                    while (!stop.get()) {
                      LockHandle h;
                      try {
                        h = s.acquire(name, Duration.ofSeconds(30));
                      } catch (LockException e) {
                        errors.incrementAndGet(); // an outage while the ensemble elects a leader
                        continue;
                      }
                      h.onLost(x -> lost.incrementAndGet());
                      for (LockHandle other : open) {
                        if (other.isHeld()) {
                          violations.add(other + " still held when " + h + " was granted");
                        }
                      }
                      open.add(h);
                      tokensInGrantOrder.add(h.fencingToken());
                      grants.incrementAndGet();
                      for (int spin = 0; spin < 100; spin++) {
                        Thread.yield();
                      }
                      open.remove(h);
                      h.close();
                    }
                    return null;
                  }));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> grants.get() >= 20);
        assertThat(ensemble.leader()).isEqualTo(leader);
        // A long hold through a client of the leader, and a waiter for it on a follower.
        LockService leaderSide = services.get(indexOnLeader);
        LockService followerSide = services.get(indexOnFollower);
        LockHandle longHold = leaderSide.acquire(name + ":long");
        AtomicInteger longHoldLost = new AtomicInteger();
        longHold.onLost(x -> longHoldLost.incrementAndGet());
        CompletableFuture<LockHandle> longWaiter =
            followerSide.acquireAsync(name + ":long", Duration.ofSeconds(90));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> ensembleChildren(ensemble, name + ":long") == 2);
        int before = grants.get();
        ensemble.kill(leader);
        LOG.info("killed leader {} after {} grants", leader, before);
        await().atMost(Duration.ofSeconds(90)).until(() -> grants.get() >= before + 40);
        // The long holder was told it may have lost the lock before anyone else got it.
        LockHandle taken = longWaiter.get(90, TimeUnit.SECONDS);
        assertThat(longHoldLost).hasValue(1);
        assertThat(longHold.isHeld()).isFalse();
        assertThat(taken.fencingToken()).isGreaterThan(longHold.fencingToken());
        taken.close();
        longHold.close();
        stop.set(true);
        for (Future<?> w : workers) {
          w.get(60, TimeUnit.SECONDS);
        }
        LOG.info(
            "{} grants in all, {} after the leader died; {} acquire errors, {} lost holds",
            grants.get(),
            grants.get() - before,
            errors.get(),
            lost.get());
        // The leader's clients were suspended: whoever of them held the lock was told so.
        assertThat(violations).isEmpty();
        assertThat(tokensInGrantOrder).isSorted().doesNotHaveDuplicates();
      } finally {
        stop.set(true);
        pool.shutdownNow();
        services.forEach(LockService::close);
        curators.forEach(CuratorFramework::close);
      }
    }
  }

  private static int ensembleChildren(ZooKeeperEnsemble ensemble, String name) throws Exception {
    try (CuratorFramework c = ZkTesting.client(ensemble.connectString())) {
      return ZkTesting.children(c, ZkTesting.dir(name)).size();
    }
  }
}
