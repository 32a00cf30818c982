package io.holdfast.membership.redis;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockService;
import io.holdfast.lock.internal.Checks;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.redis.internal.Connector;
import io.holdfast.lock.redis.internal.RedisErrors;
import io.holdfast.lock.redis.internal.RedisSupport;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Membership} over Redis, through Lettuce.
 *
 * <p>Redis has no ephemeral keys, so a member is a lease: its id sits in the group's sorted set
 * scored by the time its lease runs out — taken from the server's clock ({@code TIME}) inside
 * scripts, never a client's — and a heartbeat every third of the TTL extends it. Any client's
 * script prunes expired members and announces them as left, so a crashed member leaves within
 * <b>TTL + TTL/3</b> (plus delivery) while some script runs against the group every TTL/3: another
 * live member's heartbeat, or a watcher's version check at the default reconcile interval;
 * otherwise within TTL + the watchers' reconcile interval. Changes are published on the group's
 * channel; watchers also compare the group's version every reconcile interval and re-read it if
 * they missed a message. Elections use a {@link RedisLockService} on the same client, with the TTL
 * as lease.
 *
 * <p>A client the application passes in stays the application's; one built from a URI is owned and
 * shut down on close, and runs on Lettuce resources shared with every other Holdfast service of the
 * JVM built from a URI (unless {@link Builder#clientResources} names the application's own). See
 * {@code docs/membership.md} for the keys and scripts.
 */
public final class RedisMembership {
  /** The default heartbeat TTL. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

  private RedisMembership() {}

  /**
   * A builder that creates (and owns) a client for {@code uri}.
   *
   * @param uri where to connect
   * @return a new builder
   */
  public static Builder builder(RedisURI uri) {
    return new Builder(Objects.requireNonNull(uri, "uri"), null, null);
  }

  /**
   * A builder over the application's own standalone or Sentinel client.
   *
   * @param client the client, never shut down by the membership
   * @return a new builder
   */
  public static Builder builder(RedisClient client) {
    return new Builder(null, Objects.requireNonNull(client, "client"), null);
  }

  /**
   * A builder over the application's own Redis Cluster client (a group's keys share one slot).
   *
   * @param client the client, never shut down by the membership
   * @return a new builder
   */
  public static Builder builder(RedisClusterClient client) {
    return new Builder(null, null, Objects.requireNonNull(client, "client"));
  }

  /** Options of a Redis membership; each setter validates at once. Not thread-safe. */
  public static final class Builder {
    private final @Nullable RedisURI uri;
    private final @Nullable RedisClient client;
    private final @Nullable RedisClusterClient clusterClient;
    private Duration ttl = DEFAULT_TTL;
    private @Nullable Duration reconcileInterval;
    private Duration commandTimeout = Duration.ofSeconds(3);
    private String keyPrefix = RedisLockService.DEFAULT_KEY_PREFIX;
    private @Nullable Executor callbackExecutor;
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
     * How long a member stays without a heartbeat; heartbeats run every third of it. Also the lease
     * of the election lock. Default 10 s; from 300 ms to 1 hour.
     *
     * @param ttl the TTL
     * @return this builder
     */
    public Builder heartbeatTtl(Duration ttl) {
      this.ttl =
          Checks.checkRange(ttl, "heartbeatTtl", Duration.ofMillis(300), Duration.ofHours(1));
      return this;
    }

    /**
     * How often a watcher checks the group's version to heal missed messages. Default: a third of
     * the TTL; from 10 ms to 1 hour.
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder reconcileInterval(Duration interval) {
      this.reconcileInterval =
          Checks.checkRange(
              interval, "reconcileInterval", Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /**
     * How long one Redis operation may take. Default 3 s; from 10 ms to 1 day. For a client the
     * membership creates, also its connect, TLS handshake and Lettuce command timeout.
     *
     * @param commandTimeout the timeout
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout =
          Checks.checkRange(
              commandTimeout, "commandTimeout", Duration.ofMillis(10), Duration.ofDays(1));
      return this;
    }

    /**
     * The prefix of every key and channel. Default {@code holdfast:}.
     *
     * @param keyPrefix at most 64 characters, without '{' or '}'
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = RedisSupport.checkKeyPrefix(keyPrefix);
      return this;
    }

    /**
     * The Lettuce resources (event loops, timer) for the client the membership creates from its
     * URI. They stay the application's: the membership never shuts them down. Default: resources
     * shared by every Holdfast service of this JVM built from a URI, shut down when the last of
     * them closes.
     *
     * @param clientResources the resources
     * @return this builder
     * @throws IllegalStateException if the builder was made with an application's client
     */
    public Builder clientResources(ClientResources clientResources) {
      Objects.requireNonNull(clientResources, "clientResources");
      if (uri == null) {
        throw new IllegalStateException(
            "clientResources applies only to a client the membership creates;"
                + " set them on your client");
      }
      this.clientResources = clientResources;
      return this;
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
     * Connects and builds the membership.
     *
     * @return a new, open membership
     * @throws MembershipBackendException if Redis cannot be reached
     */
    public Membership build() {
      RedisErrors errors =
          clusterClient != null
              ? new RedisErrors("Redis Cluster", false, commandTimeout)
              : RedisErrors.of(uri, commandTimeout);
      Connector connector = null;
      LockService locks = null;
      try {
        RedisLockService.Builder lockBuilder;
        if (clusterClient != null) {
          connector = Connector.cluster(clusterClient, false);
          lockBuilder = RedisLockService.builder(clusterClient);
        } else if (client != null) {
          connector = Connector.standalone(client, false);
          lockBuilder = RedisLockService.builder(client);
        } else {
          RedisSupport.OwnedClient owned =
              RedisSupport.createClient(
                  Objects.requireNonNull(uri), commandTimeout, clientResources);
          connector = Connector.standalone(owned);
          lockBuilder = RedisLockService.builder(owned.client());
        }
        locks =
            lockBuilder.keyPrefix(keyPrefix).leaseTime(ttl).commandTimeout(commandTimeout).build();
        Duration reconcile =
            reconcileInterval != null
                ? reconcileInterval
                : ttl.dividedBy(RedisMembershipImpl.HEARTBEATS_PER_TTL);
        return new RedisMembershipImpl(
            connector, errors, locks, keyPrefix, ttl, reconcile, commandTimeout, callbackExecutor);
      } catch (RuntimeException e) {
        if (locks != null) {
          locks.close();
        }
        if (connector != null) {
          connector.close();
        }
        // The election service's exception already names the cause: keep the chain below it.
        Throwable cause =
            e instanceof LockBackendException && e.getCause() != null ? e.getCause() : e;
        throw new MembershipBackendException(
            "could not connect to Redis: " + errors.describe(cause), RedisErrors.unwrap(cause));
      }
    }
  }
}
