package io.holdfast.membership.internal;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Creates {@link Member}s for the backends, whose constructor is not public API (only backends
 * describe what a server holds). {@code Member} hands its constructor over when it is initialized.
 */
public final class Members {
  /** {@link Member}'s constructor. */
  @FunctionalInterface
  public interface Factory {
    /**
     * Creates a member.
     *
     * @param info what it registered
     * @param joinedAt when it joined, by the backend's clock
     * @param leaderEpoch the leadership epoch it advertises, 0 if none
     * @return the member
     */
    Member create(MemberInfo info, Instant joinedAt, long leaderEpoch);
  }

  private static volatile @Nullable Factory factory;

  private Members() {}

  /**
   * Called once, by {@link Member}'s static initializer.
   *
   * @param f the constructor
   * @throws IllegalStateException if a factory is already installed
   */
  public static synchronized void install(Factory f) {
    if (factory != null) {
      throw new IllegalStateException("Member's factory is installed already");
    }
    factory = Objects.requireNonNull(f, "f");
  }

  /**
   * A member as a backend holds it.
   *
   * @param info what it registered
   * @param joinedAt when it joined, by the backend's clock
   * @param leaderEpoch the leadership epoch it advertises, 0 if none
   * @return the member
   * @throws IllegalArgumentException if {@code leaderEpoch} is negative
   */
  public static Member create(MemberInfo info, Instant joinedAt, long leaderEpoch) {
    Factory f = factory;
    if (f == null) {
      initialize();
      f = Objects.requireNonNull(factory, "Member did not install its factory");
    }
    return f.create(info, joinedAt, leaderEpoch);
  }

  private static void initialize() {
    try {
      Class.forName(Member.class.getName(), true, Member.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
