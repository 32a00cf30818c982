package io.holdfast.cli;

import io.holdfast.cli.Finding.Status;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** The PostgreSQL checks of {@code doctor}. */
final class PostgresDoctor {
  private final io.holdfast.cli.Connection connection;

  PostgresDoctor(io.holdfast.cli.Connection connection) {
    this.connection = connection;
  }

  List<Finding> check() throws SQLException {
    Properties props = new Properties();
    if (connection.user != null) {
      props.setProperty("user", connection.user);
    }
    if (connection.password != null) {
      props.setProperty("password", connection.password);
    }
    props.setProperty("connectTimeout", Long.toString(connection.timeout.toSeconds()));
    DriverManager.setLoginTimeout((int) Math.max(1, connection.timeout.toSeconds()));
    try (Connection c = DriverManager.getConnection(String.valueOf(connection.postgresql), props);
        Statement s = c.createStatement()) {
      s.setQueryTimeout((int) Math.max(1, connection.timeout.toSeconds()));
      List<Finding> out = new ArrayList<>();
      out.add(version(Integer.parseInt(one(s, "SHOW server_version_num"))));
      out.add(fsync(one(s, "SHOW fsync")));
      out.add(synchronousCommit(one(s, "SHOW synchronous_commit")));
      out.add(
          standbys(
              Boolean.parseBoolean(one(s, "SELECT pg_is_in_recovery()::text")),
              Integer.parseInt(one(s, "SELECT count(*) FROM pg_stat_replication")),
              one(s, "SHOW synchronous_standby_names")));
      long before = System.currentTimeMillis();
      long server =
          Long.parseLong(
              one(s, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text"));
      long after = System.currentTimeMillis();
      out.add(clock(server - (before + after) / 2));
      return out;
    }
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      String v = r.getString(1);
      return v == null ? "" : v;
    }
  }

  static Finding version(int num) {
    String found = "PostgreSQL " + (num / 10000) + " (" + num + ")";
    if (num < 120000) {
      return new Finding(
          "version",
          Status.BREAKS,
          found,
          "Holdfast needs PostgreSQL 12 or later (docs/postgresql.md).");
    }
    return Finding.ok("version", found);
  }

  static Finding fsync(String value) {
    if (value.equals("off")) {
      return new Finding(
          "fsync",
          Status.BREAKS,
          "off",
          "a crash can lose acknowledged grants and sequence values: a second holder can be"
              + " granted a held lock, and fencing tokens can go back. Turn fsync on.");
    }
    return Finding.ok("fsync", value);
  }

  static Finding synchronousCommit(String value) {
    if (value.equals("off")) {
      return new Finding(
          "synchronous_commit",
          Status.BREAKS,
          "off",
          "a crash loses the last commits the server acknowledged: grants (a second holder can be"
              + " granted a held lock) and the sequence values behind their tokens (tokens can go"
              + " back). Use synchronous_commit = on for the Holdfast tables' database or role.");
    }
    return Finding.ok("synchronous_commit", value);
  }

  static Finding standbys(boolean inRecovery, int standbys, String synchronousNames) {
    if (inRecovery) {
      return new Finding(
          "standbys",
          Status.WARN,
          "this server is a standby",
          "Holdfast writes on every acquire: connect the services (and doctor) to the primary.");
    }
    String found =
        standbys + " standby(s) streaming, synchronous_standby_names '" + synchronousNames + "'";
    if (standbys > 0 && synchronousNames.isBlank()) {
      return new Finding(
          "standbys",
          Status.WARN,
          found,
          "a failover to an asynchronous standby can lose the latest grants and the sequence"
              + " values behind their tokens (docs/postgresql.md, restarts and failover): if the"
              + " resource must never see a token go back, replicate synchronously.");
    }
    return Finding.ok("standbys", found);
  }

  static Finding clock(long offsetMillis) {
    String found =
        "server clock " + (offsetMillis >= 0 ? "+" : "") + offsetMillis + " ms from this host's";
    if (Math.abs(offsetMillis) > RedisDoctor.CLOCK_OFFSET_WARN_MILLIS) {
      return new Finding(
          "clock",
          Status.WARN,
          found,
          "one of the two clocks is not synchronised. Leases end on the database's clock: a"
              + " clock stepped forward ends them early. Run NTP that slews, never steps.");
    }
    return Finding.ok("clock", found);
  }
}
