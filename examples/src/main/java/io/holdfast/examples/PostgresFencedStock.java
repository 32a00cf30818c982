package io.holdfast.examples;

import io.holdfast.lock.LockBackendException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@link FencedStock} in a PostgreSQL table, one row per SKU; the fenced read and the fenced write
 * are each one {@code UPDATE}: PostgreSQL locks the row and evaluates the token check and the
 * change on its latest version, so no other writer can slip in between them.
 */
public final class PostgresFencedStock implements FencedStock {
  private static final String TABLE = "holdfast_demo_stock";

  // Remember the token if it is not older than the last; otherwise count a rejection. The SET
  // expressions see the row before the update, RETURNING sees it after: the token equals ours
  // exactly when ours was accepted.
  private static final String FENCED_READ =
      "UPDATE "
          + TABLE
          + " AS s SET token = GREATEST(s.token, t.token),"
          + " rejected = s.rejected + CASE WHEN t.token < s.token THEN 1 ELSE 0 END"
          + " FROM (VALUES (?::bigint)) AS t(token) WHERE s.sku = ?"
          + " RETURNING CASE WHEN s.token = t.token THEN s.stock ELSE -1 END";

  private static final String FENCED_WRITE =
      "UPDATE "
          + TABLE
          + " AS s SET stock = CASE WHEN t.token >= s.token THEN t.stock ELSE s.stock END,"
          + " token = GREATEST(s.token, t.token),"
          + " accepted = s.accepted + CASE WHEN t.token >= s.token THEN 1 ELSE 0 END,"
          + " rejected = s.rejected + CASE WHEN t.token < s.token THEN 1 ELSE 0 END"
          + " FROM (VALUES (?::bigint, ?::bigint)) AS t(stock, token) WHERE s.sku = ?"
          + " RETURNING s.token = t.token";

  private final Connection connection;

  /**
   * Connects to the PostgreSQL that holds the stock, creating its table if needed.
   *
   * @param jdbcUrl a {@code jdbc:postgresql:} URL, with the user and password as parameters
   */
  public PostgresFencedStock(String jdbcUrl) {
    try {
      connection = DriverManager.getConnection(jdbcUrl);
      try (Statement s = connection.createStatement()) {
        s.execute(
            "CREATE TABLE IF NOT EXISTS "
                + TABLE
                + " (sku text PRIMARY KEY, stock bigint NOT NULL, token bigint NOT NULL,"
                + " accepted bigint NOT NULL, rejected bigint NOT NULL)");
      }
    } catch (SQLException e) {
      throw new LockBackendException("connecting to the stock at " + jdbcUrl + " failed", e);
    }
  }

  @Override
  public synchronized void reset(String sku, long stock) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " VALUES (?, ?, 0, 0, 0) ON CONFLICT (sku) DO UPDATE"
                + " SET stock = excluded.stock, token = 0, accepted = 0, rejected = 0")) {
      ps.setString(1, sku);
      ps.setLong(2, stock);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failed("resetting", sku, e);
    }
  }

  @Override
  public long read(String sku) {
    return column(sku, "stock");
  }

  @Override
  public synchronized long read(String sku, long fencingToken) {
    try (PreparedStatement ps = connection.prepareStatement(FENCED_READ)) {
      ps.setLong(1, fencingToken);
      ps.setString(2, sku);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      throw failed("reading", sku, e);
    }
  }

  @Override
  public synchronized boolean write(String sku, long stock, long fencingToken) {
    try (PreparedStatement ps = connection.prepareStatement(FENCED_WRITE)) {
      ps.setLong(1, stock);
      ps.setLong(2, fencingToken);
      ps.setString(3, sku);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw failed("writing", sku, e);
    }
  }

  @Override
  public long accepted(String sku) {
    return column(sku, "accepted");
  }

  @Override
  public long rejected(String sku) {
    return column(sku, "rejected");
  }

  private synchronized long column(String sku, String column) {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT " + column + " FROM " + TABLE + " WHERE sku = ?")) {
      ps.setString(1, sku);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    } catch (SQLException e) {
      throw failed("reading", sku, e);
    }
  }

  private static LockBackendException failed(String what, String sku, SQLException e) {
    return new LockBackendException(what + " the stock of " + sku + " failed", e);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new LockBackendException("closing the stock's connection failed", e);
    }
  }
}
