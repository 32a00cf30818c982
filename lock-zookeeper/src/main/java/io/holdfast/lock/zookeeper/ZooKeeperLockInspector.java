package io.holdfast.lock.zookeeper;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockPage;
import io.holdfast.lock.internal.AbstractLockInspector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * The ZooKeeper inspector. A lock's holder is the first node of its folder's queue: its creation
 * zxid is the fencing token, its creation time the grant time, its session ({@code ephemeralOwner})
 * the owner id, and the nodes behind it are the waiters. Listing reads the root's children (one
 * request; ZooKeeper has no paged read) and then the folders of one page, in name order, keyset
 * paged by name. A force-release deletes the holder's node: its holder's watch reports the lock
 * lost, the next node in the queue is granted it, and every later grant's zxid is larger.
 *
 * <p>No watches are left behind: every read here is a plain one.
 */
final class ZooKeeperLockInspector extends AbstractLockInspector {
  private final ZooKeeperLockServiceImpl service;
  private final Duration commandTimeout;

  ZooKeeperLockInspector(ZooKeeperLockServiceImpl service, Duration commandTimeout) {
    super(service, "zookeeper");
    this.service = service;
    this.commandTimeout = commandTimeout;
  }

  /** The holder's node and its stat, or none. */
  private record Head(String path, Stat stat, int waiters) {}

  private static String ownerOf(Stat stat) {
    return "0x" + Long.toHexString(stat.getEphemeralOwner());
  }

  private static LockInfo info(String name, Head head) {
    return LockInfo.held(
        name,
        ownerOf(head.stat()),
        head.stat().getCzxid(),
        Instant.ofEpochMilli(head.stat().getCtime()),
        null,
        head.waiters());
  }

  /** Runs one background request, bounded by the command timeout. */
  private CompletableFuture<CuratorEvent> call(
      String op, String path, Background request, int... accepted) {
    CompletableFuture<CuratorEvent> done = new CompletableFuture<>();
    BackgroundCallback cb =
        (c, event) -> {
          int rc = event.getResultCode();
          if (rc == KeeperException.Code.OK.intValue()) {
            done.complete(event);
            return;
          }
          for (int a : accepted) {
            if (rc == a) {
              done.complete(event);
              return;
            }
          }
          done.completeExceptionally(service.failure(op, path, rc));
        };
    try {
      request.send(cb);
    } catch (Exception e) {
      done.completeExceptionally(new LockBackendException(op + " " + path + " failed: " + e, e));
    }
    return done.orTimeout(commandTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    e instanceof java.util.concurrent.TimeoutException
                        ? service.timeout(op, path)
                        : e));
  }

  /** A Curator background request. */
  private interface Background {
    void send(BackgroundCallback cb) throws Exception;
  }

  private static final int NONODE = KeeperException.Code.NONODE.intValue();

  private String folder(String name) {
    return service.root + "/" + LockPaths.encode(name);
  }

  /** The holder of the lock in {@code dir}, or null if free (also when the head just left). */
  private CompletableFuture<@Nullable Head> head(String dir) {
    return call(
            "getChildren",
            dir,
            cb -> service.client.getChildren().inBackground(cb).forPath(dir),
            NONODE)
        .thenCompose(
            listed -> {
              List<String> queue =
                  listed.getResultCode() == NONODE
                      ? List.of()
                      : LockPaths.queue(listed.getChildren());
              if (queue.isEmpty()) {
                return CompletableFuture.<@Nullable Head>completedFuture(null);
              }
              String path = dir + "/" + queue.get(0);
              return call(
                      "exists",
                      path,
                      cb -> service.client.checkExists().inBackground(cb).forPath(path),
                      NONODE)
                  .thenCompose(
                      e -> {
                        if (e.getResultCode() == NONODE || e.getStat() == null) {
                          return head(dir); // the holder left meanwhile: look again
                        }
                        return CompletableFuture.<@Nullable Head>completedFuture(
                            new Head(path, e.getStat(), queue.size() - 1));
                      });
            });
  }

  @Override
  protected CompletableFuture<LockInfo> doInspect(String name) {
    return head(folder(name)).thenApply(h -> h == null ? LockInfo.free(name) : info(name, h));
  }

  @Override
  protected CompletableFuture<LockInfo> doForceRelease(String name) {
    return head(folder(name))
        .thenCompose(
            h -> {
              if (h == null) {
                return CompletableFuture.completedFuture(LockInfo.free(name));
              }
              // Exactly this node, at the version read: a holder that released meanwhile is gone,
              // and a later grant is a different node, never deleted here.
              return call(
                      "delete",
                      h.path(),
                      cb ->
                          service
                              .client
                              .delete()
                              .withVersion(h.stat().getVersion())
                              .inBackground(cb)
                              .forPath(h.path()),
                      NONODE)
                  .thenApply(
                      e -> e.getResultCode() == NONODE ? LockInfo.free(name) : info(name, h));
            });
  }

  @Override
  protected CompletableFuture<LockPage> doList(String prefix, int pageSize, String cursor) {
    String root = service.root;
    return call(
            "getChildren",
            root,
            cb -> service.client.getChildren().inBackground(cb).forPath(root),
            NONODE)
        .thenCompose(
            listed -> {
              List<String> names = new ArrayList<>();
              if (listed.getResultCode() != NONODE) {
                for (String child : listed.getChildren()) {
                  String name = LockPaths.decode(child);
                  if (name.startsWith(prefix) && name.compareTo(cursor) > 0) {
                    names.add(name);
                  }
                }
              }
              names.sort(null);
              return fill(names, 0, pageSize, new ArrayList<>());
            });
  }

  /** Reads the folders of {@code names} from {@code from}, a page at a time, until one is full. */
  private CompletableFuture<LockPage> fill(
      List<String> names, int from, int pageSize, List<LockInfo> page) {
    int to = Math.min(names.size(), from + pageSize - page.size());
    List<CompletableFuture<LockInfo>> reads = new ArrayList<>();
    for (String name : names.subList(from, to)) {
      reads.add(doInspect(name));
    }
    return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0]))
        .thenCompose(
            done -> {
              for (CompletableFuture<LockInfo> r : reads) {
                LockInfo i = r.join();
                if (i.isHeld()) {
                  page.add(i);
                }
              }
              if (to >= names.size()) {
                return CompletableFuture.completedFuture(new LockPage(page, null));
              }
              if (page.size() == pageSize) {
                return CompletableFuture.completedFuture(new LockPage(page, names.get(to - 1)));
              }
              return fill(names, to, pageSize, page);
            });
  }
}
