package io.holdfast.examples.snippets;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.lettuce.core.RedisURI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The code shown in docs/guarantees.md. */
final class GuaranteesSnippets {
  private GuaranteesSnippets() {}

  /** A store that knows nothing about fencing: what not to do. */
  interface PlainStore {
    long read(String sku);

    void write(String sku, long stock);
  }

  static void notEnough(LockService locks, PlainStore stock, String sku)
      throws InterruptedException {
    // tag::not-enough[]
    try (LockHandle lock = locks.acquire("sku:" + sku)) {
      long left = stock.read(sku);
      if (lock.isHeld()) { // not enough: the process can pause right after this check
        stock.write(sku, left - 1); // ... and write after a newer holder has written
      }
    }
    // end::not-enough[]
  }

  // tag::fenced-sql[]
  /** Writes the stock only if no newer holder of the SKU's lock has written already. */
  static boolean writeFenced(Connection db, String sku, long stock, long token)
      throws SQLException {
    try (PreparedStatement update =
        db.prepareStatement("UPDATE stock SET qty = ?, fence = ? WHERE sku = ? AND fence <= ?")) {
      update.setLong(1, stock);
      update.setLong(2, token);
      update.setString(3, sku);
      update.setLong(4, token);
      return update.executeUpdate() == 1; // 0 rows: a newer token has written; ours is stale
    }
  }

  // end::fenced-sql[]

  static void fencedUse(LockService locks, Connection db, String sku)
      throws InterruptedException, SQLException {
    // tag::fenced-use[]
    try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(2))) {
      long left = readStock(db, sku);
      if (left > 0 && !writeFenced(db, sku, left - 1, lock.fencingToken())) {
        // Our lease was lost and a newer holder wrote first: nothing was overwritten.
        // Re-read and decide again (or report a conflict); never retry with the old token.
      }
    }
    // end::fenced-use[]
  }

  static void onLost(LockService locks, ExecutorService workers)
      throws InterruptedException, ExecutionException {
    // tag::on-lost[]
    try (LockHandle lock = locks.acquire("report:daily")) {
      Future<?> job = workers.submit(() -> buildReport(lock.fencingToken()));
      lock.onLost(lost -> job.cancel(true)); // stop work whose lease may be gone
      job.get();
    }
    // end::on-lost[]
  }

  static LockService replicas() {
    // tag::wait-for-replicas[]
    LockService locks =
        RedisLockService.builder(
                RedisURI.create("redis-sentinel://s1:26379,s2:26379,s3:26379#orders"))
            .waitForReplicas(
                1, Duration.ofMillis(100)) // a failover to that replica keeps the grant
            .build();
    // end::wait-for-replicas[]
    return locks;
  }

  static LockService lossPolicy() {
    // tag::loss-policy[]
    LockService locks =
        ZooKeeperLockService.builder("zk1:2181,zk2:2181,zk3:2181")
            .lossPolicy(
                ZooKeeperLockService.LossPolicy.LOST) // ride out blips; rely on fencing tokens
            .build();
    // end::loss-policy[]
    return locks;
  }

  private static long readStock(Connection db, String sku) throws SQLException {
    try (PreparedStatement query = db.prepareStatement("SELECT qty FROM stock WHERE sku = ?")) {
      query.setString(1, sku);
      try (var rows = query.executeQuery()) {
        return rows.next() ? rows.getLong(1) : 0;
      }
    }
  }

  private static void buildReport(long token) {
    if (token <= 0) {
      throw new IllegalArgumentException("token " + token);
    }
  }
}
