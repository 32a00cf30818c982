package io.holdfast.spring.boot;

import io.holdfast.lock.LockObserver;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;

/** Hands each event to every {@link LockObserver} bean of the application, in order. */
final class CompositeLockObserver implements LockObserver {
  private final List<LockObserver> observers;

  private CompositeLockObserver(List<LockObserver> observers) {
    this.observers = observers;
  }

  /** The application's observers as one, or {@link LockObserver#NONE} if it has none. */
  static LockObserver of(ObjectProvider<LockObserver> beans) {
    List<LockObserver> all = beans.orderedStream().filter(o -> o != LockObserver.NONE).toList();
    return switch (all.size()) {
      case 0 -> LockObserver.NONE;
      case 1 -> all.get(0);
      default -> new CompositeLockObserver(all);
    };
  }

  @Override
  public void acquireEnded(String name, Outcome outcome, Duration waited) {
    observers.forEach(o -> o.acquireEnded(name, outcome, waited));
  }

  @Override
  public void released(String name, long fencingToken, Duration held) {
    observers.forEach(o -> o.released(name, fencingToken, held));
  }

  @Override
  public void lost(String name, long fencingToken, String reason) {
    observers.forEach(o -> o.lost(name, fencingToken, reason));
  }

  @Override
  public void renewalFailed(int locks, Throwable cause) {
    observers.forEach(o -> o.renewalFailed(locks, cause));
  }
}
