package io.holdfast.lock.redis;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockObserver;
import io.holdfast.lock.LockService;
import io.holdfast.lock.Ticker;
import io.holdfast.lock.internal.Checks;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.redis.internal.Connector;
import io.holdfast.lock.redis.internal.RedisErrors;
import io.holdfast.lock.redis.internal.RedisSupport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Builds {@link LockService}s over Redis, through Lettuce.
 *
 * <pre>{@code
 * LockService locks = RedisLockService.builder(RedisURI.create("redis://localhost:6379"))
 *     .leaseTime(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <p>Standalone and Sentinel deployments come through {@link RedisURI} (or a {@link RedisClient});
 * Redis Cluster through a {@link RedisClusterClient}. TLS ({@code rediss://}) and AUTH/ACL users
 * are set on the URI. A client the application passes in stays the application's: the service opens
 * two connections on it (commands, and pub/sub for waiters; a third with {@link
 * Builder#waitForReplicas}) and closes only those. A service built from a URI owns its client and
 * shuts it down on {@code close()}; the clients of all such services in a JVM share one set of
 * Lettuce {@link ClientResources} (event loops), shut down when the last of them closes, unless
 * {@link Builder#clientResources} names the application's own. Redis 7.0 or later.
 *
 * <p>Costs, in round trips: acquire 1 (one {@code EVALSHA}), release 1, renewal 1 per 100 held
 * locks per round (every third of the lease time), reentrant acquire 0. See {@code docs/redis.md}
 * for the data layout and what survives a restart or a failover.
 */
public final class RedisLockService {
  /** The default key prefix. */
  public static final String DEFAULT_KEY_PREFIX = "holdfast:";

  private RedisLockService() {}

  /**
   * A builder for a service that creates (and owns) a client for {@code uri}: a standalone server,
   * or a Sentinel-monitored one ({@code redis-sentinel://...}).
   *
   * @param uri where to connect
   * @return a new builder
   */
  public static Builder builder(RedisURI uri) {
    return new Builder(Objects.requireNonNull(uri, "uri"), null, null);
  }

  /**
   * A builder for a service over the application's own standalone or Sentinel client.
   *
   * @param client the client, which the service never shuts down
   * @return a new builder
   */
  public static Builder builder(RedisClient client) {
    return new Builder(null, Objects.requireNonNull(client, "client"), null);
  }

  /**
   * A builder for a service over the application's own Redis Cluster client.
   *
   * @param client the client, which the service never shuts down
   * @return a new builder
   */
  public static Builder builder(RedisClusterClient client) {
    return new Builder(null, null, Objects.requireNonNull(client, "client"));
  }

  /**
   * Options of a Redis lock service. Each setter validates its argument at once. Not thread-safe;
   * {@link #build()} may be called more than once.
   */
  public static final class Builder {
    private final @Nullable RedisURI uri;
    private final @Nullable RedisClient client;
    private final @Nullable RedisClusterClient clusterClient;
    private final ServiceConfig.Builder config = new ServiceConfig.Builder();
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private int waitReplicas;
    private Duration waitTimeout = Duration.ZERO;
    private @Nullable ClientResources clientResources;

    private Builder(
        @Nullable RedisURI uri,
        @Nullable RedisClient client,
        @Nullable RedisClusterClient clusterClient) {
      this.uri = uri;
      this.client = client;
      this.clusterClient = clusterClient;
    }

    /**
     * How long a grant lives without renewal; renewals run every third of it while a handle is
     * open. A holder that stops renewing (crash, pause, partition) keeps the lock at most this
     * long. Default 10 s; from 100 ms to 1 day.
     *
     * @param leaseTime the lease time
     * @return this builder
     */
    public Builder leaseTime(Duration leaseTime) {
      config.leaseTime(leaseTime);
      return this;
    }

    /**
     * How long {@link LockService#acquire(String)} waits. Default 30 s; zero or more.
     *
     * @param defaultWait the wait
     * @return this builder
     */
    public Builder defaultWait(Duration defaultWait) {
      config.defaultWait(defaultWait);
      return this;
    }

    /**
     * How long one Redis operation may take before it fails with {@code LockBackendException}, on
     * any client (a client passed in may have a longer timeout, or none: the service bounds each
     * operation itself). Default 3 s; from 10 ms to 1 day. For a client the service creates, also
     * its connect timeout, TLS handshake timeout and Lettuce command timeout.
     *
     * @param commandTimeout the timeout
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      config.commandTimeout(commandTimeout);
      return this;
    }

    /**
     * The prefix of every key (and pub/sub channel) the service uses. Default {@value
     * #DEFAULT_KEY_PREFIX}. Services that must see each other's locks use the same prefix.
     *
     * @param keyPrefix at most 64 characters, without '{' or '}' (they would break hash tags)
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = RedisSupport.checkKeyPrefix(keyPrefix);
      return this;
    }

    /**
     * After each grant, waits with {@code WAIT} until {@code replicas} replicas acknowledged it
     * (and the fencing counter), so that a failover to one of them keeps the grant. A grant that
     * does not reach them within {@code timeout} is released and the acquire fails with {@code
     * LockBackendException}. Costs one more round trip per acquire. The grant and its {@code WAIT}
     * go over a connection of their own, which {@code WAIT} blocks until it returns: renewals and
     * releases never wait behind it, but this service's acquires queue behind each other's {@code
     * WAIT}, and an acquire may take its wait plus {@code timeout} plus the command timeout.
     * Default: 0 replicas (off).
     *
     * @param replicas how many replicas must acknowledge, 0 to turn off
     * @param timeout how long to wait for them, positive when {@code replicas > 0}
     * @return this builder
     */
    public Builder waitForReplicas(int replicas, Duration timeout) {
      if (replicas < 0) {
        throw new IllegalArgumentException(
            "waitForReplicas replicas must be 0 or more, was " + replicas);
      }
      Checks.checkWait(timeout, "waitForReplicas timeout");
      if (replicas > 0 && (timeout.isZero() || timeout.toMillis() == 0)) {
        throw new IllegalArgumentException(
            "waitForReplicas timeout must be at least 1 ms when replicas > 0, was " + timeout);
      }
      this.waitReplicas = replicas;
      this.waitTimeout = timeout;
      return this;
    }

    /**
     * The Lettuce resources (event loops, timer) for the client the service creates from its URI.
     * They stay the application's: the service never shuts them down. Default: resources shared by
     * every service of this JVM built from a URI, shut down when the last of them closes.
     *
     * @param clientResources the resources
     * @return this builder
     * @throws IllegalStateException if the builder was made with an application's client
     */
    public Builder clientResources(ClientResources clientResources) {
      Objects.requireNonNull(clientResources, "clientResources");
      if (uri == null) {
        throw new IllegalStateException(
            "clientResources applies only to a client the service creates;"
                + " set them on your client");
      }
      this.clientResources = clientResources;
      return this;
    }

    /**
     * Where {@code onLost} listeners run. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      config.callbackExecutor(executor);
      return this;
    }

    /**
     * Sets an observer that sees how each acquire ended and how long it waited, each release with
     * the time held, each lost lease, and each failed renewal round: for metrics and tracing (the
     * Spring Boot starter binds one to Micrometer). Default: none.
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
     * Connects and builds the service.
     *
     * @return a new, open service
     * @throws LockBackendException if Redis cannot be reached within the command timeout
     */
    public LockService build() {
      ServiceConfig cfg = config.build();
      RedisErrors errors =
          clusterClient != null
              ? new RedisErrors("Redis Cluster", false, cfg.commandTimeout())
              : RedisErrors.of(uri, cfg.commandTimeout());
      Connector connector;
      try {
        if (clusterClient != null) {
          connector = Connector.cluster(clusterClient, false);
        } else if (client != null) {
          connector = Connector.standalone(client, false);
        } else {
          connector =
              Connector.standalone(
                  RedisSupport.createClient(
                      Objects.requireNonNull(uri), cfg.commandTimeout(), clientResources));
        }
      } catch (RuntimeException e) {
        throw errors.lockConnect(e);
      }
      try {
        return new RedisLockServiceImpl(
            cfg, connector, errors, keyPrefix, waitReplicas, waitTimeout);
      } catch (RuntimeException e) {
        connector.close();
        throw errors.lockConnect(e);
      }
    }
  }
}
