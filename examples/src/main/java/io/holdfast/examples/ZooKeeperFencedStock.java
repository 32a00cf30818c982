package io.holdfast.examples;

import io.holdfast.membership.MembershipBackendException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * {@link FencedStock} in ZooKeeper: one node per SKU holding a {@code StockRow}, changed only with
 * a compare-and-set on the node's version, so the token check and the write are one atomic step.
 */
public final class ZooKeeperFencedStock implements FencedStock {
  private static final String ROOT = "/holdfast-demo/stock/";
  private final CuratorFramework client;

  /**
   * Connects to the ZooKeeper that holds the stock.
   *
   * @param connectString the ensemble
   */
  public ZooKeeperFencedStock(String connectString) {
    client =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .retryPolicy(new ExponentialBackoffRetry(100, 3))
            .build();
    client.start();
    try {
      if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not connect to ZooKeeper at " + connectString);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private StockRow get(String sku, Stat stat) {
    try {
      return StockRow.parse(client.getData().storingStatIn(stat).forPath(ROOT + sku));
    } catch (KeeperException.NoNodeException e) {
      return StockRow.EMPTY;
    } catch (Exception e) {
      throw new MembershipBackendException("reading stock of " + sku + " failed", e);
    }
  }

  /** Applies {@code change} to the SKU's row with compare-and-set, retrying on a conflict. */
  // change returns its argument itself to mean "leave as is": identity, not equal values.
  @SuppressWarnings("ReferenceEquality")
  private StockRow update(String sku, java.util.function.UnaryOperator<StockRow> change) {
    while (true) {
      Stat stat = new Stat();
      StockRow now = get(sku, stat);
      StockRow next = change.apply(now);
      if (next == now) {
        return now;
      }
      try {
        client.setData().withVersion(stat.getVersion()).forPath(ROOT + sku, next.bytes());
        return next;
      } catch (KeeperException.BadVersionException e) {
        // someone else changed it: read again
      } catch (Exception e) {
        throw new MembershipBackendException("writing stock of " + sku + " failed", e);
      }
    }
  }

  @Override
  public void reset(String sku, long stock) {
    try {
      client
          .create()
          .orSetData()
          .creatingParentsIfNeeded()
          .forPath(ROOT + sku, new StockRow(stock, 0, 0, 0).bytes());
    } catch (Exception e) {
      throw new MembershipBackendException("resetting stock of " + sku + " failed", e);
    }
  }

  @Override
  public long read(String sku) {
    return get(sku, new Stat()).stock();
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
    return get(sku, new Stat()).accepted();
  }

  @Override
  public long rejected(String sku) {
    return get(sku, new Stat()).rejected();
  }

  @Override
  public void close() {
    client.close();
  }
}
