package io.holdfast.lock.zookeeper;

import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A grant: our ephemeral-sequential node, first in its queue. The fencing token is the node's
 * creation zxid. The grant lives as long as the node; it is reported lost when the connection is
 * suspended or the session lost (by the service's loss policy), or when the node is deleted behind
 * our back, and then its node is deleted as soon as ZooKeeper can be reached.
 */
final class ZkLease extends Lease {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.zookeeper");

  private final ZooKeeperLockServiceImpl service;
  private final String path;
  private final AtomicBoolean watchingOwnNode = new AtomicBoolean();
  private final AtomicReference<CompletableFuture<Void>> deletion = new AtomicReference<>();
  private final Watcher ownNodeWatcher = this::ownNodeChanged;
  private volatile boolean wantsOwnWatch;

  ZkLease(ZooKeeperLockServiceImpl service, String name, long czxid, long sentAt, String path) {
    super(service, name, czxid, sentAt);
    this.service = service;
    this.path = path;
  }

  String path() {
    return path;
  }

  @Override
  protected CompletableFuture<?> doRelease() {
    service.forget(this);
    return deleteOnce();
  }

  void lostAndCleanUp(String reason) {
    lost(reason);
    service.forget(this);
    // Curator's guaranteed delete retries; the ephemeral node goes with the session anyway.
    Futures.forget(deleteOnce(), LOG, "deleting " + path);
  }

  private CompletableFuture<Void> deleteOnce() {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> earlier = deletion.compareAndExchange(null, mine);
    if (earlier != null) {
      return earlier;
    }
    Futures.onComplete(
        service.deleteNode(path),
        (v, e) -> {
          if (e != null) {
            mine.completeExceptionally(e);
          } else {
            mine.complete(null);
          }
        });
    return mine;
  }

  /**
   * Something changed in the lock's folder while we hold it (a waiter came or went, or our node was
   * deleted): from now on watch our own node, so that waiters no longer wake us.
   */
  void watchOwnNode() {
    wantsOwnWatch = true;
    if (isOver() || !watchingOwnNode.compareAndSet(false, true)) {
      return;
    }
    try {
      service
          .client
          .getData()
          .usingWatcher(ownNodeWatcher)
          .inBackground(
              (c, event) -> {
                int rc = event.getResultCode();
                if (rc == KeeperException.Code.NONODE.intValue()) {
                  lostAndCleanUp("its node " + path + " was deleted by someone else");
                } else if (rc != KeeperException.Code.OK.intValue()) {
                  watchingOwnNode.set(false); // no watch was set: try again on reconnection
                }
              })
          .forPath(path);
    } catch (Exception e) {
      lostAndCleanUp("its node " + path + " could not be watched: " + e);
    }
  }

  /** After a reconnection: sets the own-node watch again if setting it failed. */
  void rewatchIfNeeded() {
    if (wantsOwnWatch && !watchingOwnNode.get()) {
      watchOwnNode();
    }
  }

  private void ownNodeChanged(WatchedEvent event) {
    if (event.getType() == Watcher.Event.EventType.NodeDeleted && !isOver()) {
      lostAndCleanUp("its node " + path + " was deleted by someone else");
    }
  }
}
