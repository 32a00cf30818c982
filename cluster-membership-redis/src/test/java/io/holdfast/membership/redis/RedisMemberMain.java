package io.holdfast.membership.redis;

import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.testkit.JvmProcess;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * A member in its own JVM, for kill -9 tests. Args: redis-uri group id elect(true|false) ttl-ms.
 */
public final class RedisMemberMain {
  private RedisMemberMain() {}

  /**
   * Registers, optionally waits to lead, signals ready, and blocks until killed.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    Membership m =
        RedisMembership.builder(RedisURI.create(args[0]))
            .heartbeatTtl(Duration.ofMillis(Long.parseLong(args[4])))
            .build();
    Registration r = m.register(MemberInfo.builder(args[1]).id(args[2]).build());
    if (Boolean.parseBoolean(args[3])) {
      var election = m.election(r);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!election.isLeader() || election.leader().isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("did not become leader");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
      }
    }
    JvmProcess.readyAndWait(Duration.ofMinutes(5));
  }
}
