package io.holdfast.examples;

import java.util.List;

/**
 * Stock levels kept in the backend, read and written only with a fencing token: an operation whose
 * token is lower than the highest the store has seen for that SKU is rejected, atomically, by the
 * store itself. This is the pattern to copy — the resource checks the token, because a lock holder
 * can pause between any check and its write — and it must check reads too: with only writes fenced,
 * a paused holder could write between a newer holder's read and write, and the newer holder's write
 * (based on the old value) would silently undo it. The store also counts accepted and rejected
 * writes, so the demo's verdict comes from the backend, not from the processes that may have been
 * killed.
 */
public interface FencedStock extends AutoCloseable {
  /**
   * Sets a SKU's stock and forgets its tokens and counters (set-up only).
   *
   * @param sku the SKU
   * @param stock the stock level
   */
  void reset(String sku, long stock);

  /**
   * Reads a SKU's stock for reporting (not for a read–modify–write).
   *
   * @param sku the SKU
   * @return the stock level
   */
  long read(String sku);

  /**
   * Reads a SKU's stock under a fencing token, which the store remembers: from then on it refuses
   * older tokens for this SKU.
   *
   * @param sku the SKU
   * @param fencingToken the reader's lock token
   * @return the stock level, or -1 if the token is older than one the store has seen
   */
  long read(String sku, long fencingToken);

  /**
   * Writes a SKU's stock if {@code fencingToken} is not older than the last accepted one.
   *
   * @param sku the SKU
   * @param stock the new level
   * @param fencingToken the writer's lock token
   * @return whether the write was accepted
   */
  boolean write(String sku, long stock, long fencingToken);

  /**
   * How many writes of a SKU were accepted since {@link #reset}.
   *
   * @param sku the SKU
   * @return the count
   */
  long accepted(String sku);

  /**
   * How many writes of a SKU were rejected as stale since {@link #reset}.
   *
   * @param sku the SKU
   * @return the count
   */
  long rejected(String sku);

  /**
   * The total stock of several SKUs.
   *
   * @param skus the SKUs
   * @return the sum
   */
  default long total(List<String> skus) {
    long sum = 0;
    for (String s : skus) {
      sum += read(s);
    }
    return sum;
  }

  @Override
  void close();
}
