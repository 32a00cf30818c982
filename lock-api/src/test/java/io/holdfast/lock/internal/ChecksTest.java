package io.holdfast.lock.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChecksTest {
  @Test
  void utf8Length_matchesTheJdkEncoder_forWellFormedText() {
    for (String s :
        List.of(
            "",
            "a",
            "\u00e9",
            "\u20ac",
            "\uD83D\uDD12",
            "a\u00e9\u20ac\uD83D\uDD12z",
            "\u0000\u007f\u0080\u07ff\u0800\uffff",
            "x".repeat(1024))) {
      assertThat(Checks.utf8Length(s, "name"))
          .as(s)
          .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  @Test
  void utf8Length_rejectsUnpairedSurrogates() {
    for (String s : List.of("\uD800", "\uDC00", "a\uD800b", "\uDC00\uD800", "\uD83D")) {
      assertThatThrownBy(() -> Checks.utf8Length(s, "name"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("surrogate");
    }
  }
}
