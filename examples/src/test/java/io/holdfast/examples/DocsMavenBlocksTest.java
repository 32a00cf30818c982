package io.holdfast.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.holdfast.examples.DocsCodeBlocksTest.Block;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code xml} block of README.md and docs/*.md that is pom content (it starts with {@code
 * <dependency>} or {@code <dependencyManagement>}: what we tell users to put in their pom) must
 * appear, line for line (indentation aside), in one of the user projects that consumer-check builds
 * outside the reactor and runs against a real server. So the snippets a user copies are the ones
 * whose dependency graph we test.
 */
class DocsMavenBlocksTest {
  private static final Path CONSUMERS = DocsCodeBlocksTest.ROOT.resolve("consumer-check/src/it");

  @Test
  void everyXmlBlockInTheDocs_isBuiltByTheConsumerCheck() throws IOException {
    List<List<String>> poms = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CONSUMERS)) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("pom.xml")).toList()) {
        poms.add(DocsCodeBlocksTest.normalized(Files.readAllLines(f, StandardCharsets.UTF_8)));
      }
    }
    assertFalse(poms.isEmpty(), "found no consumer projects under " + CONSUMERS);
    List<Block> blocks = DocsCodeBlocksTest.blocks(DocsCodeBlocksTest.docs(), "xml");
    assertFalse(blocks.isEmpty(), "found no xml blocks: wrong working directory?");
    List<String> problems = new ArrayList<>();
    for (Block b : blocks) {
      if (!isPomContent(b)) {
        continue; // e.g. a logging configuration
      }
      List<String> wanted = DocsCodeBlocksTest.normalized(b.lines());
      if (poms.stream().noneMatch(pom -> DocsCodeBlocksTest.contains(pom, wanted))) {
        problems.add(
            DocsCodeBlocksTest.ROOT.relativize(b.file())
                + ":"
                + b.line()
                + " is not in any consumer-check/src/it/*/pom.xml: add a user project that"
                + " declares exactly this, so the build proves it resolves and runs");
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  private static boolean isPomContent(Block b) {
    String first = b.lines().stream().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
    return first.equals("<dependency>") || first.equals("<dependencyManagement>");
  }
}
