package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.LocalRedisCluster;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.history.Event;
import io.holdfast.testkit.history.FencedRegister;
import io.holdfast.testkit.history.HistoryChecker;
import io.holdfast.testkit.history.HistoryFile;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Redis Cluster of 3 primaries with a replica each, all local processes; workers lock names
 * hashed over the cluster's slots while one primary is killed (or paused past {@code
 * cluster-node-timeout}) and the cluster promotes its replica. The services follow the new topology
 * (the cluster client refreshes it every second). Replication is asynchronous, so a grant the old
 * primary had not passed on can overlap a later one: such overlaps are counted, not failed on (see
 * RedisReplicationLossTest for that window forced open). What must hold regardless: tokens keep
 * increasing per name, no acknowledged write is lost, and every worker finishes its work.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RedisClusterFailoverTest {
  private static final int WORKERS = 3;
  private static final int THREADS = 3;
  private static final int OPS = 25;

  @TempDir Path dir;

  @ParameterizedTest(name = "primary {0}")
  @ValueSource(strings = {"killed", "paused"})
  void primaryFailsUnderLoad_replicaPromoted_tokensKeepIncreasing_noAcknowledgedWriteLost(
      String fault) throws Exception {
    try (RedisServer resource = RedisServers.localProcess();
        FencedRegister register = new FencedRegister(resource.uri());
        LocalRedisCluster cluster = RedisServers.localCluster(3, 1)) {
      String seeds =
          cluster.uris().stream().map(RedisURI::toString).collect(Collectors.joining(","));
      List<String> names = IntStream.range(0, 9).mapToObj(i -> "cf-" + fault + "-" + i).toList();
      List<JvmProcess> workers = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        String id = "w" + i;
        workers.add(
            JvmProcess.start(
                Worker.class,
                line -> System.out.println("[" + id + "] " + line),
                "redis-cluster",
                seeds,
                id,
                Integer.toString(THREADS),
                String.join(",", names),
                Integer.toString(OPS),
                dir.resolve(id + ".history").toString(),
                resource.uri().toString(),
                "1500",
                "3"));
      }
      try (HistoryFile coordinator = new HistoryFile(dir.resolve("coordinator.history"))) {
        workers.forEach(w -> w.send("GO"));
        await().atMost(Duration.ofSeconds(120)).until(() -> Histories.grants(dir) >= 30);
        RedisServer failing = cluster.primaries().get(0);
        // The replica of primary 0 (replicas follow primary i % 3, after the 3 primaries).
        RedisURI replica = cluster.uris().get(3);
        long faultAt = System.nanoTime();
        if (fault.equals("killed")) {
          failing.stop();
        } else {
          failing.pause();
        }
        coordinator.record("primary", Event.Op.CRASH, Event.Type.INVOKE, "", 0, 0);
        await().atMost(Duration.ofSeconds(60)).until(() -> isPrimary(replica));
        long promotedAfter = System.nanoTime() - faultAt;
        if (fault.equals("paused")) {
          failing.resume(); // it comes back as a replica of the promoted node
        }
        for (JvmProcess w : workers) {
          assertThat(w.awaitExit(Duration.ofSeconds(240))).as("a worker hung").isTrue();
        }
        long took = System.nanoTime() - faultAt;
        coordinator.close();
        HistoryChecker.Report r = Histories.check(dir, names, register);
        long overlaps = r.violations().stream().filter(v -> v.startsWith("overlap")).count();
        String line =
            String.format(
                "[reliability] redis Cluster failover, primary %s (3 primaries + 3 replicas, %d names"
                    + "; replica promoted %d ms after the fault, workers done %d s"
                    + " after it): %s; of the violations, overlaps caused by asynchronous"
                    + " replication: %d",
                fault,
                names.size(),
                TimeUnit.NANOSECONDS.toMillis(promotedAfter),
                TimeUnit.NANOSECONDS.toSeconds(took),
                r.summary(),
                overlaps);
        System.out.println(line);
        Reports.add(line);
        assertThat(r.violations()).as(line).allMatch(v -> v.startsWith("overlap"));
        assertThat(r.grants()).as("every worker did all its work").hasSize(WORKERS * THREADS * OPS);
        assertThat(r.writesAcked()).isPositive();
      } finally {
        workers.forEach(JvmProcess::close);
      }
    }
  }

  private static boolean isPrimary(RedisURI node) {
    RedisClient c = RedisClient.create(node);
    try (StatefulRedisConnection<String, String> conn = c.connect()) {
      return conn.sync().info("replication").contains("role:master");
    } finally {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
