package io.holdfast.membership.internal;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.Registration;
import io.holdfast.membership.RegistrationListener;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The backend-independent half of a registration: state, listeners, validation. Backends implement
 * publishing, leaving, and call {@link #markLost()} / {@link #markReRegistered(Member)}.
 */
public abstract class AbstractRegistration implements Registration {
  /** The membership this registration belongs to. */
  protected final AbstractMembership owner;

  private final CopyOnWriteArrayList<RegistrationListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Member member;
  private volatile boolean registered = true;

  /**
   * Creates a registration that is live with {@code member}.
   *
   * @param owner the membership
   * @param member the member as registered
   */
  protected AbstractRegistration(AbstractMembership owner, Member member) {
    this.owner = owner;
    this.member = member;
  }

  @Override
  public final Member member() {
    return member;
  }

  @Override
  public final boolean isRegistered() {
    return registered && !closed.get();
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return whether closed
   */
  public final boolean isClosed() {
    return closed.get();
  }

  @Override
  public final void update(Map<String, String> metadata) {
    Map<String, String> checked = Validation.checkMetadata(metadata);
    ensureOpen();
    MemberInfo info = member.info();
    MemberInfo next =
        MemberInfo.builder(info.group())
            .id(info.id())
            .host(info.host())
            .port(info.port())
            .metadata(checked)
            .build();
    publish(next, member.leaderEpoch());
  }

  /**
   * Advertises (or, with 0, withdraws) a leadership epoch in this member's record.
   *
   * @param epoch the epoch, 0 for none
   */
  final void advertise(long epoch) {
    if (!closed.get()) {
      publish(member.info(), epoch);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this registration of '" + member.id() + "' is closed");
    }
  }

  /**
   * Publishes new info and epoch; returns once peers can see it.
   *
   * @param info the info
   * @param leaderEpoch the advertised epoch
   */
  protected abstract void publish(MemberInfo info, long leaderEpoch);

  /** Removes the member from the backend. Must not throw; bounded by the command timeout. */
  protected abstract void leave();

  /**
   * Records what the backend now holds.
   *
   * @param now the member
   */
  protected final void setMember(Member now) {
    this.member = now;
  }

  @Override
  public final Registration addListener(RegistrationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** The backend found the registration missing: tells the listeners once per loss. */
  protected final void markLost() {
    if (closed.get() || !registered) {
      return;
    }
    registered = false;
    Member m = member;
    for (RegistrationListener l : listeners) {
      owner.dispatch(() -> l.lost(m));
    }
  }

  /**
   * The member registered again by itself.
   *
   * @param now the member as now registered
   */
  protected final void markReRegistered(Member now) {
    member = now;
    if (closed.get()) {
      return;
    }
    registered = true;
    for (RegistrationListener l : listeners) {
      owner.dispatch(() -> l.reRegistered(now));
    }
  }

  /** A backend's registration call, for {@link #rejoin}. */
  @FunctionalInterface
  protected interface Registrar {
    /**
     * Registers the member again; on success also records what the backend needs to heartbeat it.
     *
     * @param info what it registers
     * @param leaderEpoch the leadership epoch it advertises
     * @return the join time in epoch milliseconds, or -1 if the id is live already (taken)
     * @throws MembershipBackendException if the backend failed
     */
    long register(MemberInfo info, long leaderEpoch);
  }

  /**
   * Registers again after the backend lost the registration: tells the listeners it was lost,
   * registers, and tells them it is back. A failure or a taken id is logged and left to the next
   * heartbeat, which calls this again. Blocks up to a command timeout: run it with {@link
   * AbstractMembership#scheduleBlocking}, never on the scheduler.
   *
   * @param registrar sends the registration
   * @param log the backend's logger
   */
  protected final synchronized void rejoin(Registrar registrar, Logger log) {
    if (isClosed()) {
      return;
    }
    markLost();
    Member m = member();
    long joined;
    try {
      joined = registrar.register(m.info(), m.leaderEpoch());
    } catch (MembershipBackendException e) {
      log.debug("re-registering '{}' failed; retrying next heartbeat", m.id(), e);
      return;
    }
    if (joined < 0) {
      log.warn(
          "'{}' was lost and its id is now taken in '{}'; retrying next heartbeat",
          m.id(),
          m.group());
      return;
    }
    log.info("'{}' registered again in '{}' after its registration was lost", m.id(), m.group());
    markReRegistered(Members.create(m.info(), Instant.ofEpochMilli(joined), m.leaderEpoch()));
  }

  @Override
  public final void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      leave();
    } finally {
      owner.registrationClosed(this);
    }
  }

  @Override
  public String toString() {
    return "Registration[" + member + (isRegistered() ? "" : ", not registered") + "]";
  }
}
