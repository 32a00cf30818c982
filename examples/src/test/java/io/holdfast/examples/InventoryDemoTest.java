package io.holdfast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's demo, shortened: separate JVMs, a freeze, a kill -9, and a green verdict. */
class InventoryDemoTest {
  @Test
  void demo_sellsExactlyTheStock_survivesFreezeAndKill_verdictOk() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    InventoryDemo.Verdict v =
        InventoryDemo.run(new InventoryDemo.Options(null, null, 3, 3, 400), out);
    String printed = buf.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    assertThat(v.ok()).as(printed).isTrue();
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
        .contains("--zookeeper host:port");
  }

  @Test
  void demo_onZooKeeper_verdictOk() throws Exception {
    try (io.holdfast.testkit.ZooKeeperServer zk =
        io.holdfast.testkit.ZooKeeperServers.dedicated()) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
      InventoryDemo.Verdict v =
          InventoryDemo.run(new InventoryDemo.Options(null, zk.connectString(), 3, 3, 150), out);
      String printed = buf.toString(StandardCharsets.UTF_8);
      System.out.println(printed);
      assertThat(v.ok()).as(printed).isTrue();
      assertThat(v.accepted()).isEqualTo(3 * 150);
    }
  }
}
