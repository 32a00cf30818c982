package io.holdfast.benchmarks;

import io.lettuce.core.RedisURI;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Client heap and live threads while one client holds many Redis locks at once. Run in a fresh JVM
 * of its own by {@link BenchmarkRun} (with the serial collector, so that heap after a full GC is
 * exact), or in-process by the smoke test.
 */
final class Footprint {
  /** What one measurement found; heap in bytes. */
  record Result(
      String impl,
      int locks,
      long heapIdle,
      long heapHeld,
      int threadsBeforeClient,
      int threadsIdle,
      int threadsHeld,
      double acquireSeconds) {

    double bytesPerLock() {
      return locks == 0 ? 0 : (heapHeld - heapIdle) / (double) locks;
    }

    String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"impl\":\"%s\",\"locks\":%d,\"heapIdle\":%d,\"heapHeld\":%d,\"bytesPerLock\":%.1f,"
              + "\"threadsBeforeClient\":%d,\"threadsIdle\":%d,\"threadsHeld\":%d,\"acquireSeconds\":%.3f}",
          impl,
          locks,
          heapIdle,
          heapHeld,
          bytesPerLock(),
          threadsBeforeClient,
          threadsIdle,
          threadsHeld,
          acquireSeconds);
    }

    static Result parse(String json) {
      return new Result(
          Json.string(json, "impl"),
          (int) Json.number(json, "locks"),
          (long) Json.number(json, "heapIdle"),
          (long) Json.number(json, "heapHeld"),
          (int) Json.number(json, "threadsBeforeClient"),
          (int) Json.number(json, "threadsIdle"),
          (int) Json.number(json, "threadsHeld"),
          Json.number(json, "acquireSeconds"));
    }
  }

  static final String PREFIX = "FOOTPRINT ";

  private Footprint() {}

  static Result measure(String impl, RedisURI uri, int locks) throws Exception {
    // Everything the caller keeps (names, the list of held locks) exists before the baseline.
    List<String> names = new ArrayList<>(locks);
    for (int i = 0; i < locks; i++) {
      names.add("footprint-" + Names.run() + "-" + i);
    }
    List<Object> held = new ArrayList<>(locks);
    int threadsBefore = threads();
    try (Locker locker = Locker.redis(impl, uri)) {
      for (int i = 0; i < 50; i++) {
        locker.unlock(locker.lock("footprint-warm-" + Names.run()));
      }
      long heapIdle = heapAfterGc();
      int threadsIdle = threads();
      long start = System.nanoTime();
      for (String name : names) {
        held.add(locker.lock(name));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long heapHeld = heapAfterGc();
      int threadsHeld = threads();
      for (Object h : held) {
        locker.unlock(h);
      }
      return new Result(
          impl, locks, heapIdle, heapHeld, threadsBefore, threadsIdle, threadsHeld, seconds);
    }
  }

  static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /**
   * Heap in use after full collections, once it has settled: work a client finishes in the
   * background (a closed subscription torn down, a timer cancelled) must not land between a
   * baseline and the next reading.
   */
  static long heapAfterGc() {
    long previous = collectedHeap();
    for (int i = 0; i < 30; i++) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long now = collectedHeap();
      if (Math.abs(now - previous) < 8 * 1024) {
        return Math.min(now, previous);
      }
      previous = now;
    }
    return previous;
  }

  private static long collectedHeap() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /**
   * Measures one library and prints the result as one line starting with {@value #PREFIX}.
   *
   * @param args the implementation ({@code holdfast} or {@code redisson}), Redis {@code host:port},
   *     and the number of locks to hold
   * @throws Exception if the measurement fails
   */
  public static void main(String[] args) throws Exception {
    System.setProperty(Servers.REDIS_PROPERTY, args[1]);
    Result r = measure(args[0], Servers.redis(), Integer.parseInt(args[2]));
    System.out.println(PREFIX + r.toJson());
    System.out.flush();
    System.exit(0);
  }
}
