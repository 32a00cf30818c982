package io.holdfast.spring.boot;

import io.holdfast.lock.LockHandle;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The lock of the innermost {@link Locked} method running on the current thread, for the fencing
 * token a write must carry. Thread-confined: another thread (an {@code @Async} task the method
 * starts) does not see it.
 */
public final class CurrentLock {
  private static final ThreadLocal<Deque<LockHandle>> HELD =
      ThreadLocal.withInitial(ArrayDeque::new);

  private CurrentLock() {}

  /**
   * The handle of the innermost {@code @Locked} method running on this thread.
   *
   * @return the handle, or empty outside any {@code @Locked} method
   */
  public static Optional<LockHandle> handle() {
    return Optional.ofNullable(HELD.get().peek());
  }

  /**
   * The fencing token of the innermost {@code @Locked} method's lock.
   *
   * @return the token
   * @throws IllegalStateException outside any {@code @Locked} method
   */
  public static long fencingToken() {
    return handle()
        .orElseThrow(() -> new IllegalStateException("no @Locked method is running on this thread"))
        .fencingToken();
  }

  static void push(LockHandle handle) {
    HELD.get().push(handle);
  }

  static void pop() {
    Deque<LockHandle> held = HELD.get();
    held.pop();
    if (held.isEmpty()) {
      HELD.remove();
    }
  }
}
