package io.holdfast.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InventoryDemoTest {
  @Test
  void demo_sellsExactlyTheStock_andRejectsTheStaleWrite() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    InventoryDemo.Verdict v =
        InventoryDemo.run(null, 250, 3, 3, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertThat(v.ok()).as(printed).isTrue();
    assertThat(v.accepted() + v.refused()).isEqualTo(250);
    assertThat(v.accepted()).isEqualTo(180); // 3 SKUs x 60 in stock, all sold
    assertThat(printed).contains("oversold:               0").contains("VERDICT: OK");
  }
}
