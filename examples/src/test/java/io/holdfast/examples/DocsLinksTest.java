package io.holdfast.examples;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/*.md points at a file that exists, and every {@code
 * #anchor} at a heading of the target page, using GitHub's rules for heading anchors (lower case;
 * punctuation other than '-' and '_' dropped; spaces become '-'; repeats get -1, -2).
 */
class DocsLinksTest {
  static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

  @Test
  void relativeLinksAndAnchors_resolve() throws IOException {
    List<String> problems = new ArrayList<>();
    Map<Path, Set<String>> anchors = new HashMap<>();
    for (Path doc : DocsCodeBlocksTest.docs()) {
      List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
      boolean inCode = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.strip().startsWith("```")) {
          inCode = !inCode;
          continue;
        }
        if (inCode) {
          continue;
        }
        Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
        while (m.find()) {
          String target = m.group(1);
          if (target.matches("^[a-z]+:.*")) {
            continue; // http:, https:, mailto:
          }
          int hash = target.indexOf('#');
          String file = hash < 0 ? target : target.substring(0, hash);
          String anchor = hash < 0 ? null : target.substring(hash + 1);
          Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
          String where =
              DocsCodeBlocksTest.ROOT.relativize(doc) + ":" + (i + 1) + " (" + target + ")";
          if (!Files.exists(resolved)) {
            problems.add(where + ": no such file");
            continue;
          }
          if (anchor != null && resolved.toString().endsWith(".md")) {
            Set<String> known = anchors.computeIfAbsent(resolved, DocsLinksTest::anchorsOf);
            if (!known.contains(anchor)) {
              problems.add(where + ": no heading with anchor #" + anchor);
            }
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  @Test
  void theIndex_linksEveryPage() throws IOException {
    Path index = DocsCodeBlocksTest.ROOT.resolve("docs/index.md");
    String text = Files.readString(index, StandardCharsets.UTF_8);
    Set<String> linked = new HashSet<>();
    Matcher m = LINK.matcher(text);
    while (m.find()) {
      String target = m.group(1);
      int hash = target.indexOf('#');
      linked.add(hash < 0 ? target : target.substring(0, hash));
    }
    List<String> missing = new ArrayList<>();
    for (Path doc : DocsCodeBlocksTest.docs()) {
      String name = doc.getFileName().toString();
      if (doc.getParent().getFileName().toString().equals("docs")
          && !name.equals("index.md")
          && !linked.contains(name)) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      fail("docs/index.md does not link " + missing + ": add them to its table of pages");
    }
  }

  static Set<String> anchorsOf(Path page) {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(page, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    boolean inCode = false;
    for (String line : lines) {
      if (line.strip().startsWith("```")) {
        inCode = !inCode;
        continue;
      }
      Matcher m = HEADING.matcher(line);
      if (inCode || !m.matches()) {
        continue;
      }
      String slug = slug(m.group(1));
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      out.add(n == 0 ? slug : slug + "-" + n);
    }
    return out;
  }

  /** GitHub's heading anchor. */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // links keep their text
    StringBuilder b = new StringBuilder();
    text.toLowerCase(Locale.ROOT)
        .codePoints()
        .forEach(
            c -> {
              if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                b.appendCodePoint(c);
              } else if (c == ' ') {
                b.append('-');
              }
            });
    return b.toString();
  }
}
