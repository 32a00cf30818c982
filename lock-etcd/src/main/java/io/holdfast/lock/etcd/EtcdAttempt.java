package io.holdfast.lock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.etcd.internal.EtcdSupport;
import io.holdfast.lock.etcd.internal.LeaseKeeper;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One acquire: puts a key of its own under the lock's prefix (in a transaction that also reads the
 * queue's head and our predecessor), then either holds the lock (no key with a lower create
 * revision) or watches only its predecessor's deletion, from the revision after our put, so that no
 * deletion is missed. An attempt that gives up (its wait ended, the caller cancelled, the service
 * closed) deletes its key, so that the lock is never granted to nobody (jetcd #291).
 *
 * <p>A zero-wait attempt ({@code tryAcquire}) must not fail because of other contenders' equally
 * short attempts, which come and go: its key is marked {@value #TRY}, a waiting attempt's {@value
 * #WAIT}. When the head of the queue is not ours, a waiting head means real contention; a {@code
 * try} head may be a holder or a short attempt about to leave, so the attempt steps back (deletes
 * its key), looks again, and tries anew if the head has changed — a few times at most.
 *
 * <p>State changes are serialized on this object's monitor; no etcd call is made under it.
 */
final class EtcdAttempt {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.etcd");

  static final String WAIT = "w";
  static final String TRY = "t";
  private static final int TRY_ROUNDS = 3;

  private final EtcdLockServiceImpl service;
  private final String name;
  private final String prefix;
  private final CompletableFuture<@Nullable Lease> future;
  private final long maxWaitNanos;

  // Guarded by this.
  private @Nullable String key;
  private long revision;
  private long leaseId;
  private int tryRounds;
  private Watch.@Nullable Watcher watcher;
  private @Nullable ScheduledFuture<?> timer;
  private @Nullable ScheduledFuture<?> watchCheck;
  private @Nullable String lastHead;
  private boolean granted;
  private boolean waitOver;
  private final java.util.concurrent.atomic.AtomicInteger leaseRetries =
      new java.util.concurrent.atomic.AtomicInteger();

  EtcdAttempt(
      EtcdLockServiceImpl service,
      String name,
      CompletableFuture<@Nullable Lease> future,
      long maxWaitNanos) {
    this.service = service;
    this.name = name;
    this.prefix = service.lockPrefix(name);
    this.future = future;
    this.maxWaitNanos = maxWaitNanos;
    var unused = future.whenComplete((l, e) -> ended(l));
  }

  void begin() {
    if (maxWaitNanos > 0) {
      ScheduledFuture<?> t = service.schedule(this::waitEnded, maxWaitNanos);
      synchronized (this) {
        timer = t;
      }
    }
    enqueue();
  }

  /**
   * The wait is over. If our key is queued, someone else holds the lock; if etcd has not yet
   * answered, the pending call settles it (failing with its cause, or finding someone ahead).
   */
  private void waitEnded() {
    boolean queued;
    synchronized (this) {
      waitOver = true;
      queued = key != null && revision != 0;
    }
    if (queued) {
      EtcdLockServiceImpl.notGranted(future, "another holder or waiter of '" + name + "'");
    }
  }

  long leaseId() {
    synchronized (this) {
      return leaseId;
    }
  }

  /** Puts our key on the current service lease. */
  private void enqueue() {
    if (future.isDone()) {
      return;
    }
    var unused =
        service
            .keeper()
            .current()
            .whenComplete(
                (cur, e) -> {
                  if (e != null) {
                    fail("granting the service's etcd lease", e);
                  } else {
                    put(cur);
                  }
                });
  }

  private void put(LeaseKeeper.Current cur) {
    String k = prefix + Long.toHexString(cur.id()) + "-" + service.nextAttemptId();
    synchronized (this) {
      if (future.isDone()) {
        return;
      }
      key = k;
      leaseId = cur.id();
      revision = 0;
    }
    String mark = maxWaitNanos == 0 ? TRY : WAIT;
    var unused =
        service
            .enqueue(k, mark, cur.id(), prefix)
            .whenComplete(
                (r, e) -> {
                  if (e == null) {
                    enqueued(k, r);
                  } else if (EtcdSupport.leaseNotFound(e) && leaseRetries.incrementAndGet() <= 3) {
                    // The lease was dropped between our read of it and the put (it ran out
                    // locally): queue again on a new one.
                    synchronized (this) {
                      if (k.equals(key)) {
                        forgetKey();
                      }
                    }
                    enqueue();
                  } else {
                    fail("acquiring '" + name + "'", e);
                  }
                });
  }

  private void enqueued(String k, TxnResponse r) {
    if (!r.isSucceeded()) {
      fail("acquiring '" + name + "'", new IllegalStateException("key " + k + " existed already"));
      return;
    }
    long rev = r.getHeader().getRevision();
    synchronized (this) {
      if (k.equals(key)) {
        revision = rev;
      }
    }
    if (future.isDone()) {
      Futures.forget(service.deleteKey(k, rev), LOG, "deleting " + k);
      return;
    }
    List<KeyValue> head = r.getGetResponses().get(0).getKvs();
    List<KeyValue> lastTwo = r.getGetResponses().get(1).getKvs();
    if (head.isEmpty() || key(head.get(0)).equals(k)) {
      grant(k, rev);
      return;
    }
    KeyValue first = head.get(0);
    boolean over;
    synchronized (this) {
      over = waitOver;
    }
    if (over) {
      EtcdLockServiceImpl.notGranted(future, "another holder or waiter of '" + name + "'");
      return;
    }
    if (maxWaitNanos == 0) {
      stepBack(k, rev, first);
      return;
    }
    KeyValue predecessor = lastTwo.size() > 1 ? lastTwo.get(1) : first;
    watch(k, rev, key(predecessor), rev + 1);
  }

  /** A zero-wait attempt behind someone: is that someone holding, or another passing attempt? */
  private void stepBack(String k, long rev, KeyValue head) {
    String headKey = key(head);
    boolean again;
    synchronized (this) {
      again =
          value(head).equals(TRY)
              && tryRounds++ < TRY_ROUNDS
              && (lastHead == null || !lastHead.equals(headKey));
      lastHead = headKey;
      forgetKey();
    }
    CompletableFuture<?> deleted = service.deleteKey(k, rev);
    if (!again) {
      EtcdLockServiceImpl.notGranted(future, "the holder of '" + name + "'");
      return;
    }
    var unused =
        deleted
            .thenCompose(v -> service.head(prefix))
            .whenComplete(
                (g, e) -> {
                  if (e != null) {
                    fail("acquiring '" + name + "'", e);
                  } else if (g.getKvs().isEmpty() || !key(g.getKvs().get(0)).equals(headKey)) {
                    enqueue(); // the head left: it was passing through
                  } else {
                    EtcdLockServiceImpl.notGranted(future, "the holder of '" + name + "'");
                  }
                });
  }

  private void watch(String k, long rev, String predecessor, long fromRevision) {
    Watch.Watcher w;
    try {
      w =
          service.watchDeletion(
              predecessor,
              fromRevision,
              Watch.listener(
                  resp -> predecessorChanged(k, rev, resp),
                  error -> recheck(k, rev),
                  () -> recheck(k, rev)));
    } catch (RuntimeException e) {
      fail("watching the predecessor of '" + name + "'", e);
      return;
    }
    Watch.Watcher old;
    ScheduledFuture<?> oldCheck;
    synchronized (this) {
      if (future.isDone() || !k.equals(key)) {
        w.close();
        return;
      }
      old = watcher;
      watcher = w;
      // Should the watch never report the deletion, look anyway after a while (at most one such
      // look is pending: each watch replaces the previous one's).
      oldCheck = watchCheck;
      watchCheck = service.schedule(() -> recheck(k, rev), service.watchCheckNanos());
    }
    if (oldCheck != null) {
      oldCheck.cancel(false);
    }
    if (old != null) {
      old.close();
    }
  }

  private void predecessorChanged(String k, long rev, WatchResponse resp) {
    for (WatchEvent ev : resp.getEvents()) {
      if (ev.getEventType() == WatchEvent.EventType.DELETE) {
        recheck(k, rev);
        return;
      }
    }
  }

  /** Our predecessor left (or the watch broke): are we first now, or who is before us? */
  private void recheck(String k, long rev) {
    synchronized (this) {
      if (granted || future.isDone() || !k.equals(key)) {
        return;
      }
    }
    var unused =
        service
            .predecessor(k, rev, prefix)
            .whenComplete(
                (r, e) -> {
                  if (e != null) {
                    if (!future.isDone()) {
                      // Keep waiting: the next watch event or a later look settles it.
                      recheckLater(k, rev);
                    }
                    return;
                  }
                  if (!r.isSucceeded()) {
                    // Our key is gone: our etcd lease ended, or someone deleted it. Queue again.
                    synchronized (this) {
                      if (!k.equals(key)) {
                        return;
                      }
                      forgetKey();
                    }
                    enqueue();
                    return;
                  }
                  GetResponse before = r.getGetResponses().get(0);
                  if (before.getKvs().isEmpty()) {
                    grant(k, rev);
                  } else {
                    watch(k, rev, key(before.getKvs().get(0)), r.getHeader().getRevision() + 1);
                  }
                });
  }

  /** Our etcd lease was dropped while we waited: queue again on a new one. */
  void leaseDropped(long id) {
    String k;
    long rev;
    synchronized (this) {
      if (future.isDone() || leaseId != id || key == null) {
        return;
      }
      k = key;
      rev = revision;
      forgetKey();
    }
    if (rev != 0) {
      Futures.forget(service.deleteKey(k, rev), LOG, "deleting " + k);
    }
    enqueue();
  }

  private void grant(String k, long rev) {
    long id;
    synchronized (this) {
      // Once only: a late watch event or a closing watcher calls recheck() again.
      if (granted || future.isDone() || !k.equals(key)) {
        return;
      }
      id = leaseId;
      closeWatcher();
    }
    long confirmed = service.keeper().confirmedSentNanos(id);
    if (confirmed == 0 || !service.keeper().isValid(id)) {
      leaseDropped(id);
      return;
    }
    synchronized (this) {
      if (granted || !k.equals(key)) {
        return;
      }
      granted = true;
    }
    EtcdLease lease = new EtcdLease(service, name, rev, confirmed, k, id);
    service.held(lease);
    EtcdLockServiceImpl.handOver(future, lease);
  }

  void fail(String what, Throwable e) {
    future.completeExceptionally(
        e instanceof IllegalStateException ise && "closed".equals(ise.getMessage())
            ? new IllegalStateException("this etcd lock service is closed")
            : new LockBackendException(service.describe(what, e), EtcdSupport.unwrap(e)));
  }

  /** The future completed: if not with our grant, delete our key and stop watching. */
  private void ended(@Nullable Lease result) {
    String k;
    long rev;
    synchronized (this) {
      closeWatcher();
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
      ScheduledFuture<?> c = watchCheck;
      watchCheck = null;
      if (c != null) {
        c.cancel(false);
      }
      k = key;
      rev = revision;
      if (result != null && ((EtcdLease) result).key().equals(k)) {
        return;
      }
      forgetKey();
    }
    if (k != null) {
      if (rev != 0) {
        Futures.forget(service.deleteKey(k, rev), LOG, "deleting " + k);
      } // else the put is in flight: enqueued() sees the future done and deletes the key
    }
  }

  // Guarded by this. Our key is no longer the one we wait with (a new one may follow).
  private void forgetKey() {
    key = null;
    revision = 0;
  }

  // Guarded by this.
  private void closeWatcher() {
    Watch.Watcher w = watcher;
    watcher = null;
    if (w != null) {
      w.close();
    }
  }

  private static String key(KeyValue kv) {
    return kv.getKey().toString(StandardCharsets.UTF_8);
  }

  private static String value(KeyValue kv) {
    ByteSequence v = kv.getValue();
    return v.toString(StandardCharsets.UTF_8);
  }

  /** Looks again after the retry interval; a throw in {@code recheck} is the scheduler's to log. */
  private void recheckLater(String k, long rev) {
    var unused = service.schedule(() -> recheck(k, rev), service.retryNanos());
  }
}
