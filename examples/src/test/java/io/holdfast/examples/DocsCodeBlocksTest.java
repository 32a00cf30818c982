package io.holdfast.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code java} code block of README.md and docs/*.md must be compiled: it must appear, line
 * for line (leading and trailing blanks aside), in a source file of this module — the docs' own
 * snippets live in {@code io.holdfast.examples.snippets}, under src/main (compiled) or, for code
 * that is itself a test (docs/testing.md), under src/test (compiled and run). A block may be
 * exempted by the HTML comment {@code <!-- not compiled: reason -->} on the last non-blank line
 * before it.
 */
class DocsCodeBlocksTest {
  static final Path ROOT = Path.of("..");
  static final String NOT_COMPILED = "<!-- not compiled:";

  /** A fenced java block: where it is, its lines, and whether it is exempted. */
  record Block(Path file, int line, List<String> lines, boolean exempt) {}

  @Test
  void everyJavaBlockInTheDocs_appearsVerbatimInACompiledSource() throws IOException {
    List<List<String>> sources = new ArrayList<>();
    for (String dir : List.of("src/main/java", "src/test/java/io/holdfast/examples/snippets")) {
      try (Stream<Path> files = Files.walk(Path.of(dir))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          sources.add(normalized(Files.readAllLines(f, StandardCharsets.UTF_8)));
        }
      }
    }
    List<Block> blocks = javaBlocks(docs());
    assertFalse(blocks.isEmpty(), "found no java blocks: wrong working directory?");
    List<String> problems = new ArrayList<>();
    for (Block b : blocks) {
      if (b.exempt()) {
        continue;
      }
      List<String> wanted = normalized(b.lines());
      if (sources.stream().noneMatch(src -> contains(src, wanted))) {
        problems.add(
            ROOT.relativize(b.file())
                + ":"
                + b.line()
                + " is not a verbatim copy of code in examples/src/main/java or its test snippets"
                + " (copy it from a"
                + " snippet file, or mark it "
                + NOT_COMPILED
                + " why -->)");
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  @Test
  void exemptions_sayWhy() throws IOException {
    for (Block b : javaBlocks(docs())) {
      if (b.exempt()) {
        List<String> before = Files.readAllLines(b.file(), StandardCharsets.UTF_8);
        String marker = lastNonBlankBefore(before, b.line() - 1);
        assertTrue(
            marker.length() > NOT_COMPILED.length() + " -->".length() + 1,
            b.file() + ":" + b.line() + ": an exemption must give a reason");
      }
    }
  }

  /** README.md and every page under docs/. */
  static List<Path> docs() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(ROOT.resolve("README.md"));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  static List<Block> javaBlocks(List<Path> docs) throws IOException {
    return blocks(docs, "java");
  }

  /** The fenced blocks of one language (```xml, ```java, …) in these pages. */
  static List<Block> blocks(List<Path> docs, String language) throws IOException {
    List<Block> blocks = new ArrayList<>();
    for (Path doc : docs) {
      List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String fence = lines.get(i).strip();
        if (!fence.startsWith("```")) {
          continue;
        }
        int end = i + 1;
        while (end < lines.size() && !lines.get(end).strip().equals("```")) {
          end++;
        }
        if (fence.equals("```" + language)) {
          boolean exempt = lastNonBlankBefore(lines, i).startsWith(NOT_COMPILED);
          blocks.add(
              new Block(doc, i + 1, lines.subList(i + 1, Math.min(end, lines.size())), exempt));
        }
        i = end;
      }
    }
    return blocks;
  }

  private static String lastNonBlankBefore(List<String> lines, int index) {
    for (int i = index - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i).strip();
      }
    }
    return "";
  }

  static List<String> normalized(List<String> lines) {
    List<String> out = new ArrayList<>(lines.size());
    for (String l : lines) {
      out.add(l.strip());
    }
    return out;
  }

  static boolean contains(List<String> haystack, List<String> needle) {
    if (needle.isEmpty()) {
      return true;
    }
    outer:
    for (int i = 0; i + needle.size() <= haystack.size(); i++) {
      for (int j = 0; j < needle.size(); j++) {
        if (!haystack.get(i + j).equals(needle.get(j))) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
