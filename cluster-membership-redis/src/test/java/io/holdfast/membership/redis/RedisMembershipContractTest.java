package io.holdfast.membership.redis;

import io.holdfast.membership.Membership;
import io.holdfast.testkit.MembershipContract;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The membership contract against a real Redis of this class's own (one test restarts it). */
class RedisMembershipContractTest extends MembershipContract {
  private static final Duration TTL = Duration.ofMillis(1500);
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServers.dedicated();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  protected Membership createMembership() {
    return RedisMembership.builder(redis.uri()).heartbeatTtl(TTL).build();
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
    return RedisMemberMain.class;
  }

  @Override
  protected String[] memberMainArgs(String group, String id, boolean elect) {
    return new String[] {
      redis.uri().toString(), group, id, Boolean.toString(elect), Long.toString(TTL.toMillis())
    };
  }

  @Override
  protected boolean loseAllRegistrations() {
    if (!redis.controllable()) {
      return false;
    }
    redis.stop();
    redis.start();
    return true;
  }
}
