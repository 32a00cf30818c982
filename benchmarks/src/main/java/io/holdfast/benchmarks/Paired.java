package io.holdfast.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Uncontended throughput ratios measured in pairs: one JVM holds every library's client and runs
 * them in short alternating blocks (rotating which goes first), so each block of one library has a
 * block of the other right next to it in time. The ratio of neighbouring blocks cancels load from
 * elsewhere on the machine that drifts over seconds — which JMH's one-benchmark-after-another order
 * cannot. Reported as the median of the per-round ratios with a distribution-free 95% interval.
 */
final class Paired {
  /** {@code impl} ÷ {@code base}: median and its 95% interval over {@code rounds} rounds. */
  record Ratio(
      String backend,
      String impl,
      String base,
      int rounds,
      double median,
      double low,
      double high) {
    String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"backend\":\"%s\",\"impl\":\"%s\",\"base\":\"%s\",\"rounds\":%d,\"median\":%.4f,\"low\":%.4f,\"high\":%.4f}",
          backend,
          impl,
          base,
          rounds,
          median,
          low,
          high);
    }

    static Ratio parse(String json) {
      return new Ratio(
          Json.string(json, "backend"),
          Json.string(json, "impl"),
          Json.string(json, "base"),
          (int) Json.number(json, "rounds"),
          Json.number(json, "median"),
          Json.number(json, "low"),
          Json.number(json, "high"));
    }
  }

  static final String PREFIX = "PAIRED ";

  private Paired() {}

  /**
   * Runs {@code rounds} rounds of one {@code blockMillis} block per library and returns each
   * library's ratio to the first.
   */
  static List<Ratio> measure(
      String backend, List<Locker> lockers, List<String> impls, int rounds, long blockMillis)
      throws Exception {
    String name = "paired-" + Names.run();
    long block = blockMillis * 1_000_000L;
    // Warm every client up the same way first, about 2 s each.
    long warmBlocks = blockMillis >= 100 ? Math.max(3, 2000 / blockMillis) : 1;
    for (int w = 0; w < warmBlocks; w++) {
      for (Locker l : lockers) {
        cycles(l, name, block);
      }
    }
    int n = lockers.size();
    double[][] rate = new double[rounds][n];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < n; k++) {
        int i = (r + k) % n;
        long start = System.nanoTime();
        long done = cycles(lockers.get(i), name, block);
        rate[r][i] = done / ((System.nanoTime() - start) / 1e9);
      }
    }
    List<Ratio> out = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      out.add(ratio(backend, impls, rate, i, 0));
    }
    int holdfast = impls.indexOf("holdfast");
    int redisson = impls.indexOf("redisson");
    if (holdfast >= 0 && redisson >= 0) {
      out.add(ratio(backend, impls, rate, holdfast, redisson));
    }
    return out;
  }

  private static Ratio ratio(String backend, List<String> impls, double[][] rate, int i, int base) {
    int rounds = rate.length;
    double[] q = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      q[r] = rate[r][i] / rate[r][base];
    }
    Arrays.sort(q);
    // Distribution-free 95% interval of the median: order statistics n/2 -/+ 0.98 sqrt(n).
    int lo = (int) Math.max(0, Math.floor(rounds / 2.0 - 0.98 * Math.sqrt(rounds)));
    int hi = (int) Math.min(rounds - 1, Math.ceil(rounds / 2.0 + 0.98 * Math.sqrt(rounds)));
    double median = rounds % 2 == 1 ? q[rounds / 2] : (q[rounds / 2 - 1] + q[rounds / 2]) / 2;
    return new Ratio(backend, impls.get(i), impls.get(base), rounds, median, q[lo], q[hi]);
  }

  private static long cycles(Locker l, String name, long nanos) throws Exception {
    long end = System.nanoTime() + nanos;
    long done = 0;
    do {
      l.unlock(l.lock(name));
      done++;
    } while (System.nanoTime() - end < 0);
    return done;
  }

  static List<Ratio> redis(io.lettuce.core.RedisURI uri, int rounds, long blockMillis)
      throws Exception {
    List<String> impls = List.of("floor", "holdfast", "redisson", "scripts");
    List<Locker> lockers = new ArrayList<>();
    try {
      for (String impl : impls) {
        lockers.add(Locker.redis(impl, uri));
      }
      return measure("redis", lockers, impls, rounds, blockMillis);
    } finally {
      for (Locker l : lockers) {
        l.close();
      }
    }
  }

  static List<Ratio> zooKeeper(String connect, int rounds, long blockMillis) throws Exception {
    List<String> impls = List.of("curator", "holdfast");
    List<Locker> lockers = new ArrayList<>();
    List<Object> keep = new ArrayList<>();
    try {
      for (String impl : impls) {
        lockers.add(Locker.zooKeeper(impl, connect));
      }
      // While one library runs its block, the other's lock folder sits empty, and the testkit's
      // server reaps empty container nodes every 500 ms: the folder above it too, racing with the
      // next create (see docs/performance.md). A lock held on another name for the whole
      // measurement keeps each library's root folder alive; the per-name folder may still come
      // and go, as it would in any application.
      for (Locker l : lockers) {
        keep.add(l.lock("paired-keepalive-" + Names.run()));
      }
      return measure("zookeeper", lockers, impls, rounds, blockMillis);
    } finally {
      for (int i = 0; i < keep.size(); i++) {
        lockers.get(i).unlock(keep.get(i));
      }
      for (Locker l : lockers) {
        l.close();
      }
    }
  }

  /**
   * Prints one {@value #PREFIX} line per ratio.
   *
   * @param args backend, server address, rounds, block length in ms
   * @throws Exception if the measurement fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[2]);
    long block = Long.parseLong(args[3]);
    List<Ratio> ratios;
    if (args[0].equals("redis")) {
      System.setProperty(Servers.REDIS_PROPERTY, args[1]);
      ratios = redis(Servers.redis(), rounds, block);
    } else {
      ratios = zooKeeper(args[1], rounds, block);
    }
    for (Ratio r : ratios) {
      System.out.println(PREFIX + r.toJson());
    }
    System.out.flush();
    System.exit(0);
  }
}
