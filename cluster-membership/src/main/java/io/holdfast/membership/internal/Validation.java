package io.holdfast.membership.internal;

import io.holdfast.membership.MemberInfo;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Validation of membership names and values, with messages that say what is allowed. */
public final class Validation {
  /** Metadata keys with this prefix are the library's own. */
  public static final String RESERVED_PREFIX = "holdfast.";

  private Validation() {}

  /**
   * Checks a group name or member id.
   *
   * @param s the value
   * @param what its name in messages
   * @return the value
   */
  public static String checkName(String s, String what) {
    Objects.requireNonNull(s, what);
    if (s.isEmpty() || s.length() > MemberInfo.MAX_NAME_LENGTH || s.charAt(0) == '.') {
      throw new IllegalArgumentException(
          what
              + " must be 1 to "
              + MemberInfo.MAX_NAME_LENGTH
              + " characters of A-Z a-z 0-9 . _ - not starting with '.', was '"
              + s
              + "'");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        throw new IllegalArgumentException(
            what
                + " must be 1 to "
                + MemberInfo.MAX_NAME_LENGTH
                + " characters of A-Z a-z 0-9 . _ - not starting with '.', was '"
                + s
                + "'");
      }
    }
    return s;
  }

  /**
   * Checks a host.
   *
   * @param host the host
   * @return the host
   */
  public static String checkHost(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()
        || host.length() > 253
        || host.codePoints()
            .anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException(
          "host must be 1 to 253 characters without whitespace or control characters, was '"
              + host
              + "'");
    }
    return host;
  }

  /**
   * Checks a metadata key.
   *
   * @param key the key
   */
  public static void checkMetadataKey(String key) {
    if (key.isEmpty() || key.length() > 128 || key.codePoints().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "metadata keys must be 1 to 128 characters without control characters, was '"
              + key
              + "'");
    }
    if (key.startsWith(RESERVED_PREFIX)) {
      throw new IllegalArgumentException(
          "metadata keys starting with '" + RESERVED_PREFIX + "' are reserved, was '" + key + "'");
    }
  }

  /**
   * Checks a metadata map against {@link MemberInfo}'s rules.
   *
   * @param metadata the map
   * @return an immutable sorted copy
   */
  public static Map<String, String> checkMetadata(Map<String, String> metadata) {
    Objects.requireNonNull(metadata, "metadata");
    int bytes = 0;
    Map<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String k = Objects.requireNonNull(e.getKey(), "metadata key");
      String v = Objects.requireNonNull(e.getValue(), "metadata value of '" + k + "'");
      checkMetadataKey(k);
      bytes +=
          k.getBytes(StandardCharsets.UTF_8).length + v.getBytes(StandardCharsets.UTF_8).length;
      copy.put(k, v);
    }
    if (bytes > MemberInfo.MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          "metadata must be at most "
              + MemberInfo.MAX_METADATA_BYTES
              + " UTF-8 bytes of keys and values, was "
              + bytes);
    }
    return Collections.unmodifiableMap(copy);
  }
}
