package io.holdfast.lock.internal;

import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockInspector;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every backend's {@link LockInspector} shares: argument checks and the force-release log. */
public final class Inspection {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock");

  private Inspection() {}

  /**
   * Validates {@link LockInspector#list}'s arguments.
   *
   * @param prefix the name prefix, may be empty
   * @param pageSize the page size
   * @param cursor the cursor, may be empty (the first page)
   */
  public static void checkList(String prefix, int pageSize, String cursor) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(cursor, "cursor");
    if (!prefix.isEmpty()) {
      Checks.utf8Length(prefix, "prefix");
    }
    if (pageSize < 1 || pageSize > LockInspector.MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "pageSize must be between 1 and " + LockInspector.MAX_PAGE_SIZE + ", was " + pageSize);
    }
  }

  /**
   * Logs a force-release at WARN: an operator took a lock away from its holder.
   *
   * @param kind the backend's short name
   * @param released what was released
   */
  public static void logForced(String kind, LockInfo released) {
    LOG.warn(
        "lock '{}' (fencing token {}, owner {}) force-released through the {} inspector",
        released.name(),
        released.fencingToken(),
        released.ownerId().orElse("?"),
        kind);
  }

  /**
   * An invalid cursor: one not returned by this backend's {@code list}.
   *
   * @param cursor the cursor
   * @return the exception to throw
   */
  public static IllegalArgumentException badCursor(String cursor) {
    return new IllegalArgumentException(
        "cursor must be LockPage.FIRST or a nextCursor returned by list, was '" + cursor + "'");
  }
}
