package io.holdfast.testkit.history;

import java.util.Locale;

/**
 * One step of a client's history.
 *
 * @param nanos when, on the system-wide monotonic clock ({@link System#nanoTime()})
 * @param client who: a process and thread, e.g. {@code "w3/t1"}
 * @param op what: acquire, release, write, or crash (the process was killed)
 * @param type invoke, ok, fail, info (outcome unknown), or lost (a held lease was reported lost)
 * @param name the lock name (or "" for crash)
 * @param token the fencing token, 0 if none
 * @param value the value written, 0 if none
 */
public record Event(
    long nanos, String client, Op op, Type type, String name, long token, long value) {
  /** Operations. */
  public enum Op {
    /** Acquiring a lock. */
    ACQUIRE,
    /** Releasing it. */
    RELEASE,
    /** A write to the protected resource under the lock. */
    WRITE,
    /** The whole process was killed: every grant of its clients ends here. */
    CRASH
  }

  /** Event types. */
  public enum Type {
    /** The operation began. */
    INVOKE,
    /** It succeeded. */
    OK,
    /** It did not take effect. */
    FAIL,
    /** It may or may not have taken effect. */
    INFO,
    /** The lease of a held grant was reported lost. */
    LOST
  }

  /**
   * One line of text, as {@link HistoryFile} stores it.
   *
   * @return the line
   */
  public String toLine() {
    return nanos
        + " "
        + client
        + " "
        + op.name().toLowerCase(Locale.ROOT)
        + " "
        + type.name().toLowerCase(Locale.ROOT)
        + " "
        + token
        + " "
        + value
        + " "
        + escape(name);
  }

  /**
   * Parses {@link #toLine()}.
   *
   * @param line the line
   * @return the event
   */
  public static Event parse(String line) {
    String[] f = line.split(" ", 7);
    return new Event(
        Long.parseLong(f[0]),
        f[1],
        Op.valueOf(f[2].toUpperCase(Locale.ROOT)),
        Type.valueOf(f[3].toUpperCase(Locale.ROOT)),
        f.length > 6 ? unescape(f[6]) : "",
        Long.parseLong(f[4]),
        Long.parseLong(f[5]));
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        out.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
