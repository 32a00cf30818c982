package io.holdfast.examples;

import java.nio.charset.StandardCharsets;

/**
 * One SKU's stock as the key-value stores keep it (ZooKeeper, etcd): {@code "stock token accepted
 * rejected"}, changed only with a compare-and-set, so that the token check and the change are one
 * atomic step.
 */
record StockRow(long stock, long token, long accepted, long rejected) {
  static final StockRow EMPTY = new StockRow(0, 0, 0, 0);

  static StockRow parse(byte[] data) {
    String[] f = new String(data, StandardCharsets.UTF_8).split(" ", -1); // as written: 4 fields
    return new StockRow(
        Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
  }

  byte[] bytes() {
    return (stock + " " + token + " " + accepted + " " + rejected).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The row after a fenced read: the token remembered, or a rejection counted; {@code this} itself
   * if nothing changes (the same token again).
   */
  StockRow afterRead(long fencingToken) {
    if (fencingToken < token) {
      return new StockRow(stock, token, accepted, rejected + 1);
    }
    return fencingToken == token ? this : new StockRow(stock, fencingToken, accepted, rejected);
  }

  /** The row after a fenced write: the new stock, or a rejection counted. */
  StockRow afterWrite(long newStock, long fencingToken) {
    return fencingToken >= token
        ? new StockRow(newStock, fencingToken, accepted + 1, rejected)
        : new StockRow(stock, token, accepted, rejected + 1);
  }

  /** What a fenced read with {@code fencingToken} returns from the row it left: -1 if refused. */
  long readResult(long fencingToken) {
    return fencingToken < token ? -1 : stock;
  }

  /** Whether the row a fenced write left says the write was accepted. */
  boolean wroteWith(long fencingToken) {
    // A refused write leaves a larger token than the writer's.
    return token == fencingToken;
  }
}
