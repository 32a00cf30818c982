package io.holdfast.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Turns {@link Results} into the generated part of {@code docs/performance.md} and its charts. */
final class Report {
  static final String BEGIN =
      "<!-- results:begin (written by BenchmarkRun; edit outside these markers) -->";
  static final String END = "<!-- results:end -->";
  static final String REDIS_SVG = "performance-redis.svg";
  static final String ZOOKEEPER_SVG = "performance-zookeeper.svg";

  private static final String[][] REDIS_CASES = {
    {"uncontended", "1 thread, uncontended"},
    {"eightNames", "8 threads, 8 names"},
    {"oneName", "8 threads, 1 name (contended)"},
  };

  /** The cases of the PostgreSQL and etcd benchmarks. */
  private static final String[][] PG_CASES = {
    {"uncontended", "1 thread, uncontended"}, {"oneName", "8 threads, 1 name (contended)"},
  };

  private static final String[][] ZK_CASES = {
    {"uncontended", "1 thread, uncontended"},
    {"oneName", "8 threads, 1 name (contended)"},
  };

  private Report() {}

  static void write(Results r, Path docs) throws IOException {
    Files.createDirectories(docs);
    Files.writeString(docs.resolve(REDIS_SVG), redisChart(r), StandardCharsets.UTF_8);
    boolean zk = r.throughput.stream().anyMatch(t -> t.backend().equals("zookeeper"));
    if (zk) {
      Files.writeString(docs.resolve(ZOOKEEPER_SVG), zooKeeperChart(r), StandardCharsets.UTF_8);
    }
    Path page = docs.resolve("performance.md");
    String section = BEGIN + "\n" + markdown(r, zk) + END;
    String text;
    if (Files.exists(page)) {
      String old = Files.readString(page, StandardCharsets.UTF_8);
      int b = old.indexOf(BEGIN);
      int e = old.indexOf(END);
      if (b < 0 || e < b) {
        throw new IllegalStateException(page + " has no results markers");
      }
      text = old.substring(0, b) + section + old.substring(e + END.length());
    } else {
      text = "# Performance\n\n" + section + "\n";
    }
    Files.writeString(page, text, StandardCharsets.UTF_8);
  }

  static String markdown(Results r, boolean zk) {
    StringBuilder b = new StringBuilder();
    var m = r.machine;
    var s = r.settings;
    b.append(
        fmt(
            "Run %s (%s mode): %s round(s) over all benchmarks, each a fresh JVM (fork) with %s"
                + " warm-up and %s measured iteration(s) of %s ms; took %s.%n%n",
            s.get("date"),
            s.get("mode"),
            s.get("rounds"),
            s.get("warmups"),
            s.get("iterations"),
            s.get("iterationMillis"),
            s.getOrDefault("duration", "?")));
    b.append(
        fmt(
            "Load average (1, 5, 15 min) at the start: %s; at the end: %s — on %s cores, anything"
                + " above about 1 is other work competing with the benchmark.%n%n",
            s.get("loadAverageAtStart"), s.getOrDefault("loadAverageAtEnd", "?"), m.get("cores")));
    b.append("| machine | |\n| --- | --- |\n");
    for (var e : m.entrySet()) {
      b.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
    }
    b.append("\n### Redis: acquire + release cycles per second\n\n");
    b.append(
        "Higher is better. ± is JMH's 99.9% confidence half-width; ratios carry both errors.\n\n");
    b.append(
        "| case | floor | Holdfast | Redisson | Holdfast ÷ floor | Holdfast ÷ Redisson | Redisson ÷ floor |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String[] c : REDIS_CASES) {
      var floor = r.throughput("redis", c[0], "floor").orElse(null);
      var hf = r.throughput("redis", c[0], "holdfast").orElse(null);
      var rs = r.throughput("redis", c[0], "redisson").orElse(null);
      row(b, c[1], ops(floor), ops(hf), ops(rs), ratio(hf, floor), ratio(hf, rs), ratio(rs, floor));
    }
    pairedTable(b, r, "redis");
    b.append("\n![Redis throughput and hand-off](").append(REDIS_SVG).append(")\n");
    b.append("\n### Redis: contended hand-off (8 threads, 1 name)\n\n");
    handOffTable(b, r, "redis", List.of("floor", "holdfast", "redisson"));
    if (zk) {
      b.append("\n### ZooKeeper: acquire + release cycles per second\n\n");
      b.append("| case | Holdfast | Curator `InterProcessMutex` | Holdfast ÷ Curator |\n");
      b.append("| --- | ---: | ---: | ---: |\n");
      for (String[] c : ZK_CASES) {
        var hf = r.throughput("zookeeper", c[0], "holdfast").orElse(null);
        var cu = r.throughput("zookeeper", c[0], "curator").orElse(null);
        b.append("| ")
            .append(c[1])
            .append(" | ")
            .append(ops(hf))
            .append(" | ")
            .append(ops(cu))
            .append(" | ")
            .append(ratio(hf, cu))
            .append(" |\n");
      }
      pairedTable(b, r, "zookeeper");
      b.append("\n![ZooKeeper throughput and hand-off](").append(ZOOKEEPER_SVG).append(")\n");
      b.append("\n### ZooKeeper: contended hand-off (8 threads, 1 name)\n\n");
      handOffTable(b, r, "zookeeper", List.of("holdfast", "curator"));
    }
    postgresTable(b, r);
    etcdTable(b, r);
    b.append("\n### Footprint: ")
        .append(fmt("%,d", Integer.parseInt(s.getOrDefault("locksHeld", "0"))))
        .append(" Redis locks held at once by one client\n\n");
    b.append(
        "Heap after full GCs (serial collector, fresh JVM per library); the caller's names and list are allocated before the baseline.\n\n");
    b.append(
        "| library | heap, client idle | heap, locks held | heap per held lock | threads before the client | threads, client idle | threads, locks held |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Footprint.Result f : r.footprints) {
      b.append(
          fmt(
              "| %s | %.1f MiB | %.1f MiB | %,.0f bytes | %d | %d | %d |%n",
              name(f.impl()),
              f.heapIdle() / 1048576.0,
              f.heapHeld() / 1048576.0,
              f.bytesPerLock(),
              f.threadsBeforeClient(),
              f.threadsIdle(),
              f.threadsHeld()));
    }
    membershipSection(b, r);
    b.append("\n### Cost per uncontended cycle, counted\n\n");
    b.append("One thread, ")
        .append(r.costs.isEmpty() ? "?" : fmt("%,d", r.costs.get(0).cycles()))
        .append(" Redis (ZooKeeper: ")
        .append(
            r.costs.stream()
                .filter(c -> c.backend().equals("zookeeper"))
                .findFirst()
                .map(c -> fmt("%,d", c.cycles()))
                .orElse("–"))
        .append(
            ") acquire + release cycles on one name after as many to warm up, in a fresh JVM per library")
        .append(
            fmt(
                ", %s time(s) with the libraries interleaved; the run with the median wall time is shown.",
                r.settings.getOrDefault("costRounds", "1")))
        .append(
            ""
                + " Requests are what the client sent, counted by the server (Redis `MONITOR`"
                + " over up to 500 cycles, ZooKeeper `mntr` packets received). Each Redis request here waits"
                + " for its answer, so requests are round trips; on ZooKeeper, Holdfast sends its create and"
                + " getChildren together (2 round trips for 3 requests), Curator one after the other (3)."
                + " With the commands scripts ran"
                + " (`INFO commandstats`) they do not depend on how busy the machine was. CPU is the"
                + " client process's (all its threads) and the Redis server's process; \"server µs executing"
                + " them\" is Redis's own time inside the commands sent (`INFO commandstats` usec, a"
                + " script's time including the commands it ran); thread wake-ups are the"
                + " context switches of all the client's threads (`/proc/self/task/*/status`).\n\n");
    b.append(
        "| backend | library | requests per cycle | sent | commands the server ran (scripts included) | server µs executing them per cycle | client thread wake-ups per cycle | client bytes allocated per cycle | client CPU µs per cycle | Redis server CPU µs per cycle | wall µs per cycle |\n");
    b.append("| --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Cost.Result c : r.costs) {
      boolean redis = c.backend().equals("redis");
      b.append(
          fmt(
              "| %s | %s | %.2f | %s | %s | %s | %.1f | %,.0f | %.1f | %s | %.1f |%n",
              c.backend(),
              name(c.impl()),
              c.sentRequests(),
              redis ? c.sent() : "requests (`mntr`)",
              redis ? c.breakdown() : "–",
              redis ? fmt("%.1f", c.commandMicros()) : "–",
              c.switches(),
              c.allocatedBytes(),
              c.clientCpuMicros(),
              redis ? fmt("%.1f", c.serverCpuMicros()) : "–",
              c.wallMicros()));
    }
    b.append(
        "\nClient thread wake-ups per cycle by thread (names as the kernel shows them, at least 0.2 per cycle):\n\n");
    for (Cost.Result c : r.costs) {
      b.append("- ")
          .append(c.backend())
          .append(", ")
          .append(name(c.impl()))
          .append(": ")
          .append(c.wakers().isEmpty() ? "–" : c.wakers())
          .append('\n');
    }
    if (!r.problems.isEmpty()) {
      b.append("\n### Problems during the run\n\n");
      for (String p : r.problems) {
        b.append("- ").append(p.replace("|", "\\|")).append('\n');
      }
    }
    b.append("\n### Targets (issue 6)\n\n| target | measured | met |\n| --- | --- | --- |\n");
    for (String[] t : targets(r, zk)) {
      b.append("| ")
          .append(t[0])
          .append(" | ")
          .append(t[1])
          .append(" | ")
          .append(t[2])
          .append(" |\n");
    }
    b.append(
        "\nA target not met is explained, with its evidence, under *What we learned* below.\n");
    return b.toString();
  }

  private static void membershipSection(StringBuilder b, Results r) {
    if (r.memberships.isEmpty()) {
      return;
    }
    MembershipProbe.Result first = r.memberships.get(0);
    b.append("\n### Membership: how soon a watcher hears of a join or a leave\n\n");
    b.append(
        fmt(
            "Two instances of the membership service with default settings (their own connections), %,d"
                + " joins and leaves one at a time after a fifth as many to warm up, in a fresh JVM per backend."
                + " *Register returns*: `register(info)` from call to return. *Join seen*: from just before"
                + " `register` to the other instance's `joined` callback; *leave seen*: from just before"
                + " `Registration.close()` to its `left` callback. The *floor* is the least the server can do"
                + " for the same news, measured right after in the same JVM: on Redis one `PUBLISH` reaching a"
                + " subscriber on another connection; on ZooKeeper one ephemeral `create` (or `delete`) reaching"
                + " a persistent recursive watch of another client, without reading the node's data. In µs,"
                + " lower is better.%n%n",
            first.samples()));
    b.append(
        "| backend | register returns p50 | p99 | join seen p50 | p99 | floor p50 | floor p99 | join ÷ floor (p50) | leave seen p50 | p99 | floor p50 | floor p99 | leave ÷ floor (p50) |\n");
    b.append(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (MembershipProbe.Result m : r.memberships) {
      b.append(
          fmt(
              "| %s | %s | %s | %s | %s | %s | %s | %.2f× | %s | %s | %s | %s | %.2f× |%n",
              backendName(m.backend()),
              us(m.registerP50()),
              us(m.registerP99()),
              us(m.joinP50()),
              us(m.joinP99()),
              us(m.floorJoinP50()),
              us(m.floorJoinP99()),
              m.joinP50() / m.floorJoinP50(),
              us(m.leaveP50()),
              us(m.leaveP99()),
              us(m.floorLeaveP50()),
              us(m.floorLeaveP99()),
              m.leaveP50() / m.floorLeaveP50()));
    }
    b.append(
        fmt(
            "%n### Footprint: %,d members registered by one instance, watched by another%n%n",
            first.members()));
    b.append(
        "Same JVM as above (serial collector), before the latency samples. Heap after full GCs: with both"
            + " instances started and idle, after one registered every member, and after the other opened a"
            + " `view` of the group and saw them all.\n\n");
    b.append(
        "| backend | heap, idle | heap per registered member | heap per watched member | threads before the clients | threads, idle | threads, members registered | threads, members watched | registering them all |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (MembershipProbe.Result m : r.memberships) {
      b.append(
          fmt(
              "| %s | %.1f MiB | %,.0f bytes | %,.0f bytes | %d | %d | %d | %d | %.2f s |%n",
              backendName(m.backend()),
              m.heapIdle() / 1048576.0,
              m.bytesPerRegisteredMember(),
              m.bytesPerWatchedMember(),
              m.threadsBeforeClients(),
              m.threadsIdle(),
              m.threadsRegistered(),
              m.threadsWatched(),
              m.registerAllSeconds()));
    }
  }

  /** The PostgreSQL libraries side by side, if the run measured them. */
  private static void postgresTable(StringBuilder b, Results r) {
    if (r.throughput.stream().noneMatch(t -> t.backend().equals("postgres"))) {
      return;
    }
    b.append("\n### PostgreSQL: acquire + release cycles per second\n\n");
    b.append(
        "Each over a HikariCP pool of 10 connections of its own; the floor, ShedLock and Spring's"
            + " registry (100 ms between tries) poll when the lock is taken. *Statements* is a"
            + " diagnostic: Holdfast's two statements sent over raw JDBC, no Holdfast code.\n\n");
    b.append(
        "| case | floor | Holdfast | statements | ShedLock JDBC (`usingDbTime()`) | Spring"
            + " `JdbcLockRegistry` | Holdfast ÷ floor | statements ÷ floor | Holdfast ÷ ShedLock |"
            + " Holdfast ÷ Spring |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String[] c : PG_CASES) {
      var floor = r.throughput("postgres", c[0], "floor").orElse(null);
      var hf = r.throughput("postgres", c[0], "holdfast").orElse(null);
      var st = r.throughput("postgres", c[0], "statements").orElse(null);
      var sh = r.throughput("postgres", c[0], "shedlock").orElse(null);
      var sp = r.throughput("postgres", c[0], "spring").orElse(null);
      row(
          b,
          c[1],
          ops(floor),
          ops(hf),
          ops(st),
          ops(sh),
          ops(sp),
          ratio(hf, floor),
          ratio(st, floor),
          ratio(hf, sh),
          ratio(hf, sp));
    }
  }

  /** The etcd lockers side by side, if the run measured them. */
  private static void etcdTable(StringBuilder b, Results r) {
    if (r.throughput.stream().noneMatch(t -> t.backend().equals("etcd"))) {
      return;
    }
    b.append("\n### etcd: acquire + release cycles per second\n\n");
    b.append(
        "Each on a jetcd client of its own. The floor (a put-if-absent transaction and a"
            + " compare-and-delete) polls when the lock is taken; jetcd's `Lock` grants a lease per"
            + " cycle and waits on the server.\n\n");
    b.append(
        "| case | floor | Holdfast | jetcd `Lock` (lease + lock + unlock) | Holdfast ÷ floor |"
            + " Holdfast ÷ jetcd | jetcd ÷ floor |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String[] c : PG_CASES) {
      var floor = r.throughput("etcd", c[0], "floor").orElse(null);
      var hf = r.throughput("etcd", c[0], "holdfast").orElse(null);
      var je = r.throughput("etcd", c[0], "jetcd").orElse(null);
      row(b, c[1], ops(floor), ops(hf), ops(je), ratio(hf, floor), ratio(hf, je), ratio(je, floor));
    }
  }

  /** One markdown table row. */
  private static void row(StringBuilder b, String... cells) {
    b.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  private static String backendName(String backend) {
    return backend.equals("redis") ? "Redis" : "ZooKeeper";
  }

  private static void pairedTable(StringBuilder b, Results r, String backend) {
    List<Paired.Ratio> rows = r.paired.stream().filter(p -> p.backend().equals(backend)).toList();
    if (rows.isEmpty()) {
      return;
    }
    b.append(
            "\nUncontended, paired: every library's client in one JVM, run in alternating blocks of ")
        .append(backend.equals("redis") ? "200" : "500")
        .append(" ms, ")
        .append(rows.get(0).rounds())
        .append(
            " rounds; the median of the per-round ratios and its 95% interval. Load from elsewhere"
                + " on the machine hits both sides of each ratio alike, so this is the steadier comparison"
                + " when the machine is busy.\n\n");
    b.append("| ratio | median | 95% interval |\n| --- | ---: | ---: |\n");
    for (Paired.Ratio p : rows) {
      b.append(
          fmt(
              "| %s ÷ %s | %.2f× | %.2f–%.2f× |%n",
              name(p.impl()), name(p.base()), p.median(), p.low(), p.high()));
    }
  }

  private static void handOffTable(StringBuilder b, Results r, String backend, List<String> impls) {
    b.append(
        "From the releasing holder's last instant before its unlock call to the next holder's"
            + " first instant after its lock call returned, in µs (lower is better). \"Any\" counts every"
            + " next grant; \"to another thread\" only grants to a thread that was waiting.\n\n");
    b.append(
        "| library | p50, any | p99, any | p50, to another thread | p99, to another thread | grants to another thread | samples | overlapping holders |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String impl : impls) {
      Optional<Results.HandOffStats> o = r.handOff(backend, impl);
      if (o.isEmpty()) {
        continue;
      }
      Results.HandOffStats h = o.get();
      b.append(
          fmt(
              "| %s | %s | %s | %s | %s | %.0f%% | %,d | %d |%n",
              name(impl),
              us(h.p50()),
              us(h.p99()),
              us(h.crossP50()),
              us(h.crossP99()),
              h.crossShare() * 100,
              h.samples(),
              h.overlaps()));
    }
  }

  static List<String[]> targets(Results r, boolean zk) {
    List<String[]> out = new ArrayList<>();
    var floor = r.throughput("redis", "uncontended", "floor").orElse(null);
    var hf = r.throughput("redis", "uncontended", "holdfast").orElse(null);
    var rs = r.throughput("redis", "uncontended", "redisson").orElse(null);
    double[] toFloor = Results.ratio(hf, floor);
    double[] toRedisson = Results.ratio(hf, rs);
    out.add(
        target(
            r,
            "Redis uncontended ≥ 0.9× the floor",
            hf,
            floor,
            toFloor,
            "redis",
            "holdfast",
            "floor",
            0.9));
    out.add(
        target(
            r,
            "Redis uncontended ≥ 1.3× Redisson",
            hf,
            rs,
            toRedisson,
            "redis",
            "holdfast",
            "redisson",
            1.3));
    var hh = r.handOff("redis", "holdfast");
    var rh = r.handOff("redis", "redisson");
    if (hh.isPresent() && rh.isPresent()) {
      out.add(
          new String[] {
            "Redis contended hand-off p50 no worse than Redisson's",
            fmt(
                "any: %s vs %s µs; to another thread: %s vs %s µs",
                us(hh.get().p50()),
                us(rh.get().p50()),
                us(hh.get().crossP50()),
                us(rh.get().crossP50())),
            hh.get().p50() <= rh.get().p50() && hh.get().crossP50() <= rh.get().crossP50()
                ? "yes"
                : hh.get().p50() <= rh.get().p50() || hh.get().crossP50() <= rh.get().crossP50()
                    ? "partly (see below)"
                    : "**no**"
          });
    }
    if (zk) {
      var zh = r.throughput("zookeeper", "uncontended", "holdfast").orElse(null);
      var zc = r.throughput("zookeeper", "uncontended", "curator").orElse(null);
      out.add(
          target(
              r,
              "ZooKeeper uncontended ≥ 1.0× Curator",
              zh,
              zc,
              Results.ratio(zh, zc),
              "zookeeper",
              "holdfast",
              "curator",
              1.0));
    }
    r.footprint("holdfast")
        .ifPresent(
            f -> {
              int extra = f.threadsHeld() - f.threadsIdle();
              out.add(
                  new String[] {
                    "No thread per held lock",
                    fmt(
                        "%d → %d threads with %,d locks held",
                        f.threadsIdle(), f.threadsHeld(), f.locks()),
                    extra < 5 ? "yes" : "**no**"
                  });
              out.add(
                  new String[] {
                    "Heap per held lock stated", fmt("%,.0f bytes", f.bytesPerLock()), "stated"
                  });
            });
    return out;
  }

  private static String[] target(
      Results r,
      String what,
      Results.@org.jspecify.annotations.Nullable Throughput a,
      Results.@org.jspecify.annotations.Nullable Throughput b,
      double @org.jspecify.annotations.Nullable [] jmh,
      String backend,
      String impl,
      String base,
      double t) {
    Optional<Paired.Ratio> p = r.paired(backend, impl, base);
    String measured = "JMH " + ratio(a, b);
    if (p.isEmpty()) {
      return new String[] {what, measured, met(jmh, t)};
    }
    Paired.Ratio q = p.get();
    measured += fmt("; paired %.2f× (%.2f–%.2f)", q.median(), q.low(), q.high());
    String verdict;
    if (q.low() >= t) {
      verdict = "yes";
    } else if (q.high() < t) {
      verdict = "**no**";
    } else if (q.median() >= t) {
      verdict = "likely (median above, interval spans the target)";
    } else {
      verdict = "**likely not** (median below, interval spans the target)";
    }
    return new String[] {what, measured, verdict};
  }

  private static String met(double @org.jspecify.annotations.Nullable [] ratio, double target) {
    if (ratio == null) {
      return "not measured";
    }
    if (ratio[0] >= target) {
      return "yes";
    }
    return ratio[0] + ratio[1] >= target ? "within error" : "**no**";
  }

  static String redisChart(Results r) {
    List<Chart.Section> sections = new ArrayList<>();
    List<Chart.Group> groups = new ArrayList<>();
    for (String[] c : REDIS_CASES) {
      groups.add(ratioGroup(r, "redis", c, List.of("floor", "holdfast", "redisson"), "floor"));
    }
    sections.add(
        new Chart.Section(
            "Throughput ÷ the raw floor's, same run (longer is better)", 1.0, groups));
    sections.add(handOffSection(r, "redis", List.of("floor", "holdfast", "redisson")));
    return Chart.svg(
        "Redis locks: Holdfast vs Redisson vs the round-trip floor",
        "floor = raw SET NX PX + EVALSHA compare-and-delete (polls when contended); "
            + r.machine.getOrDefault("cores", "?")
            + " cores; "
            + r.settings.getOrDefault("date", "").replace("T", " ").replace("Z", " UTC"),
        sections);
  }

  static String zooKeeperChart(Results r) {
    List<Chart.Group> groups = new ArrayList<>();
    for (String[] c : ZK_CASES) {
      groups.add(ratioGroup(r, "zookeeper", c, List.of("curator", "holdfast"), "curator"));
    }
    return Chart.svg(
        "ZooKeeper locks: Holdfast vs Curator InterProcessMutex",
        r.machine.getOrDefault("zookeeper", "") + "; " + r.settings.getOrDefault("date", ""),
        List.of(
            new Chart.Section("Throughput ÷ Curator's, same run (longer is better)", 1.0, groups),
            handOffSection(r, "zookeeper", List.of("holdfast", "curator"))));
  }

  private static Chart.Group ratioGroup(
      Results r, String backend, String[] c, List<String> impls, String base) {
    List<Chart.Bar> bars = new ArrayList<>();
    var baseline = r.throughput(backend, c[0], base).orElse(null);
    for (String impl : impls) {
      var t = r.throughput(backend, c[0], impl).orElse(null);
      double[] q = Results.ratio(t, baseline);
      if (t == null || q == null) {
        continue;
      }
      bars.add(
          new Chart.Bar(
              shortName(impl),
              q[0],
              q[1],
              fmt("%.2f×  (%,.0f/s)", q[0], t.opsPerSec()),
              Chart.color(impl)));
    }
    return new Chart.Group(c[1], bars);
  }

  private static Chart.Section handOffSection(Results r, String backend, List<String> impls) {
    List<Chart.Bar> p50 = new ArrayList<>();
    List<Chart.Bar> p99 = new ArrayList<>();
    for (String impl : impls) {
      r.handOff(backend, impl)
          .ifPresent(
              h -> {
                p50.add(
                    new Chart.Bar(
                        shortName(impl), h.p50(), 0, us(h.p50()) + " µs", Chart.color(impl)));
                p99.add(
                    new Chart.Bar(
                        shortName(impl), h.p99(), 0, us(h.p99()) + " µs", Chart.color(impl)));
              });
    }
    return new Chart.Section(
        "Contended hand-off, release → next grant, 8 threads on 1 name (shorter is better)",
        0,
        List.of(new Chart.Group("p50", p50), new Chart.Group("p99", p99)));
  }

  static String summary(Results r) {
    StringBuilder b = new StringBuilder("Holdfast benchmarks\n");
    for (Results.Throughput t : r.throughput) {
      b.append(
          fmt(
              "  %-9s %-12s %-9s %,12.0f ± %,.0f ops/s%n",
              t.backend(), t.bench(), t.impl(), t.opsPerSec(), Results.finite(t.error())));
    }
    for (Results.HandOffStats h : r.handOffs) {
      b.append(
          fmt(
              "  hand-off %-9s %-9s p50 %s p99 %s µs; to another thread p50 %s p99 %s µs (%.0f%%), overlaps %d%n",
              h.backend(),
              h.impl(),
              us(h.p50()),
              us(h.p99()),
              us(h.crossP50()),
              us(h.crossP99()),
              h.crossShare() * 100,
              h.overlaps()));
    }
    for (Footprint.Result f : r.footprints) {
      b.append(
          fmt(
              "  footprint %-9s %,d locks: %,.0f bytes per lock; threads %d → %d%n",
              f.impl(), f.locks(), f.bytesPerLock(), f.threadsIdle(), f.threadsHeld()));
    }
    for (MembershipProbe.Result m : r.memberships) {
      b.append(
          fmt(
              "  membership %-9s join seen p50 %.0f µs (floor %.0f), leave seen p50 %.0f µs (floor %.0f);"
                  + " %,d members: %,.0f bytes each registered, %,.0f watched; threads %d → %d%n",
              m.backend(),
              m.joinP50(),
              m.floorJoinP50(),
              m.leaveP50(),
              m.floorLeaveP50(),
              m.members(),
              m.bytesPerRegisteredMember(),
              m.bytesPerWatchedMember(),
              m.threadsIdle(),
              m.threadsWatched()));
    }
    for (Paired.Ratio p : r.paired) {
      b.append(
          fmt(
              "  paired %-9s %s ÷ %s = %.2f (%.2f–%.2f) over %d rounds%n",
              p.backend(), p.impl(), p.base(), p.median(), p.low(), p.high(), p.rounds()));
    }
    for (Cost.Result c : r.costs) {
      b.append(
          fmt(
              "  cost %-9s %-9s %.2f requests (%s), %.2f server commands (%s), client CPU %.1f µs, server CPU %.1f µs, wall %.1f µs%n",
              c.backend(),
              c.impl(),
              c.sentRequests(),
              c.sent(),
              c.requests(),
              c.breakdown(),
              c.clientCpuMicros(),
              Results.finite(c.serverCpuMicros()),
              c.wallMicros()));
    }
    for (String[] t :
        targets(r, r.throughput.stream().anyMatch(x -> x.backend().equals("zookeeper")))) {
      b.append("  target: ")
          .append(t[0])
          .append(" — ")
          .append(t[1])
          .append(" — ")
          .append(t[2])
          .append('\n');
    }
    return b.toString();
  }

  static String shortName(String impl) {
    return impl.equals("floor") ? "floor" : name(impl);
  }

  static String name(String impl) {
    return switch (impl) {
      case "holdfast" -> "Holdfast";
      case "redisson" -> "Redisson";
      case "curator" -> "Curator";
      case "floor" -> "floor (SET NX + EVALSHA)";
      case "scripts" -> "Holdfast's scripts over raw Lettuce (diagnostic)";
      default -> impl;
    };
  }

  private static String ops(Results.@org.jspecify.annotations.Nullable Throughput t) {
    if (t == null) {
      return "–";
    }
    return fmt("%,.0f ± %,.0f", t.opsPerSec(), Results.finite(t.error()));
  }

  private static String ratio(
      Results.@org.jspecify.annotations.Nullable Throughput a,
      Results.@org.jspecify.annotations.Nullable Throughput b) {
    double[] q = Results.ratio(a, b);
    return q == null ? "–" : fmt("%.2f× ± %.2f", q[0], q[1]);
  }

  private static String us(double micros) {
    return Double.isFinite(micros) ? fmt("%,.0f", micros) : "–";
  }

  private static String fmt(String pattern, @org.jspecify.annotations.Nullable Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
