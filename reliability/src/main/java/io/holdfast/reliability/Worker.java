package io.holdfast.reliability;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.history.Event;
import io.holdfast.testkit.history.Event.Op;
import io.holdfast.testkit.history.FencedRegister;
import io.holdfast.testkit.history.HistoryFile;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * One client process of a workload. Each of its threads repeatedly acquires one of a few lock
 * names, reads that name's counter from the fenced register, pauses, writes the counter + 1 with
 * the lock's fencing token, and releases — recording every step in its history file.
 *
 * <p>Args: {@code kind address worker-id threads names grants-per-thread history-file register-uri
 * lease-ms sleep-ms [wait-replicas]}, where kind is {@code redis}, {@code zookeeper}, {@code
 * postgres} (the address a JDBC URL) or {@code etcd} (the address comma-separated client URLs).
 * Standard input: {@code GO} starts the workload; {@code HOLD name} takes a lock, reads its
 * register, prints {@code HOLDING token} and waits for {@code WRITE} (the test freezes the process
 * in between). While the workload runs, {@code FREEZE} makes the next thread that is granted a lock
 * stop inside its critical section and print {@code FROZEN name token}, so that a kill is sure to
 * land there.
 */
public final class Worker {
  /**
   * Set by {@code FREEZE}; the next thread granted a lock clears it and stops inside its section.
   */
  private static final AtomicBoolean FREEZE = new AtomicBoolean();

  private Worker() {}

  static LockService locks(String kind, String address, Duration lease) {
    return locks(kind, address, lease, 0);
  }

  static LockService locks(String kind, String address, Duration lease, int waitReplicas) {
    return locks(kind, address, lease, waitReplicas, Duration.ofSeconds(1));
  }

  static LockService locks(
      String kind, String address, Duration lease, int waitReplicas, Duration commandTimeout) {
    return switch (kind) {
      case "redis" -> {
        RedisLockService.Builder b =
            RedisLockService.builder(RedisURI.create(address))
                .leaseTime(lease)
                .commandTimeout(commandTimeout);
        if (waitReplicas > 0) {
          b.waitForReplicas(waitReplicas, Duration.ofMillis(500));
        }
        yield b.build();
      }
      case "redis-cluster" -> {
        // The seeds, comma-separated. The topology is refreshed every second, so the service
        // follows a failover (Lettuce 7 deprecates its adaptive triggers).
        List<RedisURI> seeds =
            Pattern.compile(",").splitAsStream(address).map(RedisURI::create).toList();
        RedisClusterClient client = RedisClusterClient.create(seeds);
        client.setOptions(
            ClusterClientOptions.builder()
                .topologyRefreshOptions(
                    ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(1))
                        .build())
                .build());
        RedisLockService.Builder b =
            RedisLockService.builder(client).leaseTime(lease).commandTimeout(commandTimeout);
        if (waitReplicas > 0) {
          b.waitForReplicas(waitReplicas, Duration.ofMillis(500));
        }
        LockService service;
        try {
          service = b.build();
        } catch (RuntimeException e) {
          client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
          throw e;
        }
        yield new ClientClosing(service, client);
      }
      case "zookeeper" ->
          ZooKeeperLockService.builder(address)
              .sessionTimeout(lease)
              .commandTimeout(commandTimeout)
              .build();
      case "postgres" ->
          PostgresLockService.builder(address)
              .leaseTime(lease)
              .commandTimeout(commandTimeout)
              .build();
      case "etcd" ->
          EtcdLockService.builder(address.split(","))
              .leaseTime(lease)
              .commandTimeout(commandTimeout)
              .build();
      default -> throw new IllegalArgumentException("unknown backend " + kind);
    };
  }

  /** A service over a cluster client of the worker's own, which it shuts down after the service. */
  private static final class ClientClosing implements LockService {
    private final LockService service;
    private final RedisClusterClient client;

    ClientClosing(LockService service, RedisClusterClient client) {
      this.service = service;
      this.client = client;
    }

    @Override
    public LockHandle acquire(String name) throws InterruptedException {
      return service.acquire(name);
    }

    @Override
    public LockHandle acquire(String name, Duration maxWait) throws InterruptedException {
      return service.acquire(name, maxWait);
    }

    @Override
    public Optional<LockHandle> tryAcquire(String name) {
      return service.tryAcquire(name);
    }

    @Override
    public Optional<LockHandle> tryAcquire(String name, Duration maxWait)
        throws InterruptedException {
      return service.tryAcquire(name, maxWait);
    }

    @Override
    public CompletableFuture<LockHandle> acquireAsync(String name, Duration maxWait) {
      return service.acquireAsync(name, maxWait);
    }

    @Override
    public void close() {
      try {
        service.close();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  /**
   * Connects the worker's service. The workloads test steady state and faults injected later, not
   * start-up: on a loaded machine a worker's first connection may take longer than its 1 s command
   * timeout, so start-up tries again (for up to 45 s, within the test's 60 s wait for READY)
   * instead of failing the run.
   */
  private static LockService start(String kind, String address, Duration lease, int waitReplicas)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    while (true) {
      try {
        return locks(kind, address, lease, waitReplicas);
      } catch (LockBackendException e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
        System.out.println("connecting again after: " + e.getMessage());
        Thread.sleep(200);
      }
    }
  }

  /**
   * Runs the worker.
   *
   * @param args see the class comment
   * @throws Exception if it cannot run
   */
  public static void main(String[] args) throws Exception {
    String kind = args[0];
    String address = args[1];
    String id = args[2];
    int threads = Integer.parseInt(args[3]);
    List<String> names = List.of(args[4].split(","));
    int ops = Integer.parseInt(args[5]);
    Path historyPath = Path.of(args[6]);
    RedisURI registerUri = RedisURI.create(args[7]);
    Duration lease = Duration.ofMillis(Long.parseLong(args[8]));
    long sleepNanos = Duration.ofMillis(Long.parseLong(args[9])).toNanos();
    int waitReplicas = args.length > 10 ? Integer.parseInt(args[10]) : 0;

    BlockingQueue<String> stdin = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  stdin.add(line);
                }
              } catch (IOException e) {
                // parent gone
              }
            },
            "stdin");
    reader.setDaemon(true);
    reader.start();

    try (HistoryFile history = new HistoryFile(historyPath);
        FencedRegister register = new FencedRegister(registerUri);
        LockService locks = start(kind, address, lease, waitReplicas)) {
      System.out.println(JvmProcess.READY);
      String command = stdin.take();
      if (command.startsWith("HOLD ")) {
        hold(id + "/hold", command.substring(5), locks, register, history, stdin);
        return;
      }
      Thread commands =
          new Thread(
              () -> {
                try {
                  while (true) {
                    if ("FREEZE".equals(stdin.take())) {
                      FREEZE.set(true);
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "commands");
      commands.setDaemon(true);
      commands.start();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String client = id + "/t" + t;
        Thread w =
            new Thread(() -> run(client, names, ops, sleepNanos, locks, register, history), client);
        w.start();
        workers.add(w);
      }
      for (Thread w : workers) {
        w.join();
      }
    }
    System.out.println("DONE");
  }

  private static void run(
      String client,
      List<String> names,
      int ops,
      long sleepNanos,
      LockService locks,
      FencedRegister register,
      HistoryFile history) {
    // ops successful grants; failed acquires (an outage) are retried after a short pause, up to
    // a bound, so that a fault does not use up the workload.
    int granted = 0;
    int failures = 0;
    for (int attempt = 0; granted < ops && attempt < ops * 200; attempt++) {
      String name = names.get(ThreadLocalRandom.current().nextInt(names.size()));
      history.record(client, Op.ACQUIRE, Event.Type.INVOKE, name, 0, 0);
      LockHandle h;
      try {
        h = locks.acquire(name, Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        history.record(client, Op.ACQUIRE, Event.Type.FAIL, name, 0, 0);
        return;
      } catch (RuntimeException e) {
        history.record(client, Op.ACQUIRE, Event.Type.FAIL, name, 0, 0);
        if (++failures <= 3) {
          // The first few per thread, so that a run's output says why acquires failed.
          System.out.println("ACQUIRE FAILED " + client + " " + e);
        }
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        continue;
      }
      granted++;
      long token = h.fencingToken();
      history.record(client, Op.ACQUIRE, Event.Type.OK, name, token, 0);
      if (FREEZE.compareAndSet(true, false)) {
        System.out.println("FROZEN " + name + " " + token);
        while (true) {
          LockSupport.park(); // inside the section until the test kills this process
        }
      }
      h.onLost(x -> history.record(client, Op.ACQUIRE, Event.Type.LOST, name, token, 0));
      increment(client, name, token, sleepNanos, register, history);
      history.record(client, Op.RELEASE, Event.Type.INVOKE, name, token, 0);
      h.close();
      history.record(client, Op.RELEASE, Event.Type.OK, name, token, 0);
    }
  }

  /** Read, pause, write + 1 with the token: a lost update if two holders overlap unfenced. */
  private static void increment(
      String client,
      String name,
      long token,
      long sleepNanos,
      FencedRegister register,
      HistoryFile history) {
    long v;
    try {
      v = register.read(name, token);
    } catch (RuntimeException e) {
      return;
    }
    if (v < 0) {
      return; // a newer holder has already been here: this grant is stale
    }
    if (sleepNanos > 0) {
      LockSupport.parkNanos(sleepNanos);
    }
    history.record(client, Op.WRITE, Event.Type.INVOKE, name, token, v + 1);
    try {
      boolean ok = register.write(name, v + 1, token);
      history.record(client, Op.WRITE, ok ? Event.Type.OK : Event.Type.FAIL, name, token, v + 1);
    } catch (RuntimeException e) {
      history.record(client, Op.WRITE, Event.Type.INFO, name, token, v + 1);
    }
  }

  /** Takes the lock, prepares the increment, and waits: the test freezes this process meanwhile. */
  private static void hold(
      String client,
      String name,
      LockService locks,
      FencedRegister register,
      HistoryFile history,
      BlockingQueue<String> stdin)
      throws InterruptedException {
    // A few tries: a fresh client's first request can outlast the 1 s command timeout on a loaded
    // machine (etcd: granting the service's lease), and this worker has one lock to take.
    LockHandle first = null;
    for (int attempt = 1; first == null; attempt++) {
      history.record(client, Op.ACQUIRE, Event.Type.INVOKE, name, 0, 0);
      try {
        first = locks.acquire(name, Duration.ofSeconds(30));
      } catch (RuntimeException e) {
        history.record(client, Op.ACQUIRE, Event.Type.FAIL, name, 0, 0);
        if (attempt == 5) {
          throw e;
        }
        System.out.println("ACQUIRE FAILED " + client + " " + e);
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
    }
    try (LockHandle h = first) {
      long token = h.fencingToken();
      history.record(client, Op.ACQUIRE, Event.Type.OK, name, token, 0);
      java.util.concurrent.CountDownLatch lostReported = new java.util.concurrent.CountDownLatch(1);
      h.onLost(
          x -> {
            history.record(client, Op.ACQUIRE, Event.Type.LOST, name, token, 0);
            System.out.println("LOST");
            lostReported.countDown();
          });
      long v = register.read(name, token);
      System.out.println("HOLDING " + token);
      while (!"WRITE".equals(stdin.take())) {
        // wait for the test
      }
      history.record(client, Op.WRITE, Event.Type.INVOKE, name, token, v + 1);
      boolean ok = register.write(name, v + 1, token);
      history.record(client, Op.WRITE, ok ? Event.Type.OK : Event.Type.FAIL, name, token, v + 1);
      boolean held = h.isHeld();
      System.out.println("WROTE " + (ok ? "accepted" : "rejected") + " held=" + held);
      if (!held) {
        // The loss notice runs on the library's callback thread: let it report before exiting.
        lostReported.await(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      history.record(client, Op.RELEASE, Event.Type.INVOKE, name, token, 0);
    }
    history.record(client, Op.RELEASE, Event.Type.OK, name, 0, 0);
    System.out.println("DONE");
  }
}
