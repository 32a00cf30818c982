package io.holdfast.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Collects the figures of a run in target/reliability-figures.txt for docs/reliability.md. */
final class Reports {
  private Reports() {}

  static synchronized void add(String line) {
    try {
      Path out = Path.of("target", "reliability-figures.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(
          out,
          line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
