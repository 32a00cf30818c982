package io.holdfast.lock.internal;

import io.holdfast.lock.LockObserver;
import io.holdfast.lock.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The options every lock service has, validated. Backend builders collect these with {@link
 * Builder} and add their own.
 *
 * @param leaseTime how long a grant lives without renewal
 * @param defaultWait how long {@code acquire(name)} waits
 * @param commandTimeout how long one backend operation may take
 * @param callbackExecutor where listeners run; {@code null} for the library's own thread
 * @param observer sees acquires, releases and losses
 * @param ticker the time source leases, renewals and pause detection are judged by
 */
public record ServiceConfig(
    Duration leaseTime,
    Duration defaultWait,
    Duration commandTimeout,
    @Nullable Executor callbackExecutor,
    LockObserver observer,
    Ticker ticker) {

  /** Default lease time. */
  public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(10);

  /** Default wait of {@code acquire(name)}. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  /** Default command timeout. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(3);

  /** The shortest lease: shorter ones leave no time to renew. */
  public static final Duration MIN_LEASE_TIME = Duration.ofMillis(100);

  /** The longest lease or command timeout. */
  public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  /** The shortest command timeout. */
  public static final Duration MIN_COMMAND_TIMEOUT = Duration.ofMillis(10);

  /**
   * Validates.
   *
   * @param leaseTime how long a grant lives without renewal, between {@link #MIN_LEASE_TIME} and
   *     {@link #MAX_TIMEOUT}
   * @param defaultWait how long {@code acquire(name)} waits, zero or positive
   * @param commandTimeout how long one backend operation may take, between {@link
   *     #MIN_COMMAND_TIMEOUT} and {@link #MAX_TIMEOUT}
   * @param callbackExecutor where listeners run; {@code null} for the library's own thread
   * @param observer sees acquires, releases and losses
   * @param ticker the time source leases, renewals and pause detection are judged by
   * @throws IllegalArgumentException if a duration is out of range
   */
  public ServiceConfig {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(ticker, "ticker");
    Checks.checkRange(leaseTime, "leaseTime", MIN_LEASE_TIME, MAX_TIMEOUT);
    Checks.checkWait(defaultWait, "defaultWait");
    Checks.checkRange(commandTimeout, "commandTimeout", MIN_COMMAND_TIMEOUT, MAX_TIMEOUT);
  }

  /**
   * The safety margin subtracted from a lease when judging locally whether it may still be valid:
   * covers clock-rate drift between client and server.
   *
   * @return the margin in nanoseconds
   */
  public long driftMarginNanos() {
    return leaseTime.toNanos() / 100 + Duration.ofMillis(2).toNanos();
  }

  /** Collects the common options; validates each when it is set. */
  public static final class Builder {
    private Duration leaseTime = DEFAULT_LEASE_TIME;
    private Duration defaultWait = DEFAULT_WAIT;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private @Nullable Executor callbackExecutor;
    private LockObserver observer = LockObserver.NONE;
    private Ticker ticker = Ticker.system();

    /**
     * Sets the lease time.
     *
     * @param leaseTime between {@link #MIN_LEASE_TIME} and {@link #MAX_TIMEOUT}
     */
    public void leaseTime(Duration leaseTime) {
      this.leaseTime = Checks.checkRange(leaseTime, "leaseTime", MIN_LEASE_TIME, MAX_TIMEOUT);
    }

    /**
     * Sets the default wait.
     *
     * @param defaultWait zero or positive
     */
    public void defaultWait(Duration defaultWait) {
      this.defaultWait = Checks.checkWait(defaultWait, "defaultWait");
    }

    /**
     * Sets the command timeout.
     *
     * @param commandTimeout between {@link #MIN_COMMAND_TIMEOUT} and {@link #MAX_TIMEOUT}
     */
    public void commandTimeout(Duration commandTimeout) {
      this.commandTimeout =
          Checks.checkRange(commandTimeout, "commandTimeout", MIN_COMMAND_TIMEOUT, MAX_TIMEOUT);
    }

    /**
     * Sets the callback executor.
     *
     * @param executor where listeners run
     */
    public void callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Sets the observer.
     *
     * @param observer sees acquires, releases and losses
     */
    public void observer(LockObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * Sets the time source.
     *
     * @param ticker judges leases, renewals and pauses
     */
    public void ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * The lease time set so far.
     *
     * @return the lease time
     */
    public Duration leaseTime() {
      return leaseTime;
    }

    /**
     * Builds the validated configuration.
     *
     * @return the configuration
     */
    public ServiceConfig build() {
      return new ServiceConfig(
          leaseTime, defaultWait, commandTimeout, callbackExecutor, observer, ticker);
    }
  }
}
