package io.holdfast.lock;

/**
 * The monotonic time source a service judges its leases by: when a grant or renewal was sent, when
 * a lease runs out locally, and whether the process was paused. The default is {@link #system()};
 * tests give a service a fake ticker (the testkit's {@code FakeTicker}) and advance it to make a
 * lease run out or a pause happen at once, without waiting. Timers (renewals, acquire waits) still
 * run on the real clock; the service checks its leases against this ticker at least every 100 ms.
 *
 * <p>Implementations must be thread-safe and fast, and their readings must never go backwards.
 */
@FunctionalInterface
public interface Ticker {
  /**
   * The current time, in nanoseconds from an arbitrary origin, as {@link System#nanoTime()}: only
   * differences between readings mean anything.
   *
   * @return the time in nanoseconds
   */
  long nanoTime();

  /**
   * The ticker of {@link System#nanoTime()}, the default of every service.
   *
   * @return the system ticker
   */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
