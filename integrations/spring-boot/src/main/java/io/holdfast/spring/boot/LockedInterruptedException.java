package io.holdfast.spring.boot;

import io.holdfast.lock.LockException;

/**
 * A {@link Locked} method's caller was interrupted while waiting for the lock: the method did not
 * run, no lock is held, and the thread's interrupt status is set again. Unchecked, because the
 * annotated method does not declare {@code InterruptedException}.
 */
public final class LockedInterruptedException extends LockException {
  private static final long serialVersionUID = 1L;

  LockedInterruptedException(String name, InterruptedException cause) {
    super("interrupted while waiting for lock '" + name + "'", cause);
  }
}
