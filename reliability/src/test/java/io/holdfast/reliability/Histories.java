package io.holdfast.reliability;

import io.holdfast.testkit.history.FencedRegister;
import io.holdfast.testkit.history.HistoryChecker;
import io.holdfast.testkit.history.HistoryFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The history files of a run in one directory: counting grants so far, and checking them. */
final class Histories {
  private Histories() {}

  /** Grants recorded so far by every history file in {@code dir}. */
  static long grants(Path dir) {
    long n = 0;
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) {
        n +=
            Files.readAllLines(p, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(" acquire ok "))
                .count();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  /** Checks every history file in {@code dir} against the register's final values. */
  static HistoryChecker.Report check(Path dir, List<String> names, FencedRegister register) {
    Map<String, Long> finals = new HashMap<>();
    names.forEach(n -> finals.put(n, register.read(n)));
    try (var s = Files.list(dir)) {
      return HistoryChecker.check(HistoryFile.readAll(s.toList()), finals);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
