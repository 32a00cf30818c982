package io.holdfast.examples;

import io.holdfast.membership.MembershipBackendException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * {@link FencedStock} in ZooKeeper: one node per SKU holding {@code "stock token accepted
 * rejected"}, changed only with a compare-and-set on the node's version, so the token check and the
 * write are one atomic step.
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

  /** stock, token, accepted, rejected */
  private record Row(long stock, long token, long accepted, long rejected) {
    static Row parse(byte[] data) {
      String[] f = new String(data, StandardCharsets.UTF_8).split(" ", -1); // as written: 4 fields
      return new Row(
          Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
    }

    byte[] bytes() {
      return (stock + " " + token + " " + accepted + " " + rejected)
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  private Row get(String sku, Stat stat) {
    try {
      return Row.parse(client.getData().storingStatIn(stat).forPath(ROOT + sku));
    } catch (KeeperException.NoNodeException e) {
      return new Row(0, 0, 0, 0);
    } catch (Exception e) {
      throw new MembershipBackendException("reading stock of " + sku + " failed", e);
    }
  }

  /** Applies {@code change} to the SKU's row with compare-and-set, retrying on a conflict. */
  // change returns its argument itself to mean "leave as is": identity, not equal values.
  @SuppressWarnings("ReferenceEquality")
  private Row update(String sku, java.util.function.UnaryOperator<Row> change) {
    while (true) {
      Stat stat = new Stat();
      Row now = get(sku, stat);
      Row next = change.apply(now);
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
          .forPath(ROOT + sku, new Row(stock, 0, 0, 0).bytes());
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
    Row r =
        update(
            sku,
            now ->
                fencingToken < now.token()
                    ? new Row(now.stock(), now.token(), now.accepted(), now.rejected() + 1)
                    : fencingToken == now.token()
                        ? now
                        : new Row(now.stock(), fencingToken, now.accepted(), now.rejected()));
    return fencingToken < r.token() ? -1 : r.stock();
  }

  @Override
  public boolean write(String sku, long stock, long fencingToken) {
    boolean[] accepted = new boolean[1];
    update(
        sku,
        now -> {
          accepted[0] = fencingToken >= now.token();
          return accepted[0]
              ? new Row(stock, fencingToken, now.accepted() + 1, now.rejected())
              : new Row(now.stock(), now.token(), now.accepted(), now.rejected() + 1);
        });
    return accepted[0];
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
