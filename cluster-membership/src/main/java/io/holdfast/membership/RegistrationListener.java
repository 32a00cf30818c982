package io.holdfast.membership;

/**
 * What happens to one's own registration. Callbacks run on the membership's callback executor (its
 * own thread unless the builder was given one); a callback that throws is logged and ignored.
 */
public interface RegistrationListener {
  /**
   * The registration was found missing (session expiry, Redis restart, a long pause) and peers may
   * have seen this member leave.
   *
   * @param member this member
   */
  default void lost(Member member) {}

  /**
   * The member registered again by itself after a loss; peers see it join again.
   *
   * @param member this member, with its new join time
   */
  default void reRegistered(Member member) {}
}
