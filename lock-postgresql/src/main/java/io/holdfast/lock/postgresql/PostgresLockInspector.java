package io.holdfast.lock.postgresql;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockPage;
import io.holdfast.lock.internal.AbstractLockInspector;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.postgresql.internal.PgClient;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The PostgreSQL inspector: plain reads of the lock table, whose rows are only held while their
 * {@code expires_at} lies ahead on the database clock; listing is keyset-paged by name (no offset,
 * no lock taken). A force-release does not delete the row but ends its lease ({@code expires_at =
 * clock_timestamp()}) and notifies waiters: the next acquire takes the row over with a token above
 * the row's last one whatever the sequence says, and the old holder's next renewal, which only
 * extends rows not yet expired, reports the lock lost.
 */
final class PostgresLockInspector extends AbstractLockInspector {
  private static final String LEFT_MILLIS =
      "GREATEST(0, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint)";

  private final PgClient client;
  private final Sql sql;
  private final String inspect;
  private final String list;
  private final String forceRelease;

  PostgresLockInspector(AbstractLockService service, PgClient client, Sql sql) {
    super(service, "postgresql");
    this.client = client;
    this.sql = sql;
    this.inspect =
        "SELECT owner, token, "
            + LEFT_MILLIS
            + " FROM "
            + sql.table
            + " WHERE name = ? AND expires_at > clock_timestamp()";
    this.list =
        "SELECT name, owner, token, "
            + LEFT_MILLIS
            + " FROM "
            + sql.table
            + " WHERE name > ? AND starts_with(name, ?) AND expires_at > clock_timestamp()"
            + " ORDER BY name LIMIT ?";
    this.forceRelease =
        "WITH old AS (SELECT name, owner, token, expires_at FROM "
            + sql.table
            + " WHERE name = ? AND expires_at > clock_timestamp() FOR UPDATE),"
            + " ended AS (UPDATE "
            + sql.table
            + " AS l SET expires_at = clock_timestamp() FROM old WHERE l.name = old.name"
            + " RETURNING old.name, old.owner, old.token, old.expires_at)"
            + " SELECT owner, token, "
            + LEFT_MILLIS
            + ", pg_notify(?, name) FROM ended";
  }

  /** The owner id in an owner column {@code <service id>:<attempt>}: the service id. */
  static String ownerOf(String owner) {
    int colon = owner.lastIndexOf(':');
    return colon < 0 ? owner : owner.substring(0, colon);
  }

  private LockBackendException failure(String what, Throwable e) {
    return new LockBackendException(what + " failed: " + client.errors().describe(e), e);
  }

  private static LockInfo held(String name, ResultSet r, int from) throws SQLException {
    return LockInfo.held(
        name,
        ownerOf(r.getString(from)),
        r.getLong(from + 1),
        null,
        Duration.ofMillis(r.getLong(from + 2)),
        -1);
  }

  @Override
  protected CompletableFuture<LockInfo> doInspect(String name) {
    return client
        .submit(
            c -> {
              try (PreparedStatement p = c.prepareStatement(inspect)) {
                p.setQueryTimeout(client.queryTimeoutSeconds());
                p.setString(1, Sql.stored(name));
                try (ResultSet r = p.executeQuery()) {
                  return r.next() ? held(name, r, 1) : LockInfo.free(name);
                }
              }
            })
        .exceptionallyCompose(
            e -> CompletableFuture.failedFuture(failure("inspecting '" + name + "'", e)));
  }

  @Override
  protected CompletableFuture<LockPage> doList(String prefix, int pageSize, String cursor) {
    return client
        .submit(
            c -> {
              List<LockInfo> page = new ArrayList<>();
              String last = null;
              boolean more = false;
              try (PreparedStatement p = c.prepareStatement(list)) {
                p.setQueryTimeout(client.queryTimeoutSeconds());
                p.setString(1, cursor);
                p.setString(2, Sql.stored(prefix));
                p.setInt(3, pageSize + 1);
                try (ResultSet r = p.executeQuery()) {
                  while (r.next()) {
                    if (page.size() == pageSize) {
                      more = true;
                      break;
                    }
                    last = r.getString(1);
                    page.add(held(Sql.unstored(last), r, 2));
                  }
                }
              }
              return new LockPage(page, more ? last : null);
            })
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(failure("listing locks under '" + prefix + "'", e)));
  }

  @Override
  protected CompletableFuture<LockInfo> doForceRelease(String name) {
    // Safe to run twice (PgClient retries once on a lost connection): a second run finds the
    // lease already ended and reports nothing held.
    return client
        .submit(
            c -> {
              try (PreparedStatement p = c.prepareStatement(forceRelease)) {
                p.setQueryTimeout(client.queryTimeoutSeconds());
                p.setString(1, Sql.stored(name));
                p.setString(2, sql.channel);
                try (ResultSet r = p.executeQuery()) {
                  return r.next() ? held(name, r, 1) : LockInfo.free(name);
                }
              }
            })
        .exceptionallyCompose(
            e -> CompletableFuture.failedFuture(failure("force-releasing '" + name + "'", e)));
  }
}
