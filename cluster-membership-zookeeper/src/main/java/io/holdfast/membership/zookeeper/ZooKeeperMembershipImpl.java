package io.holdfast.membership.zookeeper;

import io.holdfast.lock.LockService;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.zookeeper.internal.ZkSupport;
import io.holdfast.membership.DuplicateMemberException;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.internal.AbstractMembership;
import io.holdfast.membership.internal.AbstractRegistration;
import io.holdfast.membership.internal.GroupSink;
import io.holdfast.membership.internal.MemberCodec;
import io.holdfast.membership.internal.Members;
import io.holdfast.membership.internal.Validation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLBackgroundPathAndBytesable;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.BackgroundPathAndBytesable;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Membership over ZooKeeper: see {@link ZooKeeperMembership} for the model. */
final class ZooKeeperMembershipImpl extends AbstractMembership {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership.zookeeper");
  private static final long RETRY_MS = 500;

  final CuratorFramework client;
  private final boolean ownsClient;
  private final LockService locks;
  private final String rootPath;
  private final @Nullable List<ACL> acl;
  private final Set<ZkRegistration> live = ConcurrentHashMap.newKeySet();

  /**
   * Member paths registered through each ZooKeeper connection (namespace included), shared by every
   * membership on the same client: a node of one's own session is one's own only if this process
   * claimed its path, so two memberships over one client cannot take each other's id.
   */
  private static final Map<Object, Set<String>> CLAIMS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final Set<String> claims;
  private final ConnectionStateListener stateListener = (c, state) -> stateChanged(state);

  ZooKeeperMembershipImpl(
      CuratorFramework client,
      boolean ownsClient,
      LockService locks,
      String rootPath,
      @Nullable List<ACL> acl,
      Duration commandTimeout,
      @Nullable Executor callbackExecutor) {
    super("zookeeper", commandTimeout, callbackExecutor);
    this.client = client;
    this.ownsClient = ownsClient;
    this.locks = locks;
    this.rootPath = rootPath;
    this.acl = acl == null ? null : List.copyOf(acl);
    this.claims =
        CLAIMS.computeIfAbsent(client.getZookeeperClient(), k -> ConcurrentHashMap.newKeySet());
    client.getConnectionStateListenable().addListener(stateListener);
  }

  // ---------------------------------------------------------------- paths and calls

  String groupPath(String group) {
    return rootPath + "/" + group;
  }

  private String claimKey(String path) {
    return ZKPaths.fixForNamespace(client.getNamespace(), path);
  }

  private String memberPath(MemberInfo info) {
    return groupPath(info.group()) + "/" + info.id();
  }

  /** One Curator background operation. */
  interface Op {
    void start(BackgroundCallback callback) throws Exception;
  }

  /** Starts an operation; its future completes with the event, whatever its result code. */
  CompletableFuture<CuratorEvent> call(Op op) {
    CompletableFuture<CuratorEvent> f = new CompletableFuture<>();
    try {
      op.start((c, event) -> f.complete(event));
    } catch (Exception e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  private long deadline() {
    return System.nanoTime() + commandTimeout.toNanos();
  }

  private CuratorEvent await(CompletableFuture<CuratorEvent> f, String what, long deadline) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MembershipBackendException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause == null) {
        cause = e;
      }
      throw new MembershipBackendException(what + " failed: " + cause, cause);
    } catch (TimeoutException e) {
      boolean connected = client.getZookeeperClient().isConnected();
      throw new MembershipBackendException(
          what + " failed: " + ZkSupport.describeTimeout(client, null, null, commandTimeout),
          connected ? e : new KeeperException.ConnectionLossException());
    }
  }

  private static KeeperException.Code code(CuratorEvent e) {
    return KeeperException.Code.get(e.getResultCode());
  }

  private MembershipBackendException failed(String what, CuratorEvent e) {
    KeeperException.Code c = code(e);
    return new MembershipBackendException(
        what + " failed: " + ZkSupport.describe(client, c, null, e.getPath(), commandTimeout),
        KeeperException.create(c, e.getPath()));
  }

  private long sessionId() {
    try {
      return client.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      throw new MembershipBackendException("ZooKeeper client has no session: " + e, e);
    }
  }

  private @Nullable Stat exists(
      String path, @Nullable Watcher watcher, String what, long deadline) {
    CuratorEvent e =
        await(
            call(
                cb -> {
                  if (watcher != null) {
                    client.checkExists().usingWatcher(watcher).inBackground(cb).forPath(path);
                  } else {
                    client.checkExists().inBackground(cb).forPath(path);
                  }
                }),
            what,
            deadline);
    if (code(e) == KeeperException.Code.OK) {
      return e.getStat();
    }
    if (code(e) == KeeperException.Code.NONODE) {
      return null;
    }
    throw failed(what, e);
  }

  private CompletableFuture<CuratorEvent> create(String path, byte[] data) {
    return call(
        cb -> {
          ACLBackgroundPathAndBytesable<String> create =
              client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL);
          BackgroundPathAndBytesable<String> op = acl == null ? create : create.withACL(acl, true);
          op.inBackground(cb).forPath(path, data);
        });
  }

  private static byte[] payload(Member m) {
    return MemberCodec.encode(m.info(), m.leaderEpoch()).getBytes(StandardCharsets.UTF_8);
  }

  static Member decode(byte[] data, Stat stat) {
    return MemberCodec.decode(
        new String(data, StandardCharsets.UTF_8), Instant.ofEpochMilli(stat.getCtime()));
  }

  /**
   * Makes the node at {@code path} this instance's, holding {@code data}: creates it, adopts a node
   * of the current session (a retried or abandoned create of ours), or replaces a node left by
   * {@code staleSession} (an expired session of ours the server has not reaped yet). Returns the
   * node's stat, or {@code null} if another live session holds the id; never overwrites that.
   */
  private @Nullable Stat establish(
      String path, byte[] data, long staleSession, String what, long deadline) {
    for (int attempt = 0; attempt < 5; attempt++) {
      CompletableFuture<CuratorEvent> f = create(path, data);
      CuratorEvent e;
      try {
        e = await(f, what, deadline);
      } catch (MembershipBackendException timeout) {
        // The create may still succeed later. Unless a registration adopted that node meanwhile
        // (a retried register of the same id does), remove it once the caller has moved on.
        // A create that failed late left nothing to remove.
        Futures.onComplete(
            f,
            (late, lateError) -> {
              if (late == null) {
                return;
              }
              Stat st = late.getStat();
              if (code(late) == KeeperException.Code.OK && st != null) {
                schedule(
                    () -> {
                      if (live.stream().noneMatch(r -> r.czxid == st.getCzxid())) {
                        deleteIfOwn(path, st.getCzxid());
                      }
                    },
                    commandTimeout.toMillis(),
                    TimeUnit.MILLISECONDS);
              }
            });
        throw timeout;
      }
      KeeperException.Code c = code(e);
      if (c == KeeperException.Code.OK) {
        Stat st = e.getStat();
        if (st == null) {
          st = exists(path, null, what, deadline);
        }
        if (st != null) {
          return st;
        }
        continue;
      }
      if (c != KeeperException.Code.NODEEXISTS) {
        throw failed(what, e);
      }
      Stat st = exists(path, null, what, deadline);
      if (st == null) {
        continue;
      }
      long owner = st.getEphemeralOwner();
      if (owner == sessionId()) {
        CuratorEvent set =
            await(
                call(
                    cb ->
                        client
                            .setData()
                            .withVersion(st.getVersion())
                            .inBackground(cb)
                            .forPath(path, data)),
                what,
                deadline);
        if (code(set) == KeeperException.Code.OK) {
          return set.getStat();
        }
        continue;
      }
      if (staleSession != 0 && owner == staleSession) {
        CuratorEvent del =
            await(
                call(
                    cb ->
                        client
                            .delete()
                            .withVersion(st.getVersion())
                            .inBackground(cb)
                            .forPath(path)),
                what,
                deadline);
        if (code(del) != KeeperException.Code.OK
            && code(del) != KeeperException.Code.NONODE
            && code(del) != KeeperException.Code.BADVERSION) {
          throw failed(what, del);
        }
        continue;
      }
      return null;
    }
    throw new MembershipBackendException(
        what + ": the node kept changing under us; try again",
        new java.util.ConcurrentModificationException(path));
  }

  /** Deletes the node if it is that incarnation, of the current session. */
  private void deleteIfOwn(String path, long czxid) {
    Futures.onComplete(
        call(cb -> client.checkExists().inBackground(cb).forPath(path)),
        (e, error) -> {
          if (e == null) {
            // The ephemeral node goes with the session anyway.
            LOG.debug("could not check {} for removal", path, error);
            return;
          }
          Stat st = e.getStat();
          if (code(e) != KeeperException.Code.OK || st == null) {
            return;
          }
          long sid;
          try {
            sid = sessionId();
          } catch (MembershipBackendException ex) {
            return;
          }
          if (st.getEphemeralOwner() == sid && st.getCzxid() == czxid) {
            Futures.onComplete(
                call(
                    cb ->
                        client
                            .delete()
                            .withVersion(st.getVersion())
                            .inBackground(cb)
                            .forPath(path)),
                (deleted, deleteError) -> {
                  if (deleted == null || code(deleted) != KeeperException.Code.OK) {
                    // The ephemeral node goes with the session anyway.
                    LOG.debug(
                        "could not remove {}: {}",
                        path,
                        deleted == null ? deleteError : code(deleted));
                  }
                });
          }
        });
  }

  // ---------------------------------------------------------------- register

  @Override
  protected AbstractRegistration doRegister(MemberInfo info) {
    String path = memberPath(info);
    String key = claimKey(path);
    if (!claims.add(key)) {
      throw new DuplicateMemberException(info.group(), info.id());
    }
    try {
      String what = "registering '" + info.id() + "' in '" + info.group() + "'";
      Member draft = Members.create(info, Instant.EPOCH, 0);
      Stat st = establish(path, payload(draft), 0, what, deadline());
      if (st == null) {
        throw new DuplicateMemberException(info.group(), info.id());
      }
      ZkRegistration r =
          new ZkRegistration(
              Members.create(info, Instant.ofEpochMilli(st.getCtime()), 0), path, st);
      live.add(r);
      r.watch();
      return r;
    } catch (RuntimeException e) {
      claims.remove(key);
      throw e;
    }
  }

  final class ZkRegistration extends AbstractRegistration {
    private final String path;
    private final Watcher watcher = this::onNodeEvent;
    // Written under this: the incarnation of the node that is ours.
    private volatile long czxid;
    private long ownerSession;

    ZkRegistration(Member member, String path, Stat stat) {
      super(ZooKeeperMembershipImpl.this, member);
      this.path = path;
      adopt(stat);
    }

    private void adopt(Stat stat) {
      czxid = stat.getCzxid();
      ownerSession = stat.getEphemeralOwner();
    }

    /** Watches the node, so that a deletion by anyone else is noticed while the session lives. */
    void watch() {
      Futures.onComplete(
          call(cb -> client.checkExists().usingWatcher(watcher).inBackground(cb).forPath(path)),
          (e, error) -> {
            if (e == null) {
              // Unwatched, a deletion by anyone else would go unnoticed until the next reconcile.
              LOG.warn("could not watch {}; deletions of it may go unnoticed", path, error);
            }
          });
    }

    private void onNodeEvent(WatchedEvent event) {
      // Session events (type None) are handled by the connection-state listener.
      if (event.getType() != Watcher.Event.EventType.None && !isClosed()) {
        scheduleBlocking(this::ensure, 0, TimeUnit.MILLISECONDS);
      }
    }

    void markLostFromState() {
      markLost();
    }

    private synchronized boolean ours(Stat st) {
      return st.getCzxid() == czxid && st.getEphemeralOwner() == sessionId();
    }

    /** Checks that the node is still ours (re-arming the watch) and registers again if not. */
    synchronized void ensure() {
      if (isClosed()) {
        return;
      }
      Member m = member();
      String what = "registering '" + m.id() + "' in '" + m.group() + "' again";
      try {
        long deadline = deadline();
        Stat st = exists(path, watcher, what, deadline);
        if (st != null && ours(st)) {
          if (!isRegistered()) {
            markReRegistered(
                Members.create(m.info(), Instant.ofEpochMilli(st.getCtime()), m.leaderEpoch()));
          }
          return;
        }
        markLost();
        Stat now = establish(path, payload(m), ownerSession, what, deadline);
        if (now == null) {
          LOG.warn(
              "'{}' was lost and its id is now taken in '{}'; it registers again when that member leaves",
              m.id(),
              m.group());
          return; // the watch armed above fires when the other member's node goes
        }
        adopt(now);
        watch();
        Member back =
            Members.create(m.info(), Instant.ofEpochMilli(now.getCtime()), m.leaderEpoch());
        LOG.info(
            "'{}' registered again in '{}' after its registration was lost", m.id(), m.group());
        markReRegistered(back);
      } catch (MembershipBackendException e) {
        LOG.debug("{} failed; retrying", what, e);
        scheduleBlocking(this::ensure, RETRY_MS, TimeUnit.MILLISECONDS);
      }
    }

    @Override
    protected synchronized void publish(MemberInfo info, long leaderEpoch) {
      Member m = Members.create(info, member().joinedAt(), leaderEpoch);
      setMember(m);
      if (!isRegistered()) {
        // Lost meanwhile: it comes back with the new values.
        scheduleBlocking(this::ensure, 0, TimeUnit.MILLISECONDS);
        return;
      }
      byte[] data = payload(m);
      String what = "updating '" + info.id() + "' in '" + info.group() + "'";
      long deadline = deadline();
      for (int attempt = 0; attempt < 3; attempt++) {
        // ZooKeeper can condition a write on the data version only, and a node that replaced
        // ours may have the same version: check that the node is our incarnation first.
        Stat st = exists(path, null, what, deadline);
        if (st == null || !ours(st)) {
          break;
        }
        int v = st.getVersion();
        CuratorEvent e =
            await(
                call(cb -> client.setData().withVersion(v).inBackground(cb).forPath(path, data)),
                what,
                deadline);
        KeeperException.Code c = code(e);
        if (c == KeeperException.Code.OK) {
          return;
        }
        if (c != KeeperException.Code.BADVERSION && c != KeeperException.Code.NONODE) {
          throw failed(what, e);
        }
      }
      markLost();
      scheduleBlocking(this::ensure, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void leave() {
      live.remove(this);
      Member m = member();
      String what = "deregistering '" + m.id() + "' from '" + m.group() + "'";
      try {
        synchronized (this) {
          long deadline = deadline();
          for (int attempt = 0; attempt < 3; attempt++) {
            Stat st = exists(path, null, what, deadline);
            if (st == null || !ours(st)) {
              return; // gone, or someone else's: never delete another member's node
            }
            CuratorEvent e =
                await(
                    call(
                        cb ->
                            client
                                .delete()
                                .withVersion(st.getVersion())
                                .inBackground(cb)
                                .forPath(path)),
                    what,
                    deadline);
            KeeperException.Code c = code(e);
            if (c == KeeperException.Code.OK || c == KeeperException.Code.NONODE) {
              return;
            }
            if (c != KeeperException.Code.BADVERSION) {
              throw failed(what, e);
            }
          }
        }
      } catch (MembershipBackendException e) {
        LOG.warn("could not deregister '{}'; it leaves when its ZooKeeper session ends", m.id(), e);
      } finally {
        claims.remove(claimKey(path));
      }
    }
  }

  private void stateChanged(ConnectionState state) {
    switch (state) {
      case LOST -> {
        // The session expired (or Curator gave it up): our ephemeral nodes are gone or going.
        for (ZkRegistration r : live) {
          r.markLostFromState();
        }
      }
      case CONNECTED, RECONNECTED -> {
        for (ZkRegistration r : live) {
          scheduleBlocking(r::ensure, 0, TimeUnit.MILLISECONDS);
        }
      }
      default -> {
        // SUSPENDED: the node lives as long as the session; leadership ends in the lock service.
      }
    }
  }

  // ---------------------------------------------------------------- members and watching

  @Override
  protected Collection<String> doGroups() {
    String what = "listing groups under " + rootPath;
    long deadline = deadline();
    // Not awaited: the reads below are queued after it, and they report any failure.
    var unused = call(cb -> client.sync().inBackground(cb).forPath(rootPath));
    CuratorEvent children =
        await(call(cb -> client.getChildren().inBackground(cb).forPath(rootPath)), what, deadline);
    if (code(children) == KeeperException.Code.NONODE) {
      return List.of();
    }
    if (code(children) != KeeperException.Code.OK) {
      throw failed(what, children);
    }
    // Group folders outlive their members until ZooKeeper reaps the container; election folders
    // (names with '%') are not groups.
    Map<String, CompletableFuture<CuratorEvent>> stats = new LinkedHashMap<>();
    for (String child : children.getChildren()) {
      if (isGroupName(child)) {
        stats.put(
            child, call(cb -> client.checkExists().inBackground(cb).forPath(groupPath(child))));
      }
    }
    List<String> groups = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<CuratorEvent>> e : stats.entrySet()) {
      CuratorEvent stat = await(e.getValue(), what, deadline);
      if (code(stat) == KeeperException.Code.OK
          && stat.getStat() != null
          && stat.getStat().getNumChildren() > 0) {
        groups.add(e.getKey());
      }
    }
    return groups;
  }

  private static boolean isGroupName(String s) {
    try {
      Validation.checkName(s, "group");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  protected List<Member> doMembers(String group) {
    String what = "reading group '" + group + "'";
    long deadline = deadline();
    String dir = groupPath(group);
    // A session's requests are served in order: after this sync, the reads below reflect every
    // write the leader had applied, such as a registration another client just completed.
    // Not awaited: the reads below are queued after it, and they report any failure.
    var unused = call(cb -> client.sync().inBackground(cb).forPath(dir));
    CuratorEvent children =
        await(call(cb -> client.getChildren().inBackground(cb).forPath(dir)), what, deadline);
    if (code(children) == KeeperException.Code.NONODE) {
      return List.of();
    }
    if (code(children) != KeeperException.Code.OK) {
      throw failed(what, children);
    }
    List<CompletableFuture<CuratorEvent>> reads = new ArrayList<>();
    for (String id : children.getChildren()) {
      reads.add(call(cb -> client.getData().inBackground(cb).forPath(dir + "/" + id)));
    }
    List<Member> members = new ArrayList<>();
    for (CompletableFuture<CuratorEvent> f : reads) {
      CuratorEvent e = await(f, what, deadline);
      if (code(e) == KeeperException.Code.NONODE) {
        continue;
      }
      if (code(e) != KeeperException.Code.OK) {
        throw failed(what, e);
      }
      try {
        members.add(decode(e.getData(), e.getStat()));
      } catch (RuntimeException bad) {
        LOG.warn("ignored an unreadable member node {}", e.getPath(), bad);
      }
    }
    return members;
  }

  @Override
  protected AutoCloseable openFeed(String group, GroupSink sink) {
    ZkGroupFeed feed = new ZkGroupFeed(this, groupPath(group), sink);
    feed.start();
    return feed;
  }

  void retryLater(Runnable task) {
    schedule(task, RETRY_MS, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- the rest

  @Override
  protected LockService electionLocks() {
    return locks;
  }

  @Override
  protected void shutdownBackend() {
    client.getConnectionStateListenable().removeListener(stateListener);
    try {
      locks.close();
    } finally {
      if (ownsClient) {
        client.close();
      }
    }
  }
}
