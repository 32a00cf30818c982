package io.holdfast.examples.snippets;

import io.holdfast.lock.LockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipView;
import io.holdfast.membership.PeerSelectors;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * Compiled copies of the code blocks of pages owned elsewhere (docs/zookeeper.md,
 * docs/membership.md), so that those blocks are checked too. Change them together with the page.
 */
final class OtherPagesSnippets {
  private OtherPagesSnippets() {}

  static LockService zooKeeperPage(String secret) {
    // tag::zookeeper-md[]
    LockService locks =
        ZooKeeperLockService.builder("zk1:2181,zk2:2181,zk3:2181")
            .sessionTimeout(Duration.ofSeconds(10))
            .digestAuth("orders", secret)
            .build();
    // end::zookeeper-md[]
    return locks;
  }

  static LeaderElection membershipPage(String customerId) {
    // tag::membership-md[]
    Membership membership =
        RedisMembership.builder(RedisURI.create("redis://localhost:6379")).build();
    Registration me =
        membership.register(
            MemberInfo.builder("inventory")
                .host("10.0.0.7")
                .port(8080)
                .metadata("zone", "eu-1")
                .build());

    try (MembershipView peers = membership.view("inventory")) {
      Member target =
          PeerSelectors.rendezvous(peers).select(customerId); // same customer, same peer
      forwardTo(target.host(), target.port());
    }

    LeaderElection election = membership.election(me);
    election.addListener(
        new LeadershipListener() {
          @Override
          public void gained(long epoch) {
            startReconciliationJob(epoch);
          }

          @Override
          public void lost(long epoch) {
            stopReconciliationJob();
          }
        });
    // end::membership-md[]
    return election;
  }

  private static void startReconciliationJob(long epoch) {
    if (epoch <= 0) {
      throw new IllegalArgumentException("epoch " + epoch);
    }
  }

  private static void stopReconciliationJob() {}

  private static void forwardTo(String host, int port) {
    if (host.isEmpty() || port <= 0) {
      throw new IllegalArgumentException(host + ":" + port);
    }
  }
}
