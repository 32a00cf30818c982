package io.holdfast.spring.boot;

import io.holdfast.lock.LockObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holdfast's lock meters, all tagged with {@code backend}:
 *
 * <ul>
 *   <li>{@code holdfast.lock.acquire} (timer): acquires that asked the backend, by {@code outcome}
 *       ({@code acquired}, {@code timeout}, {@code error}, {@code cancelled}), with the time
 *       waited;
 *   <li>{@code holdfast.lock.held} (timer): how long grants were held, at release;
 *   <li>{@code holdfast.lock.active} (gauge): grants held now;
 *   <li>{@code holdfast.lock.lost} (counter): leases lost;
 *   <li>{@code holdfast.lock.renewal.failures} (counter): failed renewal rounds.
 * </ul>
 *
 * <p>Lock names are not tags: one per SKU would make one time series each.
 */
public final class MicrometerLockObserver implements LockObserver {
  private final Map<Outcome, Timer> acquire = new EnumMap<>(Outcome.class);
  private final Timer held;
  private final Counter lost;
  private final Counter renewalFailures;
  private final AtomicLong active = new AtomicLong();

  /**
   * Registers the meters.
   *
   * @param registry where
   * @param backend the {@code backend} tag: {@code redis}, {@code zookeeper}, …
   */
  public MicrometerLockObserver(MeterRegistry registry, String backend) {
    for (Outcome o : Outcome.values()) {
      acquire.put(
          o,
          Timer.builder("holdfast.lock.acquire")
              .description("Acquires that asked the backend, by outcome, with the time waited")
              .tags("backend", backend, "outcome", o.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    held =
        Timer.builder("holdfast.lock.held")
            .description("How long grants were held, at release")
            .tag("backend", backend)
            .register(registry);
    lost =
        Counter.builder("holdfast.lock.lost")
            .description("Leases lost before release")
            .tag("backend", backend)
            .register(registry);
    renewalFailures =
        Counter.builder("holdfast.lock.renewal.failures")
            .description("Failed lease renewal rounds")
            .tag("backend", backend)
            .register(registry);
    Gauge.builder("holdfast.lock.active", active, AtomicLong::get)
        .description("Grants held now")
        .tag("backend", backend)
        .register(registry);
  }

  @Override
  public void acquireEnded(String name, Outcome outcome, Duration waited) {
    acquire.get(outcome).record(waited);
    if (outcome == Outcome.ACQUIRED) {
      active.incrementAndGet();
    }
  }

  @Override
  public void released(String name, long fencingToken, Duration held) {
    this.held.record(held);
    active.decrementAndGet();
  }

  @Override
  public void lost(String name, long fencingToken, String reason) {
    lost.increment();
  }

  @Override
  public void renewalFailed(int locks, Throwable cause) {
    renewalFailures.increment();
  }
}
