package io.holdfast.spring.boot;

/**
 * Maps a lock name to the value of the {@code lock} tag on Holdfast's lock meters, for applications
 * that want meters per kind of lock. The values must come from a small, fixed set (a kind such as
 * {@code sku}, never the SKU itself): each value is one more time series per meter. Past {@value
 * #MAX_VALUES} distinct values, further ones are recorded as {@code other}.
 *
 * <p>Define one as a bean, or set {@code holdfast.metrics.lock-name-tag=prefix} for {@link
 * #PREFIX}. Without either, lock names are not tags.
 */
@FunctionalInterface
public interface LockNameTagger {
  /** Distinct tag values recorded before the rest are recorded as {@code other}. */
  int MAX_VALUES = 100;

  /**
   * The part of the name before its first {@code ':'} ({@code sku} for {@code sku:42}), or {@code
   * none} for a name without one.
   */
  LockNameTagger PREFIX =
      name -> {
        int colon = name.indexOf(':');
        return colon > 0 ? name.substring(0, colon) : "none";
      };

  /**
   * The tag value for a lock name.
   *
   * @param name the lock name, as given to the lock service
   * @return the {@code lock} tag's value; must be one of a small, fixed set
   */
  String tag(String name);
}
