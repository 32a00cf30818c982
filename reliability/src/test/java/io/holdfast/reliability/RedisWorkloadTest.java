package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.TcpFaultProxy;
import io.holdfast.testkit.history.HistoryChecker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The workloads on a real local Redis, plus Redis's own server faults. */
class RedisWorkloadTest extends LockWorkloadContract {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServers.localProcess();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  String kind() {
    return "redis";
  }

  @Override
  String address() {
    return redis.uri().toString();
  }

  @Override
  String address(TcpFaultProxy proxy) {
    return "redis://" + proxy.host() + ":" + proxy.port();
  }

  @Override
  String serverHost() {
    return redis.uri().getHost();
  }

  @Override
  int serverPort() {
    return redis.uri().getPort();
  }

  @Override
  Duration lease() {
    return Duration.ofMillis(1500);
  }

  @Test
  void redisKilledAndRestartedMidRun_stateGone_holdersLearn_serviceResumes() throws Exception {
    List<JvmProcess> ps = startWorkers(3, address(), 3, ops(25, 200), 3);
    go(ps);
    await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 20);
    redis.stop();
    LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    redis.start();
    awaitFinished(ps);
    HistoryChecker.Report r = check("Redis killed and restarted mid-run (all lock state lost)");
    assertThat(r.writesAcked()).isPositive();
  }

  @Test
  void redisPausedPastTheLease_holdersLearn_historyClean() throws Exception {
    List<JvmProcess> ps = startWorkers(3, address(), 3, ops(25, 200), 3);
    go(ps);
    await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 20);
    redis.pause();
    LockSupport.parkNanos(lease().multipliedBy(2).toNanos());
    redis.resume();
    awaitFinished(ps);
    HistoryChecker.Report r = check("Redis paused (SIGSTOP) for 2 leases mid-run");
    assertThat(r.writesAcked()).isPositive();
  }
}
