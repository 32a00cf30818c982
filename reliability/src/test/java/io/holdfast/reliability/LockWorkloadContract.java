package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.TcpFaultProxy;
import io.holdfast.testkit.history.Event;
import io.holdfast.testkit.history.FencedRegister;
import io.holdfast.testkit.history.HistoryChecker;
import io.holdfast.testkit.history.HistoryFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-process lock workloads against a real backend, with faults; every run's merged history must
 * pass {@link HistoryChecker}. The protected resource (a {@link FencedRegister}) lives in a Redis
 * of its own, untouched by the faults. Short by default; {@code -Dholdfast.reliability.long=true}
 * runs the release-check sizes.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
abstract class LockWorkloadContract {
  static final boolean LONG = Boolean.getBoolean("holdfast.reliability.long");
  static final List<String> NAMES = List.of("alpha", "beta", "gamma");

  static RedisServer resource;
  static FencedRegister register;

  @TempDir Path dir;
  final List<JvmProcess> workers = new CopyOnWriteArrayList<>();
  final List<LockService> services = new CopyOnWriteArrayList<>();
  HistoryFile coordinator;
  final String run = "r" + Long.toHexString(System.nanoTime());

  /** The backend kind for {@link Worker}: "redis", "zookeeper", "postgres" or "etcd". */
  abstract String kind();

  /** Where workers connect (the server, or a fault proxy in front of it). */
  abstract String address();

  /** The address through a proxy in front of the server. */
  abstract String address(TcpFaultProxy proxy);

  /** The host and port of the real server, for a proxy. */
  abstract String serverHost();

  abstract int serverPort();

  /** Lease (Redis, PostgreSQL, etcd) or session timeout (ZooKeeper) in the workloads. */
  abstract Duration lease();

  @BeforeAll
  static void startResource() {
    resource = RedisServers.localProcess();
    register = new FencedRegister(resource.uri());
  }

  @AfterAll
  static void stopResource() {
    register.close();
    resource.close();
  }

  @AfterEach
  void stopWorkers() {
    workers.forEach(JvmProcess::close);
    services.forEach(LockService::close);
    if (coordinator != null) {
      coordinator.close();
    }
  }

  List<String> names() {
    return NAMES.stream().map(n -> run + "-" + n).toList();
  }

  Path history(String worker) {
    return dir.resolve(worker + ".history");
  }

  JvmProcess startWorker(
      String id, String address, int threads, int ops, long sleepMs, Consumer<String> lines) {
    JvmProcess p =
        JvmProcess.start(
            Worker.class,
            lines,
            kind(),
            address,
            id,
            Integer.toString(threads),
            String.join(",", names()),
            Integer.toString(ops),
            history(id).toString(),
            resource.uri().toString(),
            Long.toString(lease().toMillis()),
            Long.toString(sleepMs));
    workers.add(p);
    return p;
  }

  List<JvmProcess> startWorkers(int count, String address, int threads, int ops, long sleepMs) {
    // One after another: started together, PostgreSQL workers race to create their tables and
    // some fail to start.
    List<JvmProcess> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = "w" + i;
      started.add(
          startWorker(
              id,
              address,
              threads,
              ops,
              sleepMs,
              line -> System.out.println("[" + id + "] " + line)));
    }
    return started;
  }

  void recordCrash(String worker) {
    coordinator().record(worker, Event.Op.CRASH, Event.Type.INVOKE, "", 0, 0);
  }

  HistoryFile coordinator() {
    if (coordinator == null) {
      coordinator = new HistoryFile(dir.resolve("coordinator.history"));
    }
    return coordinator;
  }

  long grants(String worker) {
    Path p = history(worker);
    if (!Files.exists(p)) {
      return 0;
    }
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8).stream()
          .filter(l -> l.contains(" acquire ok "))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long totalGrants() {
    long sum = 0;
    for (int i = 0; i < workers.size(); i++) {
      sum += grants("w" + i);
    }
    return sum;
  }

  HistoryChecker.Report check(String scenario) {
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.toString().endsWith(".history")).forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    coordinator().close();
    coordinator = null;
    List<Event> history = HistoryFile.readAll(files);
    Map<String, Long> finals = new HashMap<>();
    for (String n : names()) {
      finals.put(n, register.read(n));
    }
    HistoryChecker.Report r = HistoryChecker.check(history, finals);
    String line = "[reliability] " + kind() + " " + scenario + ": " + r.summary();
    System.out.println(line);
    Reports.add(line);
    assertThat(r.violations()).as(line).isEmpty();
    return r;
  }

  void go(List<JvmProcess> ps) {
    ps.forEach(p -> p.send("GO"));
  }

  void awaitFinished(List<JvmProcess> ps) throws InterruptedException {
    for (JvmProcess p : ps) {
      if (p.isAlive()) {
        assertThat(p.awaitExit(Duration.ofSeconds(240))).as("a worker hung").isTrue();
      }
    }
  }

  int ops(int shortOps, int longOps) {
    return LONG ? longOps : shortOps;
  }

  // ------------------------------------------------------------------ scenarios

  @Test
  void manyProcesses_oneKilledMidSection_historyClean_waitersGetTheLock() throws Exception {
    int processes = LONG ? 6 : 4;
    List<JvmProcess> ps = startWorkers(processes, address(), 4, ops(12, 150), 3);
    CompletableFuture<String> frozen = new CompletableFuture<>();
    ps.get(0)
        .onLine(
            line -> {
              System.out.println("[w0] " + line);
              if (line.startsWith("FROZEN ")) {
                frozen.complete(line);
              }
            });
    go(ps);
    await().atMost(Duration.ofSeconds(120)).until(() -> grants("w0") >= 5);
    // Kill it mid-section: one of its threads stops inside its critical section and says so.
    ps.get(0).send("FREEZE");
    String line = frozen.get(60, TimeUnit.SECONDS);
    long killedAt = System.nanoTime();
    ps.get(0).kill();
    recordCrash("w0");
    awaitFinished(ps.subList(1, ps.size()));
    HistoryChecker.Report r =
        check("many processes (" + processes + " JVMs x 4 threads, kill -9 of one)");
    assertThat(r.crashes()).isEqualTo(1);
    String[] f = line.split(" ");
    assertThat(r.grants())
        .as("the kill fell inside the critical section it froze in")
        .anyMatch(g -> g.crashed() && g.name().equals(f[1]) && g.token() == Long.parseLong(f[2]));
    assertThat(r.writesAcked()).isPositive();
    // Whatever the killed process held was granted again within its lease (plus slack).
    for (HistoryChecker.Grant g : r.grants()) {
      if (g.crashed()) {
        long next =
            r.grants().stream()
                .filter(o -> o.name().equals(g.name()) && o.start() > g.start())
                .mapToLong(HistoryChecker.Grant::start)
                .min()
                .orElse(Long.MAX_VALUE);
        if (next != Long.MAX_VALUE) {
          assertThat(Duration.ofNanos(next - killedAt))
              .as("'%s' held by the killed process was granted again", g.name())
              .isLessThan(lease().plusSeconds(5));
        }
      }
    }
  }

  @Test
  void pausedHolder_losesItsLease_andItsLateWriteIsRefused() throws Exception {
    CompletableFuture<String> holding = new CompletableFuture<>();
    CompletableFuture<String> wrote = new CompletableFuture<>();
    CompletableFuture<String> lost = new CompletableFuture<>();
    JvmProcess holder =
        startWorker(
            "paused",
            address(),
            1,
            0,
            0,
            line -> {
              System.out.println("[paused] " + line);
              if (line.startsWith("HOLDING")) {
                holding.complete(line);
              } else if (line.startsWith("WROTE")) {
                wrote.complete(line);
              } else if (line.equals("LOST")) {
                lost.complete(line);
              }
            });
    String name = names().get(0);
    holder.send("HOLD " + name);
    long oldToken = Long.parseLong(holding.get(60, TimeUnit.SECONDS).split(" ")[1]);
    holder.pause();
    // The test's own client: a new session on a busy machine may take more than the workers'
    // 1 s command timeout to set up, and this one must not fail.
    LockService other = Worker.locks(kind(), address(), lease(), 0, Duration.ofSeconds(10));
    services.add(other);
    String me = "test/t0";
    long token;
    try (LockHandle h = other.acquire(name, lease().plusSeconds(30))) {
      token = h.fencingToken();
      coordinator().record(me, Event.Op.ACQUIRE, Event.Type.OK, name, token, 0);
      long v = register.read(name, token);
      coordinator().record(me, Event.Op.WRITE, Event.Type.INVOKE, name, token, v + 1);
      assertThat(register.write(name, v + 1, token)).isTrue();
      coordinator().record(me, Event.Op.WRITE, Event.Type.OK, name, token, v + 1);
      coordinator().record(me, Event.Op.RELEASE, Event.Type.INVOKE, name, token, 0);
    }
    assertThat(token).isGreaterThan(oldToken);
    holder.resume();
    holder.send("WRITE");
    assertThat(wrote.get(60, TimeUnit.SECONDS)).isEqualTo("WROTE rejected held=false");
    lost.get(60, TimeUnit.SECONDS);
    awaitFinished(List.of(holder));
    HistoryChecker.Report r = check("paused holder (SIGSTOP past the lease)");
    assertThat(r.fencedOverlaps()).isEqualTo(1);
    assertThat(r.writesRejected()).isEqualTo(1);
    assertThat(r.lostLeases()).isEqualTo(1);
  }

  @Test
  void networkCutAndBlackhole_holdersLearn_nobodyHangs_serviceResumes() throws Exception {
    try (TcpFaultProxy proxy = new TcpFaultProxy(serverHost(), serverPort())) {
      List<JvmProcess> ps = startWorkers(3, address(proxy), 3, ops(25, 200), 3);
      go(ps);
      await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 20);
      proxy.cut();
      LockSupport.parkNanos(lease().multipliedBy(2).toNanos());
      proxy.heal();
      await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 40);
      proxy.blackhole();
      LockSupport.parkNanos(lease().multipliedBy(3).dividedBy(2).toNanos());
      proxy.heal();
      awaitFinished(ps);
      HistoryChecker.Report r =
          check("network cut (2 leases) and blackhole (1.5 leases) via TCP proxy");
      assertThat(r.writesAcked()).isPositive();
    }
  }

  @Test
  void latencySpike_historyClean() throws Exception {
    try (TcpFaultProxy proxy = new TcpFaultProxy(serverHost(), serverPort())) {
      List<JvmProcess> ps = startWorkers(3, address(proxy), 3, ops(20, 200), 2);
      go(ps);
      await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 10);
      proxy.delay(lease().dividedBy(3));
      LockSupport.parkNanos(lease().multipliedBy(2).toNanos());
      proxy.heal();
      awaitFinished(ps);
      check("latency spike (+lease/3 per packet for 2 leases) via TCP proxy");
    }
  }
}
