package io.holdfast.membership;

import java.util.Optional;

/**
 * One candidate in its group's leader election, built on the backend's lock: the leader is the
 * holder of the group's election lock, and its epoch is that grant's fencing token. Thread-safe.
 * Close it to resign (if leading) and leave the election; idempotent.
 */
public interface LeaderElection extends AutoCloseable {
  /**
   * Whether this candidate leads now, as far as this process can tell (see the lock's {@code
   * isHeld()}: use the epoch as a fencing token for anything that matters).
   *
   * @return whether leader
   */
  boolean isLeader();

  /**
   * The epoch of this candidate's current or last leadership, 0 if it never led.
   *
   * @return the epoch
   */
  long epoch();

  /**
   * The member that currently advertises the highest epoch among the live members of the group: the
   * leader as peers see it. On the candidate whose {@link #isLeader()} is true it is that candidate
   * (with its {@link #epoch()}) from that moment on, before peers have seen it.
   *
   * @return the leader, or empty while there is none
   */
  Optional<Member> leader();

  /**
   * Adds a listener; if this candidate leads now, it is told {@code gained} at once.
   *
   * @param listener the listener
   * @return this election
   */
  LeaderElection addListener(LeadershipListener listener);

  /** Resigns and leaves the election. */
  @Override
  void close();
}
