package io.holdfast.membership;

/** A peer was asked for, but the group has no live member that qualifies. */
public class NoLiveMembersException extends MembershipException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param group the group
   * @param why what was looked for
   */
  public NoLiveMembersException(String group, String why) {
    super("group '" + group + "' has no live member" + (why.isEmpty() ? "" : " " + why), null);
  }
}
