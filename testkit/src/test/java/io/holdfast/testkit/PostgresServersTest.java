package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PostgreSQL fixture itself: a real server that keeps its data across a restart, and pauses.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresServersTest {

  @Test
  void dedicatedServer_restartsOnTheSameAddress_keepingData_andPauses(
      @HoldfastPostgres(dedicated = true) PostgresServer server) throws Exception {
    Assumptions.assumeTrue(server.controllable(), "the environment's server is not ours to stop");
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("create table kept (v int)");
      s.execute("insert into kept values (42)");
    }
    server.stop();
    assertThatThrownBy(server::connect).isInstanceOf(SQLException.class);
    server.start();
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select v from kept")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(1)).isEqualTo(42);
    }

    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      server.pause();
      try {
        long t0 = System.nanoTime();
        // A frozen server cannot even take a cancel request (setQueryTimeout waits for it): the
        // driver's socket timeout is what ends the wait.
        c.setNetworkTimeout(Runnable::run, 1_000);
        assertThatThrownBy(() -> s.execute("select 1")).isInstanceOf(SQLException.class);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(5);
      } finally {
        server.resume();
      }
    }
    try (Connection c = server.connect()) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  void sharedServer_isTheSameForEveryTest_andLoadsStatementStatistics(
      @HoldfastPostgres PostgresServer server, @HoldfastPostgres String url) throws Exception {
    assertThat(server).isSameAs(PostgresServers.shared());
    assertThat(url).isEqualTo(server.jdbcUrl());
    if (server.source().equals("environment")) {
      return;
    }
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("show shared_preload_libraries")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).contains("pg_stat_statements");
    }
  }

  @Test
  void localServer_asksOtherRolesForTheirPassword(@HoldfastPostgres PostgresServer server)
      throws Exception {
    Assumptions.assumeTrue(server.source().equals("local-process"), "local servers only");
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("drop role if exists fixture_user");
      s.execute("create role fixture_user login password 'right'");
    }
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", "fixture_user");
    p.setProperty("password", "wrong");
    assertThatThrownBy(() -> java.sql.DriverManager.getConnection(server.jdbcUrl(), p))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
    p.setProperty("password", "right");
    try (Connection c = java.sql.DriverManager.getConnection(server.jdbcUrl(), p)) {
      assertThat(c.isValid(5)).isTrue();
    }
  }
}
