package io.holdfast.lock;

import java.util.Optional;

/**
 * The operator's view of a lock service's backend: who holds a lock, since when and for how long
 * still, which locks are held, and an administrative force-release. Obtained from {@link
 * LockService#inspector()}; it reads the backend directly, so it sees the grants of every process
 * that uses the same backend (and the same key prefix, root path, table or namespace), not only
 * this service's.
 *
 * <p>Every method makes a bounded number of calls to the backend, each bounded by the service's
 * command timeout, and none blocks the server: listing walks the keys with Redis {@code SCAN}
 * (never {@code KEYS}), ZooKeeper's children, a keyset-paged SQL query, or an etcd range with a
 * limit. Inspection is a snapshot: a lock can change hands the moment after it was read.
 *
 * <p>Thread-safe. Null arguments throw {@link NullPointerException}, invalid ones {@link
 * IllegalArgumentException}; after the service is closed every method throws {@link
 * IllegalStateException}; backend failures throw {@link LockBackendException}.
 */
public interface LockInspector {

  /** The largest page {@link #list} accepts. */
  int MAX_PAGE_SIZE = 1000;

  /**
   * What the backend knows about one lock now.
   *
   * @param name the lock name
   * @return the lock's state; {@link LockInfo#isHeld()} is {@code false} if nobody holds it
   */
  LockInfo inspect(String name);

  /**
   * One page of the locks currently held whose names start with {@code prefix}, in the backend's
   * order (by name, except on Redis, whose {@code SCAN} has no order). Pass {@link LockPage#FIRST}
   * for the first page and then each page's {@link LockPage#nextCursor()} until it is empty. Locks
   * granted or released while paging may or may not appear; none appears twice on one backend
   * except Redis, whose {@code SCAN} may return a key twice while the server resizes its tables.
   *
   * @param prefix the name prefix; empty for all locks
   * @param pageSize how many locks to return at most, from 1 to {@value #MAX_PAGE_SIZE} (on Redis a
   *     hint for {@code SCAN COUNT}: a page may hold fewer, even none, with a next cursor)
   * @param cursor {@link LockPage#FIRST}, or the {@code nextCursor} of the previous page
   * @return the page
   */
  LockPage list(String prefix, int pageSize, String cursor);

  /**
   * Takes {@code name} away from its holder, whoever it is: an administrative action for a lock
   * stuck behind a holder that will not let go. Logged at WARN on {@code io.holdfast.lock}. The
   * grant is fenced: the next grant of the name carries a larger fencing token than the released
   * one, and the old holder learns it lost the lock at its next renewal or watch ({@link
   * LockHandle#isHeld()} turns {@code false}, its {@link LockHandle#onLost} listeners run). Until
   * then the old holder may still believe it holds the lock, which is why the resource must check
   * the fencing token. The next waiter, if any, is granted the lock.
   *
   * @param name the lock name
   * @return what was released, or empty if the lock was not held
   */
  Optional<LockInfo> forceRelease(String name);
}
