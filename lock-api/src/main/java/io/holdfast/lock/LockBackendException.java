package io.holdfast.lock;

/**
 * The backend (Redis, ZooKeeper) could not be reached in time, or failed. The cause carries the
 * backend client's exception. When this is thrown from an acquire, nothing is left held: a grant
 * that the backend makes after the caller gave up is released as soon as it is seen, and otherwise
 * runs out with its lease.
 */
public class LockBackendException extends LockException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed
   * @param cause the backend client's exception
   */
  public LockBackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
