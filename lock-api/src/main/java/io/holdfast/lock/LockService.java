package io.holdfast.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Grants exclusive, leased, fenced locks by name.
 *
 * <pre>{@code
 * try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(2))) {
 *     stock.decrement(sku, lock.fencingToken());   // the resource rejects older tokens
 * }
 * }</pre>
 *
 * <h2>Leases</h2>
 *
 * Every grant is a lease. While a {@link LockHandle} is open the service keeps the lease alive in
 * the background — Redis renews it (one scheduler for all locks, never a thread per lock);
 * ZooKeeper ties it to the client's session. If the lease may have been lost — a renewal finds the
 * lock taken, the service cannot confirm a renewal before its own conservative view of the lease
 * runs out, or the ZooKeeper connection is suspended — the handle's {@link LockHandle#isHeld()}
 * turns {@code false} and its {@link LockHandle#onLost} listeners run. A lost lease is never
 * silently regained. Because a process can pause between any check and its next write, protect the
 * resource itself with {@link LockHandle#fencingToken()}.
 *
 * <h2>Names</h2>
 *
 * Any non-blank, well-formed Unicode string of at most {@value #MAX_NAME_BYTES} UTF-8 bytes is a
 * lock name. Names are compared exactly (no case folding or normalization).
 *
 * <h2>Reentrancy</h2>
 *
 * While a thread holds {@code name} through this service, {@link #acquire(String)} and the {@code
 * tryAcquire} methods called again by the same thread for the same name succeed at once, without a
 * round trip to the backend, and return a new handle with the same fencing token. The lock is
 * released when every one of that thread's handles for the grant is closed. {@link #acquireAsync}
 * never reenters. Other threads of the same JVM compete like other processes.
 *
 * <h2>Thread safety</h2>
 *
 * Implementations are thread-safe. Blocking methods throw {@link InterruptedException} when the
 * calling thread is interrupted while waiting, and leave nothing held behind.
 *
 * <h2>Errors</h2>
 *
 * {@link NullPointerException} for null arguments, {@link IllegalArgumentException} for invalid
 * names or durations, {@link IllegalStateException} once the service is closed, {@link
 * LockTimeoutException} when a lock is not granted in time, and {@link LockBackendException} when
 * the backend cannot be reached or fails; a backend outage surfaces within the configured command
 * timeout, never as a hang.
 */
public interface LockService extends AutoCloseable {

  /** The largest lock name, in UTF-8 bytes. */
  int MAX_NAME_BYTES = 1024;

  /**
   * Acquires {@code name}, waiting up to the service's default wait.
   *
   * @param name the lock name
   * @return an open handle on the grant
   * @throws LockTimeoutException if the lock was not granted within the default wait
   * @throws InterruptedException if the calling thread was interrupted while waiting; nothing is
   *     left held
   */
  LockHandle acquire(String name) throws InterruptedException;

  /**
   * Acquires {@code name}, waiting up to {@code maxWait}. Never blocks longer than {@code maxWait}
   * plus one command timeout.
   *
   * @param name the lock name
   * @param maxWait how long to wait for the lock; zero means a single attempt
   * @return an open handle on the grant
   * @throws LockTimeoutException if the lock was not granted within {@code maxWait}
   * @throws InterruptedException if the calling thread was interrupted while waiting; nothing is
   *     left held
   */
  LockHandle acquire(String name, Duration maxWait) throws InterruptedException;

  /**
   * Makes one attempt to acquire {@code name}, without waiting for a holder to release it (it still
   * takes one round trip to the backend, bounded by the command timeout).
   *
   * @param name the lock name
   * @return the handle, or empty if another holder has the lock
   */
  Optional<LockHandle> tryAcquire(String name);

  /**
   * Acquires {@code name} if it becomes free within {@code maxWait}.
   *
   * @param name the lock name
   * @param maxWait how long to wait; zero means a single attempt
   * @return the handle, or empty if the lock was not granted in time
   * @throws InterruptedException if the calling thread was interrupted while waiting; nothing is
   *     left held
   */
  Optional<LockHandle> tryAcquire(String name, Duration maxWait) throws InterruptedException;

  /**
   * Acquires {@code name} without blocking the caller. The future completes with the handle, or
   * exceptionally with {@link LockTimeoutException} after {@code maxWait}, or with {@link
   * LockBackendException}. A successful future completes on the service's callback executor (never
   * on a backend I/O thread), so its continuations may block. Cancelling the future abandons the
   * attempt; a grant that races the cancellation is released. Never reentrant: a second call for a
   * name the same service already holds waits like any other client.
   *
   * @param name the lock name
   * @param maxWait how long to wait; zero means a single attempt
   * @return a future of the handle
   */
  CompletableFuture<LockHandle> acquireAsync(String name, Duration maxWait);

  /**
   * The operator's view of this service's backend: who holds a lock, the held locks by prefix, and
   * an administrative force-release. Every Holdfast backend and {@link InMemoryLockService}
   * implement it.
   *
   * @return the inspector, valid as long as this service is open
   * @throws UnsupportedOperationException if this implementation cannot inspect its backend (the
   *     default, for implementations outside Holdfast)
   */
  default LockInspector inspector() {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not implement LockService.inspector()");
  }

  /**
   * Releases every lock this service holds, stops its background work and closes the connections it
   * opened (never a client the application passed in). Idempotent. Open handles first report {@code
   * isHeld() == false} and their {@link LockHandle#onLost lost-listeners} run, and only once those
   * have returned (or one command timeout has passed) are the grants released, so that a leader
   * built on a handle steps down before another process can take the lock. Afterwards every method
   * but {@code close()} throws {@link IllegalStateException}, and a handle's {@code close()} does
   * nothing.
   */
  @Override
  void close();
}
