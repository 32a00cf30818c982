package io.holdfast.membership;

/** The backend could not be reached in time, or failed; the cause is the client's exception. */
public class MembershipBackendException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed
   * @param cause the backend client's exception
   */
  public MembershipBackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
