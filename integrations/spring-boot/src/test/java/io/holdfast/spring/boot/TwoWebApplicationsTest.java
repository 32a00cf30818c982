package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.Member;
import io.holdfast.membership.Membership;
import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * Two real Spring Boot web applications (Tomcat, random ports) and a third in a child JVM, one
 * group over a real Redis, and again over a real ZooKeeper: a load-balanced client reaches both web
 * instances by the service name; the child, killed with {@code kill -9}, leaves when its heartbeat
 * TTL (Redis) or its session (ZooKeeper) runs out; a graceful shutdown leaves the group before the
 * web server stops taking requests; the health follows the server going away and coming back.
 */
class TwoWebApplicationsTest {
  private static final Duration CHILD_TTL = Duration.ofSeconds(2);

  /** The service: answers with its member id. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(WhoAmI.class)
  static class Service {
    @Bean
    @LoadBalanced
    RestClient.Builder loadBalanced() {
      return RestClient.builder();
    }
  }

  @RestController
  static class WhoAmI {
    private final Environment env;

    WhoAmI(Environment env) {
      this.env = env;
    }

    @GetMapping("/whoami")
    String whoAmI() {
      return env.getRequiredProperty("holdfast.membership.id");
    }
  }

  /**
   * Stops just before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and records
   * whether this instance was still listed, and whether its web server still answered.
   */
  static final class BeforeTheWebServerStops implements SmartLifecycle {
    static volatile List<String> membersAtStop = List.of("not stopped");
    static volatile int statusAtStop = -1;
    private final Membership membership;
    private final Environment env;
    private volatile boolean running;

    BeforeTheWebServerStops(Membership membership, Environment env) {
      this.membership = membership;
      this.env = env;
    }

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      String group = env.getRequiredProperty("spring.application.name");
      membersAtStop = membership.members(group).stream().map(Member::id).toList();
      try {
        statusAtStop = get(env.getRequiredProperty("local.server.port", Integer.class), "/whoami");
      } catch (IOException | InterruptedException e) {
        statusAtStop = 0;
      }
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return SmartLifecycle.DEFAULT_PHASE - 1024 + 1;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Probe {
    @Bean
    BeforeTheWebServerStops beforeTheWebServerStops(Membership membership, Environment env) {
      return new BeforeTheWebServerStops(membership, env);
    }
  }

  private static int get(int port, String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** A real server of one backend, as the applications are told about it. */
  private interface Backend extends AutoCloseable {
    /** The property that points an application at this server, without the leading dashes. */
    String property();

    /** A member of a killed process is gone after at most this (heartbeat TTL, session). */
    String lossBoundProperty(Duration bound);

    void stop();

    void start();

    @Override
    void close();

    static Backend of(String name) {
      if (name.equals("redis")) {
        RedisServer redis = RedisServers.dedicated();
        return new Backend() {
          @Override
          public String property() {
            return "holdfast.redis.uri=" + redis.uri();
          }

          @Override
          public String lossBoundProperty(Duration bound) {
            return "holdfast.membership.heartbeat-ttl=" + bound.toMillis() + "ms";
          }

          @Override
          public void stop() {
            redis.stop();
          }

          @Override
          public void start() {
            redis.start();
          }

          @Override
          public void close() {
            redis.close();
          }
        };
      }
      ZooKeeperServer zk = ZooKeeperServers.dedicated();
      return new Backend() {
        @Override
        public String property() {
          return "holdfast.zookeeper.connect-string=" + zk.connectString();
        }

        @Override
        public String lossBoundProperty(Duration bound) {
          return "holdfast.zookeeper.session-timeout=" + bound.toMillis() + "ms";
        }

        @Override
        public void stop() {
          zk.stop();
        }

        @Override
        public void start() {
          zk.start();
        }

        @Override
        public void close() {
          zk.close();
        }
      };
    }
  }

  private static ConfigurableApplicationContext start(
      Backend backend, String group, String id, Class<?>... sources) {
    return new SpringApplicationBuilder(sources)
        .web(WebApplicationType.SERVLET)
        .logStartupInfo(false)
        .properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "spring.application.name=" + group,
            backend.property(),
            "holdfast.command-timeout=2s",
            "holdfast.membership.id=" + id,
            "holdfast.membership.host=127.0.0.1",
            "spring.cloud.loadbalancer.cache.enabled=false",
            "management.endpoints.web.exposure.include=health",
            "management.endpoint.health.show-details=always")
        .run();
  }

  private static void phase(String what, long t0) {
    System.out.println(what + " at " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
  }

  private static Set<String> idsOf(DiscoveryClient discovery, String group) {
    Set<String> ids = new HashSet<>();
    for (ServiceInstance i : discovery.getInstances(group)) {
      ids.add(i.getInstanceId());
    }
    return ids;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"redis", "zookeeper"})
  void loadBalancedCallsReachBoth_aKilledChildLeaves_aGracefulOneLeavesFirst_healthFollowsServer(
      String backendName) throws Exception {
    String group = "inventory-" + System.nanoTime();
    long t0 = System.nanoTime();
    try (Backend backend = Backend.of(backendName)) {
      CompletableFuture<JvmProcess> child =
          CompletableFuture.supplyAsync(
              () ->
                  JvmProcess.start(
                      RegisteredChild.class,
                      "--spring.application.name=" + group,
                      "--" + backend.property(),
                      "--holdfast.membership.id=child",
                      "--holdfast.membership.host=127.0.0.1",
                      "--holdfast.membership.port=1",
                      "--" + backend.lossBoundProperty(CHILD_TTL)));
      try (ConfigurableApplicationContext a = start(backend, group, "a", Service.class);
          JvmProcess killed = child.join()) {
        ConfigurableApplicationContext b = start(backend, group, "b", Service.class, Probe.class);
        phase("started a, b and the child", t0);
        DiscoveryClient discovery = a.getBean(DiscoveryClient.class);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> idsOf(discovery, group).equals(Set.of("a", "b", "child")));

        // kill -9: no shutdown hook, no leave; the member goes when its TTL runs out.
        long killedAt = System.nanoTime();
        killed.kill();
        await()
            .atMost(CHILD_TTL.plusSeconds(10))
            .until(() -> idsOf(discovery, group).equals(Set.of("a", "b")));
        Duration gone = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.println("killed child left the group after " + gone.toMillis() + " ms");
        assertThat(gone).isLessThan(CHILD_TTL.plusSeconds(5));

        RestClient client = a.getBean(RestClient.Builder.class).build();
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 20 && reached.size() < 2; i++) {
          reached.add(
              client.get().uri("http://" + group + "/whoami").retrieve().body(String.class));
        }
        assertThat(reached).containsExactlyInAnyOrder("a", "b");

        // Graceful: b leaves before its web server stops taking requests.
        b.close();
        assertThat(BeforeTheWebServerStops.membersAtStop).containsExactly("a");
        assertThat(BeforeTheWebServerStops.statusAtStop).isEqualTo(200);
        assertThat(idsOf(discovery, group)).containsExactly("a");
        for (int i = 0; i < 5; i++) {
          assertThat(client.get().uri("http://" + group + "/whoami").retrieve().body(String.class))
              .isEqualTo("a");
        }

        phase("load-balanced calls and graceful leave done", t0);
        // Health follows the server.
        int port = a.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        assertThat(get(port, "/actuator/health/holdfast")).isEqualTo(200);
        backend.stop();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> get(port, "/actuator/health/holdfast") == 503);
        phase("health DOWN", t0);
        backend.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> get(port, "/actuator/health/holdfast") == 200);
        phase("health UP again", t0);
      }
    }
  }
}
