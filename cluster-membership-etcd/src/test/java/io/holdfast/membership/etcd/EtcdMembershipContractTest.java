package io.holdfast.membership.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.membership.Membership;
import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.MembershipContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The membership contract against a real etcd (the testkit's choice; skipped when there is none).
 * Every membership has its own client and lease, as separate processes would; losing all
 * registrations deletes every member key behind the memberships' backs.
 */
class EtcdMembershipContractTest extends MembershipContract {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static EtcdServer server;
  private static Client admin;

  @BeforeAll
  static void startServer() {
    server = EtcdServers.dedicated();
    admin = Client.builder().endpoints(server.endpoints().toArray(String[]::new)).build();
  }

  @AfterAll
  static void stopServer() {
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected Membership createMembership() {
    return EtcdMembership.builder(server.endpoints().toArray(String[]::new))
        .leaseTime(LEASE)
        .build();
  }

  @Override
  protected Duration failureTimeout() {
    return LEASE;
  }

  /**
   * etcd checks for expired leases every 500 ms and revokes them through a Raft proposal; watchers
   * hear of the deletion a few milliseconds later.
   */
  @Override
  protected Duration detectionSlack() {
    return Duration.ofMillis(1500);
  }

  @Override
  protected Class<?> memberMain() {
    return EtcdMemberMain.class;
  }

  @Override
  protected String[] memberMainArgs(String group, String id, boolean elect) {
    return new String[] {
      server.endpointList(), group, id, Boolean.toString(elect), Long.toString(LEASE.toMillis())
    };
  }

  @Override
  protected boolean loseAllRegistrations() {
    ByteSequence prefix =
        ByteSequence.from(EtcdLockService.DEFAULT_NAMESPACE + "members/", StandardCharsets.UTF_8);
    try {
      admin
          .getKVClient()
          .delete(prefix, DeleteOption.builder().isPrefix(true).build())
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not delete the members", e);
    }
    return true;
  }
}
