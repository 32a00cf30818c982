package io.holdfast.membership.postgresql;

import io.holdfast.membership.Membership;
import io.holdfast.testkit.MembershipContract;
import io.holdfast.testkit.PostgresServer;
import io.holdfast.testkit.PostgresServers;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The membership contract against a real PostgreSQL of this class's own. */
class PostgresMembershipContractTest extends MembershipContract {
  private static final Duration TTL = Duration.ofMillis(1500);
  private static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = PostgresServers.dedicated();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @Override
  protected Membership createMembership() {
    return PostgresMembership.builder(postgres.jdbcUrl())
        .user(postgres.user())
        .password(postgres.password())
        .heartbeatTtl(TTL)
        .build();
  }

  @Override
  protected Duration failureTimeout() {
    return TTL;
  }

  /** Pruned at the first heartbeat or reconciliation after the TTL: at most TTL/3 later. */
  @Override
  protected Duration detectionSlack() {
    return TTL.dividedBy(3).plusMillis(500);
  }

  @Override
  protected Class<?> memberMain() {
    return PostgresMemberMain.class;
  }

  @Override
  protected String[] memberMainArgs(String group, String id, boolean elect) {
    return new String[] {
      postgres.jdbcUrl(),
      postgres.user(),
      postgres.password(),
      group,
      id,
      Boolean.toString(elect),
      Long.toString(TTL.toMillis())
    };
  }

  /** What a restored-from-nothing database would do: every member row and lock row gone. */
  @Override
  protected boolean loseAllRegistrations() {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM holdfast_members");
      s.execute("DELETE FROM holdfast_locks");
      s.execute("UPDATE holdfast_member_groups SET version = version + 1");
      return true;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
