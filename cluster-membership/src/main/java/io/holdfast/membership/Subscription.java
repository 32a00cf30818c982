package io.holdfast.membership;

/** A running watch. Close it to stop receiving events; idempotent. Thread-safe. */
public interface Subscription extends AutoCloseable {
  /** Stops the watch. No callback starts after this returns. */
  @Override
  void close();
}
