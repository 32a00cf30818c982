package io.holdfast.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * One multiplier for every real-time bound of the contract suites and the testkit (Curator's {@code
 * Timing} idea): a slow or loaded CI machine scales the bounds instead of flaking. Set the system
 * property {@value #PROPERTY} or the environment variable {@value #ENV} (the property wins) to a
 * factor above zero, e.g. {@code 2.5}; the default is 1.
 *
 * <p>Only bounds scale: how long a test waits at most for something, and the slack it allows above
 * a promised time. The times the services are configured with (lease times, session timeouts) do
 * not.
 */
public final class Timing {
  /** The system property. */
  public static final String PROPERTY = "holdfast.test.timing";

  /** The environment variable. */
  public static final String ENV = "HOLDFAST_TEST_TIMING";

  private static final double MULTIPLIER = read();

  private Timing() {}

  private static double read() {
    String text = System.getProperty(PROPERTY);
    String from = PROPERTY;
    if (text == null || text.isBlank()) {
      text = System.getenv(ENV);
      from = ENV;
    }
    if (text == null || text.isBlank()) {
      return 1.0;
    }
    double m;
    try {
      m = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(from + " must be a number above 0, not '" + text + "'", e);
    }
    if (!(m > 0) || Double.isInfinite(m)) {
      throw new IllegalArgumentException(from + " must be a number above 0, not '" + text + "'");
    }
    return m;
  }

  /**
   * The multiplier in force.
   *
   * @return a factor above zero, 1 by default
   */
  public static double multiplier() {
    return MULTIPLIER;
  }

  /**
   * A real-time bound scaled by the multiplier.
   *
   * @param bound the bound on a machine of normal speed
   * @return the bound to use here
   */
  public static Duration scaled(Duration bound) {
    Objects.requireNonNull(bound, "bound");
    if (MULTIPLIER == 1.0) {
      return bound;
    }
    return Duration.ofNanos(Math.round(Math.min(Long.MAX_VALUE, bound.toNanos() * MULTIPLIER)));
  }

  /**
   * A bound in milliseconds scaled by the multiplier.
   *
   * @param millis the bound on a machine of normal speed
   * @return the bound to use here, in milliseconds
   */
  public static long scaledMillis(long millis) {
    return scaled(Duration.ofMillis(millis)).toMillis();
  }
}
