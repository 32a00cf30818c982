package io.holdfast.membership.etcd;

import io.etcd.jetcd.Client;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.etcd.internal.EtcdSupport;
import io.holdfast.lock.internal.Checks;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.membership.Membership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Membership} over etcd (v3 API, etcd 3.4 or later), on jetcd.
 *
 * <h2>Model</h2>
 *
 * A member is a key {@code <namespace>members/<group>/<id>} attached to the membership's etcd
 * lease, which Holdfast renews itself every third of the lease time (single keep-alive requests,
 * judged from their send time, as in {@link EtcdLockService}). A crashed process's members vanish
 * when etcd expires its lease: within the lease time (rounded up to whole seconds) plus etcd's
 * expiry check. A registration that finds its key or its lease gone reports {@code lost} and
 * registers again by itself. Watchers read the group at a revision R, then watch its prefix from R
 * + 1, so no change is missed across reconnections; if etcd compacted past the watch, a fresh read
 * starts it over. Leader elections run over {@link EtcdLockService} on the same client: the leader
 * epoch is the election lock's fencing token, the key's create revision.
 *
 * <p>Memberships are thread-safe. Builders are not; each setter validates at once.
 */
public final class EtcdMembership {
  /** The default lease time: how long a crashed member stays listed, at most (plus ~1 s). */
  public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(10);

  private EtcdMembership() {}

  /**
   * A builder for a membership that opens (and on close, closes) its own jetcd client.
   *
   * @param endpoints client URLs such as {@code http://etcd1:2379} ({@code https://} turns TLS on)
   * @return a new builder
   * @throws IllegalArgumentException if there is no endpoint, or one is not an http(s) URL
   */
  public static Builder builder(String... endpoints) {
    return new Builder(null, new EtcdSupport.Connection(endpoints));
  }

  /**
   * A builder for a membership that uses the application's client, which it never closes.
   *
   * @param client a jetcd client
   * @return a new builder
   */
  public static Builder builder(Client client) {
    Objects.requireNonNull(client, "client");
    return new Builder(client, null);
  }

  /** Builds an etcd {@link Membership}. Not thread-safe; each setter validates at once. */
  public static final class Builder {
    private final @Nullable Client client;
    private final EtcdSupport.@Nullable Connection connection;
    private Duration leaseTime = DEFAULT_LEASE_TIME;
    private Duration commandTimeout = ServiceConfig.DEFAULT_COMMAND_TIMEOUT;
    private String namespace = EtcdLockService.DEFAULT_NAMESPACE;
    private @Nullable Executor callbackExecutor;

    private Builder(@Nullable Client client, EtcdSupport.@Nullable Connection connection) {
      this.client = client;
      this.connection = connection;
    }

    /**
     * How long members outlive a process that stopped renewing, and the lease time of election
     * locks. Default 10 s.
     *
     * @param leaseTime between 100 ms and 1 day (etcd counts whole seconds, rounding up)
     * @return this builder
     */
    public Builder leaseTime(Duration leaseTime) {
      this.leaseTime =
          Checks.checkRange(
              leaseTime, "leaseTime", ServiceConfig.MIN_LEASE_TIME, ServiceConfig.MAX_TIMEOUT);
      return this;
    }

    /**
     * How long one etcd request may take before an operation fails with {@link
     * io.holdfast.membership.MembershipBackendException}. Default 3 s.
     *
     * @param commandTimeout between 10 ms and 1 day
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout =
          Checks.checkRange(
              commandTimeout,
              "commandTimeout",
              ServiceConfig.MIN_COMMAND_TIMEOUT,
              ServiceConfig.MAX_TIMEOUT);
      return this;
    }

    /**
     * The key prefix every key starts with. Default {@value EtcdLockService#DEFAULT_NAMESPACE}.
     *
     * @param namespace not empty, ending with {@code '/'}
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = EtcdSupport.checkPrefix(namespace, "namespace");
      return this;
    }

    /**
     * Authenticates with etcd's user and password (only for {@link
     * EtcdMembership#builder(String...)}).
     *
     * @param user not blank
     * @param password not empty
     * @return this builder
     * @throws IllegalStateException if the builder was made with an application's client
     */
    public Builder auth(String user, String password) {
      requireOwnClient("auth");
      Objects.requireNonNull(connection).auth(user, password);
      return this;
    }

    /**
     * Connects over TLS, trusting the certificates in a PEM file (only for {@link
     * EtcdMembership#builder(String...)}).
     *
     * @param trustedCertificates a readable PEM file, e.g. etcd's CA certificate
     * @return this builder
     * @throws IllegalStateException if the builder was made with an application's client
     */
    public Builder tls(Path trustedCertificates) {
      Objects.requireNonNull(trustedCertificates, "trustedCertificates");
      requireOwnClient("tls");
      Objects.requireNonNull(connection).tls(trustedCertificates);
      return this;
    }

    private void requireOwnClient(String option) {
      if (client != null) {
        throw new IllegalStateException(
            option + " applies only to a client the membership creates; set it on your Client");
      }
    }

    /**
     * Where listeners run by default. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the membership.
     *
     * @return a new membership; close it when done
     */
    public Membership build() {
      Client c = client;
      if (c != null) {
        return new EtcdMembershipImpl(
            c,
            false,
            namespace,
            leaseTime,
            commandTimeout,
            callbackExecutor,
            List.of("(the application's client)"));
      }
      EtcdSupport.Connection conn = Objects.requireNonNull(connection);
      return new EtcdMembershipImpl(
          conn.open(commandTimeout),
          true,
          namespace,
          leaseTime,
          commandTimeout,
          callbackExecutor,
          conn.endpoints());
    }
  }
}
