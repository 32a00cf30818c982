package io.holdfast.membership.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.Registration;
import io.holdfast.testkit.HoldfastPostgres;
import io.holdfast.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PostgreSQL membership against bad input and terminated connections. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresMembershipTest {
  @HoldfastPostgres PostgresServer server;
  private final String group = "pg-" + UUID.randomUUID().toString().substring(0, 8);

  private PostgresMembership.Builder builder() {
    return PostgresMembership.builder(server.jdbcUrl())
        .user(server.user())
        .password(server.password())
        .heartbeatTtl(Duration.ofSeconds(2));
  }

  private long query(String sql) throws Exception {
    try (Connection c = server.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getLong(1) : 0;
    }
  }

  @Test
  void terminatedConnections_watchersAndMembersCarryOn() throws Exception {
    try (Membership a = builder().build();
        Membership b = builder().build();
        MembershipView view = b.view(group)) {
      Registration one = a.register(MemberInfo.builder(group).id("one").build());
      await().atMost(Duration.ofSeconds(10)).until(() -> view.members().size() == 1);
      assertThat(
              query(
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      + " WHERE application_name = 'holdfast' AND pid <> pg_backend_pid()"))
          .isPositive();
      a.register(MemberInfo.builder(group).id("two").build());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> view.members().stream().map(Member::id).toList().contains("two"));
      assertThat(one.isRegistered()).isTrue();
      assertThat(b.members(group)).extracting(Member::id).containsExactly("one", "two");
    }
  }

  @Test
  void schemaManagedExternally_missingTables_failWithTheDdl() {
    PostgresMembership.Builder b =
        builder().schema("no_such_schema_m").schemaManagedExternally(true);
    assertThatThrownBy(b::build)
        .isInstanceOf(MembershipBackendException.class)
        .hasMessageContaining("schema is managed externally")
        .hasMessageContaining(
            "CREATE TABLE IF NOT EXISTS \"no_such_schema_m\".\"holdfast_members\"");
  }

  @Test
  void nothingListening_failsSayingRefused() {
    assertThatThrownBy(
            () ->
                PostgresMembership.builder("jdbc:postgresql://127.0.0.1:1/postgres")
                    .commandTimeout(Duration.ofSeconds(2))
                    .build())
        .isInstanceOf(MembershipBackendException.class)
        .hasMessageContaining("refused the connection");
  }
}
