package io.holdfast.lock.postgresql.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Creates a service's tables on first use, or — when the DBA owns the schema — checks that they
 * exist and reports the DDL that would create them.
 */
public final class PgSchema {
  private PgSchema() {}

  /**
   * Makes sure the objects exist.
   *
   * @param client the client
   * @param ddl the statements that create them, each with {@code IF NOT EXISTS}
   * @param schema the schema, or {@code null} for the search path
   * @param objects the objects' unqualified names, to check
   * @param create whether to create them (else only check)
   * @return {@code null} if they exist (now), else what is missing
   * @throws SQLException if the server failed
   */
  public static @Nullable String ensure(
      PgClient client,
      List<String> ddl,
      @Nullable String schema,
      List<String> objects,
      boolean create)
      throws SQLException {
    if (create) {
      client.call(
          c -> {
            // Two services starting at once would race on the catalog: one at a time.
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
              s.setQueryTimeout(client.queryTimeoutSeconds());
              s.execute("SELECT pg_advisory_xact_lock(7236194410123456789)");
              for (String d : ddl) {
                s.execute(d);
              }
              c.commit();
            } catch (SQLException e) {
              c.rollback();
              throw e;
            } finally {
              c.setAutoCommit(auto);
            }
            return Boolean.TRUE; // done: Work has no void form
          });
    }
    String absent =
        client.call(
            c -> {
              StringBuilder missing = new StringBuilder();
              try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(?)")) {
                p.setQueryTimeout(client.queryTimeoutSeconds());
                for (String o : objects) {
                  p.setString(1, Identifiers.qualified(schema, o));
                  try (ResultSet r = p.executeQuery()) {
                    r.next();
                    if (r.getString(1) == null) {
                      missing.append(missing.length() == 0 ? "" : ", ").append(o);
                    }
                  }
                }
              }
              return missing.toString();
            });
    return absent.isEmpty() ? null : absent;
  }

  /**
   * The DDL as one script, for messages and docs.
   *
   * @param ddl the statements
   * @return them, each ending with a semicolon, one per line
   */
  public static String script(List<String> ddl) {
    return String.join(";\n", ddl) + ";";
  }
}
