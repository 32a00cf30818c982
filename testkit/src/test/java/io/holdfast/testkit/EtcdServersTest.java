package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The etcd fixture itself: a real member that restarts in place with its data and freezes, a
 * 3-member cluster that survives one stopped member, and a clear skip when there is no etcd.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdServersTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void dedicatedServer_restartsOnTheSameAddress_keepingItsData() throws Exception {
    try (EtcdServer server = EtcdServers.dedicated()) {
      Assumptions.assumeTrue(server.controllable(), "etcd from the environment");
      String url = server.endpoints().get(0);
      put(url, "holdfast-test/kept", "v");
      server.stop();
      assertThat(LocalEtcdServer.healthy(url)).isFalse();
      server.start();
      assertThat(server.endpoints().get(0)).isEqualTo(url);
      assertThat(get(url, "holdfast-test/kept")).contains(b64("v"));
    }
  }

  @Test
  void pausedServer_answersNothing_untilResumed() throws Exception {
    try (EtcdServer server = EtcdServers.dedicated()) {
      Assumptions.assumeTrue(server.controllable(), "etcd from the environment");
      String url = server.endpoints().get(0);
      server.pause();
      try {
        assertThat(LocalEtcdServer.healthy(url)).isFalse();
      } finally {
        server.resume();
      }
      EtcdServers.awaitHealthy(url);
      put(url, "holdfast-test/after-pause", "v");
    }
  }

  @Test
  void threeMemberCluster_servesWithOneMemberStopped_andTakesItBack() throws Exception {
    try (LocalEtcdCluster cluster = EtcdServers.localCluster(3)) {
      assertThat(cluster.endpoints()).hasSize(3).doesNotHaveDuplicates();
      cluster.member(0).stop();
      // If member 0 led, the others elect a new leader first: requests meanwhile time out.
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(() -> put(cluster.endpoints().get(1), "holdfast-test/quorum", "2of3"));
      cluster.member(0).start();
      assertThat(get(cluster.endpoints().get(0), "holdfast-test/quorum")).contains(b64("2of3"));
    }
  }

  @Test
  void withoutAnyEtcd_theTestIsSkipped_sayingHowToEnableIt() {
    Assumptions.assumeTrue(
        System.getenv("HOLDFAST_ETCD_ENDPOINTS") == null && !RedisServers.dockerAvailable(),
        "an etcd from the environment or Docker is always available");
    System.setProperty("holdfast.etcd.binary", "none");
    Events tests;
    try {
      tests =
          EngineTestKit.engine("junit-jupiter")
              .selectors(selectClass(WantsEtcd.class))
              .execute()
              .testEvents();
    } finally {
      System.clearProperty("holdfast.etcd.binary");
    }
    tests.assertStatistics(s -> s.skipped(1).started(0));
    assertThat(tests.skipped().stream().map(e -> e.getPayload(String.class).orElseThrow()).toList())
        .containsExactly(EtcdServers.HOW_TO_ENABLE);
  }

  static class WantsEtcd {
    @Test
    void usesEtcd(@HoldfastEtcd String endpoints) {
      assertThat(endpoints).isNotEmpty();
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String post(String url, String path, String json)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static void put(String url, String key, String value) throws Exception {
    post(url, "/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
  }

  private static String get(String url, String key) throws Exception {
    return post(url, "/v3/kv/range", "{\"key\":\"" + b64(key) + "\"}");
  }
}
