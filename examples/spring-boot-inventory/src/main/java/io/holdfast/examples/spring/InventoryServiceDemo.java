package io.holdfast.examples.spring;

import io.holdfast.examples.FencedStock;
import io.holdfast.examples.RedisFencedStock;
import io.holdfast.membership.Member;
import io.holdfast.membership.Membership;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of {@link InventoryService} (random ports) against a local Redis 7, and more
 * reservations than there is stock, sent to both at once: the stock is sold exactly once, never
 * below zero. {@code mvn -q -Pspring-inventory -DskipTests verify} runs it.
 */
public final class InventoryServiceDemo {
  static final String SKU = "apple";

  private InventoryServiceDemo() {}

  /** What a run saw. */
  record Result(
      List<String> members,
      Map<String, Integer> reservedBy,
      int soldOut,
      int other,
      long left,
      long acceptedWrites) {
    int reserved() {
      return reservedBy.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Starts two instances against {@code redis}, sends {@code orders} reservations of {@value #SKU}
   * (initial stock {@code stock}) from eight threads, alternating between the instances, and stops
   * them.
   */
  static Result run(RedisURI redis, int stock, int orders) throws Exception {
    try (FencedStock store = new RedisFencedStock(redis)) {
      store.reset(SKU, stock);
      List<ConfigurableApplicationContext> instances = new ArrayList<>();
      try {
        for (String id : List.of("inventory-1", "inventory-2")) {
          instances.add(
              new SpringApplicationBuilder(InventoryService.class)
                  .logStartupInfo(false)
                  .run(
                      "--server.port=0",
                      "--holdfast.redis.uri=" + redis,
                      "--holdfast.membership.id=" + id,
                      "--holdfast.membership.host=127.0.0.1"));
        }
        List<String> members =
            instances.get(0).getBean(Membership.class).members("inventory").stream()
                .map(Member::id)
                .sorted()
                .toList();
        List<Integer> ports =
            instances.stream()
                .map(
                    c -> c.getEnvironment().getRequiredProperty("local.server.port", Integer.class))
                .toList();
        Map<String, Integer> reservedBy = new ConcurrentHashMap<>();
        AtomicInteger soldOut = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          List<Future<?>> sent = new ArrayList<>();
          for (int i = 0; i < orders; i++) {
            int port = ports.get(i % ports.size());
            sent.add(
                pool.submit(
                    () -> {
                      HttpResponse<String> r = reserve(http, port);
                      if (r.statusCode() == 200) {
                        reservedBy.merge(r.body().replace("RESERVED by ", ""), 1, Integer::sum);
                      } else if (r.body().startsWith("SOLD_OUT")) {
                        soldOut.incrementAndGet();
                      } else {
                        other.incrementAndGet();
                      }
                      return null;
                    }));
          }
          for (Future<?> f : sent) {
            f.get();
          }
        } finally {
          pool.shutdown();
        }
        return new Result(
            members,
            Map.copyOf(reservedBy),
            soldOut.get(),
            other.get(),
            store.read(SKU),
            store.accepted(SKU));
      } finally {
        instances.forEach(ConfigurableApplicationContext::close);
      }
    }
  }

  private static HttpResponse<String> reserve(HttpClient http, int port)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reserve/" + SKU))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Runs the demo against a local Redis 7 (the binary shipped in {@code
   * org.signal:embedded-redis}).
   *
   * @param args none
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    int stock = 100;
    int orders = 150;
    Result r;
    try (RedisServer redis = RedisServers.dedicated()) {
      r = run(redis.uri(), stock, orders);
    }
    out.println();
    out.println("Instances registered in 'inventory': " + r.members());
    out.println(
        orders + " reservations of " + stock + " " + SKU + "s, sent to both instances at once:");
    out.println("  reserved " + r.reserved() + " " + r.reservedBy());
    out.println("  sold out " + r.soldOut() + ", other " + r.other());
    out.println(
        "  left in the store " + r.left() + ", fenced writes accepted " + r.acceptedWrites());
    boolean ok = r.reserved() == stock && r.left() == 0 && r.acceptedWrites() == stock;
    out.println(ok ? "OK: sold exactly once." : "FAILED: the stock was not sold exactly once.");
    if (!ok) {
      System.exit(1);
    }
    System.exit(0);
  }
}
