package io.holdfast.benchmarks;

import io.holdfast.testkit.ZooKeeperServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one uncontended acquire + release cycle costs, counted rather than timed: requests the
 * server handled per cycle (Redis {@code INFO commandstats}, ZooKeeper {@code mntr}), and CPU time
 * per cycle in the client process and in the Redis server. Counts do not depend on how busy the
 * machine is; CPU time depends on it much less than throughput does. Run in a fresh JVM per
 * library.
 */
final class Cost {
  /** Per-cycle costs of one library. */
  record Result(
      String backend,
      String impl,
      int cycles,
      double wallMicros,
      double clientCpuMicros,
      double serverCpuMicros,
      double requests,
      String breakdown,
      double sentRequests,
      String sent,
      double switches,
      String wakers,
      double commandMicros,
      double allocatedBytes) {

    String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"backend\":\"%s\",\"impl\":\"%s\",\"cycles\":%d,\"wallMicros\":%.2f,\"clientCpuMicros\":%.2f,"
              + "\"serverCpuMicros\":%.2f,\"requests\":%.3f,\"breakdown\":\"%s\",\"sentRequests\":%.3f,"
              + "\"sent\":\"%s\",\"contextSwitches\":%.2f,\"byThread\":\"%s\",\"commandMicros\":%.2f,\"allocatedBytes\":%.0f}",
          backend,
          impl,
          cycles,
          wallMicros,
          clientCpuMicros,
          Results.finite(serverCpuMicros),
          requests,
          breakdown,
          sentRequests,
          sent,
          switches,
          wakers,
          Results.finite(commandMicros),
          allocatedBytes);
    }

    static Result parse(String json) {
      return new Result(
          Json.string(json, "backend"),
          Json.string(json, "impl"),
          (int) Json.number(json, "cycles"),
          Json.number(json, "wallMicros"),
          Json.number(json, "clientCpuMicros"),
          Json.number(json, "serverCpuMicros"),
          Json.number(json, "requests"),
          Json.string(json, "breakdown"),
          Json.number(json, "sentRequests"),
          Json.string(json, "sent"),
          Json.number(json, "contextSwitches"),
          Json.string(json, "byThread"),
          Json.number(json, "commandMicros"),
          Json.number(json, "allocatedBytes"));
    }
  }

  static final String PREFIX = "COST ";

  private Cost() {}

  static Result redis(String impl, RedisURI uri, int cycles) throws Exception {
    RedisClient probe = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> info = probe.connect();
        Locker locker = Locker.redis(impl, uri)) {
      String name = "cost-" + Names.run();
      run(locker, name, cycles);
      String stats0 = info.sync().info("commandstats");
      Map<String, Long> calls0 = commandCalls(stats0);
      Map<String, Long> usec0 = commandField(stats0, "usec=");
      double server0 = serverCpu(info.sync().info("cpu"));
      Map<String, Long> switches0 = switchesByThread();
      long alloc0 = allocated();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      run(locker, name, cycles);
      long wall = System.nanoTime() - t0;
      long cpu = processCpuNanos() - cpu0;
      double alloc = (allocated() - alloc0) / (double) cycles;
      Map<String, Long> switches1 = switchesByThread();
      double server = serverCpu(info.sync().info("cpu")) - server0;
      String stats1 = info.sync().info("commandstats");
      Map<String, Long> calls1 = commandCalls(stats1);
      Map<String, Long> usec1 = commandField(stats1, "usec=");
      Map<String, Double> perCycle = new TreeMap<>();
      double total = 0;
      for (Map.Entry<String, Long> e : calls1.entrySet()) {
        // The probe's own INFO calls are not the library's.
        if (e.getKey().equals("info")) {
          continue;
        }
        long d = e.getValue() - calls0.getOrDefault(e.getKey(), 0L);
        if (d > 0) {
          perCycle.put(e.getKey().toUpperCase(Locale.ROOT), d / (double) cycles);
          total += d / (double) cycles;
        }
      }
      int watched = Math.min(cycles, 500);
      Map<String, Double> sent = new TreeMap<>();
      double trips = 0;
      for (Map.Entry<String, Long> e :
          Monitor.topLevelCommands(uri, () -> run(locker, name, watched)).entrySet()) {
        sent.put(e.getKey(), e.getValue() / (double) watched);
        trips += e.getValue() / (double) watched;
      }
      // Time the server spent executing what the client sent (a script's time includes the
      // commands it ran, so only the commands sent are summed).
      double commandUsec = 0;
      for (String cmd : sent.keySet()) {
        String k = cmd.toLowerCase(Locale.ROOT);
        commandUsec += usec1.getOrDefault(k, 0L) - usec0.getOrDefault(k, 0L);
      }
      return new Result(
          "redis",
          impl,
          cycles,
          wall / 1e3 / cycles,
          cpu / 1e3 / cycles,
          server * 1e6 / cycles,
          total,
          breakdown(perCycle),
          trips,
          breakdown(sent),
          total(switches0, switches1) / cycles,
          byThread(switches0, switches1, cycles),
          commandUsec / cycles,
          alloc);
    } finally {
      probe.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  static Result zooKeeper(String impl, String connect, int cycles) throws Exception {
    try (Locker locker = Locker.zooKeeper(impl, connect)) {
      String name = "cost-" + Names.run();
      run(locker, name, cycles);
      long packets0 = packetsReceived(connect);
      Map<String, Long> switches0 = switchesByThread();
      long alloc0 = allocated();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      run(locker, name, cycles);
      long wall = System.nanoTime() - t0;
      long cpu = processCpuNanos() - cpu0;
      double alloc = (allocated() - alloc0) / (double) cycles;
      Map<String, Long> switches1 = switchesByThread();
      long packets = packetsReceived(connect) - packets0;
      // mntr itself arrives as a packet on its own connection; one per read, so one in the delta.
      double perCycle = Math.max(0, packets - 1) / (double) cycles;
      String packetsText = String.format(Locale.ROOT, "%.2f packets", perCycle);
      return new Result(
          "zookeeper",
          impl,
          cycles,
          wall / 1e3 / cycles,
          cpu / 1e3 / cycles,
          Double.NaN,
          perCycle,
          packetsText,
          perCycle,
          packetsText,
          total(switches0, switches1) / cycles,
          byThread(switches0, switches1, cycles),
          Double.NaN,
          alloc);
    }
  }

  static void run(Locker locker, String name, int cycles) throws Exception {
    for (int i = 0; i < cycles; i++) {
      locker.unlock(locker.lock(name));
    }
  }

  private static String breakdown(Map<String, Double> perCycle) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Double> e : perCycle.entrySet()) {
      if (b.length() > 0) {
        b.append(" + ");
      }
      b.append(String.format(Locale.ROOT, "%.2f %s", e.getValue(), e.getKey()));
    }
    return b.toString();
  }

  static Map<String, Long> commandCalls(String info) {
    return commandField(info, "calls=");
  }

  /** One numeric field ({@code calls=}, {@code usec=}) of every command in INFO commandstats. */
  static Map<String, Long> commandField(String info, String field) {
    Map<String, Long> calls = new TreeMap<>();
    for (String line : info.split("\r?\n", -1)) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String cmd = line.substring("cmdstat_".length(), line.indexOf(':'));
      int at = line.indexOf(field) + field.length();
      int end = line.indexOf(',', at);
      calls.put(cmd, Long.parseLong(line.substring(at, end < 0 ? line.length() : end)));
    }
    return calls;
  }

  private static double serverCpu(String info) {
    double sum = 0;
    for (String line : info.split("\r?\n", -1)) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
        sum += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return sum;
  }

  private static long packetsReceived(String connect) {
    for (String line : ZooKeeperServers.fourLetterWord(connect, "mntr").split("\n", -1)) {
      if (line.startsWith("zk_packets_received")) {
        return Long.parseLong(line.substring("zk_packets_received".length()).trim());
      }
    }
    throw new IllegalStateException("mntr has no zk_packets_received");
  }

  /**
   * Context switches so far of the live threads of this process (Linux; empty elsewhere), summed by
   * thread name without its trailing number: each time a thread blocks and is woken counts once, so
   * these are thread wake-ups.
   */
  private static Map<String, Long> switchesByThread() {
    Map<String, Long> byName = new TreeMap<>();
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
      for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
        try {
          String name = "?";
          long n = 0;
          for (String line : java.nio.file.Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("Name:")) {
              name = line.substring(5).trim().replaceAll("[-#0-9]+$", "");
            } else if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:")) {
              n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          byName.merge(name, n, Long::sum);
        } catch (java.io.IOException e) {
          // the thread ended meanwhile
        }
      }
    } catch (java.io.IOException e) {
      return byName;
    }
    return byName;
  }

  private static double total(Map<String, Long> before, Map<String, Long> after) {
    long sum = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      sum += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
    }
    return sum;
  }

  /** The threads woken at least 0.2 times per cycle, most first. */
  private static String byThread(Map<String, Long> before, Map<String, Long> after, int cycles) {
    List<Map.Entry<String, Double>> rows = new ArrayList<>();
    for (Map.Entry<String, Long> e : after.entrySet()) {
      double per =
          Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) cycles;
      if (per >= 0.2) {
        rows.add(Map.entry(e.getKey(), per));
      }
    }
    rows.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Double> e : rows) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(String.format(Locale.ROOT, "%s %.1f", e.getKey().replace("\"", ""), e.getValue()));
    }
    return b.toString();
  }

  /** Bytes allocated so far by the live threads of this process. */
  private static long allocated() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      if (a > 0) {
        sum += a;
      }
    }
    return sum;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Measures one library and prints one line starting with {@value #PREFIX}.
   *
   * @param args backend ({@code redis} or {@code zookeeper}), implementation, server address
   *     ({@code host:port} or connect string), cycles
   * @throws Exception if the measurement fails
   */
  public static void main(String[] args) throws Exception {
    int cycles = Integer.parseInt(args[3]);
    Result r;
    if (args[0].equals("redis")) {
      System.setProperty(Servers.REDIS_PROPERTY, args[2]);
      r = redis(args[1], Servers.redis(), cycles);
    } else {
      r = zooKeeper(args[1], args[2], cycles);
    }
    System.out.println(PREFIX + r.toJson());
    System.out.flush();
    System.exit(0);
  }
}
