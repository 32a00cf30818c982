package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.LocalEtcdCluster;
import io.holdfast.testkit.TcpFaultProxy;
import io.holdfast.testkit.history.HistoryChecker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The workloads on a real etcd of the test's own (a single member; the client's link is cut and
 * blackholed by the fault proxy), plus etcd's own fault: the leader of a 3-member cluster of local
 * processes {@code kill -9}'d mid-run. The CI suite's budget for all of this is one minute, so the
 * phases are short: fewer grants than on the other backends (see {@link #ops}), same faults.
 */
class EtcdWorkloadTest extends LockWorkloadContract {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static EtcdServer etcd;

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdServers.dedicated();
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Override
  String kind() {
    return "etcd";
  }

  @Override
  String address() {
    return etcd.endpointList();
  }

  @Override
  String address(TcpFaultProxy proxy) {
    return "http://" + proxy.host() + ":" + proxy.port();
  }

  private static URI first() {
    return URI.create(etcd.endpoints().get(0));
  }

  @Override
  String serverHost() {
    return first().getHost();
  }

  @Override
  int serverPort() {
    return first().getPort();
  }

  @Override
  Duration lease() {
    return Duration.ofSeconds(2);
  }

  /**
   * A third of the other backends' grants (at least 8 per thread) in the short mode: the etcd
   * workloads' share of the CI budget is one minute. Every fault is still injected while the
   * workload runs.
   */
  @Override
  int ops(int shortOps, int longOps) {
    return LONG ? longOps : Math.max(8, shortOps / 3);
  }

  /**
   * The long mode only: the short mode's minute for etcd goes to the faults above and the leader
   * kill. (Every other backend runs the latency spike in both modes.)
   */
  @Override
  @Test
  void latencySpike_historyClean() throws Exception {
    Assumptions.assumeTrue(
        LONG,
        "etcd's share of the CI time: the latency spike runs with -Dholdfast.reliability.long");
    super.latencySpike_historyClean();
  }

  @Test
  void leaderOfThreeKilledMidRun_tokensKeepIncreasing_serviceResumes() throws Exception {
    try (LocalEtcdCluster cluster = EtcdServers.localCluster(3)) {
      List<JvmProcess> ps =
          startWorkers(3, String.join(",", cluster.endpoints()), 3, ops(15, 200), 3);
      go(ps);
      await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 15);
      int leader = leader(cluster);
      cluster.member(leader).stop();
      long afterKill = totalGrants();
      // The two survivors elect a new leader and the workload goes on without the old one.
      await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= afterKill + 20);
      assertThat(leader(cluster)).as("the new leader").isNotEqualTo(leader);
      cluster.member(leader).start();
      awaitFinished(ps);
      HistoryChecker.Report r = check("leader of a 3-member cluster kill -9'd mid-run");
      assertThat(r.writesAcked()).isPositive();
    }
  }

  /** The index of the member that says it leads (etcd's own metric), waiting for an election. */
  private static int leader(LocalEtcdCluster cluster) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (int i = 0; i < cluster.size(); i++) {
                if (isLeader(cluster.endpoints().get(i))) {
                  return i;
                }
              }
              return -1;
            },
            i -> i >= 0);
  }

  private static boolean isLeader(String clientUrl) throws InterruptedException {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(clientUrl + "/metrics"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().lines().anyMatch("etcd_server_is_leader 1"::equals);
    } catch (IOException e) {
      return false; // a stopped member
    }
  }
}
