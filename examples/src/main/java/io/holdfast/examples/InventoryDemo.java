package io.holdfast.examples;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisURI;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A small inventory: several order-service instances (each its own {@link LockService}, as
 * separate processes would have) take orders on several threads, each order a stock decrement
 * under the SKU's lock, written with the lock's fencing token. At the end a stale writer tries to
 * write with an old token and is refused. Prints a verdict and fails if an invariant broke.
 *
 * <p>Usage: {@code InventoryDemo [--redis redis://host:port] [--orders N]}. Without {@code
 * --redis} it starts a local Redis 7 (the binary shipped in {@code org.signal:embedded-redis}).
 */
public final class InventoryDemo {
  private static final List<String> SKUS = List.of("apple", "pear", "plum");
  private static final long STOCK_PER_SKU = 60;

  /** What a run found. */
  record Verdict(
      long accepted,
      long refused,
      Map<String, Long> finalStock,
      long oversold,
      long lostUpdates,
      long staleWritesRejected) {
    boolean ok() {
      return oversold == 0 && lostUpdates == 0 && staleWritesRejected == 1;
    }
  }

  private InventoryDemo() {}

  /**
   * Runs the demo.
   *
   * @param args {@code --redis URI}, {@code --orders N}
   * @throws Exception if the demo could not run
   */
  public static void main(String[] args) throws Exception {
    String redis = null;
    int orders = 300;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--redis" -> redis = args[++i];
        case "--orders" -> orders = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException(
            "unknown argument " + args[i] + "; usage: [--redis redis://host:port] [--orders N]");
      }
    }
    Verdict v = run(redis, orders, 4, 4, System.out);
    if (!v.ok()) {
      throw new IllegalStateException("an invariant broke: " + v);
    }
  }

  static Verdict run(
      @Nullable String redisUri, int orders, int instances, int threadsPerInstance, PrintStream out)
      throws Exception {
    RedisServer embedded = null;
    RedisURI uri;
    if (redisUri == null) {
      embedded = RedisServers.localProcess();
      uri = embedded.uri();
      out.println("Started a local Redis 7 on " + uri.getHost() + ":" + uri.getPort());
    } else {
      uri = RedisURI.create(redisUri);
      out.println("Using Redis at " + redisUri);
    }
    List<LockService> services = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(instances * threadsPerInstance);
    try (FencedStock stock = new FencedStock(uri)) {
      for (String sku : SKUS) {
        stock.reset(sku, STOCK_PER_SKU);
      }
      for (int i = 0; i < instances; i++) {
        services.add(RedisLockService.builder(uri).leaseTime(Duration.ofSeconds(5)).build());
      }
      AtomicLong accepted = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      AtomicLong remaining = new AtomicLong(orders);
      AtomicLong firstToken = new AtomicLong();
      out.printf(
          "%d order-service instances x %d threads take %d orders for %s (%d each in stock)%n",
          instances, threadsPerInstance, orders, SKUS, STOCK_PER_SKU);
      long t0 = System.nanoTime();
      List<Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < instances * threadsPerInstance; i++) {
        LockService locks = services.get(i % instances);
        workers.add(
            pool.submit(
                () -> {
                  while (remaining.getAndDecrement() > 0) {
                    String sku = SKUS.get(ThreadLocalRandom.current().nextInt(SKUS.size()));
                    try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(30))) {
                      firstToken.compareAndSet(0, lock.fencingToken());
                      long left = stock.read(sku);
                      if (left == 0) {
                        refused.incrementAndGet();
                      } else if (stock.write(sku, left - 1, lock.fencingToken())) {
                        accepted.incrementAndGet();
                      } else {
                        throw new IllegalStateException("a current holder's write was refused");
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> w : workers) {
        w.get(5, TimeUnit.MINUTES);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> finalStock = new LinkedHashMap<>();
      long left = 0;
      for (String sku : SKUS) {
        finalStock.put(sku, stock.read(sku));
        left += stock.read(sku);
      }
      long sold = SKUS.size() * STOCK_PER_SKU - left;
      long oversold = finalStock.values().stream().filter(s -> s < 0).mapToLong(s -> -s).sum();
      // A zombie: the very first holder wakes up from a "pause" and writes with its old token.
      boolean staleAccepted = stock.write(SKUS.get(0), 999, firstToken.get());
      Verdict v =
          new Verdict(
              accepted.get(),
              refused.get(),
              finalStock,
              oversold,
              Math.abs(sold - accepted.get()),
              staleAccepted ? 0 : 1);
      out.printf("%.0f orders/s over %.1f s%n", orders / seconds, seconds);
      out.println("orders accepted:        " + v.accepted());
      out.println("orders refused (stock): " + v.refused());
      out.println("final stock:            " + v.finalStock());
      out.println("oversold:               " + v.oversold());
      out.println("lost updates:           " + v.lostUpdates());
      out.println("stale writes rejected:  " + v.staleWritesRejected() + " of 1 attempted (token "
          + firstToken.get() + ")");
      out.println(v.ok() ? "VERDICT: OK" : "VERDICT: BROKEN");
      return v;
    } finally {
      pool.shutdownNow();
      services.forEach(LockService::close);
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
