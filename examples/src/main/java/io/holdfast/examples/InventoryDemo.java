package io.holdfast.examples;

import io.holdfast.membership.Member;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipView;
import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisURI;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A small, real distributed inventory. Several order-service instances ({@link OrderService}), each
 * a separate JVM, register in a membership group, elect a leader, and sell stock that lives in the
 * backend: every order is a decrement under the SKU's lock, written with the lock's fencing token.
 * Midway the demo has one instance take a lock and read the stock, then freezes it past its lease
 * (SIGSTOP, as a long GC pause): when it thaws, its write carries a stale token and the store
 * refuses it. Then it kills the leader with {@code kill -9}: its locks are freed when their leases
 * run out, it leaves the group, and another instance takes over with a larger epoch. The verdict
 * comes from the store and fails the run if an invariant broke.
 *
 * <p>Usage: {@code InventoryDemo [--redis redis://host:port | --zookeeper host:port | --postgres
 * jdbc:postgresql://host:port/db?user=u&password=p | --etcd http://host:2379[,...]] [--instances N]
 * [--threads N] [--stock N]}. Without either it starts a local Redis 7 (the binary shipped in
 * {@code org.signal:embedded-redis}).
 */
public final class InventoryDemo {
  static final List<String> SKUS = List.of("apple", "pear", "plum");
  static final String GROUP = "order-service";

  /** What a run found. */
  record Verdict(
      long initial,
      long accepted,
      long refused,
      Map<String, Long> finalStock,
      long oversold,
      long lostUpdates,
      long staleWritesRejected,
      boolean zombieRejected,
      boolean leaderReplaced,
      boolean frozenWriteRejected,
      boolean childrenFinished) {
    boolean ok() {
      return oversold == 0
          && lostUpdates == 0
          && zombieRejected
          && leaderReplaced
          && frozenWriteRejected
          && childrenFinished;
    }
  }

  /** Options of a run. */
  record Options(
      @Nullable String redis,
      @Nullable String zookeeper,
      @Nullable String postgres,
      @Nullable String etcd,
      int instances,
      int threads,
      long stockPerSku) {}

  static final String USAGE =
      """
      Usage: mvn -q -Pdemo -DskipTests verify [-Ddemo.args="OPTIONS"]

      A distributed inventory: order-service JVMs sell stock under Holdfast locks with fencing
      tokens, in a membership group with an elected leader; midway one holder is frozen past its
      lease and the leader is killed with kill -9. Ends with a verdict; exits 1 if an invariant
      broke.

      Options:
        --redis redis://host:port   use this Redis (default: start a local Redis 7)
        --zookeeper host:port       run everything on this ZooKeeper instead of Redis
        --postgres JDBC-URL         run everything on this PostgreSQL instead of Redis, e.g.
                                    jdbc:postgresql://host:5432/db?user=u&password=p
        --etcd URL[,URL...]         run everything on this etcd instead of Redis, e.g.
                                    http://127.0.0.1:2379
        --instances N               order-service JVMs (default 4)
        --threads N                 order threads per JVM (default 4)
        --stock N                   units per SKU, 3 SKUs (default 1500)
        --help                      print this and exit
      """;

  private InventoryDemo() {}

  /**
   * Runs the demo; exits with status 1 if an invariant broke.
   *
   * @param args see the class comment
   * @throws Exception if the demo could not run
   */
  public static void main(String[] args) throws Exception {
    String redis = null;
    String zookeeper = null;
    String postgres = null;
    String etcd = null;
    int instances = 4;
    int threads = 4;
    long stock = 1500;
    List<String> words = new ArrayList<>();
    for (String a : args) {
      words.addAll(List.of(a.trim().split("\\s+")));
    }
    words.removeIf(String::isEmpty);
    try {
      for (int i = 0; i < words.size(); i++) {
        String w = words.get(i);
        if (w.equals("--help") || w.equals("-h")) {
          System.out.print(USAGE);
          return;
        }
        if (i + 1 >= words.size()) {
          throw new IllegalArgumentException(
              w.startsWith("--") ? w + " needs a value" : "unknown argument " + w);
        }
        String value = words.get(++i);
        switch (w) {
          case "--redis" -> redis = value;
          case "--zookeeper" -> zookeeper = value;
          case "--postgres" -> postgres = value;
          case "--etcd" -> etcd = value;
          case "--instances" -> instances = Integer.parseInt(value);
          case "--threads" -> threads = Integer.parseInt(value);
          case "--stock" -> stock = Long.parseLong(value);
          default -> throw new IllegalArgumentException("unknown argument " + w);
        }
      }
    } catch (IllegalArgumentException e) { // NumberFormatException too
      System.err.println("InventoryDemo: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
    }
    Verdict v =
        run(new Options(redis, zookeeper, postgres, etcd, instances, threads, stock), System.out);
    if (!v.ok()) {
      System.exit(1);
    }
  }

  /** One child process and what it last reported. */
  private static final class Instance {
    final String id;
    volatile @Nullable JvmProcess process;
    volatile long refused;
    final java.util.concurrent.CompletableFuture<String> holding =
        new java.util.concurrent.CompletableFuture<>();
    final java.util.concurrent.CompletableFuture<String> wrote =
        new java.util.concurrent.CompletableFuture<>();

    Instance(String id) {
      this.id = id;
    }

    void onLine(String line, PrintStream out) {
      // -1: every field, even empty ones; the protocol never sends those.
      String[] f = line.split(" ", -1);
      switch (f[0]) {
        case "STAT" -> refused = Long.parseLong(f[2]); // accepted and stale: the store counts
        case "LEADER" -> out.printf("  %-11s became leader, epoch %s%n", id, f[1]);
        case "DONE" -> {
          // finished: nothing to record
        }
        case "HOLDING" -> holding.complete(line);
        case "WROTE" -> wrote.complete(line);
        case "LOST" ->
            out.printf("  %-11s was told its lease of %s (token %s) may be lost%n", id, f[1], f[3]);
        default -> out.printf("  %-11s %s%n", id, line);
      }
    }
  }

  static Verdict run(Options o, PrintStream out) throws Exception {
    RedisServer embedded = null;
    DemoBackend backend;
    if (o.zookeeper() != null) {
      backend = new DemoBackend.ZooKeeper(o.zookeeper());
      out.println("Using " + backend.describe());
    } else if (o.postgres() != null) {
      backend = new DemoBackend.Postgres(o.postgres());
      out.println("Using " + backend.describe());
    } else if (o.etcd() != null) {
      backend = new DemoBackend.Etcd(o.etcd());
      out.println("Using " + backend.describe());
    } else if (o.redis() != null) {
      backend = new DemoBackend.Redis(RedisURI.create(o.redis()));
      out.println("Using " + backend.describe());
    } else {
      embedded = RedisServers.localProcess();
      backend = new DemoBackend.Redis(embedded.uri());
      out.println(
          "Started a local Redis 7 (from org.signal:embedded-redis) on " + backend.describe());
    }
    List<Instance> instances = new ArrayList<>();
    ExecutorService starter = Executors.newCachedThreadPool();
    try (FencedStock stock = backend.stock();
        Membership membership = backend.membership();
        MembershipView view = membership.view(GROUP)) {
      for (String sku : SKUS) {
        stock.reset(sku, o.stockPerSku());
      }
      long initial = SKUS.size() * o.stockPerSku();
      out.printf(
          "Starting %d order-service JVMs x %d threads; stock %s, %d each; lease %d s%n",
          o.instances(), o.threads(), SKUS, o.stockPerSku(), DemoBackend.LEASE.toSeconds());
      List<Future<?>> starting = new ArrayList<>();
      for (int i = 1; i <= o.instances(); i++) {
        Instance in = new Instance("instance-" + i);
        instances.add(in);
        List<String> args = new ArrayList<>(backend.args());
        args.addAll(List.of(in.id, Integer.toString(o.threads()), String.join(",", SKUS)));
        starting.add(
            starter.submit(
                () -> {
                  in.process =
                      JvmProcess.start(
                          OrderService.class,
                          line -> in.onLine(line, out),
                          args.toArray(new String[0]));
                  return null;
                }));
      }
      for (Future<?> f : starting) {
        f.get(120, TimeUnit.SECONDS);
      }
      for (Instance in : instances) {
        in.process.send("GO");
      }
      long t0 = System.nanoTime();
      long lastSold = 0;
      long lastPrint = t0;
      boolean froze = false;
      boolean killed = false;
      Long killedEpoch = null;
      String killedId = null;
      long killedAt = 0;
      boolean leftSeen = false;
      boolean leaderReplaced = false;
      long deadline = t0 + Duration.ofMinutes(2).toNanos();
      java.util.concurrent.CompletableFuture<Boolean> freezeDemo =
          new java.util.concurrent.CompletableFuture<>();
      while (true) {
        if (System.nanoTime() > deadline) {
          out.println("The demo did not finish in 120 s");
          break;
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        long sold = initial - stock.total(SKUS);
        Optional<Member> leader = leader(view);
        if (!froze && sold >= initial / 10) {
          froze = true;
          Instance victim = pickNot(instances, leader);
          // freezeWhileHolding reports its own failure (to out and through freezeDemo).
          var unused = starter.submit(() -> freezeWhileHolding(victim, t0, out, freezeDemo));
        }
        if (!killed && sold >= initial * 5 / 10 && leader.isPresent()) {
          killed = true;
          Member l = leader.get();
          Instance victim =
              instances.stream().filter(i -> i.id.equals(l.id())).findFirst().orElseThrow();
          killedId = victim.id;
          killedEpoch = l.leaderEpoch();
          killedAt = System.nanoTime();
          out.printf(
              ">> %.1f s: kill -9 of the leader %s (epoch %d): its locks are freed when their leases run out%n",
              secs(t0), victim.id, killedEpoch);
          victim.process.kill();
        }
        String gone = kId(killedId);
        if (killed && !leftSeen && view.members().stream().noneMatch(m -> m.id().equals(gone))) {
          leftSeen = true;
          out.printf(
              ">> %s left the group %d ms after the kill%n",
              killedId, (System.nanoTime() - killedAt) / 1_000_000);
        }
        if (killed
            && !leaderReplaced
            && leader.isPresent()
            && leader.get().leaderEpoch() > killedEpoch) {
          leaderReplaced = true;
          out.printf(
              ">> new leader %s, epoch %d > %d, %d ms after the kill%n",
              leader.get().id(),
              leader.get().leaderEpoch(),
              killedEpoch,
              (System.nanoTime() - killedAt) / 1_000_000);
        }
        long now = System.nanoTime();
        if (now - lastPrint >= Duration.ofMillis(500).toNanos()) {
          double rate = (sold - lastSold) / ((now - lastPrint) / 1e9);
          out.printf(
              "%5.1f s  %6.0f orders/s  stock left %-32s leader %-22s members %d%n",
              secs(t0),
              rate,
              stockLine(stock),
              leader.map(m -> m.id() + " (epoch " + m.leaderEpoch() + ")").orElse("-"),
              view.members().size());
          lastSold = sold;
          lastPrint = now;
        }
        if (sold == initial && leaderReplaced && leftSeen && freezeDemo.isDone()) {
          break;
        }
      }
      for (Instance in : instances) {
        JvmProcess p = in.process;
        if (p != null && p.isAlive()) {
          p.send("STOP");
        }
      }
      boolean finished = true;
      for (Instance in : instances) {
        JvmProcess p = in.process;
        if (p != null && !in.id.equals(killedId)) {
          finished &= p.awaitExit(Duration.ofSeconds(30));
        }
      }
      // A zombie: a writer that paused for a very long time and wakes with the first token ever.
      boolean zombieRejected = !stock.write(SKUS.get(0), 1_000_000, 1);
      Map<String, Long> finalStock = new LinkedHashMap<>();
      long accepted = 0;
      long rejected = 0;
      for (String sku : SKUS) {
        finalStock.put(sku, stock.read(sku));
        accepted += stock.accepted(sku);
        rejected += stock.rejected(sku);
      }
      long left = finalStock.values().stream().mapToLong(Long::longValue).sum();
      long oversold = finalStock.values().stream().filter(s -> s < 0).mapToLong(s -> -s).sum();
      long refused = instances.stream().mapToLong(i -> i.refused).sum();
      Verdict v =
          new Verdict(
              initial,
              accepted,
              refused,
              finalStock,
              oversold,
              Math.abs((initial - left) - accepted),
              rejected - (zombieRejected ? 1 : 0),
              zombieRejected,
              leaderReplaced,
              freezeDemo.getNow(false),
              finished);
      out.println();
      out.printf("Done in %.1f s.%n", secs(t0));
      out.println("orders accepted:          " + v.accepted() + " (counted by the store)");
      out.println("orders refused, no stock: " + v.refused() + " (as reported by the instances)");
      out.println("final stock:              " + v.finalStock());
      out.println("oversold:                 " + v.oversold());
      out.println(
          "lost updates:             " + v.lostUpdates() + " (stock sold - writes accepted)");
      out.println(
          "stale writes rejected:    "
              + v.staleWritesRejected()
              + " (writes after a lost lease, refused by the fence)");
      out.println(
          "frozen holder's write:    " + (v.frozenWriteRejected() ? "rejected" : "NOT REJECTED"));
      out.println(
          "zombie write, token 1:    "
              + (zombieRejected ? "rejected" : "ACCEPTED")
              + " (a late write with the first token of the run, as from a holder frozen since the start)");
      out.println(
          "leader replaced:          " + (leaderReplaced ? "yes, with a larger epoch" : "NO"));
      out.println("instances finished:       " + (finished ? "yes" : "NO"));
      out.println(v.ok() ? "VERDICT: OK" : "VERDICT: BROKEN");
      return v;
    } finally {
      for (Instance in : instances) {
        JvmProcess p = in.process;
        if (p != null) {
          p.resume();
          p.close();
        }
      }
      starter.shutdownNow();
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /**
   * The fencing demonstration: the instance takes apple's lock and reads the stock, then its whole
   * JVM is frozen past the lease. Others take the lock and sell apples meanwhile. When it thaws it
   * writes its decrement with the old token, and the store refuses it.
   */
  private static void freezeWhileHolding(
      Instance victim,
      long t0,
      PrintStream out,
      java.util.concurrent.CompletableFuture<Boolean> done) {
    try {
      JvmProcess p = victim.process;
      String sku = SKUS.get(0);
      p.send("HOLD " + sku);
      String[] h = victim.holding.get(30, TimeUnit.SECONDS).split(" ", -1);
      p.pause();
      out.printf(
          ">> %.1f s: %s holds %s's lock (token %s) and read stock %s; froze it (SIGSTOP) for %d s,"
              + " past its %d s lease, as a long GC pause would%n",
          secs(t0),
          victim.id,
          h[1],
          h[2],
          h[3],
          DemoBackend.LEASE.toSeconds() + 1,
          DemoBackend.LEASE.toSeconds());
      LockSupport.parkNanos(DemoBackend.LEASE.plusSeconds(1).toNanos());
      p.resume();
      p.send("WRITE");
      String w = victim.wrote.get(30, TimeUnit.SECONDS);
      boolean rejected = w.contains("rejected");
      out.printf(
          ">> %.1f s: %s thawed and wrote stock %d with token %s: %s by the store (%s)%n",
          secs(t0),
          victim.id,
          Long.parseLong(h[3]) - 1,
          h[2],
          rejected ? "REFUSED" : "ACCEPTED",
          w.substring(w.indexOf("held=")));
      done.complete(rejected);
    } catch (Exception e) {
      out.println(">> the freeze demonstration failed: " + e);
      done.complete(false);
    }
  }

  private static String kId(@Nullable String id) {
    return id == null ? "" : id;
  }

  private static Optional<Member> leader(MembershipView view) {
    return view.members().stream()
        .filter(m -> m.leaderEpoch() > 0)
        .max((a, b) -> Long.compare(a.leaderEpoch(), b.leaderEpoch()));
  }

  private static Instance pickNot(List<Instance> instances, Optional<Member> leader) {
    String l = leader.map(Member::id).orElse("");
    return instances.stream().filter(i -> !i.id.equals(l)).findFirst().orElseThrow();
  }

  private static String stockLine(FencedStock stock) {
    Map<String, Long> m = new java.util.HashMap<>();
    StringBuilder sb = new StringBuilder();
    for (String sku : SKUS) {
      m.put(sku, stock.read(sku));
      sb.append(sku).append('=').append(m.get(sku)).append(' ');
    }
    return sb.toString().trim();
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
