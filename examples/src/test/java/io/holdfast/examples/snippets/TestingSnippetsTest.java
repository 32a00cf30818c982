package io.holdfast.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.holdfast.testkit.HoldfastRedis;
import io.holdfast.testkit.HoldfastZooKeeper;
import io.holdfast.testkit.RedisServer;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** docs/testing.md: a user's tests, each getting a real server from the testkit. Run as tests. */
class TestingSnippetsTest {

  // tag::redis[]
  @Test
  void nextHolderGetsALargerToken(@HoldfastRedis RedisURI redis) throws InterruptedException {
    try (LockService a = RedisLockService.builder(redis).build();
        LockService b = RedisLockService.builder(redis).build()) { // two instances of a service
      long first;
      try (LockHandle lock = a.acquire("report", Duration.ofSeconds(2))) {
        first = lock.fencingToken();
        assertThat(b.tryAcquire("report")).isEmpty();
      }
      try (LockHandle lock = b.acquire("report", Duration.ofSeconds(2))) {
        assertThat(lock.fencingToken()).isGreaterThan(first);
      }
    }
  }

  // end::redis[]

  // tag::zookeeper[]
  @HoldfastZooKeeper String zookeeper; // the connect string, set before each test

  @Test
  void theOnlyCandidateLeads() {
    try (Membership membership = ZooKeeperMembership.builder(zookeeper).build()) {
      MemberInfo me = MemberInfo.builder("orders").id("instance-1").host("10.0.0.1").build();
      LeaderElection election = membership.election(membership.register(me));
      await().atMost(Duration.ofSeconds(30)).until(election::isLeader);
      assertThat(election.leader()).map(Member::id).contains("instance-1");
    }
  }

  // end::zookeeper[]

  // tag::dedicated[]
  @Test
  void holderIsToldWhenRedisGoesAway(@HoldfastRedis(dedicated = true) RedisServer redis)
      throws InterruptedException {
    assumeTrue(redis.controllable(), "HOLDFAST_REDIS_URI names a server we must not stop");
    try (LockService locks =
        RedisLockService.builder(redis.uri()).leaseTime(Duration.ofSeconds(2)).build()) {
      LockHandle lock = locks.acquire("report");
      redis.stop();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> !lock.isHeld());
      } finally {
        redis.start(); // the class's other tests get it running, and empty
      }
    }
  }
  // end::dedicated[]
}
