package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.testkit.JvmProcess;
import io.holdfast.testkit.PostgresServer;
import io.holdfast.testkit.PostgresServers;
import io.holdfast.testkit.TcpFaultProxy;
import io.holdfast.testkit.history.HistoryChecker;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The workloads on a real PostgreSQL of the test's own, plus PostgreSQL's own faults: every client
 * connection terminated ({@code pg_terminate_backend}) mid-run, and the server restarted.
 */
class PostgresWorkloadTest extends LockWorkloadContract {
  private static PostgresServer pg;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresServers.dedicated();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Override
  String kind() {
    return "postgres";
  }

  @Override
  String address() {
    return pg.jdbcUrlWithCredentials();
  }

  @Override
  String address(TcpFaultProxy proxy) {
    return pg.jdbcUrlWithCredentials()
        .replace(serverHost() + ":" + serverPort(), proxy.host() + ":" + proxy.port());
  }

  private static URI uri() {
    return URI.create(pg.jdbcUrl().substring("jdbc:".length()));
  }

  @Override
  String serverHost() {
    return uri().getHost();
  }

  @Override
  int serverPort() {
    return uri().getPort();
  }

  @Override
  Duration lease() {
    return Duration.ofSeconds(2);
  }

  /** Terminates every other client backend; returns how many. */
  private static int terminateClientConnections() throws SQLException {
    try (Connection c = pg.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void clientConnectionsTerminated_holdersLearn_serviceResumes() throws Exception {
    List<JvmProcess> ps = startWorkers(3, address(), 3, ops(25, 200), 3);
    go(ps);
    await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 15);
    assertThat(terminateClientConnections()).as("connections terminated").isPositive();
    await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 35);
    assertThat(terminateClientConnections()).as("connections terminated").isPositive();
    awaitFinished(ps);
    HistoryChecker.Report r =
        check("every client connection terminated (pg_terminate_backend), twice mid-run");
    assertThat(r.writesAcked()).isPositive();
  }

  @Test
  void serverRestartedMidRun_tokensKeepIncreasing_serviceResumes() throws Exception {
    Assumptions.assumeTrue(pg.controllable(), "the environment's server cannot be restarted");
    List<JvmProcess> ps = startWorkers(3, address(), 3, ops(25, 200), 3);
    go(ps);
    await().atMost(Duration.ofSeconds(120)).until(() -> totalGrants() >= 20);
    pg.stop();
    LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
    pg.start();
    awaitFinished(ps);
    HistoryChecker.Report r = check("PostgreSQL stopped and restarted mid-run (fast shutdown)");
    assertThat(r.writesAcked()).isPositive();
  }
}
