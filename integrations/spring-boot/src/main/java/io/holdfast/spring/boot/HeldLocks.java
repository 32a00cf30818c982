package io.holdfast.spring.boot;

import io.holdfast.lock.LockObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The grants this application's lock service holds now, as its observer reports them: begun ({@link
 * #granted}), lost ({@link #lost}), ended ({@link #released}). For the {@code holdfast} Actuator
 * endpoint. Thread-safe; each event is one map operation.
 */
final class HeldLocks implements LockObserver {
  /** One grant: when it began, and whether its lease was lost before its release. */
  record Held(String name, long fencingToken, Instant since, long sinceNanos, boolean lost) {
    Duration heldFor() {
      return Duration.ofNanos(System.nanoTime() - sinceNanos);
    }
  }

  private record Key(String name, long fencingToken) {}

  private final Map<Key, Held> held = new ConcurrentHashMap<>();

  @Override
  public void granted(String name, long fencingToken) {
    held.put(
        new Key(name, fencingToken),
        new Held(name, fencingToken, Instant.now(), System.nanoTime(), false));
  }

  @Override
  public void lost(String name, long fencingToken, String reason) {
    held.computeIfPresent(
        new Key(name, fencingToken),
        (k, h) -> new Held(h.name(), h.fencingToken(), h.since(), h.sinceNanos(), true));
  }

  @Override
  public void released(String name, long fencingToken, Duration heldFor) {
    held.remove(new Key(name, fencingToken));
  }

  /** The grants held now, oldest first. */
  List<Held> now() {
    return held.values().stream().sorted(Comparator.comparingLong(Held::sinceNanos)).toList();
  }
}
