package io.holdfast.cli;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code holdfast bench}: acquire+release latency against the user's own server, one cycle at a
 * time on a fresh lock name, so the figures show what the network and the server cost.
 */
@Command(
    name = "bench",
    description =
        "Measure acquire+release latency (p50/p99) against your server, uncontended, one thread.",
    mixinStandardHelpOptions = true)
final class BenchCommand extends BackendCommand {
  @Option(names = "--cycles", description = "acquire+release cycles to time (default 1000)")
  int cycles = 1000;

  @Option(names = "--warmup", description = "cycles run first and not timed (default 100)")
  int warmup = 100;

  @Override
  int run(PrintWriter out) throws InterruptedException {
    if (cycles < 1 || warmup < 0) {
      throw new IllegalArgumentException("--cycles must be at least 1, --warmup at least 0");
    }
    String name = "holdfast-bench:" + UUID.randomUUID();
    long[] nanos = new long[cycles];
    PrintWriter err = new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8);
    try (LockService locks = connection.locks()) {
      for (int i = 0; i < warmup; i++) {
        locks.acquire(name, Duration.ofSeconds(10)).close();
      }
      for (int i = 0; i < cycles; i++) {
        long start = System.nanoTime();
        try (LockHandle h = locks.acquire(name, Duration.ofSeconds(10))) {
          // timed: the grant and, on close, the release
        }
        nanos[i] = System.nanoTime() - start;
        if (!json && (i + 1) % Math.max(1, cycles / 40) == 0) {
          progress(err, i + 1);
        }
      }
    }
    if (!json) {
      err.println();
    }
    Arrays.sort(nanos);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("backend", connection.kind().name().toLowerCase(Locale.ROOT));
    m.put("cycles", cycles);
    m.put("p50Micros", percentile(nanos, 50) / 1000);
    m.put("p99Micros", percentile(nanos, 99) / 1000);
    m.put("maxMicros", nanos[nanos.length - 1] / 1000);
    if (json) {
      out.println(Output.json(m));
    } else {
      Output.table(
          out,
          List.of("BACKEND", "CYCLES", "P50", "P99", "MAX"),
          List.of(
              List.of(
                  String.valueOf(m.get("backend")),
                  Integer.toString(cycles),
                  micros(percentile(nanos, 50)),
                  micros(percentile(nanos, 99)),
                  micros(nanos[nanos.length - 1]))));
    }
    return ExitCodes.OK;
  }

  private void progress(PrintWriter err, int done) {
    int width = 40;
    int filled = (int) ((long) done * width / cycles);
    err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + cycles);
    err.flush();
  }

  static long percentile(long[] sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String micros(long nanos) {
    return String.format(Locale.ROOT, "%.0f µs", nanos / 1000.0);
  }
}
