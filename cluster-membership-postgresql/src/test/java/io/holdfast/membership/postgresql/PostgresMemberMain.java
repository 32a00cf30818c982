package io.holdfast.membership.postgresql;

import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.testkit.JvmProcess;
import java.time.Duration;

/**
 * A member in its own JVM, for kill -9 tests. Args: jdbc-url user password group id
 * elect(true|false) ttl-ms.
 */
public final class PostgresMemberMain {
  private PostgresMemberMain() {}

  /**
   * Registers, optionally waits to lead, signals ready, and blocks until killed.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    Membership m =
        PostgresMembership.builder(args[0])
            .user(args[1])
            .password(args[2])
            .heartbeatTtl(Duration.ofMillis(Long.parseLong(args[6])))
            .build();
    Registration r = m.register(MemberInfo.builder(args[3]).id(args[4]).build());
    if (Boolean.parseBoolean(args[5])) {
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
