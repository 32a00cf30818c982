package io.holdfast.membership;

/** A member with the same id is already live in the group; nothing was overwritten. */
public class DuplicateMemberException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param group the group
   * @param id the id already taken
   */
  public DuplicateMemberException(String group, String id) {
    super("member '" + id + "' is already live in group '" + group + "'", null);
  }
}
