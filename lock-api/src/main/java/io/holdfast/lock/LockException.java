package io.holdfast.lock;

import org.jspecify.annotations.Nullable;

/** The root of Holdfast's unchecked lock exceptions. */
public class LockException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong
   * @param cause the underlying failure, if any
   */
  public LockException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
