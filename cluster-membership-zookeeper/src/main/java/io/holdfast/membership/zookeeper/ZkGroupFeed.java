package io.holdfast.membership.zookeeper;

import io.holdfast.membership.Member;
import io.holdfast.membership.internal.GroupSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one group for one membership instance: a persistent recursive watch on the group node
 * (one watch for all its members), a full read whenever the watch is (re)set — at start and after
 * every reconnection, including with a new session — and a read of each node the watch reports
 * created or changed.
 *
 * <p>ZooKeeper delivers a session's watch events and replies in order, so applying them as they
 * arrive keeps this view consistent; versions are a local counter. A node is identified by its
 * creation zxid: a node of the same id with a new one is a new incarnation (it left and joined
 * again), reported as a remove then an upsert even if it was missed while disconnected. Curator's
 * {@code CuratorCache} is not used because it compares only data versions and would miss such a
 * return.
 */
final class ZkGroupFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership.zookeeper");

  private final ZooKeeperMembershipImpl service;
  private final String dir;
  private final String prefix;
  private final GroupSink sink;
  private final PersistentWatcher watcher;

  /** A member as last read, with the node's creation and modification zxids. */
  private record Known(Member member, long czxid, long mzxid) {}

  // Guarded by this.
  private final Map<String, Known> known = new HashMap<>();
  private long version;
  private boolean ready;
  private int generation;
  private int loading;
  private boolean closed;

  ZkGroupFeed(ZooKeeperMembershipImpl service, String dir, GroupSink sink) {
    this.service = service;
    this.dir = dir;
    this.prefix = dir + "/";
    this.sink = sink;
    this.watcher = new PersistentWatcher(service.client, dir, true);
  }

  void start() {
    watcher.getListenable().addListener(this::onEvent);
    watcher.getResetListenable().addListener(this::reload);
    watcher.start();
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private @Nullable String idOf(String path) {
    if (!path.startsWith(prefix)) {
      return null;
    }
    String id = path.substring(prefix.length());
    return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
  }

  private void onEvent(WatchedEvent event) {
    String path = event.getPath();
    String id = path == null ? null : idOf(path);
    if (id == null || isClosed()) {
      return;
    }
    switch (event.getType()) {
      case NodeCreated, NodeDataChanged -> read(id, -1);
      case NodeDeleted -> removed(id);
      default -> {
        // persistent recursive watches report nothing else for children
      }
    }
  }

  /** Reads the whole group; called whenever the watch is (re)set. */
  void reload() {
    int gen;
    synchronized (this) {
      if (closed) {
        return;
      }
      gen = ++generation;
    }
    // Callbacks passed straight to Curator run on the client's event thread, in order with the
    // watch events.
    try {
      service.client.getChildren().inBackground((c, e) -> children(gen, e)).forPath(dir);
    } catch (Exception e) {
      LOG.debug("reading group {} failed; retrying", dir, e);
      retryReload(gen);
    }
  }

  private void retryReload(int gen) {
    service.retryLater(
        () -> {
          synchronized (this) {
            if (closed || gen != generation) {
              return;
            }
          }
          reload();
        });
  }

  private void children(int gen, CuratorEvent e) {
    List<String> ids;
    KeeperException.Code c = KeeperException.Code.get(e.getResultCode());
    if (c == KeeperException.Code.NONODE) {
      ids = List.of();
    } else if (c == KeeperException.Code.OK) {
      ids = e.getChildren();
    } else {
      LOG.debug("reading group {} failed ({}); retrying", dir, c);
      retryReload(gen);
      return;
    }
    synchronized (this) {
      if (closed || gen != generation) {
        return;
      }
      Set<String> present = new HashSet<>(ids);
      for (String id : new ArrayList<>(known.keySet())) {
        if (!present.contains(id)) {
          removed(id);
        }
      }
      loading = ids.size();
      if (loading == 0) {
        loaded();
      }
    }
    for (String id : ids) {
      read(id, gen);
    }
  }

  private void read(String id, int gen) {
    try {
      service.client.getData().inBackground((c, e) -> data(id, gen, e)).forPath(prefix + id);
    } catch (Exception e) {
      LOG.debug("reading member {}{} failed; retrying", prefix, id, e);
      retryRead(id);
      synchronized (this) {
        countLoaded(gen);
      }
    }
  }

  private void retryRead(String id) {
    service.retryLater(
        () -> {
          if (!isClosed()) {
            read(id, -1);
          }
        });
  }

  private synchronized void data(String id, int gen, CuratorEvent e) {
    if (closed) {
      return;
    }
    KeeperException.Code c = KeeperException.Code.get(e.getResultCode());
    if (c == KeeperException.Code.OK) {
      apply(id, e.getData(), e.getStat());
    } else if (c == KeeperException.Code.NONODE) {
      removed(id);
    } else {
      LOG.debug("reading member {}{} failed ({}); retrying", prefix, id, c);
      retryRead(id);
    }
    countLoaded(gen);
  }

  // Guarded by this.
  private void countLoaded(int gen) {
    if (gen > 0 && gen == generation && loading > 0 && --loading == 0) {
      loaded();
    }
  }

  // Guarded by this.
  private void loaded() {
    if (!ready) {
      ready = true;
      List<Member> members = new ArrayList<>();
      known.values().forEach(k -> members.add(k.member()));
      sink.snapshot(++version, members);
    }
  }

  private synchronized void apply(String id, byte[] data, Stat stat) {
    Known old = known.get(id);
    if (old != null
        && (stat.getCzxid() < old.czxid()
            || (stat.getCzxid() == old.czxid() && stat.getMzxid() <= old.mzxid()))) {
      return; // nothing new
    }
    Member m;
    try {
      m = ZooKeeperMembershipImpl.decode(data, stat);
    } catch (RuntimeException bad) {
      LOG.warn("ignored an unreadable member node {}{}", prefix, id, bad);
      return;
    }
    known.put(id, new Known(m, stat.getCzxid(), stat.getMzxid()));
    if (ready) {
      if (old != null && old.czxid() != stat.getCzxid()) {
        sink.remove(++version, id); // a new incarnation: it left and joined again
      }
      sink.upsert(++version, m);
    }
  }

  private synchronized void removed(String id) {
    if (known.remove(id) != null && ready) {
      sink.remove(++version, id);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    watcher.close();
  }
}
