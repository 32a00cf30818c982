package io.holdfast.lock;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of {@link LockInspector#list}: held locks, and where the next page starts. Immutable.
 */
public final class LockPage {
  /** The cursor of the first page. */
  public static final String FIRST = "";

  private final List<LockInfo> locks;
  private final @Nullable String nextCursor;

  /**
   * Creates a page.
   *
   * @param locks the locks on this page
   * @param nextCursor where the next page starts, or {@code null} if this is the last page
   */
  public LockPage(List<LockInfo> locks, @Nullable String nextCursor) {
    this.locks = List.copyOf(Objects.requireNonNull(locks, "locks"));
    if (FIRST.equals(nextCursor)) {
      throw new IllegalArgumentException("nextCursor must be null or not empty");
    }
    this.nextCursor = nextCursor;
  }

  /**
   * The locks on this page.
   *
   * @return an unmodifiable list
   */
  public List<LockInfo> locks() {
    return locks;
  }

  /**
   * The cursor to pass to {@link LockInspector#list} for the next page.
   *
   * @return the cursor, or empty if this was the last page
   */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(nextCursor);
  }

  @Override
  public String toString() {
    return "LockPage[" + locks + (nextCursor == null ? "" : ", next=" + nextCursor) + "]";
  }
}
