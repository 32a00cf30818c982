package io.holdfast.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.testkit.EtcdServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every benchmark, the hand-off recording, the footprint and the report for a moment each, so
 * that the benchmark code cannot rot. Proves that it works, never how fast: nothing here asserts a
 * time or a ratio.
 */
class BenchmarksSmokeTest {

  @Test
  @Timeout(120)
  void everyBenchmark_runsAndReports(@TempDir Path dir) throws Exception {
    // A smoke run measures nothing, so another JMH run on the machine (holding /tmp/jmh.lock)
    // must not fail it.
    System.setProperty("jmh.ignoreLock", "true");
    Path docs = dir.resolve("docs");
    Results r =
        BenchmarkRun.run(
            BenchmarkRun.Settings.parse(
                "-quick", "-out", dir.resolve("out").toString(), "-docs", docs.toString()));

    // 3 Redis cases x 3 libraries, 2 ZooKeeper cases x 2 libraries, 2 PostgreSQL cases x 5, and
    // 2 etcd cases x 3 when there is an etcd (else the run leaves them out).
    boolean etcd = EtcdServers.available();
    assertEquals(etcd ? 29 : 23, r.throughput.size(), r.throughput::toString);
    for (Results.Throughput t : r.throughput) {
      assertTrue(t.opsPerSec() > 0, () -> "no operation completed: " + t);
    }
    for (String impl : new String[] {"floor", "holdfast", "redisson"}) {
      assertTrue(r.handOff("redis", impl).isPresent(), "no hand-off recorded for " + impl);
    }
    for (String impl : new String[] {"holdfast", "curator"}) {
      assertTrue(r.handOff("zookeeper", impl).isPresent(), "no hand-off recorded for " + impl);
    }
    for (Results.HandOffStats h : r.handOffs) {
      assertEquals(0, h.overlaps(), () -> "two holders at once: " + h);
    }
    assertEquals(2, r.footprints.size());
    for (Footprint.Result f : r.footprints) {
      assertEquals(100, f.locks());
    }

    assertEquals(2, r.memberships.size(), r.memberships::toString);
    for (MembershipProbe.Result m : r.memberships) {
      assertEquals(20, m.members());
      assertTrue(m.joinP50() > 0 && m.floorJoinP50() > 0, m::toString);
    }

    String page = Files.readString(docs.resolve("performance.md"), StandardCharsets.UTF_8);
    assertTrue(
        page.contains(Report.BEGIN)
            && page.contains("Holdfast ÷ floor")
            && page.contains("Holdfast ÷ ShedLock")
            && page.contains("how soon a watcher hears")
            && (!etcd || page.contains("Holdfast ÷ jetcd")),
        page);
    assertTrue(Files.readString(docs.resolve(Report.REDIS_SVG)).startsWith("<svg"));
    assertTrue(Files.readString(docs.resolve(Report.ZOOKEEPER_SVG)).startsWith("<svg"));
    assertTrue(Files.exists(dir.resolve("out").resolve("results.json")));
    assertTrue(Files.exists(dir.resolve("out").resolve("results.csv")));
  }
}
