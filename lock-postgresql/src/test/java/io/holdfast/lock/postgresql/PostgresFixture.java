package io.holdfast.lock.postgresql;

import io.holdfast.testkit.BackendFaults;
import io.holdfast.testkit.PostgresServer;
import io.holdfast.testkit.SharedRegister;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A test's view of a real PostgreSQL: admin statements, registers, faults. */
final class PostgresFixture {
  final PostgresServer server;

  PostgresFixture(PostgresServer server) {
    this.server = server;
  }

  PostgresLockService.Builder builder(Duration leaseTime, Duration commandTimeout) {
    return PostgresLockService.builder(server.jdbcUrl())
        .user(server.user())
        .password(server.password())
        .leaseTime(leaseTime)
        .commandTimeout(commandTimeout);
  }

  /** Runs one statement as the superuser (on a fresh connection). */
  int update(String sql, Object... args) {
    try (Connection c = server.connect();
        PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        p.setObject(i + 1, args[i]);
      }
      return p.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  long queryLong(String sql, Object... args) {
    try (Connection c = server.connect();
        PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        p.setObject(i + 1, args[i]);
      }
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? r.getLong(1) : 0;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * Unexpired lock rows of names starting with {@code namePrefix} (an expired row is inert: the
   * next acquire overwrites it), and the service connections open now (application name {@code
   * holdfast}), by backend pid.
   */
  List<String> leftBehind(String namePrefix) {
    List<String> left = new ArrayList<>();
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      try (PreparedStatement p =
          c.prepareStatement(
              "SELECT name FROM holdfast_locks WHERE left(name, length(?)) = ?"
                  + " AND expires_at > clock_timestamp()")) {
        p.setString(1, namePrefix);
        p.setString(2, namePrefix);
        try (ResultSet r = p.executeQuery()) {
          while (r.next()) {
            left.add("row " + r.getString(1));
          }
        }
      } catch (SQLException e) {
        if (!"42P01".equals(e.getSQLState())) { // undefined_table: no service made it yet
          throw e;
        }
      }
      try (ResultSet r =
          s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'holdfast'")) {
        while (r.next()) {
          left.add("connection pid " + r.getInt(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not list what is left behind", e);
    }
    return left;
  }

  void deleteLock(String name) {
    update("DELETE FROM holdfast_locks WHERE name = ?", Sql.stored(name));
  }

  SharedRegister register(String key) {
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS test_registers (k text PRIMARY KEY, v bigint)");
    } catch (SQLException e) {
      // a concurrent creation: the table exists
    }
    return new SharedRegister() {
      @Override
      public long read() {
        return queryLong("SELECT v FROM test_registers WHERE k = ?", key);
      }

      @Override
      public void write(long value) {
        update(
            "INSERT INTO test_registers VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
            key,
            value);
      }
    };
  }

  @Nullable BackendFaults faults() {
    return server.faults();
  }
}
