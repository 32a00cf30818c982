package io.holdfast.spring.boot;

import io.holdfast.lock.LockObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

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
 * <p>Lock names are not tags: one per SKU would make one time series each. With a {@link
 * LockNameTagger}, the acquire and held timers and the lost counter also carry a {@code lock} tag,
 * its value mapped from the name (at most {@value LockNameTagger#MAX_VALUES} values, then {@code
 * other}).
 */
public final class MicrometerLockObserver implements LockObserver {
  private final MeterRegistry registry;
  private final String backend;
  private final @Nullable LockNameTagger tagger;
  private final @Nullable PerTag untagged;
  private final Map<String, PerTag> tagged = new ConcurrentHashMap<>();
  private final Counter renewalFailures;
  private final AtomicLong active = new AtomicLong();

  /** The meters that carry the {@code lock} tag when there is a tagger. */
  private static final class PerTag {
    final Map<Outcome, Timer> acquire = new EnumMap<>(Outcome.class);
    final Timer held;
    final Counter lost;

    PerTag(MeterRegistry registry, Tags tags) {
      for (Outcome o : Outcome.values()) {
        acquire.put(
            o,
            Timer.builder("holdfast.lock.acquire")
                .description("Acquires that asked the backend, by outcome, with the time waited")
                .tags(tags)
                .tag("outcome", o.name().toLowerCase(Locale.ROOT))
                .register(registry));
      }
      held =
          Timer.builder("holdfast.lock.held")
              .description("How long grants were held, at release")
              .tags(tags)
              .register(registry);
      lost =
          Counter.builder("holdfast.lock.lost")
              .description("Leases lost before release")
              .tags(tags)
              .register(registry);
    }
  }

  /**
   * Registers the meters.
   *
   * @param registry where
   * @param backend the {@code backend} tag: {@code redis}, {@code zookeeper}, …
   */
  public MicrometerLockObserver(MeterRegistry registry, String backend) {
    this(registry, backend, null);
  }

  /**
   * Registers the meters, with a {@code lock} tag mapped from each lock name.
   *
   * @param registry where
   * @param backend the {@code backend} tag: {@code redis}, {@code zookeeper}, …
   * @param tagger maps a lock name to the {@code lock} tag, or null for no such tag
   */
  public MicrometerLockObserver(
      MeterRegistry registry, String backend, @Nullable LockNameTagger tagger) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.tagger = tagger;
    this.untagged = tagger == null ? new PerTag(registry, Tags.of("backend", backend)) : null;
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

  private PerTag meters(String name) {
    PerTag fixed = untagged;
    if (fixed != null) {
      return fixed;
    }
    LockNameTagger t = Objects.requireNonNull(tagger);
    String value;
    try {
      value = t.tag(name);
    } catch (RuntimeException e) {
      value = "error";
    }
    PerTag known = tagged.get(value);
    if (known != null) {
      return known;
    }
    String v = tagged.size() < LockNameTagger.MAX_VALUES ? value : "other";
    return tagged.computeIfAbsent(
        v, k -> new PerTag(registry, Tags.of("backend", backend, "lock", k)));
  }

  @Override
  public void acquireEnded(String name, Outcome outcome, Duration waited) {
    // Filled for every outcome when the tag's meters are made.
    Objects.requireNonNull(meters(name).acquire.get(outcome), "timer").record(waited);
    if (outcome == Outcome.ACQUIRED) {
      active.incrementAndGet();
    }
  }

  @Override
  public void released(String name, long fencingToken, Duration held) {
    meters(name).held.record(held);
    active.decrementAndGet();
  }

  @Override
  public void lost(String name, long fencingToken, String reason) {
    meters(name).lost.increment();
  }

  @Override
  public void renewalFailed(int locks, Throwable cause) {
    renewalFailures.increment();
  }
}
