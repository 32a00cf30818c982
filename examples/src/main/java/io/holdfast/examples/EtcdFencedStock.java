package io.holdfast.examples;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.holdfast.lock.LockBackendException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * {@link FencedStock} in etcd: one key per SKU holding {@code "stock token accepted rejected"},
 * changed only by a transaction that compares the key's modification revision, so the token check
 * and the write are one atomic step.
 */
public final class EtcdFencedStock implements FencedStock {
  private static final String ROOT = "/holdfast-demo/stock/";
  private final Client client;

  /**
   * Connects to the etcd that holds the stock.
   *
   * @param endpoints comma-separated client URLs
   */
  public EtcdFencedStock(String endpoints) {
    client = Client.builder().endpoints(endpoints.split(",")).build();
  }

  private static ByteSequence key(String sku) {
    return ByteSequence.from(ROOT + sku, StandardCharsets.UTF_8);
  }

  private static <T> T await(CompletableFuture<T> call, String what, String sku) {
    try {
      return call.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LockBackendException(what + " the stock of " + sku + " was interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new LockBackendException(what + " the stock of " + sku + " failed", e);
    }
  }

  /** The row and its modification revision (0: no key yet). */
  private record Versioned(StockRow row, long revision) {}

  private Versioned get(String sku) {
    List<KeyValue> kvs = await(client.getKVClient().get(key(sku)), "reading", sku).getKvs();
    return kvs.isEmpty()
        ? new Versioned(StockRow.EMPTY, 0)
        : new Versioned(
            StockRow.parse(kvs.get(0).getValue().getBytes()), kvs.get(0).getModRevision());
  }

  /** Applies {@code change} to the SKU's row with compare-and-set, retrying on a conflict. */
  // change returns its argument itself to mean "leave as is": identity, not equal values.
  @SuppressWarnings("ReferenceEquality")
  private StockRow update(String sku, UnaryOperator<StockRow> change) {
    while (true) {
      Versioned now = get(sku);
      StockRow next = change.apply(now.row());
      if (next == now.row()) {
        return next;
      }
      if (put(sku, next, now.revision())) {
        return next;
      }
      // someone else changed it: read again
    }
  }

  private boolean put(String sku, StockRow row, long expectedRevision) {
    ByteSequence k = key(sku);
    return await(
            client
                .getKVClient()
                .txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedRevision)))
                .Then(Op.put(k, ByteSequence.from(row.bytes()), PutOption.DEFAULT))
                .commit(),
            "writing",
            sku)
        .isSucceeded();
  }

  @Override
  public void reset(String sku, long stock) {
    await(
        client.getKVClient().put(key(sku), ByteSequence.from(new StockRow(stock, 0, 0, 0).bytes())),
        "resetting",
        sku);
  }

  @Override
  public long read(String sku) {
    return get(sku).row().stock();
  }

  @Override
  public long read(String sku, long fencingToken) {
    return update(sku, now -> now.afterRead(fencingToken)).readResult(fencingToken);
  }

  @Override
  public boolean write(String sku, long stock, long fencingToken) {
    return update(sku, now -> now.afterWrite(stock, fencingToken)).wroteWith(fencingToken);
  }

  @Override
  public long accepted(String sku) {
    return get(sku).row().accepted();
  }

  @Override
  public long rejected(String sku) {
    return get(sku).row().rejected();
  }

  @Override
  public void close() {
    client.close();
  }
}
