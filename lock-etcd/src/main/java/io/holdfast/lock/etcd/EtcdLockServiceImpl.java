package io.holdfast.lock.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.etcd.internal.EtcdSupport;
import io.holdfast.lock.etcd.internal.LeaseKeeper;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import io.holdfast.lock.internal.ServiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The etcd lock service: one {@link EtcdAttempt} per acquire, one {@link EtcdLease} per grant, one
 * etcd lease for the whole service kept by a {@link LeaseKeeper}. Every jetcd call is asynchronous
 * and bounded by the command timeout; nothing blocks and no thread is started per lock or waiter.
 *
 * <p>Each confirmed renewal extends every grant on that etcd lease (judged from the renewal's send
 * time) and, while anything is held, one {@code LeaseTimeToLive} with the attached keys tells which
 * grants lost their key behind our back. A dropped etcd lease loses its grants and re-queues its
 * waiters on a new one.
 */
final class EtcdLockServiceImpl extends AbstractLockService implements LeaseKeeper.Listener {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.etcd");

  private final Client client;
  private final boolean ownsClient;
  private final String root;
  private final List<String> endpoints;
  private final LeaseKeeper keeper;
  private final Set<EtcdLease> held = ConcurrentHashMap.newKeySet();
  private final Set<EtcdAttempt> attempts = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> pendingDeletes = new ConcurrentHashMap<>();
  private final AtomicLong attemptIds = new AtomicLong();
  private final EtcdLockInspector inspector;

  EtcdLockServiceImpl(
      ServiceConfig config,
      Client client,
      boolean ownsClient,
      String namespace,
      List<String> endpoints) {
    super("etcd", config, true);
    this.client = client;
    this.ownsClient = ownsClient;
    this.root = namespace + "locks/";
    this.endpoints = List.copyOf(endpoints);
    this.keeper =
        new LeaseKeeper(
            client,
            config.leaseTime(),
            config.driftMarginNanos(),
            config.commandTimeout(),
            scheduler(),
            config.ticker(),
            this);
    this.inspector =
        new EtcdLockInspector(this, client, root, this::describe, config.commandTimeout());
  }

  @Override
  public LockInspector inspector() {
    ensureOpen();
    return inspector;
  }

  @Override
  protected CompletableFuture<@Nullable Lease> acquireLease(String name, long maxWaitNanos) {
    CompletableFuture<@Nullable Lease> future = new CompletableFuture<>();
    EtcdAttempt attempt = new EtcdAttempt(this, name, future, maxWaitNanos);
    attempts.add(attempt);
    var unused = future.whenComplete((l, e) -> attempts.remove(attempt));
    if (isClosed()) {
      future.completeExceptionally(new IllegalStateException("this etcd lock service is closed"));
      return future;
    }
    attempt.begin();
    return future;
  }

  // ------------------------------------------------------------------ used by attempts and leases

  static void notGranted(CompletableFuture<@Nullable Lease> future, String holder) {
    AbstractLockService.notGranted(future, holder, null);
  }

  static void handOver(CompletableFuture<@Nullable Lease> future, Lease lease) {
    AbstractLockService.deliver(future, lease);
  }

  LeaseKeeper keeper() {
    return keeper;
  }

  String lockPrefix(String name) {
    return root + EtcdSupport.segment(name) + "/";
  }

  long nextAttemptId() {
    return attemptIds.incrementAndGet();
  }

  ScheduledFuture<?> schedule(Runnable task, long nanos) {
    return scheduleQuietly(task, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * How long a waiter trusts its watch before looking for itself: a watch event lost on the way (a
   * stream stalled on a member that died, jetcd's own watch bugs) can delay a waiter by this much,
   * never hang it. One lease time: a crashed predecessor's key is gone within its lease.
   */
  long watchCheckNanos() {
    return config.leaseTime().toNanos();
  }

  /** How long to wait before looking again after a failed look: short, never a busy loop. */
  long retryNanos() {
    return Math.min(config.commandTimeout().toNanos(), TimeUnit.MILLISECONDS.toNanos(200));
  }

  String describe(String what, Throwable e) {
    return EtcdSupport.describe(what, e, endpoints, config.commandTimeout());
  }

  private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
    return EtcdSupport.bounded(call, config.commandTimeout());
  }

  private static GetOption.Builder range() {
    return GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.CREATE);
  }

  /**
   * Creates our key on the lease (if absent) and, in the same transaction, reads the queue's head
   * and the last two keys (ours, and our predecessor if any): one round trip.
   */
  CompletableFuture<TxnResponse> enqueue(String key, String mark, long leaseId, String prefix) {
    var k = EtcdSupport.bytes(key);
    var p = EtcdSupport.bytes(prefix);
    return bounded(
        client
            .getKVClient()
            .txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
            .Then(
                Op.put(
                    k, EtcdSupport.bytes(mark), PutOption.builder().withLeaseId(leaseId).build()),
                Op.get(p, range().withSortOrder(GetOption.SortOrder.ASCEND).withLimit(1).build()),
                Op.get(
                    p,
                    range()
                        .withSortOrder(GetOption.SortOrder.DESCEND)
                        .withKeysOnly(true)
                        .withLimit(2)
                        .build()))
            .commit());
  }

  /** The queue's head. */
  CompletableFuture<GetResponse> head(String prefix) {
    return bounded(
        client
            .getKVClient()
            .get(
                EtcdSupport.bytes(prefix),
                range().withSortOrder(GetOption.SortOrder.ASCEND).withLimit(1).build()));
  }

  /** If our key still exists: the key just before it (by create revision), if any. */
  CompletableFuture<TxnResponse> predecessor(String key, long revision, String prefix) {
    return bounded(
        client
            .getKVClient()
            .txn()
            .If(new Cmp(EtcdSupport.bytes(key), Cmp.Op.EQUAL, CmpTarget.createRevision(revision)))
            .Then(
                Op.get(
                    EtcdSupport.bytes(prefix),
                    range()
                        .withSortOrder(GetOption.SortOrder.DESCEND)
                        .withMaxCreateRevision(revision - 1)
                        .withKeysOnly(true)
                        .withLimit(1)
                        .build()))
            .commit());
  }

  Watch.Watcher watchDeletion(String key, long fromRevision, Watch.Listener listener) {
    return client
        .getWatchClient()
        .watch(
            EtcdSupport.bytes(key),
            WatchOption.builder().withRevision(fromRevision).withNoPut(true).build(),
            listener);
  }

  /**
   * Deletes {@code key} if it is still the one created at {@code revision}; if etcd cannot be
   * reached, tries again after each confirmed renewal until the key or the lease is gone.
   */
  CompletableFuture<Void> deleteKey(String key, long revision) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    var k = EtcdSupport.bytes(key);
    CompletableFuture<TxnResponse> call;
    try {
      call =
          bounded(
              client
                  .getKVClient()
                  .txn()
                  .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(revision)))
                  .Then(Op.delete(k, DeleteOption.DEFAULT))
                  .commit());
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    var unused =
        call.whenComplete(
            (r, e) -> {
              if (e != null) {
                if (!isClosed()) {
                  pendingDeletes.put(key, revision);
                }
                done.completeExceptionally(e);
              } else {
                pendingDeletes.remove(key, revision);
                done.complete(null);
              }
            });
    return done;
  }

  void held(EtcdLease lease) {
    held.add(lease);
  }

  void forget(EtcdLease lease) {
    held.remove(lease);
  }

  // ------------------------------------------------------------------ the service's etcd lease

  @Override
  public void renewed(long leaseId, long sentAtNanos) {
    List<EtcdLease> mine = new ArrayList<>();
    for (EtcdLease l : held) {
      if (l.leaseId() == leaseId) {
        l.renewed(sentAtNanos);
        mine.add(l);
      }
    }
    for (Map.Entry<String, Long> d : new ArrayList<>(pendingDeletes.entrySet())) {
      Futures.forget(deleteKey(d.getKey(), d.getValue()), LOG, "deleting " + d.getKey());
    }
    if (!mine.isEmpty()) {
      checkKeys(leaseId, mine);
    }
  }

  /** Grants whose key is no longer attached to the lease were deleted behind our back. */
  private void checkKeys(long leaseId, List<EtcdLease> leases) {
    var unused =
        keeper
            .attachedKeys(leaseId)
            .thenAccept(
                keys -> {
                  if (keys == null) {
                    return;
                  }
                  for (EtcdLease l : leases) {
                    if (!l.isOver() && !keys.contains(l.key())) {
                      l.lostAndCleanUp("its key " + l.key() + " was deleted by someone else");
                    }
                  }
                });
  }

  @Override
  public void dropped(long leaseId, String reason) {
    for (EtcdLease l : held) {
      if (l.leaseId() == leaseId) {
        l.lostAndCleanUp("the service's etcd lease was dropped: " + reason);
      }
    }
    for (EtcdAttempt a : attempts) {
      a.leaseDropped(leaseId);
    }
  }

  @Override
  public void renewalFailed(Throwable cause) {
    LOG.debug("renewing the etcd lease failed", cause);
    int n = held.size();
    if (n > 0) {
      renewalFailed(n, cause);
    }
  }

  @Override
  protected void shutdownBackend() {
    for (EtcdAttempt a : new ArrayList<>(attempts)) {
      a.fail("closing", new IllegalStateException("closed"));
    }
    awaitQuietly(keeper.close());
    pendingDeletes.clear();
    if (ownsClient) {
      client.close();
    }
  }
}
