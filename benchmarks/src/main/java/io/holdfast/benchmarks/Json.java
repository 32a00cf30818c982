package io.holdfast.benchmarks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough JSON for the flat objects this module writes and reads back. */
final class Json {
  private Json() {}

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static String string(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no string " + key + " in " + json);
    }
    return m.group(1);
  }

  static double number(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(-?[0-9.eE+-]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no number " + key + " in " + json);
    }
    return Double.parseDouble(m.group(1));
  }
}
