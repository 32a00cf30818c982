package io.holdfast.lock.etcd;

import io.holdfast.lock.internal.Lease;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A grant: our key, first (lowest create revision) under the lock's prefix, attached to the
 * service's etcd lease. The fencing token is the key's create revision. Valid while the service's
 * lease renewals are confirmed in time and the key exists; when lost, the key is deleted as soon as
 * etcd can be reached, so that the next waiter gets the lock even while our etcd lease lives on.
 */
final class EtcdLease extends Lease {
  private final EtcdLockServiceImpl service;
  private final String key;
  private final long leaseId;
  private final AtomicReference<@Nullable CompletableFuture<Void>> deletion =
      new AtomicReference<>();

  EtcdLease(
      EtcdLockServiceImpl service,
      String name,
      long createRevision,
      long sentAtNanos,
      String key,
      long leaseId) {
    super(service, name, createRevision, sentAtNanos);
    this.service = service;
    this.key = key;
    this.leaseId = leaseId;
  }

  String key() {
    return key;
  }

  long leaseId() {
    return leaseId;
  }

  @Override
  protected CompletableFuture<?> doRelease() {
    service.forget(this);
    return deleteOnce();
  }

  void lostAndCleanUp(String reason) {
    lost(reason);
    service.forget(this);
    var unused = deleteOnce(); // never fails the caller: a failed delete leaves the key to expire
  }

  /** Deletes our key if it is still ours (same create revision); at most once. */
  CompletableFuture<Void> deleteOnce() {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> earlier = deletion.compareAndExchange(null, mine);
    if (earlier != null) {
      return earlier;
    }
    var unused =
        service
            .deleteKey(key, token())
            .whenComplete(
                (v, e) -> {
                  if (e != null) {
                    mine.completeExceptionally(e);
                  } else {
                    mine.complete(null);
                  }
                });
    return mine;
  }
}
