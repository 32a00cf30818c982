package io.holdfast.membership;

/** Picks one live member of a view. Thread-safe. Made by {@link PeerSelectors}. */
@FunctionalInterface
public interface PeerSelector {
  /**
   * Picks a member.
   *
   * @return a live member
   * @throws NoLiveMembersException if the view has no member that qualifies
   */
  Member select();
}
