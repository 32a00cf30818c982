package io.holdfast.benchmarks;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.Registration;
import io.holdfast.membership.Subscription;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;

/**
 * What membership costs: how long after one instance calls {@code register} (or {@code close})
 * another instance's watcher hears of it, next to the least the server can do for the same news;
 * and client heap and threads with 1,000 members registered by one instance and watched by another.
 * Run in a fresh JVM per backend by {@link BenchmarkRun}, or in-process by the smoke test.
 *
 * <p>Each sample is one join and one leave, timed from just before the call to the watcher's
 * listener (on its callback thread). The floor is measured the same way right after, in the same
 * JVM against the same server:
 *
 * <ul>
 *   <li>Redis: one {@code PUBLISH} on one connection, received by a subscriber on another (a
 *       registration is one script call that also publishes).
 *   <li>ZooKeeper: one {@code create} (ephemeral) or {@code delete} on one client, seen by a
 *       persistent recursive watch on another — the watch only, without reading the new node's
 *       data.
 * </ul>
 */
final class MembershipProbe {
  /** What one backend measured; latencies in µs, heap in bytes. */
  record Result(
      String backend,
      int samples,
      double registerP50,
      double registerP99,
      double joinP50,
      double joinP99,
      double leaveP50,
      double leaveP99,
      double floorJoinP50,
      double floorJoinP99,
      double floorLeaveP50,
      double floorLeaveP99,
      int members,
      long heapIdle,
      long heapRegistered,
      long heapWatched,
      int threadsBeforeClients,
      int threadsIdle,
      int threadsRegistered,
      int threadsWatched,
      double registerAllSeconds) {

    double bytesPerRegisteredMember() {
      return members == 0 ? 0 : (heapRegistered - heapIdle) / (double) members;
    }

    double bytesPerWatchedMember() {
      return members == 0 ? 0 : (heapWatched - heapRegistered) / (double) members;
    }

    String toJson() {
      return String.format(
          Locale.ROOT,
          "{\"backend\":\"%s\",\"samples\":%d,\"registerP50us\":%.1f,\"registerP99us\":%.1f,"
              + "\"joinP50us\":%.1f,\"joinP99us\":%.1f,\"leaveP50us\":%.1f,\"leaveP99us\":%.1f,"
              + "\"floorJoinP50us\":%.1f,\"floorJoinP99us\":%.1f,\"floorLeaveP50us\":%.1f,"
              + "\"floorLeaveP99us\":%.1f,\"members\":%d,\"heapIdle\":%d,\"heapRegistered\":%d,"
              + "\"heapWatched\":%d,\"bytesPerRegisteredMember\":%.1f,\"bytesPerWatchedMember\":%.1f,"
              + "\"threadsBeforeClients\":%d,\"threadsIdle\":%d,\"threadsRegistered\":%d,"
              + "\"threadsWatched\":%d,\"registerAllSeconds\":%.3f}",
          backend,
          samples,
          registerP50,
          registerP99,
          joinP50,
          joinP99,
          leaveP50,
          leaveP99,
          floorJoinP50,
          floorJoinP99,
          floorLeaveP50,
          floorLeaveP99,
          members,
          heapIdle,
          heapRegistered,
          heapWatched,
          bytesPerRegisteredMember(),
          bytesPerWatchedMember(),
          threadsBeforeClients,
          threadsIdle,
          threadsRegistered,
          threadsWatched,
          registerAllSeconds);
    }

    static Result parse(String json) {
      return new Result(
          Json.string(json, "backend"),
          (int) Json.number(json, "samples"),
          Json.number(json, "registerP50us"),
          Json.number(json, "registerP99us"),
          Json.number(json, "joinP50us"),
          Json.number(json, "joinP99us"),
          Json.number(json, "leaveP50us"),
          Json.number(json, "leaveP99us"),
          Json.number(json, "floorJoinP50us"),
          Json.number(json, "floorJoinP99us"),
          Json.number(json, "floorLeaveP50us"),
          Json.number(json, "floorLeaveP99us"),
          (int) Json.number(json, "members"),
          (long) Json.number(json, "heapIdle"),
          (long) Json.number(json, "heapRegistered"),
          (long) Json.number(json, "heapWatched"),
          (int) Json.number(json, "threadsBeforeClients"),
          (int) Json.number(json, "threadsIdle"),
          (int) Json.number(json, "threadsRegistered"),
          (int) Json.number(json, "threadsWatched"),
          Json.number(json, "registerAllSeconds"));
    }
  }

  static final String PREFIX = "MEMBERSHIP ";
  private static final long WAIT_SECONDS = 30;

  private MembershipProbe() {}

  /**
   * Measures one backend.
   *
   * @param backend {@code redis} or {@code zookeeper}
   * @param address Redis {@code host:port} or a ZooKeeper connect string
   * @param samples joins and leaves timed (after a fifth as many untimed)
   * @param members members registered at once for the footprint
   */
  static Result measure(String backend, String address, int samples, int members) throws Exception {
    // Footprint first, while the heap holds nothing else of this run.
    List<MemberInfo> infos = new ArrayList<>(members);
    String group = "footprint-" + Names.run();
    for (int i = 0; i < members; i++) {
      infos.add(info(group, "m" + i));
    }
    List<Registration> registrations = new ArrayList<>(members);
    int threadsBefore = Footprint.threads();
    long heapIdle;
    long heapRegistered;
    long heapWatched;
    int threadsIdle;
    int threadsRegistered;
    int threadsWatched;
    double registerAllSeconds;
    try (Membership registrant = membership(backend, address);
        Membership watcher = membership(backend, address)) {
      // Classes loaded and paths taken once, in another group, before the baseline; what grows
      // with the number of members (collections, buffers) is part of what is measured.
      String warm = "warm-" + Names.run();
      try (MembershipView v = watcher.view(warm)) {
        for (int i = 0; i < 20; i++) {
          registrant.register(info(warm, "w" + i)).close();
        }
        await(() -> v.members().isEmpty());
      }
      heapIdle = Footprint.heapAfterGc();
      threadsIdle = Footprint.threads();
      long start = System.nanoTime();
      for (MemberInfo info : infos) {
        registrations.add(registrant.register(info));
      }
      registerAllSeconds = (System.nanoTime() - start) / 1e9;
      heapRegistered = Footprint.heapAfterGc();
      threadsRegistered = Footprint.threads();
      try (MembershipView v = watcher.view(group)) {
        await(() -> v.members().size() == members);
        heapWatched = Footprint.heapAfterGc();
        threadsWatched = Footprint.threads();
        for (Registration r : registrations) {
          r.close();
        }
        await(() -> v.members().isEmpty());
      }
    }
    registrations.clear();

    long[][] holdfast = latencies(backend, address, samples);
    long[][] floor =
        "redis".equals(backend) ? redisFloor(address, samples) : zooKeeperFloor(address, samples);
    return new Result(
        backend,
        samples,
        micros(holdfast[0], 0.50),
        micros(holdfast[0], 0.99),
        micros(holdfast[1], 0.50),
        micros(holdfast[1], 0.99),
        micros(holdfast[2], 0.50),
        micros(holdfast[2], 0.99),
        micros(floor[0], 0.50),
        micros(floor[0], 0.99),
        micros(floor[1], 0.50),
        micros(floor[1], 0.99),
        members,
        heapIdle,
        heapRegistered,
        heapWatched,
        threadsBefore,
        threadsIdle,
        threadsRegistered,
        threadsWatched,
        registerAllSeconds);
  }

  /** Register, join seen, leave seen: nanoseconds per sample, between two Holdfast instances. */
  private static long[][] latencies(String backend, String address, int samples) throws Exception {
    Map<String, CompletableFuture<Long>> joined = new ConcurrentHashMap<>();
    Map<String, CompletableFuture<Long>> left = new ConcurrentHashMap<>();
    long[] register = new long[samples];
    long[] join = new long[samples];
    long[] leave = new long[samples];
    String group = "latency-" + Names.run();
    CompletableFuture<List<Member>> snapshot = new CompletableFuture<>();
    try (Membership joiner = membership(backend, address);
        Membership watcher = membership(backend, address);
        Subscription s =
            watcher.watch(
                group,
                new MembershipListener() {
                  @Override
                  public void snapshot(List<Member> members) {
                    snapshot.complete(members);
                  }

                  @Override
                  public void joined(Member m) {
                    long now = System.nanoTime();
                    joined.computeIfAbsent(m.id(), k -> new CompletableFuture<>()).complete(now);
                  }

                  @Override
                  public void left(Member m) {
                    long now = System.nanoTime();
                    left.computeIfAbsent(m.id(), k -> new CompletableFuture<>()).complete(now);
                  }
                })) {
      // A member registered before the watch is set up would arrive in the snapshot, not as a join.
      snapshot.get(WAIT_SECONDS, TimeUnit.SECONDS);
      int warmups = Math.max(1, samples / 5);
      for (int i = -warmups; i < samples; i++) {
        String id = "m" + (i + warmups);
        CompletableFuture<Long> j = joined.computeIfAbsent(id, k -> new CompletableFuture<>());
        long t0 = System.nanoTime();
        Registration r = joiner.register(info(group, id));
        long t1 = System.nanoTime();
        long tj = j.get(WAIT_SECONDS, TimeUnit.SECONDS);
        CompletableFuture<Long> l = left.computeIfAbsent(id, k -> new CompletableFuture<>());
        long t2 = System.nanoTime();
        r.close();
        long tl = l.get(WAIT_SECONDS, TimeUnit.SECONDS);
        if (i >= 0) {
          register[i] = t1 - t0;
          join[i] = tj - t0;
          leave[i] = tl - t2;
        }
        joined.remove(id);
        left.remove(id);
      }
    }
    return new long[][] {register, join, leave};
  }

  /** One PUBLISH seen by a subscriber on another connection; "join" and "leave" alike. */
  private static long[][] redisFloor(String hostPort, int samples) throws Exception {
    RedisClient client = RedisClient.create(uri(hostPort));
    try (StatefulRedisConnection<String, String> pub = client.connect();
        StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
      Map<String, CompletableFuture<Long>> seen = new ConcurrentHashMap<>();
      sub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              long now = System.nanoTime();
              seen.computeIfAbsent(message, k -> new CompletableFuture<>()).complete(now);
            }
          });
      String channel = "floor-" + Names.run();
      sub.sync().subscribe(channel);
      long[] join = new long[samples];
      long[] leave = new long[samples];
      int warmups = Math.max(1, samples / 5);
      for (int i = -warmups; i < samples; i++) {
        for (int phase = 0; phase < 2; phase++) {
          String message = (phase == 0 ? "J " : "L ") + i;
          CompletableFuture<Long> f = seen.computeIfAbsent(message, k -> new CompletableFuture<>());
          long t0 = System.nanoTime();
          pub.sync().publish(channel, message);
          long t = f.get(WAIT_SECONDS, TimeUnit.SECONDS) - t0;
          seen.remove(message);
          if (i >= 0) {
            (phase == 0 ? join : leave)[i] = t;
          }
        }
      }
      return new long[][] {join, leave};
    } finally {
      client.shutdown();
    }
  }

  /** One ephemeral create (then delete) seen by a persistent recursive watch of another client. */
  private static long[][] zooKeeperFloor(String connect, int samples) throws Exception {
    try (CuratorFramework writer = curator(connect);
        CuratorFramework reader = curator(connect)) {
      String root = "/floor-" + Names.run().toLowerCase(Locale.ROOT);
      writer.create().creatingParentsIfNeeded().forPath(root);
      Map<String, CompletableFuture<Long>> seen = new ConcurrentHashMap<>();
      reader
          .watchers()
          .add()
          .withMode(AddWatchMode.PERSISTENT_RECURSIVE)
          .usingWatcher(
              (Watcher)
                  e -> {
                    long now = System.nanoTime();
                    if (e.getPath() != null) {
                      seen.computeIfAbsent(
                              e.getType() + " " + e.getPath(), k -> new CompletableFuture<>())
                          .complete(now);
                    }
                  })
          .forPath(root);
      long[] join = new long[samples];
      long[] leave = new long[samples];
      int warmups = Math.max(1, samples / 5);
      for (int i = -warmups; i < samples; i++) {
        String path = root + "/m" + (i + warmups);
        CompletableFuture<Long> created =
            seen.computeIfAbsent(
                Watcher.Event.EventType.NodeCreated + " " + path, k -> new CompletableFuture<>());
        long t0 = System.nanoTime();
        writer.create().withMode(CreateMode.EPHEMERAL).forPath(path);
        long tj = created.get(WAIT_SECONDS, TimeUnit.SECONDS) - t0;
        CompletableFuture<Long> deleted =
            seen.computeIfAbsent(
                Watcher.Event.EventType.NodeDeleted + " " + path, k -> new CompletableFuture<>());
        long t2 = System.nanoTime();
        writer.delete().forPath(path);
        long tl = deleted.get(WAIT_SECONDS, TimeUnit.SECONDS) - t2;
        if (i >= 0) {
          join[i] = tj;
          leave[i] = tl;
        }
      }
      writer.delete().forPath(root);
      return new long[][] {join, leave};
    }
  }

  private static CuratorFramework curator(String connect) throws InterruptedException {
    CuratorFramework c =
        CuratorFrameworkFactory.builder()
            .connectString(connect)
            .sessionTimeoutMs(10_000)
            .retryPolicy(new ExponentialBackoffRetry(100, 5, 2000))
            .ensembleTracker(false)
            .build();
    c.start();
    if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
      c.close();
      throw new IllegalStateException("Curator did not connect to " + connect);
    }
    return c;
  }

  private static Membership membership(String backend, String address) {
    return switch (backend) {
      case "redis" -> RedisMembership.builder(uri(address)).build();
      case "zookeeper" -> ZooKeeperMembership.builder(address).build();
      default -> throw new IllegalArgumentException("unknown backend " + backend);
    };
  }

  private static RedisURI uri(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return RedisURI.create(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static MemberInfo info(String group, String id) {
    return MemberInfo.builder(group)
        .id(id)
        .host("10.0.0.7")
        .port(8080)
        .metadata("zone", "eu-1")
        .build();
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "a membership change was not seen within " + WAIT_SECONDS + " s");
      }
      Thread.sleep(5);
    }
  }

  private static double micros(long[] nanos, double q) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[i] / 1000.0;
  }

  /**
   * Measures one backend and prints the result as one line starting with {@value #PREFIX}.
   *
   * @param args the backend ({@code redis} or {@code zookeeper}), its address (Redis {@code
   *     host:port} or a ZooKeeper connect string), the number of timed samples, and the number of
   *     members for the footprint
   * @throws Exception if the measurement fails
   */
  public static void main(String[] args) throws Exception {
    Result r = measure(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    System.out.println(PREFIX + r.toJson());
    System.out.flush();
    System.exit(0);
  }
}
