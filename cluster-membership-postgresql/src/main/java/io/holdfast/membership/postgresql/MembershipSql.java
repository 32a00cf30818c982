package io.holdfast.membership.postgresql;

import io.holdfast.lock.postgresql.internal.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The statements of the membership, for one schema and table prefix. Each is one autocommit
 * statement timed by the database's clock ({@code now()}: one instant for the whole statement).
 * Every statement that touches a group first deletes its expired members; any change bumps the
 * group's version and notifies the channel with the group's name, in the same statement.
 */
final class MembershipSql {
  private static final Pattern PARAM = Pattern.compile("(?<!:):([a-z]+)");

  /** A statement with named parameters ({@code :name}), bound in order. */
  static final class Stmt {
    final String sql;
    final List<String> names = new ArrayList<>();

    Stmt(String named) {
      Matcher m = PARAM.matcher(named);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        names.add(m.group(1));
        m.appendReplacement(b, "?");
      }
      m.appendTail(b);
      this.sql = b.toString();
    }

    PreparedStatement prepare(Connection c, Map<String, Object> values, int timeoutSeconds)
        throws SQLException {
      PreparedStatement p = c.prepareStatement(sql);
      try {
        p.setQueryTimeout(timeoutSeconds);
        for (int i = 0; i < names.size(); i++) {
          Object v = values.get(names.get(i));
          if (v == null && !values.containsKey(names.get(i))) {
            throw new IllegalArgumentException("no value for :" + names.get(i));
          }
          p.setObject(i + 1, v);
        }
        return p;
      } catch (SQLException | RuntimeException e) {
        p.close();
        throw e;
      }
    }
  }

  final String membersName;
  final String groupsName;
  final String channel;
  final List<String> ddl;
  final Stmt register;
  final Stmt update;
  final Stmt leave;
  final Stmt heartbeat;
  final Stmt snapshot;
  final Stmt groups;

  /**
   * Bumps the group's version (creating its row) when {@code changed} has rows, and notifies once:
   * {@code <group>\n<U|L>\n<version>\n<body>} for a single change (the event itself, so watchers
   * see every step in order), or just {@code <group>} (read the group again) when members were
   * pruned too, or the event would not fit in a notification.
   */
  private static String bump(String g, @Nullable String source, @Nullable String event) {
    return " ver AS (INSERT INTO "
        + g
        + " AS v (grp, version) SELECT :g, 1 WHERE EXISTS (SELECT 1 FROM changed)"
        + " ON CONFLICT (grp) DO UPDATE SET version = v.version + 1 RETURNING version),"
        + " note AS (SELECT pg_notify(:chan, CASE WHEN e.p IS NOT NULL"
        + " AND NOT EXISTS (SELECT 1 FROM pruned) AND octet_length(e.p) < 7900"
        + " THEN e.p ELSE :g END) AS n FROM (SELECT "
        + (source == null || event == null
            ? "NULL::text AS p FROM ver"
            : ":g || chr(10) || " + event + " AS p FROM ver LEFT JOIN " + source + " ON true")
        + ") AS e)";
  }

  MembershipSql(@Nullable String schema, String prefix) {
    membersName = prefix + "members";
    groupsName = prefix + "member_groups";
    String m = Identifiers.qualified(schema, membersName);
    String g = Identifiers.qualified(schema, groupsName);
    channel = (schema == null ? "" : schema + ".") + prefix + "members";
    ddl =
        List.of(
            "CREATE TABLE IF NOT EXISTS "
                + m
                + " (grp text NOT NULL, id text NOT NULL, session text NOT NULL,"
                + " record text NOT NULL, joined_ms bigint NOT NULL,"
                + " expires_at timestamptz NOT NULL, PRIMARY KEY (grp, id))",
            "CREATE TABLE IF NOT EXISTS " + g + " (grp text PRIMARY KEY, version bigint NOT NULL)");
    String ttl = "make_interval(secs => :ttl)";
    String pruneOthers =
        "pruned AS (DELETE FROM " + m + " WHERE grp = :g AND expires_at <= now() AND id <> :id";
    String pruneAll = "pruned AS (DELETE FROM " + m + " WHERE grp = :g AND expires_at <= now()";
    // Bumps the group's version (creating its row) when `changed` has rows, and notifies once:
    // "<group>\n<U|L>\n<version>\n<body>" for a single change (the event itself, so watchers see
    // every step in order), or just "<group>" (read the group again) when members were pruned too
    // or the event would not fit in a notification.
    register =
        new Stmt(
            "WITH "
                + pruneOthers
                + " RETURNING id),"
                + " ins AS (INSERT INTO "
                + m
                + " AS x (grp, id, session, record, joined_ms, expires_at)"
                + " VALUES (:g, :id, :session, :record,"
                + " (extract(epoch FROM now()) * 1000)::bigint, now() + "
                + ttl
                + ") ON CONFLICT (grp, id) DO UPDATE SET session = excluded.session,"
                + " record = excluded.record, joined_ms = excluded.joined_ms,"
                + " expires_at = excluded.expires_at"
                // An expired row is taken over; this very session's row is a retry.
                + " WHERE x.expires_at <= now() OR x.session = excluded.session"
                + " RETURNING joined_ms),"
                + " changed AS (SELECT id FROM pruned UNION ALL SELECT '' FROM ins),"
                + bump(
                    g,
                    "ins",
                    "'U' || chr(10) || ver.version || chr(10) || ins.joined_ms || '|' || :record")
                + " SELECT 1, joined_ms FROM ins UNION ALL SELECT 0, 0 FROM note");
    update =
        new Stmt(
            "WITH "
                + pruneOthers
                + " RETURNING id),"
                + " up AS (UPDATE "
                + m
                + " SET record = :record WHERE grp = :g AND id = :id AND session = :session"
                + " AND expires_at > now() RETURNING id, joined_ms, record),"
                + " changed AS (SELECT id FROM pruned UNION ALL SELECT id FROM up),"
                + bump(
                    g,
                    "up",
                    "'U' || chr(10) || ver.version || chr(10) || up.joined_ms || '|' || up.record")
                + " SELECT 1 FROM up UNION ALL SELECT 0 FROM note");
    leave =
        new Stmt(
            "WITH "
                + pruneOthers
                + " RETURNING id),"
                + " gone AS (DELETE FROM "
                + m
                + " WHERE grp = :g AND id = :id AND session = :session RETURNING id),"
                + " changed AS (SELECT id FROM pruned UNION ALL SELECT id FROM gone),"
                + bump(g, "gone", "'L' || chr(10) || ver.version || chr(10) || gone.id")
                + " SELECT 1 FROM gone UNION ALL SELECT 0 FROM note");
    heartbeat =
        new Stmt(
            "WITH pruned AS (DELETE FROM "
                + m
                + " WHERE grp = :g AND expires_at <= now() AND NOT (id = ANY (:ids::text[]))"
                + " RETURNING id),"
                + " hb AS (UPDATE "
                + m
                + " AS x SET expires_at = now() + "
                + ttl
                + " FROM unnest(:ids::text[], :sessions::text[]) AS r(id, session)"
                + " WHERE x.grp = :g AND x.id = r.id AND x.session = r.session"
                + " AND x.expires_at > now() RETURNING x.id),"
                + " changed AS (SELECT id FROM pruned),"
                + bump(g, null, null)
                + " SELECT id FROM hb UNION ALL SELECT NULL FROM note");
    snapshot =
        new Stmt(
            "WITH "
                + pruneAll
                + " RETURNING id),"
                + " changed AS (SELECT id FROM pruned),"
                + bump(g, null, null)
                // The version as of this statement's snapshot, not a bump it makes itself: a bump
                // may land after a concurrent change this snapshot does not show, and would hide
                // it. The bump's own notification makes watchers read again.
                + " SELECT coalesce((SELECT version FROM "
                + g
                + " WHERE grp = :g), 0), (SELECT count(*) FROM note), x.record, x.joined_ms"
                + " FROM (SELECT 1) AS one LEFT JOIN "
                + m
                + " AS x ON x.grp = :g AND x.expires_at > now()");
    groups = new Stmt("SELECT DISTINCT grp FROM " + m + " WHERE expires_at > now()");
  }
}
