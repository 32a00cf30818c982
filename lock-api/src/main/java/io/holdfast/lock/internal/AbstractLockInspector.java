package io.holdfast.lock.internal;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockException;
import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.LockPage;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The backend-independent half of a {@link LockInspector}: argument checks, the closed-service
 * check, waiting (bounded) for the backend's answer, error translation and the force-release log. A
 * backend implements the three asynchronous reads and writes; each of its calls is bounded by the
 * command timeout, and the whole operation here by {@value #TIMEOUTS_PER_OPERATION} of them.
 */
public abstract class AbstractLockInspector implements LockInspector {
  /** How many command timeouts one inspector operation may take at most (a page makes several). */
  static final int TIMEOUTS_PER_OPERATION = 4;

  private final AbstractLockService service;
  private final String kind;

  /**
   * Creates the core.
   *
   * @param service the service whose backend this inspects
   * @param kind the backend's short name ("redis", "zookeeper"), for messages and the log
   */
  protected AbstractLockInspector(AbstractLockService service, String kind) {
    this.service = service;
    this.kind = kind;
  }

  /**
   * Reads one lock.
   *
   * @param name a validated lock name
   * @return the lock's state
   */
  protected abstract CompletableFuture<LockInfo> doInspect(String name);

  /**
   * Reads one page of held locks.
   *
   * @param prefix the validated prefix, may be empty
   * @param pageSize the validated page size
   * @param cursor {@link LockPage#FIRST} or a cursor this backend returned; a malformed one fails
   *     the future with {@link Inspection#badCursor}
   * @return the page
   */
  protected abstract CompletableFuture<LockPage> doList(String prefix, int pageSize, String cursor);

  /**
   * Takes the lock away from its holder, fenced (the next grant's token is larger).
   *
   * @param name a validated lock name
   * @return what was released, or {@link LockInfo#free} if nothing was held
   */
  protected abstract CompletableFuture<LockInfo> doForceRelease(String name);

  @Override
  public final LockInfo inspect(String name) {
    Checks.checkName(name, "name");
    service.ensureOpen();
    return await(doInspect(name), "inspecting '" + name + "'");
  }

  @Override
  public final LockPage list(String prefix, int pageSize, String cursor) {
    Inspection.checkList(prefix, pageSize, cursor);
    service.ensureOpen();
    return await(doList(prefix, pageSize, cursor), "listing locks under '" + prefix + "'");
  }

  @Override
  public final Optional<LockInfo> forceRelease(String name) {
    Checks.checkName(name, "name");
    service.ensureOpen();
    LockInfo released = await(doForceRelease(name), "force-releasing '" + name + "'");
    if (!released.isHeld()) {
      return Optional.empty();
    }
    Inspection.logForced(kind, released);
    return Optional.of(released);
  }

  private <T> T await(CompletableFuture<T> f, String what) {
    Duration bound = service.config.commandTimeout().multipliedBy(TIMEOUTS_PER_OPERATION);
    try {
      return f.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new LockBackendException(what + " was interrupted", e);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new LockBackendException(
          what + " failed: the " + kind + " backend did not answer within " + bound, e);
    } catch (CancellationException e) {
      throw new LockBackendException(what + " was cancelled", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while ((cause instanceof CompletionException || cause instanceof ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof LockException le) {
        throw le;
      }
      if (cause instanceof IllegalArgumentException iae) {
        throw new IllegalArgumentException(iae.getMessage(), iae);
      }
      throw new LockBackendException(
          what + " failed: " + cause, cause == null ? new IllegalStateException() : cause);
    }
  }
}
