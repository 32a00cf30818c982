package io.holdfast.lock.redis;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.redis.internal.Connector;
import io.holdfast.lock.redis.internal.Connector.Script;
import io.holdfast.lock.redis.internal.RedisErrors;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis lock service. One round trip per acquire and per release, one per hundred held locks
 * per renewal round; waiters sleep until a release is published on the lock's channel, with a timed
 * retry bounded by the holder's remaining lease in case the message is lost.
 */
final class RedisLockServiceImpl extends AbstractLockService {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.redis");
  static final int RENEW_BATCH = 100;

  /** Renewal rounds per lease time (docs/configuration.md derives the survivable pause from it). */
  static final int RENEWALS_PER_LEASE = 3;

  /** How often a waiter woken by a reconnect checks whether the command connection is back. */
  static final long RECONNECT_POLL_MILLIS = 50;

  private final Connector redis;
  private final RedisErrors errors;
  private final boolean cluster;
  private final KeySpace keys;
  private final String serviceId = UUID.randomUUID().toString();
  private final String leaseMillis;
  private final int waitReplicas;
  private final Duration waitTimeout;
  private final Script acquire;
  private final Script release;
  private final Script renew;
  private final Subscriptions subscriptions;
  private final Set<Attempt> attempts = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> renewal;
  private final RedisLockInspector inspector;

  RedisLockServiceImpl(
      ServiceConfig config,
      Connector redis,
      RedisErrors errors,
      String keyPrefix,
      int waitReplicas,
      Duration waitTimeout) {
    super("redis", config, true);
    this.redis = redis;
    redis.boundEachOperation(config.commandTimeout());
    this.errors = errors;
    this.cluster = redis.isCluster();
    this.keys = new KeySpace(keyPrefix);
    this.leaseMillis = Long.toString(config.leaseTime().toMillis());
    this.waitReplicas = waitReplicas;
    this.waitTimeout = waitTimeout;
    this.acquire = redis.script(Scripts.ACQUIRE);
    this.release = redis.script(Scripts.RELEASE);
    this.renew = redis.script(Scripts.RENEW);
    this.subscriptions = new Subscriptions(redis.pubSub(), redis);
    this.inspector = new RedisLockInspector(this, redis, errors, keys);
    if (waitReplicas > 0) {
      redis.openWaitLane();
    }
    long period = Math.max(1, config.leaseTime().toMillis() / RENEWALS_PER_LEASE);
    this.renewal =
        scheduler().scheduleWithFixedDelay(this::renewAll, period, period, TimeUnit.MILLISECONDS);
  }

  private <T> CompletableFuture<T> eval(
      Script script, ScriptOutputType type, String[] keyArgs, String... args) {
    return redis.eval(script, type, keyArgs, args);
  }

  @Override
  public LockInspector inspector() {
    ensureOpen();
    return inspector;
  }

  @Override
  protected long grantGraceNanos() {
    return waitTimeout.toNanos();
  }

  // ------------------------------------------------------------------ acquire

  @Override
  protected CompletableFuture<@Nullable Lease> acquireLease(String name, long maxWaitNanos) {
    CompletableFuture<@Nullable Lease> future = new CompletableFuture<>();
    new Attempt(name, future, maxWaitNanos).start();
    return future;
  }

  /** One caller's acquire: an attempt now, then again on each release message or timer. */
  private final class Attempt {
    final String name;
    final String key;
    final String fence;
    final String channel;
    final CompletableFuture<@Nullable Lease> future;
    final long deadline;
    final boolean once;

    // Guarded by this.
    private boolean inFlight;
    private boolean retryRequested;
    private boolean subscribed;
    private @Nullable ScheduledFuture<?> timer;

    Attempt(String name, CompletableFuture<@Nullable Lease> future, long maxWaitNanos) {
      this.name = name;
      this.key = keys.lockKey(name);
      this.fence = keys.fenceKey(name);
      this.channel = keys.channel(key);
      this.future = future;
      this.once = maxWaitNanos == 0;
      this.deadline = System.nanoTime() + maxWaitNanos;
    }

    void start() {
      attempts.add(this);
      Futures.onComplete(future, (l, e) -> finish());
      if (isClosed()) {
        future.completeExceptionally(
            new IllegalStateException("this redis lock service is closed"));
        return;
      }
      send();
    }

    void send() {
      synchronized (this) {
        if (future.isDone()) {
          return;
        }
        if (inFlight) {
          retryRequested = true;
          return;
        }
        inFlight = true;
        cancelTimer();
      }
      long sentAt = nanoTime();
      Futures.onComplete(
          this.<List<Object>>evalAcquire(), (reply, error) -> onReply(sentAt, reply, error));
    }

    /**
     * Retries as soon as the command connection is up again: it reconnects on its own schedule, and
     * a command sent while it is down would fail the acquire.
     */
    void retryWhenConnected() {
      if (future.isDone()) {
        return;
      }
      if (redis.isConnected()) {
        send();
      } else {
        var unused =
            scheduleQuietly(this::retryWhenConnected, RECONNECT_POLL_MILLIS, TimeUnit.MILLISECONDS);
      }
    }

    private <T> CompletableFuture<T> evalAcquire() {
      String[] keyArgs = {key, fence};
      if (waitReplicas > 0) {
        // On the replica-wait connection: the WAIT after a grant must be sent where the grant
        // was written, and must not block renewals and releases.
        return redis.evalForReplicas(
            acquire, ScriptOutputType.MULTI, keyArgs, serviceId, leaseMillis);
      }
      return eval(acquire, ScriptOutputType.MULTI, keyArgs, serviceId, leaseMillis);
    }

    private void onReply(long sentAt, @Nullable List<Object> reply, @Nullable Throwable error) {
      if (error != null || reply == null || reply.size() < 2) {
        Throwable cause =
            error != null ? error : new IllegalStateException("unexpected reply " + reply);
        future.completeExceptionally(errors.lock("acquiring '" + name + "'", cause));
        return;
      }
      long flag = (Long) reply.get(0);
      long value = (Long) reply.get(1);
      if (flag == 1) {
        granted(new RedisLease(name, key, serviceId + ":" + value, value, sentAt));
        return;
      }
      boolean subscribeNow = false;
      boolean retryNow = false;
      long delay = 0;
      synchronized (this) {
        inFlight = false;
        long remaining = deadline - System.nanoTime();
        if (once || remaining <= 0) {
          // fall through to complete below
        } else if (!subscribed) {
          subscribed = true;
          subscribeNow = true;
        } else if (retryRequested) {
          retryRequested = false;
          retryNow = true;
        } else {
          delay = Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(1, value)), remaining);
          timer = scheduleQuietly(this::send, delay, TimeUnit.NANOSECONDS);
          return;
        }
      }
      if (subscribeNow) {
        // Subscribe, then try once more: a release between the refusal and the subscription
        // would otherwise go unheard until the timer.
        Futures.onComplete(
            subscriptions.add(channel, this),
            (ok, e) -> {
              if (e != null) {
                future.completeExceptionally(
                    errors.lock("subscribing to releases of '" + name + "'", e));
              } else {
                send();
              }
            });
      } else if (retryNow) {
        send();
      } else {
        notGranted(
            future,
            "its holder "
                + (reply.size() > 2 ? "(" + reply.get(2) + ") " : "")
                + "has "
                + value
                + " ms of lease left",
            reply.size() > 2 ? RedisLockInspector.ownerOf(String.valueOf(reply.get(2))) : null,
            Duration.ofMillis(value));
      }
    }

    private void granted(RedisLease lease) {
      if (waitReplicas == 0) {
        deliver(future, lease);
        return;
      }
      Futures.onComplete(
          redis.waitForReplicas(key, waitReplicas, waitTimeout),
          (acked, e) -> {
            if (e == null && acked != null && acked >= waitReplicas) {
              deliver(future, lease);
            } else {
              lease.releaseNowQuietly();
              future.completeExceptionally(
                  new LockBackendException(
                      "the grant of '"
                          + name
                          + "' reached "
                          + (acked == null ? 0 : acked)
                          + " of the "
                          + waitReplicas
                          + " replicas required within "
                          + waitTimeout
                          + "; released it",
                      e != null ? e : new IllegalStateException("WAIT returned " + acked)));
            }
          });
    }

    // Guarded by this.
    private void cancelTimer() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
        timer = null;
      }
    }

    private void finish() {
      attempts.remove(this);
      boolean unsubscribe;
      synchronized (this) {
        cancelTimer();
        unsubscribe = subscribed;
      }
      if (unsubscribe) {
        subscriptions.remove(channel, this);
      }
    }
  }

  /**
   * One pub/sub connection for the whole service. A channel is subscribed while at least one local
   * waiter wants it.
   */
  private static final class Subscriptions extends RedisPubSubAdapter<String, String> {
    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Connector redis;
    // Guarded by this.
    private final Map<String, Channel> channels = new HashMap<>();

    private static final class Channel {
      final Set<Attempt> waiters = new LinkedHashSet<>();
      final CompletableFuture<?> ready;
      // Guarded by Subscriptions.this: whether Redis confirmed the first subscription.
      boolean confirmed;

      Channel(CompletableFuture<?> ready) {
        this.ready = ready;
      }
    }

    Subscriptions(StatefulRedisPubSubConnection<String, String> connection, Connector redis) {
      this.connection = connection;
      this.redis = redis;
      connection.addListener(this);
    }

    synchronized CompletableFuture<?> add(String channel, Attempt waiter) {
      Channel c = channels.get(channel);
      if (c == null || c.ready.isCompletedExceptionally()) {
        c = new Channel(redis.bounded(connection.async().subscribe(channel), Duration.ZERO));
        channels.put(channel, c);
      }
      c.waiters.add(waiter);
      return c.ready;
    }

    synchronized void remove(String channel, Attempt waiter) {
      Channel c = channels.get(channel);
      if (c != null && c.waiters.remove(waiter) && c.waiters.isEmpty()) {
        channels.remove(channel);
        Futures.forget(connection.async().unsubscribe(channel), LOG, "unsubscribing " + channel);
      }
    }

    /**
     * A confirmation after the first is Lettuce subscribing again after a reconnect: Redis
     * restarted or failed over, and the lock may have vanished without a release message (a restart
     * without persistence publishes nothing). Every local waiter of the channel retries now instead
     * of sleeping until its lease-bounded timer.
     */
    @Override
    public void subscribed(String channel, long count) {
      List<Attempt> wake = new ArrayList<>();
      synchronized (this) {
        Channel c = channels.get(channel);
        if (c == null) {
          return;
        }
        if (!c.confirmed) {
          c.confirmed = true;
          return;
        }
        for (Attempt a : c.waiters) {
          if (!a.future.isDone()) {
            wake.add(a);
          }
        }
      }
      for (Attempt a : wake) {
        a.retryWhenConnected();
      }
    }

    /**
     * A release wakes one local waiter — the longest waiting — not all of them: only one can win,
     * and the others would each spend a round trip to be refused. If the woken one loses to another
     * process, that process's release wakes the next; the lease-bounded timer of every waiter
     * covers a lost message.
     */
    @Override
    public void message(String channel, String message) {
      Attempt wake = null;
      synchronized (this) {
        Channel c = channels.get(channel);
        if (c == null) {
          return;
        }
        for (Attempt a : c.waiters) {
          if (!a.future.isDone()) {
            wake = a;
            break;
          }
        }
      }
      if (wake != null) {
        wake.send();
      }
    }
  }

  // ------------------------------------------------------------------ the grant

  private final class RedisLease extends Lease {
    final String key;
    final String owner;

    RedisLease(String name, String key, String owner, long token, long sentAt) {
      super(RedisLockServiceImpl.this, name, token, sentAt);
      this.key = key;
      this.owner = owner;
    }

    @Override
    protected CompletableFuture<?> doRelease() {
      return eval(release, ScriptOutputType.INTEGER, new String[] {key}, owner, keys.channel(key))
          .exceptionallyCompose(
              e -> CompletableFuture.failedFuture(errors.lock("releasing '" + name() + "'", e)));
    }

    void releaseNowQuietly() {
      doRelease().exceptionally(e -> null);
    }
  }

  // ------------------------------------------------------------------ renewal

  /** The periodic renewal: a throw would end the schedule silently, so it is logged here. */
  private void renewAll() {
    try {
      // Each batch logs its own failure; the next round retries.
      var unused = renewNow();
    } catch (RuntimeException e) {
      LOG.warn("a lock renewal round failed; the next one retries", e);
    }
  }

  /** One renewal round; the future completes when every batch has answered. */
  CompletableFuture<Void> renewNow() {
    List<RedisLease> live = new ArrayList<>();
    for (Lease l : activeLeases()) {
      if (l instanceof RedisLease r && !r.isOver()) {
        live.add(r);
      }
    }
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (List<RedisLease> batch : batches(live)) {
      sent.add(renewBatch(batch));
    }
    return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]));
  }

  /** Batches of at most {@link #RENEW_BATCH}; on a cluster, each batch within one slot. */
  private List<List<RedisLease>> batches(List<RedisLease> live) {
    List<List<RedisLease>> out = new ArrayList<>();
    if (!cluster) {
      for (int i = 0; i < live.size(); i += RENEW_BATCH) {
        out.add(live.subList(i, Math.min(live.size(), i + RENEW_BATCH)));
      }
      return out;
    }
    Map<Integer, List<RedisLease>> bySlot = new HashMap<>();
    for (RedisLease l : live) {
      bySlot.computeIfAbsent(KeySpace.slotOf(l.name()), s -> new ArrayList<>()).add(l);
    }
    for (List<RedisLease> sameSlot : bySlot.values()) {
      for (int i = 0; i < sameSlot.size(); i += RENEW_BATCH) {
        out.add(sameSlot.subList(i, Math.min(sameSlot.size(), i + RENEW_BATCH)));
      }
    }
    return out;
  }

  private CompletableFuture<?> renewBatch(List<RedisLease> batch) {
    String[] keyArgs = new String[batch.size()];
    String[] args = new String[batch.size() + 1];
    args[0] = leaseMillis;
    for (int i = 0; i < batch.size(); i++) {
      keyArgs[i] = batch.get(i).key;
      args[i + 1] = batch.get(i).owner;
    }
    long sentAt = nanoTime();
    return this.<List<Long>>eval(renew, ScriptOutputType.MULTI, keyArgs, args)
        .whenComplete(
            (result, error) -> {
              if (error != null || result == null) {
                LOG.debug(
                    "renewing {} locks failed; retrying next round: {}",
                    batch.size(),
                    error == null ? "no reply" : errors.describe(error),
                    error);
                renewalFailed(
                    batch.size(), error != null ? error : new IllegalStateException("no reply"));
                return;
              }
              for (int i = 0; i < batch.size(); i++) {
                RedisLease l = batch.get(i);
                if (result.get(i) == 1L) {
                  l.renewed(sentAt);
                } else {
                  l.lost("a renewal found the lock no longer ours (expired, deleted, or taken)");
                }
              }
            });
  }

  // ------------------------------------------------------------------ close

  @Override
  protected void shutdownBackend() {
    renewal.cancel(false);
    IllegalStateException closed = new IllegalStateException("this redis lock service is closed");
    for (Attempt a : new ArrayList<>(attempts)) {
      a.future.completeExceptionally(closed);
    }
    redis.close();
  }

  KeySpace keySpace() {
    return keys;
  }
}
