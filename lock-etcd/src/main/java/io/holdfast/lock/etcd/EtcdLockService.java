package io.holdfast.lock.etcd;

import io.etcd.jetcd.Client;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockObserver;
import io.holdfast.lock.LockService;
import io.holdfast.lock.Ticker;
import io.holdfast.lock.etcd.internal.EtcdSupport;
import io.holdfast.lock.internal.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link LockService} over etcd (v3 API, etcd 3.4 or later), on jetcd.
 *
 * <pre>{@code
 * LockService locks = EtcdLockService.builder("http://etcd1:2379", "http://etcd2:2379")
 *     .leaseTime(Duration.ofSeconds(10))
 *     .build();
 * try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(2))) {
 *     stock.decrement(sku, lock.fencingToken());
 * }
 * }</pre>
 *
 * <h2>How it works</h2>
 *
 * Each acquire creates a key of its own under {@code <namespace>locks/<name>/}, attached to the
 * service's etcd lease, in a transaction that also reads the queue: the key with the lowest create
 * revision holds the lock, and every other waiter watches only the key just before its own, from
 * the revision after its put, so a release wakes exactly one waiter and no deletion is missed. The
 * fencing token is the holder key's create revision: cluster-wide, strictly increasing, and it
 * survives restarts and leader changes. Release deletes our key only if it is still ours (compared
 * on its create revision). An acquire that times out or is cancelled deletes its key, so the lock
 * is never granted to nobody. An uncontended acquire and release costs two requests (one
 * transaction each).
 *
 * <h2>Leases and loss</h2>
 *
 * The service keeps one etcd lease, with a TTL of the lease time rounded up to whole seconds, and
 * renews it itself every third of the lease time with single keep-alive requests (not jetcd's
 * keep-alive stream, which can end silently). A grant is valid until the lease time after the
 * <em>send</em> time of the last confirmed renewal, on the local monotonic clock: if no renewal is
 * confirmed in time, {@link LockHandle#isHeld()} turns {@code false} and {@link LockHandle#onLost}
 * listeners run, before etcd can have let the key go. A holder whose key was deleted by someone
 * else learns it at the next renewal. A lost grant's key is deleted as soon as etcd can be reached.
 * A backend outage fails acquires with {@link io.holdfast.lock.LockBackendException} within the
 * command timeout, naming the cause (unreachable, authentication, TLS, timeout).
 *
 * <h2>Clients and threads</h2>
 *
 * A {@link Client} passed to {@link #builder(Client)} stays the application's: the service never
 * closes it. Lost-listeners and successful {@link LockService#acquireAsync} futures run on the
 * callback executor, never on jetcd's threads.
 *
 * <p>Services are thread-safe. Builders are not; each setter validates at once.
 */
public final class EtcdLockService {
  /** The default namespace: every key of the service starts with it. */
  public static final String DEFAULT_NAMESPACE = "/holdfast/";

  private EtcdLockService() {}

  /**
   * A builder for a service that opens (and on close, closes) its own jetcd client.
   *
   * @param endpoints client URLs such as {@code http://etcd1:2379} ({@code https://} turns TLS on)
   * @return a new builder
   * @throws IllegalArgumentException if there is no endpoint, or one is not an http(s) URL
   */
  public static Builder builder(String... endpoints) {
    return new Builder(null, new EtcdSupport.Connection(endpoints));
  }

  /**
   * A builder for a service that uses the application's client. The service never closes it; TLS
   * and authentication are set on the client.
   *
   * @param client a jetcd client
   * @return a new builder
   */
  public static Builder builder(Client client) {
    Objects.requireNonNull(client, "client");
    return new Builder(client, null);
  }

  /**
   * Builds an etcd {@link LockService}. Not thread-safe; each setter validates at once and throws
   * {@link NullPointerException} for null and {@link IllegalArgumentException} for values out of
   * range.
   */
  public static final class Builder {
    private final @Nullable Client client;
    private final EtcdSupport.@Nullable Connection connection;
    private final ServiceConfig.Builder config = new ServiceConfig.Builder();
    private String namespace = DEFAULT_NAMESPACE;

    private Builder(@Nullable Client client, EtcdSupport.@Nullable Connection connection) {
      this.client = client;
      this.connection = connection;
    }

    /**
     * How long a grant stays valid without a confirmed renewal; also the TTL of the service's etcd
     * lease (rounded up to whole seconds; etcd may raise it to its minimum). Default 10 s.
     *
     * @param leaseTime between 100 ms and 1 day
     * @return this builder
     */
    public Builder leaseTime(Duration leaseTime) {
      config.leaseTime(leaseTime);
      return this;
    }

    /**
     * How long {@link LockService#acquire(String)} waits. Default 30 s.
     *
     * @param defaultWait zero or positive
     * @return this builder
     */
    public Builder defaultWait(Duration defaultWait) {
      config.defaultWait(defaultWait);
      return this;
    }

    /**
     * How long one etcd request may take before the operation fails with {@link
     * io.holdfast.lock.LockBackendException}; also the connection timeout of a client the service
     * creates, and the longest a {@code close()} waits for a release. Default 3 s.
     *
     * @param commandTimeout between 10 ms and 1 day
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      config.commandTimeout(commandTimeout);
      return this;
    }

    /**
     * The key prefix every key of the service starts with. Default {@value
     * EtcdLockService#DEFAULT_NAMESPACE}.
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
     * EtcdLockService#builder(String...)}).
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
     * Connects over TLS, trusting the JVM's default trust store (only for {@link
     * EtcdLockService#builder(String...)}; {@code https://} endpoints do this too).
     *
     * @return this builder
     * @throws IllegalStateException if the builder was made with an application's client
     */
    public Builder tls() {
      requireOwnClient("tls");
      Objects.requireNonNull(connection).tls(null);
      return this;
    }

    /**
     * Connects over TLS, trusting the certificates in a PEM file (only for {@link
     * EtcdLockService#builder(String...)}).
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
            option + " applies only to a client the service creates; set it on your jetcd Client");
      }
    }

    /**
     * Where lost-listeners run. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      config.callbackExecutor(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * Sets an observer that sees how each acquire ended and how long it waited, each release with
     * the time held, each lost lease, and each failed renewal: for metrics and tracing. Default:
     * none.
     *
     * @param observer the observer; its methods must be fast and must not block
     * @return this builder
     */
    public Builder observer(LockObserver observer) {
      config.observer(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /**
     * Sets the time source leases, renewals and pause detection are judged by, for tests on fake
     * time (the testkit's {@code FakeTicker}). Default: {@link Ticker#system()}.
     *
     * @param ticker the time source
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      config.ticker(Objects.requireNonNull(ticker, "ticker"));
      return this;
    }

    /**
     * Builds the service. It connects lazily: the first acquire grants the service's etcd lease.
     *
     * @return a new service; close it when done
     */
    public LockService build() {
      ServiceConfig cfg = config.build();
      Client c = client;
      if (c != null) {
        return new EtcdLockServiceImpl(
            cfg, c, false, namespace, List.of("(the application's client)"));
      }
      EtcdSupport.Connection conn = Objects.requireNonNull(connection);
      return new EtcdLockServiceImpl(
          cfg, conn.open(cfg.commandTimeout()), true, namespace, conn.endpoints());
    }
  }
}
