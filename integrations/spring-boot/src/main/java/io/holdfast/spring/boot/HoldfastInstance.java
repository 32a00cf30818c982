package io.holdfast.spring.boot;

import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;

/**
 * This application as a member of its group: registered once the application is ready (the web
 * server, if any, is listening, so the real port is known), and deregistered when the context stops
 * — before the web server's graceful shutdown begins, so peers stop routing here while in-flight
 * requests still complete.
 *
 * <p>Thread-safe. Created by the auto-configuration when a {@link Membership} bean exists and
 * {@code holdfast.membership.register} is not false.
 */
public final class HoldfastInstance
    implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {
  /**
   * Stops before every other lifecycle at the default phase or below, among them the web server's
   * graceful shutdown ({@code SmartLifecycle.DEFAULT_PHASE - 1024}).
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE;

  private final Membership membership;
  private final HoldfastProperties.MembershipSettings settings;
  private final Environment env;
  private final ApplicationEventPublisher events;

  private final List<Hook> hooks;
  private final boolean autoRegister;

  private @Nullable String id;
  private @Nullable Registration registration;
  private @Nullable LeaderElection election;
  private List<AutoCloseable> started = List.of();
  private boolean running;

  /**
   * Something started once this instance has registered (and its election, if any, exists), and
   * closed when it leaves: the membership meters, the application's listener beans.
   */
  @FunctionalInterface
  interface Hook {
    AutoCloseable start(HoldfastInstance instance, String group);
  }

  HoldfastInstance(
      Membership membership,
      HoldfastProperties.MembershipSettings settings,
      Environment env,
      ApplicationEventPublisher events,
      List<Hook> hooks) {
    this.membership = membership;
    this.settings = settings;
    this.env = env;
    this.events = events;
    this.hooks = List.copyOf(hooks);
    // Spring Cloud's switch for every registry's auto-registration applies to this one too.
    this.autoRegister =
        env.getProperty(AUTO_REGISTRATION_PROPERTY, Boolean.class, Boolean.TRUE).booleanValue();
  }

  /** Spring Cloud's property that turns every registry's registration at startup off. */
  static final String AUTO_REGISTRATION_PROPERTY =
      "spring.cloud.service-registry.auto-registration.enabled";

  /**
   * This instance's registration, once the application is ready and until it stops.
   *
   * @return the registration, or empty
   */
  public synchronized Optional<Registration> registration() {
    return Optional.ofNullable(registration);
  }

  /**
   * The election this instance stands in, when {@code holdfast.membership.election.enabled} is
   * true, once registered and until stopped.
   *
   * @return the election, or empty
   */
  public synchronized Optional<LeaderElection> election() {
    return Optional.ofNullable(election);
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if (autoRegister) {
      register();
    }
  }

  /**
   * Registers this instance now, unless it is registered already or its context is not running.
   *
   * @return whether it is registered when this returns
   */
  synchronized boolean register() {
    if (!running || registration != null) {
      return registration != null;
    }
    doRegister();
    return true;
  }

  /**
   * Leaves the group (and the election) until {@link #register()} is called again; the context
   * keeps running. Does nothing when not registered.
   */
  synchronized void deregister() {
    leave();
  }

  private void doRegister() {
    MemberInfo self = self();
    Registration r = membership.register(self);
    registration = r;
    if (settings.getElection().isEnabled()) {
      LeaderElection e = membership.election(r);
      e.addListener(
          new OncePerEpoch(
              new LeadershipListener() {
                @Override
                public void gained(long epoch) {
                  events.publishEvent(
                      new HoldfastLeadershipEvent(HoldfastInstance.this, true, epoch));
                }

                @Override
                public void lost(long epoch) {
                  events.publishEvent(
                      new HoldfastLeadershipEvent(HoldfastInstance.this, false, epoch));
                }
              }));
      election = e;
    }
    List<AutoCloseable> now = new ArrayList<>();
    for (Hook h : hooks) {
      now.add(h.start(this, self.group()));
    }
    started = now;
  }

  /** The membership this instance registers with. */
  Membership membership() {
    return membership;
  }

  /** The member this application registers as, from the properties and the environment. */
  synchronized MemberInfo self() {
    String group = settings.getGroup();
    if (group == null) {
      group = env.getProperty("spring.application.name");
    }
    if (group == null || group.isBlank()) {
      throw new InvalidHoldfastPropertyException(
          "holdfast.membership.group",
          "",
          "set holdfast.membership.group or spring.application.name to the group this"
              + " application registers in (or holdfast.membership.register=false)");
    }
    String id = this.id;
    if (id == null) {
      id = settings.getId();
      if (id == null) {
        id = group + "-" + UUID.randomUUID().toString().substring(0, 12);
      }
      this.id = id; // one id for the instance's life, also across a deregister and register
    }
    String host = settings.getHost();
    if (host == null) {
      host = detectHost();
    }
    Integer port = settings.getPort();
    if (port == null) {
      port = env.getProperty("local.server.port", Integer.class, 0);
    }
    MemberInfo.Builder b;
    try {
      b = MemberInfo.builder(group).id(id).host(host).port(port).metadata(settings.getMetadata());
    } catch (IllegalArgumentException e) {
      throw new InvalidHoldfastPropertyException(
          "holdfast.membership", group + "/" + id, String.valueOf(e.getMessage()), e);
    }
    Integer management = env.getProperty("local.management.port", Integer.class);
    if (management != null && management != port.intValue()) {
      b.metadata("management.port", String.valueOf(management));
    }
    return b.build();
  }

  /** The first up, non-loopback IPv4 address; else the local host's address. */
  static String detectHost() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // fall through to the local host
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return InetAddress.getLoopbackAddress().getHostAddress();
    }
  }

  @Override
  public synchronized void start() {
    running = true;
  }

  @Override
  public synchronized void stop() {
    running = false;
    leave();
  }

  private void leave() {
    List<AutoCloseable> hooked = started;
    started = List.of();
    for (AutoCloseable h : hooked) {
      try {
        h.close();
      } catch (Exception ex) {
        // meters and listeners only: nothing to undo
      }
    }
    LeaderElection e = election;
    election = null;
    if (e != null) {
      e.close();
    }
    Registration r = registration;
    registration = null;
    if (r != null) {
      r.close();
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
