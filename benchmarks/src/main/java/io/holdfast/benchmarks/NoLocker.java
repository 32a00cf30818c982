package io.holdfast.benchmarks;

/** The placeholder before a benchmark connects. */
final class NoLocker implements Locker {
  static final NoLocker INSTANCE = new NoLocker();

  private NoLocker() {}

  @Override
  public Object lock(String name) {
    throw new IllegalStateException("not connected");
  }

  @Override
  public void unlock(Object held) {
    throw new IllegalStateException("not connected");
  }

  @Override
  public void close() {}
}
