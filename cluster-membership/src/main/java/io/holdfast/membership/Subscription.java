package io.holdfast.membership;

/** A running watch. Close it to stop receiving events; idempotent. */
public interface Subscription extends AutoCloseable {
  /** Stops the watch. No callback starts after this returns. */
  @Override
  void close();
}
