package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@link HoldfastRedis} and {@link HoldfastZooKeeper} in real test classes, run through the JUnit
 * engine, against real servers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HoldfastServersExtensionTest {

  @Test
  void parametersAndFields_getTheSharedServers_inEveryTypeOffered() {
    Events tests = run(SharedServers.class);
    tests.assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(SharedServers.seen)
        .containsOnly(
            RedisServers.shared().uri().toString(),
            RedisServers.shared().uri().toURI().toString(),
            ZooKeeperServers.shared().connectString());
  }

  @Test
  void dedicatedServer_isTheClasssOwn_controllable_andClosedAfterTheClass() throws IOException {
    Events tests = run(DedicatedServers.class);
    tests.assertStatistics(s -> s.started(2).succeeded(2));
    List<Object> servers = DedicatedServers.seen;
    assertThat(servers).hasSize(4);
    RedisServer redis = (RedisServer) servers.get(0);
    ZooKeeperServer zk = (ZooKeeperServer) servers.get(1);
    assertThat(servers.get(2)).as("the same Redis for every test of the class").isSameAs(redis);
    assertThat(servers.get(3)).isSameAs(zk);
    assertThat(redis).isNotSameAs(RedisServers.shared());
    assertThat(zk).isNotSameAs(ZooKeeperServers.shared());
    Assumptions.assumeTrue(
        redis.controllable() && zk.controllable(), "servers from the environment");
    assertThat(answers(redis.uri().getHost(), redis.uri().getPort())).as("Redis closed").isFalse();
    String[] hostPort = zk.connectString().split(":");
    assertThat(answers(hostPort[0], Integer.parseInt(hostPort[1])))
        .as("ZooKeeper closed")
        .isFalse();
  }

  @Test
  void wrongType_failsTheTest_sayingWhatIsAllowed() {
    Events tests = run(WrongType.class);
    tests.assertStatistics(s -> s.started(3).failed(3));
    assertThat(
            tests.failed().stream()
                .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class))
                .map(r -> r.orElseThrow().getThrowable().orElseThrow().getMessage())
                .toList())
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains(
                        "@HoldfastRedis goes on a RedisServer, RedisURI or String, not a"
                            + " java.lang.Integer"))
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains(
                        "@HoldfastZooKeeper goes on a ZooKeeperServer or String, not a"
                            + " io.lettuce.core.RedisURI"))
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains(
                        "@HoldfastPostgres goes on a PostgresServer or String, not a"
                            + " java.lang.Integer"));
  }

  @Test
  void inJvmZooKeeper_serverAndClientLogs_areQuietByDefault() {
    try (ZooKeeperServer server = ZooKeeperServers.inJvm()) {
      assertThat(server.fourLetterWord("ruok")).isEqualTo("imok");
      org.slf4j.Logger serverLog =
          org.slf4j.LoggerFactory.getLogger("org.apache.zookeeper.server.ZooKeeperServer");
      assertThat(serverLog.isInfoEnabled()).as("ZooKeeper server INFO").isFalse();
      assertThat(serverLog.isWarnEnabled()).isTrue();
      assertThat(org.slf4j.LoggerFactory.getLogger("io.holdfast.testkit").isInfoEnabled()).isTrue();
      assertThat(System.getProperty("curator-log-only-first-connection-issue-as-error-level"))
          .as("Curator logs only the first connection loss of an outage at ERROR")
          .isEqualTo("true");
    }
  }

  private static Events run(Class<?> testClass) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testClass))
        .execute()
        .testEvents();
  }

  private static boolean answers(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Run by the engine above, not by Surefire (a nested class). */
  static class SharedServers {
    static final List<String> seen = new CopyOnWriteArrayList<>();
    @HoldfastRedis static @Nullable RedisServer redisField;
    @HoldfastZooKeeper @Nullable String zooKeeperField;

    @BeforeAll
    static void staticFieldsAreSet() {
      assertThat(redisField).isNotNull();
    }

    @Test
    void redis(
        @HoldfastRedis RedisURI uri,
        @HoldfastRedis String text,
        @HoldfastRedis RedisServer server) {
      assertThat(server).isSameAs(redisField);
      seen.add(uri.toString());
      seen.add(text);
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(c.sync().ping()).isEqualTo("PONG");
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    @Test
    void zooKeeper(@HoldfastZooKeeper ZooKeeperServer server) {
      assertThat(zooKeeperField).isEqualTo(server.connectString());
      seen.add(server.connectString());
      assertThat(server.fourLetterWord("ruok")).isEqualTo("imok");
    }
  }

  /** Run by the engine above: both tests get the class's own servers, and may stop them. */
  static class DedicatedServers {
    static final List<Object> seen = new CopyOnWriteArrayList<>();
    private final RedisServer redis;

    DedicatedServers(@HoldfastRedis(dedicated = true) RedisServer redis) {
      this.redis = redis;
    }

    @Test
    void first(@HoldfastZooKeeper(dedicated = true) ZooKeeperServer zk) {
      seen.add(redis);
      seen.add(zk);
      if (redis.controllable()) {
        redis.stop();
        redis.start();
      }
    }

    @Test
    void second(
        @HoldfastRedis(dedicated = true) RedisServer again,
        @HoldfastZooKeeper(dedicated = true) ZooKeeperServer zk) {
      assertThat(again).isSameAs(redis);
      seen.add(again);
      seen.add(zk);
    }
  }

  /** Run by the engine above: every test fails, with a message. */
  static class WrongType {
    @Test
    void redisAsInteger(@HoldfastRedis Integer port) {}

    @Test
    void zooKeeperAsRedisUri(@HoldfastZooKeeper RedisURI uri) {}

    @Test
    void postgresAsInteger(@HoldfastPostgres Integer port) {}
  }
}
