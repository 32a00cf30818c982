package io.holdfast.lock.postgresql;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.postgresql.internal.PgClient;
import io.holdfast.lock.postgresql.internal.PgListener;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL lock service. One autocommit statement per acquire and per release, one per
 * hundred held locks per renewal round; waiters sleep until a release is notified on the service's
 * listening connection, with a timed retry bounded by the holder's remaining lease in case the
 * notification is lost.
 */
final class PostgresLockServiceImpl extends AbstractLockService {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.postgresql");
  static final int RENEW_BATCH = 100;

  /** Renewal rounds per lease time. */
  static final int RENEWALS_PER_LEASE = 3;

  private final PgClient client;
  private final Sql sql;
  private final String serviceId = UUID.randomUUID().toString();
  private final AtomicLong attemptIds = new AtomicLong();
  private final double leaseSeconds;
  private final PgListener listener;
  private final Set<Attempt> attempts = ConcurrentHashMap.newKeySet();
  // Guarded by itself: the local waiters of each lock name, longest waiting first.
  private final Map<String, LinkedHashSet<Attempt>> waiters = new HashMap<>();
  private final ScheduledFuture<?> renewal;
  private final PostgresLockInspector inspector;

  PostgresLockServiceImpl(ServiceConfig config, PgClient client, Sql sql) {
    super("postgresql", config, true);
    this.client = client;
    this.sql = sql;
    this.leaseSeconds = config.leaseTime().toMillis() / 1000.0;
    this.listener =
        new PgListener(
            client,
            sql.channel,
            (channel, name) -> wakeOne(name),
            this::wakeAll,
            "holdfast-postgresql-listener-" + serviceId.substring(0, 8));
    this.inspector = new PostgresLockInspector(this, client, sql);
    long period = Math.max(1, config.leaseTime().toMillis() / RENEWALS_PER_LEASE);
    this.renewal =
        scheduler().scheduleWithFixedDelay(this::renewAll, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public LockInspector inspector() {
    ensureOpen();
    return inspector;
  }

  private LockBackendException failure(String what, Throwable e) {
    return new LockBackendException(what + " failed: " + client.errors().describe(e), e);
  }

  // ------------------------------------------------------------------ acquire

  @Override
  protected CompletableFuture<@Nullable Lease> acquireLease(String name, long maxWaitNanos) {
    CompletableFuture<@Nullable Lease> future = new CompletableFuture<>();
    new Attempt(name, future, maxWaitNanos).start();
    return future;
  }

  private record Reply(long token, @Nullable String holder, long leftMillis) {}

  /** One caller's acquire: an attempt now, then again on each release notification or timer. */
  private final class Attempt {
    final String name;
    final String key;
    final String owner = serviceId + ":" + attemptIds.incrementAndGet();
    final CompletableFuture<@Nullable Lease> future;
    final long deadline;
    final boolean once;

    // Guarded by this.
    private boolean inFlight;
    private boolean retryRequested;
    private @Nullable ScheduledFuture<?> timer;

    Attempt(String name, CompletableFuture<@Nullable Lease> future, long maxWaitNanos) {
      this.name = name;
      this.key = Sql.stored(name);
      this.future = future;
      this.once = maxWaitNanos == 0;
      this.deadline = System.nanoTime() + maxWaitNanos;
    }

    void start() {
      attempts.add(this);
      Futures.onComplete(future, (l, e) -> finish());
      if (isClosed()) {
        future.completeExceptionally(
            new IllegalStateException("this postgresql lock service is closed"));
        return;
      }
      if (!once) {
        // Listen before the first try: a release between a refusal and the registration would
        // otherwise go unheard until the timer.
        synchronized (waiters) {
          waiters.computeIfAbsent(key, n -> new LinkedHashSet<>()).add(this);
        }
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
          client.submit(this::tryOnce), (reply, error) -> onReply(sentAt, reply, error));
    }

    private Reply tryOnce(Connection c) throws SQLException {
      try (PreparedStatement p = c.prepareStatement(sql.acquire)) {
        p.setQueryTimeout(client.queryTimeoutSeconds());
        p.setString(1, key);
        p.setString(2, owner);
        p.setDouble(3, leaseSeconds);
        p.setString(4, key);
        p.setString(5, key);
        try (ResultSet r = p.executeQuery()) {
          if (!r.next()) {
            // Taken by a grant this statement's snapshot did not see: retry soon.
            return new Reply(-1, null, -1);
          }
          return new Reply(r.getLong(1), r.getString(2), r.getLong(3));
        }
      }
    }

    private void onReply(long sentAt, @Nullable Reply reply, @Nullable Throwable error) {
      if (error != null || reply == null) {
        Throwable cause = error != null ? error : new IllegalStateException("no reply");
        future.completeExceptionally(failure("acquiring '" + name + "'", cause));
        return;
      }
      if (reply.token() >= 0) {
        deliver(future, new PgLease(name, owner, reply.token(), sentAt));
        return;
      }
      boolean retryNow = false;
      synchronized (this) {
        inFlight = false;
        long remaining = deadline - System.nanoTime();
        if (once || remaining <= 0) {
          // not granted: complete below
        } else if (retryRequested) {
          retryRequested = false;
          retryNow = true;
        } else {
          long left = reply.leftMillis() >= 0 ? reply.leftMillis() : 50;
          long delay = Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(1, left)), remaining);
          timer = scheduleQuietly(this::send, delay, TimeUnit.NANOSECONDS);
          return;
        }
      }
      if (retryNow) {
        send();
      } else {
        long left = Math.max(0, reply.leftMillis());
        notGranted(
            future,
            "its holder "
                + (reply.holder() != null ? "(" + reply.holder() + ") " : "")
                + "has "
                + left
                + " ms of lease left",
            reply.holder() != null ? PostgresLockInspector.ownerOf(reply.holder()) : null,
            reply.leftMillis() >= 0 ? Duration.ofMillis(left) : null);
      }
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
      synchronized (this) {
        cancelTimer();
      }
      synchronized (waiters) {
        Set<Attempt> s = waiters.get(key);
        if (s != null && s.remove(this) && s.isEmpty()) {
          waiters.remove(key);
        }
      }
    }
  }

  /**
   * A release wakes one local waiter — the longest waiting — not all of them: only one can win. If
   * it loses to another process, that process's release wakes the next; every waiter's timer covers
   * a lost notification.
   */
  private void wakeOne(String key) {
    Attempt wake = null;
    synchronized (waiters) {
      Set<Attempt> s = waiters.get(key);
      if (s != null) {
        for (Attempt a : s) {
          if (!a.future.isDone()) {
            wake = a;
            break;
          }
        }
      }
    }
    if (wake != null) {
      wake.send();
    }
  }

  /** After the listening connection came back: releases may have gone unheard. */
  private void wakeAll() {
    List<Attempt> wake = new ArrayList<>();
    synchronized (waiters) {
      for (Set<Attempt> s : waiters.values()) {
        wake.addAll(s);
      }
    }
    for (Attempt a : wake) {
      a.send();
    }
  }

  // ------------------------------------------------------------------ the grant

  private final class PgLease extends Lease {
    final String owner;

    PgLease(String name, String owner, long token, long sentAt) {
      super(PostgresLockServiceImpl.this, name, token, sentAt);
      this.owner = owner;
    }

    @Override
    protected CompletableFuture<?> doRelease() {
      return client
          .submit(
              c -> {
                try (PreparedStatement p = c.prepareStatement(sql.release)) {
                  p.setQueryTimeout(client.queryTimeoutSeconds());
                  p.setString(1, Sql.stored(name()));
                  p.setString(2, owner);
                  p.setLong(3, token());
                  p.setString(4, sql.channel);
                  try (ResultSet r = p.executeQuery()) {
                    return r.next();
                  }
                }
              })
          .exceptionallyCompose(
              e -> CompletableFuture.failedFuture(failure("releasing '" + name() + "'", e)));
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
    List<PgLease> live = new ArrayList<>();
    for (Lease l : activeLeases()) {
      if (l instanceof PgLease p && !p.isOver()) {
        live.add(p);
      }
    }
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (int i = 0; i < live.size(); i += RENEW_BATCH) {
      sent.add(renewBatch(live.subList(i, Math.min(live.size(), i + RENEW_BATCH))));
    }
    return CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0]));
  }

  private record Renewed(String name, long token) {}

  private CompletableFuture<?> renewBatch(List<PgLease> batch) {
    String[] names = new String[batch.size()];
    String[] owners = new String[batch.size()];
    Long[] tokens = new Long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      names[i] = Sql.stored(batch.get(i).name());
      owners[i] = batch.get(i).owner;
      tokens[i] = batch.get(i).token();
    }
    long sentAt = nanoTime();
    return client
        .submit(
            c -> {
              Set<Renewed> renewed = new java.util.HashSet<>();
              try (PreparedStatement p = c.prepareStatement(sql.renew)) {
                p.setQueryTimeout(client.queryTimeoutSeconds());
                Array n = c.createArrayOf("text", names);
                Array o = c.createArrayOf("text", owners);
                Array t = c.createArrayOf("bigint", tokens);
                p.setDouble(1, leaseSeconds);
                p.setArray(2, n);
                p.setArray(3, o);
                p.setArray(4, t);
                try (ResultSet r = p.executeQuery()) {
                  while (r.next()) {
                    renewed.add(new Renewed(r.getString(1), r.getLong(2)));
                  }
                }
              }
              return renewed;
            })
        .whenComplete(
            (renewed, error) -> {
              if (error != null || renewed == null) {
                Throwable cause = error != null ? error : new IllegalStateException("no reply");
                LOG.debug(
                    "renewing {} locks failed; retrying next round: {}",
                    batch.size(),
                    client.errors().describe(cause),
                    cause);
                renewalFailed(batch.size(), cause);
                return;
              }
              for (PgLease l : batch) {
                if (renewed.contains(new Renewed(Sql.stored(l.name()), l.token()))) {
                  l.renewed(sentAt);
                } else if (!l.isOver()) {
                  l.lost("a renewal found the lock no longer ours (expired, deleted, or taken)");
                }
              }
            });
  }

  // ------------------------------------------------------------------ close

  @Override
  protected void shutdownBackend() {
    renewal.cancel(false);
    IllegalStateException closed =
        new IllegalStateException("this postgresql lock service is closed");
    for (Attempt a : new ArrayList<>(attempts)) {
      a.future.completeExceptionally(closed);
    }
    try {
      listener.close();
    } finally {
      client.close();
    }
  }

  boolean isListening() {
    return listener.isListening();
  }
}
