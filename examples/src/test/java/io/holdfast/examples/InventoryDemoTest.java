package io.holdfast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's demo, shortened: separate JVMs, a freeze, a kill -9, and a green verdict. */
class InventoryDemoTest {
  /** A run's verdict and what it printed. */
  private record Run(InventoryDemo.Verdict verdict, String printed) {}

  /** Runs the demo, prints its output, and checks the verdict is OK. */
  private static Run runOk(InventoryDemo.Options options) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    InventoryDemo.Verdict v = InventoryDemo.run(options, out);
    String printed = buf.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    assertThat(v.ok()).as(printed).isTrue();
    return new Run(v, printed);
  }

  @Test
  void demo_sellsExactlyTheStock_survivesFreezeAndKill_verdictOk() throws Exception {
    Run run = runOk(new InventoryDemo.Options(null, null, null, null, 3, 3, 400));
    InventoryDemo.Verdict v = run.verdict();
    String printed = run.printed();
    assertThat(v.accepted()).isEqualTo(3 * 400);
    assertThat(v.finalStock().values()).containsOnly(0L);
    assertThat(printed).contains("oversold:                 0").contains("VERDICT: OK");
    assertThat(printed)
        .contains("zombie write, token 1:    rejected (a late write with the first token");
  }

  @Test
  void help_printsUsage_andReturnsNormally() throws Exception {
    PrintStream before = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      InventoryDemo.main(new String[] {"--help"});
    } finally {
      System.setOut(before);
    }
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .startsWith("Usage: mvn -q -Pdemo -DskipTests verify")
        .contains("--zookeeper host:port")
        .contains("--postgres JDBC-URL")
        .contains("--etcd URL");
  }

  @Test
  void demo_onZooKeeper_verdictOk() throws Exception {
    try (io.holdfast.testkit.ZooKeeperServer zk =
        io.holdfast.testkit.ZooKeeperServers.dedicated()) {
      Run run = runOk(new InventoryDemo.Options(null, zk.connectString(), null, null, 3, 3, 150));
      assertThat(run.verdict().accepted()).isEqualTo(3 * 150);
    }
  }

  @Test
  void demo_onPostgres_verdictOk() throws Exception {
    try (io.holdfast.testkit.PostgresServer pg = io.holdfast.testkit.PostgresServers.dedicated()) {
      String url = pg.jdbcUrlWithCredentials();
      Run run = runOk(new InventoryDemo.Options(null, null, url, null, 3, 3, 150));
      assertThat(run.verdict().accepted()).isEqualTo(3 * 150);
      assertThat(run.printed())
          .contains("Using PostgreSQL at jdbc:postgresql:")
          .doesNotContain("password");
    }
  }

  @Test
  void demo_onEtcd_verdictOk() throws Exception {
    try (io.holdfast.testkit.EtcdServer etcd = io.holdfast.testkit.EtcdServers.dedicated()) {
      Run run = runOk(new InventoryDemo.Options(null, null, null, etcd.endpointList(), 3, 3, 150));
      assertThat(run.verdict().accepted()).isEqualTo(3 * 150);
      assertThat(run.printed()).contains("Using etcd at http://");
    }
  }
}
