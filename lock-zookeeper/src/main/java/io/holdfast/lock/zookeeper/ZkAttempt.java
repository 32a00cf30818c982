package io.holdfast.lock.zookeeper;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import io.holdfast.lock.zookeeper.internal.ZkSupport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * One acquire: create our ephemeral-sequential node, list the queue, and either take the lock (our
 * node is first) or watch only the node just before ours and list again when it goes.
 *
 * <p>Requests: create + getChildren when the lock is free, sent together — ZooKeeper runs a
 * session's requests in order, so the listing sent right behind the create already contains our
 * node, and taking a free lock costs one round trip; + getData (with a watch) on the predecessor
 * per wait; + getChildren per wake-up. The listing also leaves a children watch on the lock's
 * folder, which is how a holder learns, without another request, that something changed there: it
 * then switches to a watch on its own node (one getData) so that a deletion behind its back reports
 * the lease lost.
 *
 * <p>Time limits: the caller's wait (after which a waiter gives up with "not granted") and, for
 * every request, the command timeout (after which the attempt fails with {@link
 * LockBackendException}). A wait that ends while a request is in flight lets that request finish: a
 * grant it brings is still handed over, within the command timeout.
 */
final class ZkAttempt {
  private final ZooKeeperLockServiceImpl service;
  private final String name;
  private final String dir;
  private final CompletableFuture<@Nullable Lease> future;
  private final boolean single;
  private final long maxWaitNanos;
  private final long sentAt;

  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicBoolean granted = new AtomicBoolean();
  private volatile boolean deadlinePassed;
  private volatile @Nullable String path;
  private volatile long czxid;
  private volatile @Nullable ZkLease lease;
  private volatile @Nullable ScheduledFuture<?> waitTimer;

  // One create and the listing sent behind it form a round; guarded by this.
  private int round;
  private boolean listingWanted;
  private boolean createAnswered;
  private boolean listingAnsweredFirst;

  /** Wakes this waiter when its predecessor changes (is deleted); ignores connection events. */
  private final Watcher predecessorWatcher = this::predecessorChanged;

  /** Set by every listing; only matters once this attempt holds the lock. */
  private final Watcher folderWatcher = this::folderChanged;

  /** How many nodes were ahead of ours at the last listing, for a timeout's message. */
  private volatile int ahead;

  ZkAttempt(
      ZooKeeperLockServiceImpl service,
      String name,
      String dir,
      CompletableFuture<@Nullable Lease> future,
      long maxWaitNanos) {
    this.service = service;
    this.name = name;
    this.dir = dir;
    this.future = future;
    this.single = maxWaitNanos == 0;
    this.maxWaitNanos = maxWaitNanos;
    this.sentAt = service.now();
    Futures.onComplete(
        future,
        (l, e) -> {
          if (single && l != null) {
            service.singleAttemptEnded(name, true);
          }
          finished(l);
        });
  }

  /**
   * Sends the first request, then starts the wait: a wait that ends before any answer still lets
   * that first attempt decide.
   */
  void begin() {
    start();
    if (!single && !future.isDone()) {
      waitTimer = service.schedule(this::waitEnded, maxWaitNanos);
      if (future.isDone()) {
        ScheduledFuture<?> t = waitTimer;
        if (t != null) {
          t.cancel(false);
        }
      }
    }
  }

  String name() {
    return name;
  }

  // ------------------------------------------------------------------ steps

  void start() {
    if (single && service.listFirst(name)) {
      listBeforeCreating();
    } else {
      create(false);
    }
  }

  /**
   * A single attempt on a contended name: list first, and create a node only if there is none, so
   * that attempts refused anyway never stand in each other's way. The listing leaves no watch.
   */
  private void listBeforeCreating() {
    Request r = request("getChildren", dir);
    try {
      service.client.getChildren().inBackground(r.wrap(this::listedBeforeCreating)).forPath(dir);
    } catch (Exception e) {
      r.failed(e);
    }
  }

  private void listedBeforeCreating(CuratorEvent event) {
    int rc = event.getResultCode();
    if (rc == KeeperException.Code.NONODE.intValue()) {
      createFolder();
    } else if (rc != KeeperException.Code.OK.intValue()) {
      fail(service.failure("getChildren", dir, rc));
    } else if (future.isDone()) {
      return;
    } else {
      List<String> queue = LockPaths.queue(event.getChildren());
      if (queue.isEmpty()) {
        create(false);
      } else {
        refused(queue.size());
      }
    }
  }

  /**
   * Creates our node. The folder usually exists; when it does not, we create just the folder (one
   * request) and try again, and only when the root is missing too let Curator create every ancestor
   * (it checks each one first).
   */
  private void create(boolean withAncestors) {
    path = null;
    int thisRound;
    synchronized (this) {
      thisRound = ++round;
      listingWanted = !withAncestors;
      createAnswered = false;
      listingAnsweredFirst = false;
    }
    Request r = request("create", dir);
    try {
      var create =
          withAncestors
              ? service
                  .client
                  .create()
                  .creatingParentContainersIfNeeded()
                  .withProtection()
                  .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
              : service.client.create().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL);
      var acl = service.acl;
      (acl == null ? create : create.withACL(acl, true))
          .inBackground(r.wrap(e -> created(e, withAncestors, thisRound)))
          .forPath(dir + "/" + LockPaths.NODE_PREFIX);
    } catch (Exception e) {
      r.failed(e);
      return;
    }
    if (!withAncestors) {
      // Sent right behind the create, without waiting for its answer.
      list(e -> listedBehindCreate(e, thisRound));
    }
  }

  private void listedBehindCreate(CuratorEvent event, int thisRound) {
    synchronized (this) {
      if (thisRound != round || !listingWanted) {
        return; // a later create has started, or the create's answer decided what happens next
      }
      if (!createAnswered) {
        // Only after a retried request (connection loss) can the answers come out of order;
        // this listing may predate our node: list again once the create is answered.
        listingAnsweredFirst = true;
        return;
      }
    }
    listed(event);
  }

  private void createFolder() {
    Request r = request("create (folder)", dir);
    try {
      var create = service.client.create().withMode(CreateMode.CONTAINER);
      var acl = service.acl;
      (acl == null ? create : create.withACL(acl))
          .inBackground(r.wrap(this::folderCreated))
          .forPath(dir);
    } catch (Exception e) {
      r.failed(e);
    }
  }

  private void folderCreated(CuratorEvent event) {
    int rc = event.getResultCode();
    if (rc == KeeperException.Code.OK.intValue()
        || rc == KeeperException.Code.NODEEXISTS.intValue()) {
      create(false);
    } else if (rc == KeeperException.Code.NONODE.intValue()) {
      create(true);
    } else {
      fail(service.failure("create", dir, rc));
    }
  }

  private void created(CuratorEvent event, boolean withAncestors, int thisRound) {
    int rc = event.getResultCode();
    String p = rc == KeeperException.Code.OK.intValue() ? event.getName() : null;
    Stat stat = event.getStat();
    boolean listNow;
    synchronized (this) {
      if (p != null) {
        path = p;
        if (stat != null) {
          czxid = stat.getCzxid();
        }
      }
      if (p == null || stat == null || thisRound != round) {
        listingWanted = false; // failed, or the node's stat must be read first
      }
      createAnswered = true;
      listNow = !listingWanted || listingAnsweredFirst;
    }
    if (p == null && future.isDone()) {
      return; // nothing was created, and nobody waits any more
    }
    if (rc == KeeperException.Code.NONODE.intValue() && !withAncestors) {
      createFolder();
      return;
    }
    if (p == null) {
      fail(service.failure("create", dir, rc));
      return;
    }
    if (future.isDone()) {
      service.deleteNodeQuietly(p);
      return;
    }
    if (stat != null) {
      if (listNow) {
        check();
      }
      return;
    }
    // Curator found our node after a retried protected-mode create, without its stat.
    Request r = request("exists", p);
    try {
      service.client.checkExists().inBackground(r.wrap(this::statRead)).forPath(p);
    } catch (Exception e) {
      r.failed(e);
    }
  }

  private void statRead(CuratorEvent event) {
    Stat stat = event.getStat();
    if (event.getResultCode() != KeeperException.Code.OK.intValue() || stat == null) {
      nodeVanished();
      return;
    }
    czxid = stat.getCzxid();
    check();
  }

  /** Lists the queue; on reconnection, parked attempts come back here too. */
  void check() {
    if (future.isDone()) {
      return;
    }
    list(this::listed);
  }

  /** getChildren of the folder, leaving the folder watch. */
  private void list(java.util.function.Consumer<CuratorEvent> then) {
    Request r = request("getChildren", dir);
    try {
      service
          .client
          .getChildren()
          .usingWatcher(folderWatcher)
          .inBackground(r.wrap(then))
          .forPath(dir);
    } catch (Exception e) {
      r.failed(e);
    }
  }

  private void listed(CuratorEvent event) {
    int rc = event.getResultCode();
    if (rc == KeeperException.Code.NONODE.intValue()) {
      nodeVanished();
      return;
    }
    if (rc != KeeperException.Code.OK.intValue()) {
      fail(service.failure("getChildren", dir, rc));
      return;
    }
    String mine = path;
    if (mine == null) {
      return;
    }
    List<String> queue = LockPaths.queue(event.getChildren());
    int at = queue.indexOf(LockPaths.node(mine));
    if (at < 0) {
      nodeVanished();
    } else if (at == 0) {
      grant(mine);
    } else if (single || deadlinePassed) {
      refused(at);
    } else {
      ahead = at;
      watch(dir + "/" + queue.get(at - 1));
    }
  }

  /** Not granted: {@code ahead} nodes are queued before ours (or before where ours would be). */
  private void refused(int ahead) {
    if (single) {
      service.singleAttemptEnded(name, false);
    }
    ZooKeeperLockServiceImpl.notGrantedBehind(future, ahead);
  }

  private void watch(String predecessor) {
    Request r = request("getData", predecessor);
    try {
      service
          .client
          .getData()
          .usingWatcher(predecessorWatcher)
          .inBackground(r.wrap(this::watching))
          .forPath(predecessor);
    } catch (Exception e) {
      r.failed(e);
    }
  }

  private void watching(CuratorEvent event) {
    int rc = event.getResultCode();
    if (rc == KeeperException.Code.NONODE.intValue()) {
      check(); // gone already: no watch was left behind
    } else if (rc != KeeperException.Code.OK.intValue()) {
      fail(service.failure("getData", event.getPath(), rc));
    } else if (deadlinePassed) {
      waitEnded();
    }
    // else: wait for the watch
  }

  private void predecessorChanged(WatchedEvent event) {
    if (event.getType() != Watcher.Event.EventType.None && !future.isDone()) {
      check();
    }
  }

  private void folderChanged(WatchedEvent event) {
    ZkLease l = lease;
    if (event.getType() == Watcher.Event.EventType.NodeChildrenChanged && l != null) {
      l.watchOwnNode();
    }
  }

  private void grant(String mine) {
    if (!granted.compareAndSet(false, true)) {
      return;
    }
    ZkLease l = new ZkLease(service, name, czxid, sentAt, mine);
    if (!service.admit(this, l)) {
      granted.set(false); // parked until reconnection
      return;
    }
    lease = l;
    ZooKeeperLockServiceImpl.handOver(future, l);
  }

  /** Our node is gone (deleted behind our back, or the session ended): queue again if we may. */
  private void nodeVanished() {
    if (future.isDone()) {
      return;
    }
    if (single || deadlinePassed) {
      future.complete(null);
    } else {
      start();
    }
  }

  private void waitEnded() {
    deadlinePassed = true;
    if (outstanding.get() > 0 || future.isDone()) {
      return; // the request in flight decides
    }
    if (!service.isConnected()) {
      fail(
          new LockBackendException(
              "the connection to "
                  + ZkSupport.where(service.client)
                  + " was down when the wait"
                  + " ended",
              new KeeperException.ConnectionLossException()));
    } else if (ahead > 0) {
      ZooKeeperLockServiceImpl.notGrantedBehind(future, ahead);
    } else {
      future.complete(null);
    }
  }

  /** Fails the attempt; a backend failure's message then begins with what was being done. */
  void fail(Throwable error) {
    future.completeExceptionally(
        error instanceof LockBackendException e && e.getCause() != null
            ? new LockBackendException(
                "acquiring '" + name + "' failed: " + e.getMessage(), e.getCause())
            : error);
  }

  private void finished(@Nullable Lease granted) {
    ScheduledFuture<?> t = waitTimer;
    if (t != null) {
      t.cancel(false);
    }
    service.unpark(this);
    String p = path;
    if (granted == null && p != null) {
      service.deleteNodeQuietly(p);
    }
  }

  // ------------------------------------------------------------------ requests with a time limit

  private Request request(String op, String target) {
    return new Request(op, target);
  }

  /** One request in flight: counted, and failed if ZooKeeper does not answer in time. */
  private final class Request {
    private final String op;
    private final String target;
    private final AtomicBoolean over = new AtomicBoolean();
    private final ScheduledFuture<?> timer;

    Request(String op, String target) {
      this.op = op;
      this.target = target;
      outstanding.incrementAndGet();
      timer =
          service.schedule(
              () -> {
                if (end()) {
                  fail(service.timeout(op, target));
                }
              },
              service.commandTimeoutNanos());
    }

    /** Marks the request answered (or given up); true the first time. */
    boolean end() {
      if (!over.compareAndSet(false, true)) {
        return false;
      }
      timer.cancel(false);
      outstanding.decrementAndGet();
      return true;
    }

    BackgroundCallback wrap(java.util.function.Consumer<CuratorEvent> next) {
      return (client, event) -> {
        if (!end()) {
          // Answered after we gave up: a node it created is deleted by finished() or created().
          String created = event.getName();
          if (op.equals("create")
              && event.getResultCode() == KeeperException.Code.OK.intValue()
              && created != null
              && !created.equals(dir)) {
            service.deleteNodeQuietly(created);
          }
          return;
        }
        if (future.isDone() && !op.equals("create")) {
          return;
        }
        next.accept(event);
      };
    }

    void failed(Exception e) {
      if (end()) {
        fail(new LockBackendException("ZooKeeper " + op + " of " + target + " failed: " + e, e));
      }
    }
  }
}
