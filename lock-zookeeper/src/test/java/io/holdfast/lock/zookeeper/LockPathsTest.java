package io.holdfast.lock.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.holdfast.lock.LockService;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.Test;

class LockPathsTest {
  private static final List<String> NAMES =
      List.of(
          "/",
          ".",
          "..",
          "...",
          "zookeeper",
          "a/b/../c",
          "%2E",
          "%",
          "%25",
          "{tag}",
          "*",
          "\u0000\u0001\n",
          "\u007f\u0080\u009f",
          " x ",
          "\uD83D\uDD12 lock",
          "\u00e9",
          "e\u0301",
          "\uFFF0\uFFFF",
          "\uE000",
          "sku:123",
          "x".repeat(LockService.MAX_NAME_BYTES),
          "\u00e9".repeat(LockService.MAX_NAME_BYTES / 2),
          "\uD83D\uDD12".repeat(LockService.MAX_NAME_BYTES / 4));

  @Test
  void encode_givesLegalNodeNames_thatDecodeBack() {
    for (String name : NAMES) {
      String node = LockPaths.encode(name);
      assertThatCode(
              () ->
                  PathUtils.validatePath(
                      ZooKeeperLockService.DEFAULT_ROOT_PATH + "/" + node + "/lock-0000000001"))
          .as("node for %s", name)
          .doesNotThrowAnyException();
      assertThat(node).isNotIn(".", "..").doesNotContain("/");
      assertThat(node.chars()).allMatch(c -> c > 0x20 && c < 0x7f);
      assertThat(LockPaths.decode(node)).isEqualTo(name);
    }
  }

  @Test
  void encode_isCollisionFree() {
    Set<String> nodes = new HashSet<>();
    for (String name : NAMES) {
      assertThat(nodes.add(LockPaths.encode(name))).as("collision for %s", name).isTrue();
    }
  }

  @Test
  void encode_keepsReadableNamesReadable_andBoundsLength() {
    assertThat(LockPaths.encode("orders.eu-1_batch~7")).isEqualTo("orders.eu-1_batch~7");
    assertThat(LockPaths.encode("sku:1/2")).isEqualTo("sku%3A1%2F2");
    assertThat(LockPaths.encode("\u00e9".repeat(LockService.MAX_NAME_BYTES / 2)))
        .hasSize(3 * LockService.MAX_NAME_BYTES);
  }

  @Test
  void queue_sortsBySequence_andIgnoresForeignNodes() {
    List<String> q =
        LockPaths.queue(
            List.of(
                "_c_b-lock-0000000010",
                "junk",
                "_c_a-lock-0000000002",
                "lock-0000000005",
                "_c_c-lock-00000x0001"));
    assertThat(q)
        .containsExactly("_c_a-lock-0000000002", "lock-0000000005", "_c_b-lock-0000000010");
  }
}
