package io.holdfast.membership;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * Who is alive in a group of service instances.
 *
 * <pre>{@code
 * Registration me = membership.register(MemberInfo.builder("inventory")
 *     .host("10.0.0.7").port(8080).metadata("zone", "eu-1").build());
 * try (MembershipView peers = membership.view("inventory")) {
 *     Member target = PeerSelectors.roundRobin(peers).select();
 * }
 * }</pre>
 *
 * <h2>Failure detection</h2>
 *
 * A member that closes its {@link Registration} leaves at once. A member that crashes or is cut off
 * leaves within the backend's failure-detection timeout (the ZooKeeper session timeout; the Redis
 * heartbeat TTL) plus the bound stated by each backend. A member whose registration was lost while
 * it lived (session expiry, Redis restart) registers again by itself and says so to its {@link
 * RegistrationListener}.
 *
 * <h2>Listeners</h2>
 *
 * Listeners run on a library thread or an executor the caller chooses, never while the library
 * holds an internal lock; a listener that throws is logged and does not stop others. Events of one
 * subscription are delivered one at a time, in order.
 *
 * <p>Thread-safe. {@link #close()} deregisters every member this instance registered, ends every
 * subscription, view and election, and closes the connections it opened.
 */
public interface Membership extends AutoCloseable {

  /**
   * Registers a member. Returns once peers can see it.
   *
   * @param self the member to register
   * @return the live registration; close it to leave
   * @throws DuplicateMemberException if a member with the same id is live in the group
   * @throws MembershipBackendException if the backend cannot be reached in time
   */
  Registration register(MemberInfo self);

  /**
   * The live members of a group now, ordered by id.
   *
   * @param group the group
   * @return the members
   */
  List<Member> members(String group);

  /**
   * The groups that have at least one live member now, sorted: a snapshot read from the backend,
   * for tools and service discovery (Spring Cloud's {@code getServices()}). It walks the backend's
   * keys or nodes (Redis {@code SCAN}, which the service's ACL must allow; ZooKeeper the children
   * of the root path), so it costs more than {@link #members} and is not meant for every request.
   *
   * @return the group names
   * @throws MembershipBackendException if the backend cannot be reached in time
   */
  List<String> groups();

  /**
   * Watches a group: the listener first receives a snapshot, then every join, update and leave in
   * order, on the service's callback thread.
   *
   * @param group the group
   * @param listener what to tell
   * @return the subscription; close it to stop
   */
  Subscription watch(String group, MembershipListener listener);

  /**
   * As {@link #watch(String, MembershipListener)}, with callbacks on {@code executor} (still one at
   * a time, in order).
   *
   * @param group the group
   * @param listener what to tell
   * @param executor where to run the callbacks
   * @return the subscription
   */
  Subscription watch(String group, MembershipListener listener, Executor executor);

  /**
   * A live, self-updating view of a group, for {@link PeerSelectors}.
   *
   * @param group the group
   * @return the view, filled before this returns; close it to stop following
   */
  MembershipView view(String group);

  /**
   * Enters the leader election of the member's group. At most one member of a group is leader at a
   * time; every new leadership has a larger {@link LeaderElection#epoch() epoch}, usable as a
   * fencing token. Leadership is given up as soon as the holder can no longer be sure of it.
   *
   * @param registration a live registration of this instance: the candidate
   * @return the election handle; close it to resign and leave the election
   */
  LeaderElection election(Registration registration);

  /** Deregisters, unsubscribes and disconnects everything this instance opened. Idempotent. */
  @Override
  void close();
}
