package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.TcpFaultProxy;
import io.holdfast.testkit.history.Event;
import io.holdfast.testkit.history.Event.Op;
import io.holdfast.testkit.history.FencedRegister;
import io.holdfast.testkit.history.HistoryChecker;
import io.holdfast.testkit.history.HistoryFile;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grant that asynchronous replication loses, made to happen rather than argued about (the
 * scenario Redlock's critics describe). The replica follows the primary through a fault proxy; the
 * link is cut, a client is granted locks on the primary that the replica therefore never sees, the
 * primary dies and the replica is promoted ({@code REPLICAOF NO ONE}, what Sentinel or Cluster
 * would do), and a second client asks the promoted replica for the same locks.
 *
 * <p>Without {@code waitForReplicas} the second client is granted every lock while the first still
 * believes it holds it: the overlap happens and is counted, and the fenced resource refuses every
 * write the first client makes afterwards (its token is older). With {@code waitForReplicas(1, …)}
 * the first client's grants are refused, because no replica acknowledges them, and no overlap
 * occurs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisReplicationLossTest {
  private static final int LOCKS = 20;
  private static final Duration LEASE = Duration.ofSeconds(15);

  @TempDir Path dir;

  @ParameterizedTest(name = "waitForReplicas = {0}")
  @ValueSource(ints = {0, 1})
  void grantsLostWithTheReplicationLink_overlapOnlyWithoutWait_staleWritesAllRefused(
      int waitReplicas) throws Exception {
    try (RedisServer resource = RedisServers.localProcess();
        FencedRegister register = new FencedRegister(resource.uri());
        RedisServer primary = RedisServers.localProcess();
        TcpFaultProxy link = new TcpFaultProxy(primary.uri().getHost(), primary.uri().getPort());
        RedisServer replica =
            RedisServers.localProcess("--replicaof", link.host(), Integer.toString(link.port()));
        HistoryFile history = new HistoryFile(dir.resolve("history"))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> replicasOnline(primary.uri()) == 1);
      List<String> names =
          IntStream.range(0, LOCKS).mapToObj(i -> "replication-loss-" + i).toList();

      // The replica stops hearing from the primary; the primary does not know it yet.
      link.cut();
      await().atMost(Duration.ofSeconds(60)).until(() -> !linkUp(replica.uri()));

      RedisLockService.Builder first =
          RedisLockService.builder(primary.uri())
              .leaseTime(LEASE)
              .commandTimeout(Duration.ofSeconds(2));
      if (waitReplicas > 0) {
        first.waitForReplicas(waitReplicas, Duration.ofMillis(300));
      }
      try (LockService a = first.build()) {
        Map<String, LockHandle> held = new HashMap<>();
        for (String name : names) {
          history.record("a", Op.ACQUIRE, Event.Type.INVOKE, name, 0, 0);
          Optional<LockHandle> h;
          try {
            h = a.tryAcquire(name);
          } catch (LockBackendException e) {
            // With waitForReplicas: the grant reached no replica, so it was taken back.
            assertThat(waitReplicas).as("refused: %s", e.getMessage()).isPositive();
            history.record("a", Op.ACQUIRE, Event.Type.FAIL, name, 0, 0);
            continue;
          }
          assertThat(h).as("nobody else holds %s", name).isPresent();
          LockHandle handle = h.orElseThrow();
          long token = handle.fencingToken();
          history.record("a", Op.ACQUIRE, Event.Type.OK, name, token, 0);
          handle.onLost(x -> history.record("a", Op.ACQUIRE, Event.Type.LOST, name, token, 0));
          write(history, register, "a", name, token);
          held.put(name, handle);
        }

        // The primary dies with those grants; its replica takes over.
        primary.stop();
        history.record("primary", Op.CRASH, Event.Type.INVOKE, "", 0, 0);
        promote(replica.uri());

        try (LockService b =
            RedisLockService.builder(replica.uri())
                .leaseTime(LEASE)
                .commandTimeout(Duration.ofSeconds(2))
                .build()) {
          int overlapsSeen = 0;
          for (String name : names) {
            history.record("b", Op.ACQUIRE, Event.Type.INVOKE, name, 0, 0);
            LockHandle h = b.acquire(name, Duration.ofSeconds(10));
            long token = h.fencingToken();
            history.record("b", Op.ACQUIRE, Event.Type.OK, name, token, 0);
            LockHandle old = held.get(name);
            if (old != null && old.isHeld()) {
              overlapsSeen++;
            }
            write(history, register, "b", name, token);
            history.record("b", Op.RELEASE, Event.Type.INVOKE, name, token, 0);
            h.close();
            history.record("b", Op.RELEASE, Event.Type.OK, name, token, 0);
          }
          // The first client, still believing it holds its locks, writes again: every write must
          // be refused, its token being older than the second client's.
          for (Map.Entry<String, LockHandle> e : held.entrySet()) {
            write(history, register, "a", e.getKey(), e.getValue().fencingToken());
          }
          // Its renewals go to a dead primary: every lease it believed in is reported lost.
          await()
              .atMost(LEASE.plusSeconds(45))
              .until(() -> held.values().stream().noneMatch(LockHandle::isHeld));
          held.forEach(
              (name, h) -> {
                history.record("a", Op.RELEASE, Event.Type.INVOKE, name, h.fencingToken(), 0);
                h.close();
                history.record("a", Op.RELEASE, Event.Type.OK, name, h.fencingToken(), 0);
              });

          history.close();
          Map<String, Long> finals = new HashMap<>();
          names.forEach(n -> finals.put(n, register.read(n)));
          HistoryChecker.Report r =
              HistoryChecker.check(HistoryFile.readAll(List.of(dir.resolve("history"))), finals);
          String line =
              String.format(
                  "[reliability] redis replication loss provoked, waitForReplicas=%d (link to the"
                      + " replica cut, %d locks asked of the primary, primary killed, replica"
                      + " promoted): granted by the old primary %d, overlaps while the first holder"
                      + " still believed it held %d; %s",
                  waitReplicas, LOCKS, held.size(), overlapsSeen, r.summary());
          System.out.println(line);
          Reports.add(line);
          assertThat(r.violations()).as(line).isEmpty();
          if (waitReplicas == 0) {
            assertThat(held).as("every grant the replica never saw").hasSize(LOCKS);
            assertThat(overlapsSeen).as("the overlap happens").isEqualTo(LOCKS);
            assertThat(r.fencedOverlaps()).isEqualTo(LOCKS);
            assertThat(r.writesRejected()).as("every stale write refused").isEqualTo(LOCKS);
          } else {
            assertThat(held).as("no grant without a replica's acknowledgement").isEmpty();
            assertThat(r.fencedOverlaps()).isZero();
            assertThat(r.writesRejected()).isZero();
          }
          // Every write the register accepted is in the final values: none was lost or stale.
          assertThat(r.writesAcked()).isEqualTo(waitReplicas == 0 ? 2L * LOCKS : LOCKS);
        }
      }
    }
  }

  private static void write(
      HistoryFile history, FencedRegister register, String client, String name, long token) {
    long v = register.read(name);
    history.record(client, Op.WRITE, Event.Type.INVOKE, name, token, v + 1);
    boolean ok = register.write(name, v + 1, token);
    history.record(client, Op.WRITE, ok ? Event.Type.OK : Event.Type.FAIL, name, token, v + 1);
  }

  private static int replicasOnline(RedisURI primary) {
    return info(primary).split("state=online", -1).length - 1;
  }

  private static boolean linkUp(RedisURI replica) {
    return info(replica).contains("master_link_status:up");
  }

  private static String info(RedisURI uri) {
    RedisClient c = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().info("replication");
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static void promote(RedisURI replica) {
    RedisClient c = RedisClient.create(replica);
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      conn.sync().replicaofNoOne();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "master".equals(String.valueOf(conn.sync().role().get(0))));
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
