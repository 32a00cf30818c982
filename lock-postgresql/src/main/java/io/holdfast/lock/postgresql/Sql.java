package io.holdfast.lock.postgresql;

import io.holdfast.lock.postgresql.internal.Identifiers;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The statements of the lock service, for one schema and table prefix. Every lease is timed by the
 * database's clock ({@code clock_timestamp()}), never the client's.
 */
final class Sql {
  final String table;
  final String sequence;
  final String tableName;
  final String sequenceName;
  final String channel;
  final List<String> ddl;
  final String acquire;
  final String release;
  final String renew;

  /**
   * A lock name as stored: PostgreSQL text cannot hold NUL, so {@code \} becomes {@code \\} and NUL
   * becomes {@code \0} (one-to-one, so distinct names stay distinct).
   */
  static String stored(String name) {
    if (name.indexOf('\\') < 0 && name.indexOf('\0') < 0) {
      return name;
    }
    return name.replace("\\", "\\\\").replace("\0", "\\0");
  }

  /** The inverse of {@link #stored}. */
  static String unstored(String stored) {
    if (stored.indexOf('\\') < 0) {
      return stored;
    }
    StringBuilder b = new StringBuilder(stored.length());
    for (int i = 0; i < stored.length(); i++) {
      char c = stored.charAt(i);
      if (c == '\\' && i + 1 < stored.length()) {
        char n = stored.charAt(++i);
        b.append(n == '0' ? '\0' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  Sql(@Nullable String schema, String prefix) {
    tableName = prefix + "locks";
    sequenceName = prefix + "lock_tokens";
    table = Identifiers.qualified(schema, tableName);
    sequence = Identifiers.qualified(schema, sequenceName);
    channel = (schema == null ? "" : schema + ".") + prefix + "locks";
    ddl =
        List.of(
            "CREATE SEQUENCE IF NOT EXISTS " + sequence + " AS bigint",
            "CREATE TABLE IF NOT EXISTS "
                + table
                + " (name text PRIMARY KEY, owner text NOT NULL, token bigint NOT NULL,"
                + " expires_at timestamptz NOT NULL)");
    // Insert, or take over a row whose lease ran out (or that this very attempt already wrote, when
    // it is retried after a lost answer). The token comes from the sequence, and never below the
    // row's last one, should the sequence ever be behind (a restored or failed-over database).
    // Acquires of one name take their token one at a time, under a transaction-scoped advisory
    // lock held until the statement commits: otherwise an acquire held up between its nextval()
    // and its insert could be granted after a later token was granted and released, and tokens
    // would go back. When refused, the same statement reports the holder and its lease left.
    acquire =
        "WITH granted AS (INSERT INTO "
            + table
            + " AS l (name, owner, token, expires_at)"
            + " SELECT ?, ?, nextval('"
            + sequence.replace("'", "''")
            + "'), clock_timestamp() + make_interval(secs => ?)"
            + " FROM (SELECT pg_advisory_xact_lock(hashtext('"
            + table.replace("'", "''")
            + "'), hashtext(?)) AS locked) AS one_at_a_time"
            + " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
            + " token = GREATEST(excluded.token, l.token + 1), expires_at = excluded.expires_at"
            + " WHERE l.expires_at <= clock_timestamp() OR l.owner = excluded.owner"
            + " RETURNING token)"
            + " SELECT token, NULL::text, NULL::bigint FROM granted"
            + " UNION ALL SELECT -1, owner,"
            + " GREATEST(0, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint)"
            + " FROM "
            + table
            + " WHERE name = ? AND NOT EXISTS (SELECT 1 FROM granted)";
    // Compare-and-delete on owner and token; the notification goes out when it commits.
    release =
        "WITH gone AS (DELETE FROM "
            + table
            + " WHERE name = ? AND owner = ? AND token = ? RETURNING name)"
            + " SELECT pg_notify(?, name) FROM gone";
    // One statement for a whole batch; a row renews only while its lease has not run out.
    renew =
        "UPDATE "
            + table
            + " AS l SET expires_at = clock_timestamp() + make_interval(secs => ?)"
            + " FROM unnest(?::text[], ?::text[], ?::bigint[]) AS r(name, owner, token)"
            + " WHERE l.name = r.name AND l.owner = r.owner AND l.token = r.token"
            + " AND l.expires_at > clock_timestamp() RETURNING l.name, l.token";
  }
}
