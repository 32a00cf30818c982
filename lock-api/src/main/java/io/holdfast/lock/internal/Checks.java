package io.holdfast.lock.internal;

import io.holdfast.lock.LockService;
import java.time.Duration;
import java.util.Objects;

/** Argument validation with messages that say what is allowed. */
public final class Checks {
  /** The longest duration we accept: what fits in a {@code long} of nanoseconds (~292 years). */
  public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

  private Checks() {}

  /**
   * Validates a lock (or group) name.
   *
   * @param name the name
   * @param what how to call it in messages, e.g. "name"
   * @return the name
   */
  public static String checkName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    int bytes = utf8Length(name, what);
    if (bytes > LockService.MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          what + " must be at most " + LockService.MAX_NAME_BYTES + " UTF-8 bytes, was " + bytes);
    }
    return name;
  }

  /**
   * The UTF-8 length of a string, rejecting unpaired surrogates (they would all encode to the same
   * replacement byte, and two different names would collide). Counted directly rather than by
   * encoding: this runs on every acquire.
   */
  static int utf8Length(String s, String what) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            what + " must be well-formed Unicode (it contains an unpaired surrogate)");
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * Validates a wait: zero or positive, at most {@link #MAX_DURATION}.
   *
   * @param d the duration
   * @param what the argument's name
   * @return the duration
   */
  public static Duration checkWait(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, was " + d);
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(what + " must be at most " + MAX_DURATION + ", was " + d);
    }
    return d;
  }

  /**
   * Validates a strictly positive duration within bounds.
   *
   * @param d the duration
   * @param what the argument's name
   * @param min the smallest allowed
   * @param max the largest allowed
   * @return the duration
   */
  public static Duration checkRange(Duration d, String what, Duration min, Duration max) {
    Objects.requireNonNull(d, what);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          what + " must be between " + min + " and " + max + ", was " + d);
    }
    return d;
  }

  /** Nanoseconds from now until a deadline, saturating instead of overflowing. */
  static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
