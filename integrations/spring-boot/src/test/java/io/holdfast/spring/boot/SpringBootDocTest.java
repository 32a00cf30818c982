package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The "Properties" table of docs/spring-boot.md lists exactly the properties the starter's metadata
 * has.
 */
class SpringBootDocTest {
  private static final Pattern PROPERTIES =
      Pattern.compile("\"properties\"\\s*:\\s*\\[(.*?)\\]\\s*[,}]", Pattern.DOTALL);
  private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern ROW =
      Pattern.compile("^\\| `((?:management\\.endpoint\\.)?holdfast\\.[a-z.-]+)` \\|");

  @Test
  void thePropertyTable_matchesTheConfigurationMetadata() throws IOException {
    TreeSet<String> documented = new TreeSet<>();
    boolean inProperties = false;
    for (String line : Files.readAllLines(Path.of("../../docs/spring-boot.md"))) {
      if (line.startsWith("## ")) {
        inProperties = line.equals("## Properties");
      }
      Matcher m = ROW.matcher(line);
      if (inProperties && m.find()) {
        documented.add(m.group(1));
      }
    }
    TreeSet<String> metadata = new TreeSet<>();
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Matcher section = PROPERTIES.matcher(json);
      assertThat(section.find()).as("a properties array in %s", json).isTrue();
      Matcher name = NAME.matcher(section.group(1));
      while (name.find()) {
        metadata.add(name.group(1));
      }
    }
    assertThat(documented).isNotEmpty().isEqualTo(metadata);
  }
}
