package io.holdfast.lock;

import java.util.function.Consumer;

/**
 * One open hold on a lock, returned by {@link LockService}. Close it (try-with-resources) to
 * release the lock.
 *
 * <p>Thread-safe: a handle may be checked, listened to and closed from any thread.
 */
public interface LockHandle extends AutoCloseable {

  /**
   * The name of the lock.
   *
   * @return the lock name
   */
  String name();

  /**
   * The fencing token of this grant: assigned by the backend atomically with the grant, and
   * strictly greater than the token of every earlier grant of the same name, by any holder in any
   * process. Reentrant handles of one grant share its token. Pass it with every write to the
   * protected resource, and have the resource reject a token lower than the highest it has
   * accepted: that, not {@link #isHeld()}, is what keeps a paused former holder from doing damage.
   * Still readable after the handle is closed or lost.
   *
   * @return the token, a positive number
   */
  long fencingToken();

  /**
   * Whether this handle still holds the lock, as far as this process can tell. {@code false} after
   * {@link #close()}, after the service is closed, and as soon as the lease may have been lost: a
   * renewal found the lock taken, the backend connection was suspended or lost, or the lease ran
   * out on the local monotonic clock before a renewal was confirmed. Once {@code false} it never
   * becomes {@code true} again.
   *
   * <p>{@code true} is advice, not a guarantee: the process may pause right after this returns.
   *
   * @return whether the lock is still held
   */
  boolean isHeld();

  /**
   * Registers a listener that runs once if this handle's lease is lost while the handle is open
   * (never because of {@link #close()}), or when the service is closed while the handle is open
   * (then before the grant is released). If the lease is already lost and the handle still open,
   * the listener runs at once. Listeners run on the service's callback executor, never while the
   * library holds an internal lock, and never on the thread that registered them; a listener that
   * throws is logged and does not affect other listeners.
   *
   * @param listener called with this handle
   * @return this handle
   */
  LockHandle onLost(Consumer<LockHandle> listener);

  /**
   * Closes this handle. When it was the last open handle of its grant, releases the lock, deleting
   * only this grant (compare-and-delete: never a later holder's). Idempotent, never throws for a
   * lost lease or an unreachable backend (the lease then simply runs out), and never blocks longer
   * than the command timeout.
   */
  @Override
  void close();
}
