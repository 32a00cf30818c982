package io.holdfast.membership;

/**
 * Picks one live member for a key, the same member for the same key while it lives. Thread-safe.
 * Made by {@link PeerSelectors#rendezvous(MembershipView)}.
 */
@FunctionalInterface
public interface KeyedPeerSelector {
  /**
   * Picks the member for {@code key}.
   *
   * @param key the routing key, e.g. a customer id
   * @return a live member
   * @throws NoLiveMembersException if the view is empty
   */
  Member select(String key);
}
