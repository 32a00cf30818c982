package io.holdfast.membership.etcd;

import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.testkit.JvmProcess;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A member in its own JVM, for kill -9 tests. Args: endpoints(comma-separated) group id
 * elect(true|false) lease-ms.
 */
public final class EtcdMemberMain {
  private EtcdMemberMain() {}

  /**
   * Registers, optionally waits to lead, signals ready, and blocks until killed.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    Membership m =
        EtcdMembership.builder(args[0].split(","))
            .leaseTime(Duration.ofMillis(Long.parseLong(args[4])))
            .build();
    Registration r = m.register(MemberInfo.builder(args[1]).id(args[2]).build());
    if (Boolean.parseBoolean(args[3])) {
      LeaderElection election = m.election(r);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!election.isLeader() || election.leader().isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("did not become leader");
        }
        LockSupport.parkNanos(10_000_000L);
      }
    }
    JvmProcess.readyAndWait(Duration.ofMinutes(5));
  }
}
