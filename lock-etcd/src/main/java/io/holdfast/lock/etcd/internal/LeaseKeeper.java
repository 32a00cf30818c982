package io.holdfast.lock.etcd.internal;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.holdfast.lock.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One etcd lease for a whole service, renewed by Holdfast itself with timed {@code keepAliveOnce}
 * calls rather than jetcd's keep-alive stream (which can end silently, jetcd #965, #1383, report
 * errors nowhere, #1322, and spin when the cluster is unreachable, #1134). A renewal counts only if
 * its answer arrives with a positive TTL (an expired lease is answered with TTL 0, #1254); the
 * lease is judged on the local monotonic clock from the <em>send</em> time of the last confirmed
 * renewal: it is valid until then plus the lease time, less a drift margin. When that time passes
 * unconfirmed, or etcd says the lease is gone, the keeper drops it (revoking it if etcd can still
 * be reached) and the next {@link #current()} grants a new one.
 *
 * <p>The etcd lease is granted with a TTL of the lease time rounded up to whole seconds (etcd may
 * raise it to its minimum), so it never ends on the server before it ends here. Renewals are sent
 * every third of the lease time, on the given scheduler; nothing here blocks.
 */
public final class LeaseKeeper {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.etcd");

  /** What the owner of the keeper hears. Called on jetcd's or the scheduler's thread; be brief. */
  public interface Listener {
    /**
     * A renewal of {@code leaseId} sent at {@code sentAtNanos} was confirmed.
     *
     * @param leaseId the lease
     * @param sentAtNanos when the confirmed request was sent
     */
    void renewed(long leaseId, long sentAtNanos);

    /**
     * The lease is no longer ours: everything attached to it must be treated as lost.
     *
     * @param leaseId the lease
     * @param reason why, for logs and listeners
     */
    void dropped(long leaseId, String reason);

    /**
     * A renewal failed (it may still be confirmed in time by the next).
     *
     * @param cause what failed
     */
    void renewalFailed(Throwable cause);
  }

  /**
   * A granted lease.
   *
   * @param id the etcd lease ID
   * @param confirmedSentNanos when the last confirmed grant or renewal was sent
   */
  public record Current(long id, long confirmedSentNanos) {}

  private final Client client;
  private final long leaseNanos;
  private final long marginNanos;
  private final Duration commandTimeout;
  private final ScheduledExecutorService scheduler;
  private final Listener listener;
  private final Ticker ticker;
  private final ScheduledFuture<?> renewals;

  // Guarded by this.
  private @Nullable CompletableFuture<Current> granting;
  private long leaseId;
  private long confirmedSentNanos;
  private boolean closed;

  /**
   * Starts renewing (once a lease is granted on demand).
   *
   * @param client the jetcd client
   * @param leaseTime how long a lease lives without a confirmed renewal
   * @param marginNanos the drift margin subtracted from the lease time
   * @param commandTimeout how long one call may take
   * @param scheduler where renewals are sent from
   * @param ticker the time source the lease is judged by
   * @param listener who hears renewals and losses
   */
  public LeaseKeeper(
      Client client,
      Duration leaseTime,
      long marginNanos,
      Duration commandTimeout,
      ScheduledExecutorService scheduler,
      Ticker ticker,
      Listener listener) {
    this.client = client;
    this.leaseNanos = leaseTime.toNanos();
    this.marginNanos = marginNanos;
    this.commandTimeout = commandTimeout;
    this.scheduler = scheduler;
    this.listener = listener;
    this.ticker = ticker;
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(20), leaseNanos / 3);
    this.renewals = scheduler.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
  }

  /**
   * The etcd lease TTL for a lease time: whole seconds, rounded up.
   *
   * @param leaseTime the lease time
   * @return seconds, at least 1
   */
  public static long ttlSeconds(Duration leaseTime) {
    return Math.max(1, (leaseTime.toMillis() + 999) / 1000);
  }

  /**
   * The current lease, granted first if there is none (one grant at a time).
   *
   * @return the lease, or a failure (the grant failed or timed out)
   */
  public synchronized CompletableFuture<Current> current() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("closed"));
    }
    if (leaseId != 0 && !expired(ticker.nanoTime())) {
      return CompletableFuture.completedFuture(new Current(leaseId, confirmedSentNanos));
    }
    if (leaseId != 0) {
      drop(leaseId, "no renewal was confirmed within the lease time");
    }
    CompletableFuture<Current> g = granting;
    if (g != null) {
      return g;
    }
    long sent = ticker.nanoTime();
    CompletableFuture<Current> mine =
        EtcdSupport.bounded(
                client
                    .getLeaseClient()
                    .grant(
                        ttlSeconds(Duration.ofNanos(leaseNanos)),
                        commandTimeout.toMillis(),
                        TimeUnit.MILLISECONDS),
                commandTimeout)
            .thenApply(r -> granted(r.getID(), sent));
    granting = mine;
    var unused =
        mine.whenComplete(
            (c, e) -> {
              synchronized (this) {
                if (granting == mine) {
                  granting = null;
                }
              }
            });
    return mine;
  }

  private synchronized Current granted(long id, long sent) {
    if (closed) {
      var unused = revoke(id); // never fails: a failed revoke is logged and the lease runs out
      throw new IllegalStateException("closed");
    }
    leaseId = id;
    confirmedSentNanos = sent;
    LOG.debug("granted etcd lease {}", Long.toHexString(id));
    // Renew once at once: the first keep-alive of a JVM is slow (class loading, a new stream),
    // better now than a third of the lease time later.
    try {
      scheduler.execute(this::tick);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.trace("not renewing at once: shutting down", e);
    }
    return new Current(id, sent);
  }

  /**
   * The last confirmed send time of a lease, or {@code 0} if it is not the current one.
   *
   * @param id the lease
   * @return the ticker's time, or 0
   */
  public synchronized long confirmedSentNanos(long id) {
    return id == leaseId ? confirmedSentNanos : 0;
  }

  /**
   * Whether {@code id} is the current lease and was confirmed recently enough to be valid.
   *
   * @param id the lease
   * @return whether it is valid
   */
  public synchronized boolean isValid(long id) {
    return id != 0 && id == leaseId && !expired(ticker.nanoTime());
  }

  // Guarded by this.
  private boolean expired(long now) {
    return now - (confirmedSentNanos + leaseNanos - marginNanos) >= 0;
  }

  private void tick() {
    long id;
    synchronized (this) {
      id = leaseId;
      if (closed || id == 0) {
        return;
      }
      if (expired(ticker.nanoTime())) {
        drop(id, "no renewal was confirmed within the lease time");
        return;
      }
    }
    long sent = ticker.nanoTime();
    CompletableFuture<LeaseKeepAliveResponse> call;
    try {
      call = EtcdSupport.bounded(client.getLeaseClient().keepAliveOnce(id), commandTimeout);
    } catch (RuntimeException e) {
      listener.renewalFailed(e);
      return;
    }
    var unused =
        call.whenComplete(
            (r, e) -> {
              if (e != null) {
                if (EtcdSupport.leaseNotFound(e)) {
                  dropIfCurrent(id, "etcd no longer has the lease (it expired)");
                } else {
                  listener.renewalFailed(EtcdSupport.unwrap(e));
                }
              } else if (r.getTTL() <= 0) {
                // etcd answers a keep-alive of an expired lease with TTL 0, not with an error.
                dropIfCurrent(id, "etcd no longer has the lease (it expired)");
              } else {
                boolean current;
                synchronized (this) {
                  current = id == leaseId && !closed;
                  if (current && sent - confirmedSentNanos > 0) {
                    if (expired(ticker.nanoTime())) {
                      // Confirmed too late: the lease may have been judged lost already.
                      drop(id, "no renewal was confirmed within the lease time");
                      return;
                    }
                    confirmedSentNanos = sent;
                  }
                }
                if (current) {
                  listener.renewed(id, sent);
                }
              }
            });
  }

  private void dropIfCurrent(long id, String reason) {
    synchronized (this) {
      if (id != leaseId) {
        return;
      }
      drop(id, reason);
    }
  }

  // Guarded by this. Tells the listener on the scheduler, outside the monitor.
  private void drop(long id, String reason) {
    leaseId = 0;
    LOG.debug("dropping etcd lease {}: {}", Long.toHexString(id), reason);
    var unused = revoke(id); // never fails: a failed revoke is logged and the lease runs out
    try {
      scheduler.execute(() -> listener.dropped(id, reason));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      listener.dropped(id, reason);
    }
  }

  private CompletableFuture<?> revoke(long id) {
    try {
      return EtcdSupport.bounded(client.getLeaseClient().revoke(id), commandTimeout)
          .exceptionally(
              e -> {
                LOG.debug("revoking etcd lease {} failed; it runs out", Long.toHexString(id), e);
                return null;
              });
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(null);
    }
  }

  /**
   * The keys attached to a lease, to find keys deleted behind our back: a key created before this
   * call was sent and missing from the answer is gone.
   *
   * @param id the lease
   * @return the keys, or {@code null} if the lease is gone or the call failed (the renewals decide
   *     then)
   */
  public CompletableFuture<java.util.@Nullable Set<String>> attachedKeys(long id) {
    return EtcdSupport.bounded(
            client
                .getLeaseClient()
                .timeToLive(
                    id, io.etcd.jetcd.options.LeaseOption.builder().withAttachedKeys().build()),
            commandTimeout)
        .handle(
            (r, e) -> {
              if (e != null || r.getTTL() <= 0) {
                return null;
              }
              java.util.Set<String> keys = new java.util.HashSet<>();
              r.getKeys()
                  .forEach(k -> keys.add(k.toString(java.nio.charset.StandardCharsets.UTF_8)));
              return keys;
            });
  }

  /**
   * Stops renewing and revokes the lease, deleting every key attached to it.
   *
   * @return completes when etcd confirmed the revoke (or failed)
   */
  public CompletableFuture<?> close() {
    long id;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.completedFuture(null);
      }
      closed = true;
      id = leaseId;
      leaseId = 0;
    }
    renewals.cancel(false);
    return id == 0 ? CompletableFuture.completedFuture(null) : revoke(id);
  }
}
