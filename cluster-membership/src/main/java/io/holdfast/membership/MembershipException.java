package io.holdfast.membership;

import org.jspecify.annotations.Nullable;

/** The root of Holdfast's unchecked membership exceptions. */
public class MembershipException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong
   * @param cause the underlying failure, if any
   */
  public MembershipException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
