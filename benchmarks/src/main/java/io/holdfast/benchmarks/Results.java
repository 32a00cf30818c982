package io.holdfast.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Everything one run measured, and the JSON/CSV it is written as. */
final class Results {
  /** One JMH score: cycles per second, with JMH's 99.9% confidence half-width. */
  record Throughput(
      String backend, String bench, String impl, double opsPerSec, double error, long samples) {}

  /** Hand-off latencies of one library on the contended benchmark, in microseconds. */
  record HandOffStats(
      String backend,
      String impl,
      int samples,
      double crossShare,
      double p50,
      double p99,
      double crossP50,
      double crossP99,
      long overlaps) {

    static HandOffStats of(String backend, String impl, long[] signed, long overlaps) {
      long[] all = new long[signed.length];
      long[] cross = new long[signed.length];
      int nc = 0;
      for (int i = 0; i < signed.length; i++) {
        all[i] = Math.abs(signed[i]);
        if (signed[i] > 0) {
          cross[nc++] = signed[i];
        }
      }
      cross = Arrays.copyOf(cross, nc);
      Arrays.sort(all);
      Arrays.sort(cross);
      return new HandOffStats(
          backend,
          impl,
          signed.length,
          signed.length == 0 ? 0 : nc / (double) signed.length,
          micros(all, 0.50),
          micros(all, 0.99),
          micros(cross, 0.50),
          micros(cross, 0.99),
          overlaps);
    }

    private static double micros(long[] sorted, double q) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
      return sorted[i] / 1000.0;
    }
  }

  final Map<String, String> machine = new LinkedHashMap<>();
  final Map<String, String> settings = new LinkedHashMap<>();
  final List<Throughput> throughput = new ArrayList<>();
  final List<HandOffStats> handOffs = new ArrayList<>();
  final List<Footprint.Result> footprints = new ArrayList<>();
  final List<Cost.Result> costs = new ArrayList<>();
  final List<Paired.Ratio> paired = new ArrayList<>();
  final List<MembershipProbe.Result> memberships = new ArrayList<>();
  final List<String> problems = new ArrayList<>();

  Optional<Paired.Ratio> paired(String backend, String impl, String base) {
    return paired.stream()
        .filter(p -> p.backend().equals(backend) && p.impl().equals(impl) && p.base().equals(base))
        .findFirst();
  }

  Optional<Cost.Result> cost(String backend, String impl) {
    return costs.stream()
        .filter(c -> c.backend().equals(backend) && c.impl().equals(impl))
        .findFirst();
  }

  Optional<Throughput> throughput(String backend, String bench, String impl) {
    return throughput.stream()
        .filter(
            t -> t.backend().equals(backend) && t.bench().equals(bench) && t.impl().equals(impl))
        .findFirst();
  }

  Optional<HandOffStats> handOff(String backend, String impl) {
    return handOffs.stream()
        .filter(h -> h.backend().equals(backend) && h.impl().equals(impl))
        .findFirst();
  }

  Optional<MembershipProbe.Result> membership(String backend) {
    return memberships.stream().filter(m -> m.backend().equals(backend)).findFirst();
  }

  Optional<Footprint.Result> footprint(String impl) {
    return footprints.stream().filter(f -> f.impl().equals(impl)).findFirst();
  }

  /** a / b with the half-width of its interval, from the relative half-widths of a and b. */
  static double @Nullable [] ratio(@Nullable Throughput a, @Nullable Throughput b) {
    if (a == null || b == null || b.opsPerSec() == 0) {
      return null;
    }
    double r = a.opsPerSec() / b.opsPerSec();
    double ea = finite(a.error()) / a.opsPerSec();
    double eb = finite(b.error()) / b.opsPerSec();
    return new double[] {r, r * Math.sqrt(ea * ea + eb * eb)};
  }

  static double finite(double d) {
    return Double.isFinite(d) ? d : 0;
  }

  String toJson() {
    StringBuilder b = new StringBuilder("{\n");
    b.append("  \"machine\": ").append(map(machine)).append(",\n");
    b.append("  \"settings\": ").append(map(settings)).append(",\n");
    b.append("  \"throughput\": [\n");
    for (int i = 0; i < throughput.size(); i++) {
      Throughput t = throughput.get(i);
      b.append(
          String.format(
              Locale.ROOT,
              "    {\"backend\":%s,\"benchmark\":%s,\"impl\":%s,\"opsPerSec\":%.2f,\"error\":%.2f,\"samples\":%d}",
              Json.quote(t.backend()),
              Json.quote(t.bench()),
              Json.quote(t.impl()),
              t.opsPerSec(),
              finite(t.error()),
              t.samples()));
      b.append(i + 1 < throughput.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"handOff\": [\n");
    for (int i = 0; i < handOffs.size(); i++) {
      HandOffStats h = handOffs.get(i);
      b.append(
          String.format(
              Locale.ROOT,
              "    {\"backend\":%s,\"impl\":%s,\"samples\":%d,\"crossThreadShare\":%.4f,\"p50us\":%.1f,"
                  + "\"p99us\":%.1f,\"crossThreadP50us\":%.1f,\"crossThreadP99us\":%.1f,\"overlaps\":%d}",
              Json.quote(h.backend()),
              Json.quote(h.impl()),
              h.samples(),
              h.crossShare(),
              finite(h.p50()),
              finite(h.p99()),
              finite(h.crossP50()),
              finite(h.crossP99()),
              h.overlaps()));
      b.append(i + 1 < handOffs.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"footprint\": [\n");
    for (int i = 0; i < footprints.size(); i++) {
      b.append("    ").append(footprints.get(i).toJson());
      b.append(i + 1 < footprints.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"problems\": [");
    for (int i = 0; i < problems.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(Json.quote(problems.get(i)));
    }
    b.append("],\n  \"pairedUncontended\": [\n");
    for (int i = 0; i < paired.size(); i++) {
      b.append("    ").append(paired.get(i).toJson());
      b.append(i + 1 < paired.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"membership\": [\n");
    for (int i = 0; i < memberships.size(); i++) {
      b.append("    ").append(memberships.get(i).toJson());
      b.append(i + 1 < memberships.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"costPerCycle\": [\n");
    for (int i = 0; i < costs.size(); i++) {
      b.append("    ").append(costs.get(i).toJson());
      b.append(i + 1 < costs.size() ? ",\n" : "\n");
    }
    return b.append("  ]\n}\n").toString();
  }

  String toCsv() {
    StringBuilder b = new StringBuilder("kind,backend,benchmark,impl,value,error,unit\n");
    for (Throughput t : throughput) {
      b.append(
          String.format(
              Locale.ROOT,
              "throughput,%s,%s,%s,%.2f,%.2f,ops/s%n",
              t.backend(),
              t.bench(),
              t.impl(),
              t.opsPerSec(),
              finite(t.error())));
    }
    for (HandOffStats h : handOffs) {
      b.append(csv("handoff-p50", h.backend(), h.impl(), h.p50(), "us"));
      b.append(csv("handoff-p99", h.backend(), h.impl(), h.p99(), "us"));
      b.append(csv("handoff-cross-thread-p50", h.backend(), h.impl(), h.crossP50(), "us"));
      b.append(csv("handoff-cross-thread-p99", h.backend(), h.impl(), h.crossP99(), "us"));
    }
    for (Footprint.Result f : footprints) {
      b.append(csv("heap-per-held-lock", "redis", f.impl(), f.bytesPerLock(), "bytes"));
      b.append(csv("threads-with-locks-held", "redis", f.impl(), f.threadsHeld(), "threads"));
      b.append(csv("threads-client-idle", "redis", f.impl(), f.threadsIdle(), "threads"));
    }
    for (Paired.Ratio p : paired) {
      b.append(
          String.format(
              Locale.ROOT,
              "paired-ratio-to-%s,%s,uncontended,%s,%.4f,%.4f,ratio%n",
              p.base(),
              p.backend(),
              p.impl(),
              p.median(),
              (p.high() - p.low()) / 2));
    }
    for (Cost.Result c : costs) {
      b.append(costLine("requests-per-cycle", c, c.requests(), "requests"));
      b.append(costLine("client-cpu-per-cycle", c, c.clientCpuMicros(), "us"));
      b.append(costLine("server-cpu-per-cycle", c, c.serverCpuMicros(), "us"));
      b.append(costLine("wall-per-cycle", c, c.wallMicros(), "us"));
    }
    for (MembershipProbe.Result m : memberships) {
      b.append(membershipLine("membership-join-seen-p50", m, m.joinP50(), "us"));
      b.append(membershipLine("membership-join-seen-p99", m, m.joinP99(), "us"));
      b.append(membershipLine("membership-leave-seen-p50", m, m.leaveP50(), "us"));
      b.append(membershipLine("membership-leave-seen-p99", m, m.leaveP99(), "us"));
      b.append(membershipLine("membership-floor-join-seen-p50", m, m.floorJoinP50(), "us"));
      b.append(
          membershipLine(
              "membership-heap-per-registered-member", m, m.bytesPerRegisteredMember(), "bytes"));
      b.append(
          membershipLine(
              "membership-heap-per-watched-member", m, m.bytesPerWatchedMember(), "bytes"));
      b.append(membershipLine("membership-threads-with-members", m, m.threadsWatched(), "threads"));
    }
    return b.toString();
  }

  private static String membershipLine(
      String kind, MembershipProbe.Result m, double v, String unit) {
    return String.format(
        Locale.ROOT, "%s,%s,membership,holdfast,%.2f,,%s%n", kind, m.backend(), finite(v), unit);
  }

  private static String costLine(String kind, Cost.Result c, double v, String unit) {
    return String.format(
        Locale.ROOT,
        "%s,%s,uncontended,%s,%.3f,,%s%n",
        kind,
        c.backend(),
        c.impl(),
        finite(v),
        unit);
  }

  private static String csv(String kind, String backend, String impl, double v, String unit) {
    return String.format(
            Locale.ROOT, "%s,%s,oneName,%s,%.2f,,%s%n", kind, backend, impl, finite(v), unit)
        .replace(",oneName,", kind.startsWith("handoff") ? ",oneName," : ",footprint,");
  }

  private static String map(Map<String, String> m) {
    StringBuilder b = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (!first) {
        b.append(", ");
      }
      first = false;
      b.append(Json.quote(e.getKey())).append(": ").append(Json.quote(e.getValue()));
    }
    return b.append('}').toString();
  }
}
