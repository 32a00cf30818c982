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
