package io.holdfast.lock.zookeeper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a lock lives in ZooKeeper: {@code <root>/<encoded name>/_c_<uuid>-lock-<sequence>}.
 *
 * <p>Names are encoded so that every valid lock name maps to a different legal node name: each
 * UTF-8 byte outside {@code [A-Za-z0-9-_.~]} becomes {@code %XX} (upper-case hex), and the names
 * {@code "."} and {@code ".."}, which ZooKeeper forbids as node names, have their dots escaped too.
 * Decoding reverses it exactly, so two different names never share a node. Node names are therefore
 * printable ASCII (no {@code /}, no control characters, nothing ZooKeeper rejects), at most three
 * times the name's UTF-8 length. Readable names stay readable in {@code zkCli}.
 */
final class LockPaths {
  /** What Curator's protected mode and we put before the sequence number. */
  static final String NODE_PREFIX = "lock-";

  private static final int SEQUENCE_DIGITS = 10;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private LockPaths() {}

  static String encode(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (isPlain(c)) {
        sb.append((char) c);
      } else {
        escape(sb, c);
      }
    }
    String s = sb.toString();
    if (s.equals(".") || s.equals("..")) {
      return s.replace(".", "%2E");
    }
    return s;
  }

  static String decode(String node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(node.length());
    for (int i = 0; i < node.length(); i++) {
      char c = node.charAt(i);
      if (c == '%') {
        out.write(Integer.parseInt(node.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isPlain(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '.'
        || c == '~';
  }

  private static void escape(StringBuilder sb, int c) {
    sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
  }

  /** The sequence number ZooKeeper appended to a lock node, or -1 if this is not one of ours. */
  static long sequence(String node) {
    int n = node.length();
    if (n <= SEQUENCE_DIGITS
        || !node.regionMatches(
            n - SEQUENCE_DIGITS - NODE_PREFIX.length(), NODE_PREFIX, 0, NODE_PREFIX.length())) {
      return -1;
    }
    long v = 0;
    for (int i = n - SEQUENCE_DIGITS; i < n; i++) {
      char c = node.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Our lock nodes among {@code children}, in queue order (by sequence number). */
  static List<String> queue(List<String> children) {
    List<String> ours = new ArrayList<>(children.size());
    for (String c : children) {
      if (sequence(c) >= 0) {
        ours.add(c);
      }
    }
    ours.sort(Comparator.comparingLong(LockPaths::sequence));
    return ours;
  }

  static String node(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
