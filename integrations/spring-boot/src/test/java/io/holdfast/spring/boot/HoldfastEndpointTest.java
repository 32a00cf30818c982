package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.InMemoryLockService;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.RedisServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The holdfast Actuator endpoint, read over HTTP from a real web application. */
class HoldfastEndpointTest {
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @SuppressWarnings("unchecked")
  private static Map<String, Object> get(int port, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonMapper.builder().build().readValue(response.body(), Map.class);
  }

  @Test
  @SuppressWarnings("unchecked")
  void listsTheLocksHeldHere_theRegistration_theGroupAndItsLeader() throws Exception {
    String group = "endpoint-" + System.nanoTime();
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties(
                "server.port=0",
                "spring.application.name=" + group,
                "holdfast.redis.uri=" + RedisServers.shared().uri(),
                "holdfast.membership.election.enabled=true",
                "management.endpoints.web.exposure.include=holdfast")
            .run()) {
      int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
      LockService locks = context.getBean(LockService.class);
      HoldfastInstance instance = context.getBean(HoldfastInstance.class);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> instance.election().orElseThrow().isLeader());
      long token;
      try (LockHandle held = locks.acquire("sku:42", Duration.ofSeconds(5))) {
        token = held.fencingToken();
        Map<String, Object> body = get(port, "/actuator/holdfast");
        assertThat(body).containsEntry("backend", "redis");
        List<Map<String, Object>> listed = (List<Map<String, Object>>) body.get("locks");
        assertThat(listed)
            .singleElement()
            .satisfies(
                l -> {
                  assertThat(l).containsEntry("name", "sku:42").containsEntry("lease", "held");
                  assertThat(((Number) l.get("fencingToken")).longValue()).isEqualTo(token);
                  assertThat(Duration.parse((String) l.get("heldFor"))).isPositive();
                });
        Map<String, Object> registration = (Map<String, Object>) body.get("registration");
        String id = instance.registration().orElseThrow().member().id();
        assertThat(registration)
            .containsEntry("registered", true)
            .containsEntry("id", id)
            .containsEntry("port", port)
            .containsEntry("leader", true);
        Map<String, Object> g = (Map<String, Object>) body.get("group");
        assertThat(g).containsEntry("name", group);
        assertThat((List<Map<String, Object>>) g.get("members"))
            .extracting(m -> m.get("id"))
            .containsExactly(id);
        assertThat((Map<String, Object>) g.get("leader")).containsEntry("id", id);
      }
      assertThat((List<?>) get(port, "/actuator/holdfast").get("locks")).isEmpty();
    }
  }

  @Test
  void aLostLease_isShownLostUntilItsHandleIsClosed() throws InterruptedException {
    HeldLocks tracked = new HeldLocks();
    try (InMemoryLockService locks = InMemoryLockService.builder().observer(tracked).build()) {
      HoldfastEndpoint endpoint = new HoldfastEndpoint(tracked, null, "memory");
      LockHandle h = locks.acquire("report", Duration.ofSeconds(1));
      assertThat(endpoint.holdfast().get("locks").toString()).contains("lease=held");
      locks.revoke("report");
      assertThat(endpoint.holdfast().get("locks").toString())
          .contains("name=report", "fencingToken=" + h.fencingToken(), "lease=lost");
      h.close();
      assertThat((List<?>) endpoint.holdfast().get("locks")).isEmpty();
      assertThat(endpoint.holdfast()).doesNotContainKey("registration");
    }
  }

  @Test
  void notExposed_noEndpointAndNoTracking() {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "holdfast.redis.uri=" + RedisServers.shared().uri(),
                "holdfast.membership.register=false")
            .run()) {
      assertThat(context.getBeansOfType(HoldfastEndpoint.class)).isEmpty();
      assertThat(context.getBeansOfType(HeldLocks.class)).isEmpty();
    }
  }
}
