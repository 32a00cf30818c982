package io.holdfast.lock.zookeeper;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.internal.Lease;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.zookeeper.internal.ZkSupport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper lock service. One {@link ZkAttempt} per acquire, one {@link ZkLease} per grant; all
 * ZooKeeper calls are Curator background operations, so nothing here blocks and no thread is
 * started per lock or per waiter: responses and watch events arrive on the ZooKeeper client's event
 * thread, connection-state changes on Curator's listener thread, timers on the core's scheduler.
 *
 * <p>Why our own recipe rather than Curator's {@code InterProcessMutex}: the mutex is blocking
 * ({@code acquire} parks the caller), does not expose the node's creation zxid for a fencing token,
 * and never tells a holder that its lock may be gone. The queue discipline is the same
 * (ephemeral-sequential nodes, each waiter watching only its predecessor), and Curator still does
 * the hard parts: protected-mode creates, container parents, retries and guaranteed deletes.
 */
final class ZooKeeperLockServiceImpl extends AbstractLockService {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.zookeeper");

  /** A pause longer than the session timeout divided by this loses every lease. */
  static final int PAUSE_DIVISOR = 2;

  final CuratorFramework client;
  private final boolean ownsClient;
  final String root;
  private final ZooKeeperLockInspector inspector;
  private final ZooKeeperLockService.LossPolicy lossPolicy;
  final @Nullable List<ACL> acl;
  private final ConnectionStateListener listener = (c, state) -> stateChanged(state);

  private final Object stateLock = new Object();
  // Guarded by stateLock.
  private boolean connected;
  private boolean sawStateEvent;
  private final Set<ZkAttempt> parked = new HashSet<>();
  // Grants that are held; added under stateLock so that a suspension cannot miss one.
  private final Set<ZkLease> held = ConcurrentHashMap.newKeySet();
  private final Set<ZkAttempt> attempts = ConcurrentHashMap.newKeySet();

  /** How many names {@link #contended} remembers; the least recently refused is forgotten. */
  static final int CONTENDED_NAMES = 1024;

  // Names on which a single attempt was recently refused; guarded by itself.
  private final Map<String, Boolean> contended =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > CONTENDED_NAMES;
        }
      };

  ZooKeeperLockServiceImpl(
      ServiceConfig config,
      CuratorFramework client,
      boolean ownsClient,
      String root,
      ZooKeeperLockService.LossPolicy lossPolicy,
      @Nullable List<ACL> acl) {
    super("zookeeper", config, false);
    this.client = client;
    this.ownsClient = ownsClient;
    this.root = root;
    this.lossPolicy = lossPolicy;
    this.acl = acl == null ? null : List.copyOf(acl);
    this.inspector = new ZooKeeperLockInspector(this, config.commandTimeout());
    client.getConnectionStateListenable().addListener(listener);
    // A grant lives as long as the session, which has no local clock: catch a process pause of
    // half the session timeout at once rather than when the client notices its session expired.
    // The negotiated timeout reads 0 while a new session is being set up (after an expiry, just
    // when a pause matters most), so remember the last one seen.
    java.util.concurrent.atomic.AtomicLong lastSessionMs =
        new java.util.concurrent.atomic.AtomicLong();
    detectPauses(
        () -> {
          int negotiated = client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
          if (negotiated > 0) {
            lastSessionMs.set(negotiated);
          }
          long known = lastSessionMs.get();
          long session =
              known > 0 ? known : ZooKeeperLockService.DEFAULT_SESSION_TIMEOUT.toMillis();
          return TimeUnit.MILLISECONDS.toNanos(session) / PAUSE_DIVISOR;
        });
    synchronized (stateLock) {
      if (!sawStateEvent) {
        connected = client.getZookeeperClient().isConnected();
      }
    }
  }

  /** The service's time ({@link #nanoTime()}), for its attempts. */
  long now() {
    return nanoTime();
  }

  @Override
  protected CompletableFuture<@Nullable Lease> acquireLease(String name, long maxWaitNanos) {
    CompletableFuture<@Nullable Lease> future = new CompletableFuture<>();
    ZkAttempt attempt =
        new ZkAttempt(this, name, root + "/" + LockPaths.encode(name), future, maxWaitNanos);
    attempts.add(attempt);
    Futures.onComplete(future, (l, e) -> attempts.remove(attempt));
    if (isClosed()) {
      future.completeExceptionally(
          new IllegalStateException("this zookeeper lock service is closed"));
      return future;
    }
    attempt.begin();
    return future;
  }

  // ------------------------------------------------------------------ used by attempts and leases

  long commandTimeoutNanos() {
    return config.commandTimeout().toNanos();
  }

  ScheduledFuture<?> schedule(Runnable task, long nanos) {
    return scheduleQuietly(task, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Records a grant as held, unless the connection is suspended right now: then the attempt is
   * parked and checked again on reconnection (a grant seen while suspended may already be gone).
   *
   * @return whether the lease was recorded and may be handed out
   */
  boolean admit(ZkAttempt attempt, ZkLease lease) {
    synchronized (stateLock) {
      if (!connected) {
        parked.add(attempt);
        return false;
      }
      held.add(lease);
      return true;
    }
  }

  /** Hands a grant to the caller, or releases it if the caller gave up. */
  static void handOver(CompletableFuture<@Nullable Lease> future, Lease lease) {
    deliver(future, lease);
  }

  boolean isConnected() {
    synchronized (stateLock) {
      return connected;
    }
  }

  void unpark(ZkAttempt attempt) {
    synchronized (stateLock) {
      parked.remove(attempt);
    }
  }

  void forget(ZkLease lease) {
    held.remove(lease);
  }

  /**
   * Deletes a node, retrying in the background until it is gone if the connection is down
   * (Curator's guaranteed delete). The future completes when ZooKeeper confirmed, or fails on the
   * first error while Curator keeps trying.
   */
  /** {@link #deleteNode} for clean-up nobody waits for: Curator retries, a failure is logged. */
  void deleteNodeQuietly(String path) {
    Futures.forget(deleteNode(path), LOG, "deleting " + path);
  }

  CompletableFuture<Void> deleteNode(String path) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    BackgroundCallback cb =
        (c, event) -> {
          int rc = event.getResultCode();
          if (rc == KeeperException.Code.OK.intValue()
              || rc == KeeperException.Code.NONODE.intValue()) {
            done.complete(null);
          } else {
            done.completeExceptionally(failure("delete", path, rc));
          }
        };
    try {
      client.delete().guaranteed().inBackground(cb).forPath(path);
    } catch (Exception e) {
      done.completeExceptionally(new LockBackendException("deleting " + path + " failed: " + e, e));
    }
    return done;
  }

  LockBackendException failure(String op, @Nullable String path, int rc) {
    KeeperException.Code code = KeeperException.Code.get(rc);
    KeeperException ke =
        KeeperException.create(code == null ? KeeperException.Code.SYSTEMERROR : code, path);
    return new LockBackendException(
        ZkSupport.describe(client, code, op, path, config.commandTimeout()), ke);
  }

  LockBackendException timeout(String op, String path) {
    boolean connected = client.getZookeeperClient().isConnected();
    return new LockBackendException(
        ZkSupport.describeTimeout(client, op, path, config.commandTimeout()),
        connected ? new TimeoutException() : new KeeperException.ConnectionLossException());
  }

  @Override
  public LockInspector inspector() {
    ensureOpen();
    return inspector;
  }

  /** Ends a wait that was not granted, saying how many acquirers were queued ahead. */
  static void notGrantedBehind(CompletableFuture<@Nullable Lease> future, int ahead) {
    notGranted(
        future,
        ahead
            + (ahead == 1 ? " acquirer" : " acquirers")
            + " ahead (the first holds it as long as its session lives)",
        null);
  }

  /**
   * Whether a single attempt on {@code name} should list the folder before creating a node. After a
   * refusal it does: a node created only to be refused sits ahead of other single attempts and
   * makes them refused too, even once nobody holds the lock, so under contention only an attempt
   * that saw no node creates one. Uncontended, the create and the listing go together (one round
   * trip).
   */
  boolean listFirst(String name) {
    synchronized (contended) {
      return contended.containsKey(name);
    }
  }

  /** Remembers how the last single attempt on {@code name} ended. */
  void singleAttemptEnded(String name, boolean granted) {
    synchronized (contended) {
      if (granted) {
        contended.remove(name);
      } else {
        contended.put(name, Boolean.TRUE);
      }
    }
  }

  java.time.Duration commandTimeout() {
    return config.commandTimeout();
  }

  // ------------------------------------------------------------------ connection states

  private void stateChanged(ConnectionState state) {
    switch (state) {
      case CONNECTED, RECONNECTED -> reconnected();
      case SUSPENDED, READ_ONLY -> suspended(state);
      case LOST -> sessionLost();
      default -> LOG.debug("ignoring connection state {}", state);
    }
  }

  private void reconnected() {
    List<ZkAttempt> again;
    synchronized (stateLock) {
      connected = true;
      sawStateEvent = true;
      again = new ArrayList<>(parked);
      parked.clear();
    }
    for (ZkAttempt a : again) {
      a.check();
    }
    for (ZkLease l : held) {
      l.rewatchIfNeeded();
    }
  }

  private void suspended(ConnectionState state) {
    List<ZkLease> victims = List.of();
    synchronized (stateLock) {
      connected = false;
      sawStateEvent = true;
      if (lossPolicy == ZooKeeperLockService.LossPolicy.SUSPENDED) {
        victims = new ArrayList<>(held);
      }
    }
    for (ZkLease l : victims) {
      l.lostAndCleanUp(
          "the connection to ZooKeeper was "
              + state
              + " (the session, and with it the lock, may be gone; loss policy SUSPENDED)");
    }
  }

  private void sessionLost() {
    List<ZkLease> victims;
    List<ZkAttempt> waiting;
    synchronized (stateLock) {
      connected = false;
      sawStateEvent = true;
      victims = new ArrayList<>(held);
      parked.clear();
      waiting = new ArrayList<>(attempts);
    }
    for (ZkLease l : victims) {
      l.lostAndCleanUp("the ZooKeeper session was lost (expired, or unreachable past its timeout)");
    }
    for (ZkAttempt a : waiting) {
      a.fail(
          new LockBackendException(
              "the ZooKeeper session was lost (expired, or unreachable past its timeout)",
              KeeperException.create(KeeperException.Code.SESSIONEXPIRED)));
    }
  }

  @Override
  protected void shutdownBackend() {
    client.getConnectionStateListenable().removeListener(listener);
    for (ZkAttempt a : new ArrayList<>(attempts)) {
      a.fail(new IllegalStateException("this zookeeper lock service is closed"));
    }
    if (ownsClient) {
      client.close();
    }
  }
}
