package io.holdfast.membership;

import java.util.Map;

/** One's own live membership. Thread-safe. Close it to leave the group (idempotent). */
public interface Registration extends AutoCloseable {
  /**
   * This member as last published.
   *
   * @return the member
   */
  Member member();

  /**
   * Whether the backend currently holds this registration, as far as this process knows.
   *
   * @return whether registered
   */
  boolean isRegistered();

  /**
   * Replaces the member's metadata; watchers receive it as {@code updated}. Returns once published.
   *
   * @param metadata the new metadata, within {@link MemberInfo#MAX_METADATA_BYTES}
   * @throws IllegalStateException if the registration was closed
   */
  void update(Map<String, String> metadata);

  /**
   * Adds a listener for loss and automatic re-registration.
   *
   * @param listener the listener
   * @return this registration
   */
  Registration addListener(RegistrationListener listener);

  /** Leaves the group: peers see {@code left} at once. */
  @Override
  void close();
}
