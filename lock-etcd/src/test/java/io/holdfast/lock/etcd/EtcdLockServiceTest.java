package io.holdfast.lock.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the contract does not say: requests per operation, counted by etcd itself ({@code
 * grpc_server_handled_total} on its {@code /metrics}), and failures that name their cause without
 * spinning.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdLockServiceTest {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdLockServiceTest.class);
  private static final Pattern HANDLED =
      Pattern.compile("grpc_server_handled_total\\{[^}]*grpc_method=\"(\\w+)\"[^}]*} (\\d+)");
  private static EtcdServer server;
  private final String ns = "c" + UUID.randomUUID().toString().substring(0, 8) + ":";

  @BeforeAll
  static void startServer() {
    server = EtcdServers.dedicated();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** Requests handled by etcd so far, per gRPC method (summed over every member endpoint). */
  private static Map<String, Long> handled() throws IOException, InterruptedException {
    Map<String, Long> counts = new HashMap<>();
    for (String endpoint : server.endpoints()) {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(endpoint + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m = HANDLED.matcher(body);
      while (m.find()) {
        counts.merge(m.group(1), Long.parseLong(m.group(2)), Long::sum);
      }
    }
    return counts;
  }

  private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new HashMap<>();
    after.forEach(
        (k, v) -> {
          long n = v - before.getOrDefault(k, 0L);
          if (n != 0) {
            d.put(k, n);
          }
        });
    return d;
  }

  @Test
  void uncontendedAcquireAndRelease_costsTwoTransactions() throws Exception {
    // A long lease: no renewal falls inside the measured cycles.
    try (LockService locks =
        EtcdLockService.builder(server.endpoints().toArray(String[]::new))
            .leaseTime(Duration.ofSeconds(60))
            .build()) {
      locks.acquire(ns + "solo").close(); // warm-up: grants the service's etcd lease
      int cycles = 20;
      Map<String, Long> before = handled();
      for (int i = 0; i < cycles; i++) {
        try (LockHandle h = locks.acquire(ns + "solo", Duration.ZERO)) {
          assertThat(h.isHeld()).isTrue();
        }
      }
      Map<String, Long> cost = delta(before, handled());
      LOG.info("requests handled by etcd for {} uncontended acquire+release: {}", cycles, cost);
      assertThat(cost).containsEntry("Txn", 2L * cycles);
      assertThat(cost.keySet()).containsOnly("Txn");
    }
  }

  @Test
  void concurrentTryAcquires_onAFreeLock_neverAllFail() throws Exception {
    // Losers delete their keys after answering, so a round may start with the last round's keys
    // still queued: a tryAcquire must look past such passing attempts, or a free lock is refused
    // to everyone (the liveness bug of queue recipes whose tryAcquire counts every queued node).
    String[] endpoints = server.endpoints().toArray(String[]::new);
    List<LockService> services = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int i = 0; i < 3; i++) {
        services.add(EtcdLockService.builder(endpoints).build());
      }
      int rounds = 60;
      int roundsWithoutWinner = 0;
      int wins = 0;
      for (int r = 0; r < rounds; r++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> tries = new ArrayList<>();
        for (LockService s : services) {
          tries.add(
              pool.submit(
                  () -> {
                    start.await();
                    Optional<LockHandle> h = s.tryAcquire(ns + "free");
                    h.ifPresent(LockHandle::close);
                    return h.isPresent();
                  }));
        }
        start.countDown();
        int won = 0;
        for (Future<Boolean> f : tries) {
          won += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        wins += won;
        roundsWithoutWinner += won == 0 ? 1 : 0;
      }
      LOG.info("{} rounds of 3 concurrent tryAcquires: {} grants", rounds, wins);
      assertThat(roundsWithoutWinner).as("rounds in which the free lock went to nobody").isZero();
    } finally {
      pool.shutdownNow();
      services.forEach(LockService::close);
    }
  }

  @Test
  void unreachableEtcd_failsWithinTheCommandTimeout_namingTheCause_withoutSpinning()
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Duration timeout = Duration.ofSeconds(1);
    try (LockService locks =
        EtcdLockService.builder("http://127.0.0.1:" + port).commandTimeout(timeout).build()) {
      long w0 = System.nanoTime();
      assertThatThrownBy(() -> locks.acquire(ns + "nowhere", Duration.ZERO))
          .isInstanceOf(LockBackendException.class);
      LOG.info(
          "first failure (loads jetcd's classes) took {} ms", (System.nanoTime() - w0) / 1_000_000);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> locks.acquire(ns + "nowhere", Duration.ZERO))
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("etcd at http://127.0.0.1:" + port)
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .containsAnyOf("unavailable", "did not answer within " + timeout));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(timeout.plusSeconds(2));
      // jetcd #1134: 100% CPU while the cluster is unreachable. Nothing of ours retries in a loop.
      var os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      assertThatThrownBy(() -> locks.acquire(ns + "nowhere", Duration.ofSeconds(2)))
          .isInstanceOf(LockBackendException.class);
      long cpu = os.getProcessCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      LOG.info(
          "CPU while failing against an unreachable etcd: {} ms in {} ms",
          cpu / 1_000_000,
          wall / 1_000_000);
      assertThat(cpu).as("CPU time while failing").isLessThan(wall / 2);
    }
  }

  @Test
  void invalidEndpointsAndOptions_areRejectedAtOnce() {
    assertThatThrownBy(() -> EtcdLockService.builder())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one");
    assertThatThrownBy(() -> EtcdLockService.builder("etcd1:2379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> EtcdLockService.builder("http://x:2379").namespace("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ending with '/'");
    assertThatThrownBy(() -> EtcdLockService.builder("http://x:2379").auth(" ", "p"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EtcdLockService.builder((String[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("endpoints");
  }
}
