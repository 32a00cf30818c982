package io.holdfast.membership.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
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
import io.etcd.jetcd.watch.WatchEvent;
import io.holdfast.lock.LockService;
import io.holdfast.lock.Ticker;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.etcd.internal.EtcdSupport;
import io.holdfast.lock.etcd.internal.LeaseKeeper;
import io.holdfast.membership.DuplicateMemberException;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.internal.AbstractMembership;
import io.holdfast.membership.internal.AbstractRegistration;
import io.holdfast.membership.internal.GroupSink;
import io.holdfast.membership.internal.MemberCodec;
import io.holdfast.membership.internal.Members;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Membership over etcd: see {@link EtcdMembership} for the model. */
final class EtcdMembershipImpl extends AbstractMembership implements LeaseKeeper.Listener {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership.etcd");
  private static final long RETRY_MS = 200;

  private final Client client;
  private final boolean ownsClient;
  private final String root;
  private final List<String> endpoints;
  private final LockService locks;
  private final ScheduledThreadPoolExecutor leaseThread;
  private final LeaseKeeper keeper;
  private final Set<EtcdRegistration> live = ConcurrentHashMap.newKeySet();

  EtcdMembershipImpl(
      Client client,
      boolean ownsClient,
      String namespace,
      Duration leaseTime,
      Duration commandTimeout,
      @Nullable Executor callbackExecutor,
      List<String> endpoints) {
    super("etcd", commandTimeout, callbackExecutor);
    this.client = client;
    this.ownsClient = ownsClient;
    this.root = namespace + "members/";
    this.endpoints = List.copyOf(endpoints);
    EtcdLockService.Builder lb =
        EtcdLockService.builder(client)
            .namespace(namespace)
            .leaseTime(leaseTime)
            .commandTimeout(commandTimeout);
    if (callbackExecutor != null) {
      lb.callbackExecutor(callbackExecutor);
    }
    this.locks = lb.build();
    this.leaseThread =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "holdfast-membership-etcd-lease");
              t.setDaemon(true);
              return t;
            });
    leaseThread.setRemoveOnCancelPolicy(true);
    this.keeper =
        new LeaseKeeper(
            client,
            leaseTime,
            leaseTime.toNanos() / 100 + TimeUnit.MILLISECONDS.toNanos(2),
            commandTimeout,
            leaseThread,
            Ticker.system(),
            this);
  }

  // ---------------------------------------------------------------- keys and calls

  private String groupPrefix(String group) {
    return root + EtcdSupport.segment(group) + "/";
  }

  private String key(MemberInfo info) {
    return groupPrefix(info.group()) + EtcdSupport.segment(info.id());
  }

  private static ByteSequence value(Member m) {
    return EtcdSupport.bytes(
        m.joinedAt().toEpochMilli() + "\n" + MemberCodec.encode(m.info(), m.leaderEpoch()));
  }

  static Member decode(KeyValue kv) {
    String text = kv.getValue().toString(StandardCharsets.UTF_8);
    int nl = text.indexOf('\n');
    return MemberCodec.decode(
        text.substring(nl + 1), Instant.ofEpochMilli(Long.parseLong(text.substring(0, nl))));
  }

  private <T> T await(CompletableFuture<T> f, String what) {
    try {
      return EtcdSupport.bounded(f, commandTimeout).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MembershipBackendException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = EtcdSupport.unwrap(e);
      if (cause instanceof MembershipBackendException mbe) {
        throw mbe;
      }
      throw new MembershipBackendException(
          EtcdSupport.describe(what, cause, endpoints, commandTimeout), cause);
    }
  }

  private TxnResponse putIfAbsent(String key, Member m, long leaseId, String what) {
    ByteSequence k = EtcdSupport.bytes(key);
    return await(
        client
            .getKVClient()
            .txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
            .Then(Op.put(k, value(m), PutOption.builder().withLeaseId(leaseId).build()))
            .Else(Op.get(k, GetOption.DEFAULT))
            .commit(),
        what);
  }

  // ---------------------------------------------------------------- register

  @Override
  protected AbstractRegistration doRegister(MemberInfo info) {
    String what = "registering '" + info.id() + "' in '" + info.group() + "'";
    Member m = Members.create(info, Instant.now(), 0);
    String key = key(info);
    LeaseKeeper.Current cur;
    TxnResponse r;
    for (int attempt = 1; ; attempt++) {
      cur = await(keeper.current(), what);
      try {
        r = putIfAbsent(key, m, cur.id(), what);
        break;
      } catch (MembershipBackendException e) {
        // The lease was dropped between our read of it and the put (it ran out locally): once
        // more, on a new one.
        if (attempt >= 3 || !EtcdSupport.leaseNotFound(e.getCause())) {
          throw e;
        }
      }
    }
    if (!r.isSucceeded()) {
      throw new DuplicateMemberException(info.group(), info.id());
    }
    EtcdRegistration reg =
        new EtcdRegistration(m, key, r.getHeader().getRevision(), cur.id(), System.nanoTime());
    live.add(reg);
    return reg;
  }

  final class EtcdRegistration extends AbstractRegistration {
    private final String key;
    // Written under this: the incarnation of the key that is ours.
    private volatile long revision;
    private volatile long leaseId;
    // When the current incarnation was confirmed: a key check sent later must find it.
    private volatile long sinceNanos;
    private boolean ensuring;

    EtcdRegistration(Member member, String key, long revision, long leaseId, long sinceNanos) {
      super(EtcdMembershipImpl.this, member);
      this.key = key;
      this.revision = revision;
      this.leaseId = leaseId;
      this.sinceNanos = sinceNanos;
    }

    long leaseId() {
      return leaseId;
    }

    /** Our key is gone (or our lease): tell the listeners, and register again. */
    void lostKey() {
      if (isClosed()) {
        return;
      }
      markLost();
      scheduleEnsure(0);
    }

    private void scheduleEnsure(long delayMs) {
      synchronized (this) {
        if (ensuring) {
          return;
        }
        ensuring = true;
      }
      scheduleBlocking(this::ensure, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Registers again (on the current lease) unless closed; retries until it can. */
    private void ensure() {
      synchronized (this) {
        ensuring = false;
        if (isClosed()) {
          return;
        }
        Member m = member();
        String what = "registering '" + m.id() + "' in '" + m.group() + "' again";
        try {
          LeaseKeeper.Current cur = await(keeper.current(), what);
          TxnResponse r = putIfAbsent(key, m, cur.id(), what);
          if (r.isSucceeded()) {
            revision = r.getHeader().getRevision();
            leaseId = cur.id();
            sinceNanos = System.nanoTime();
            LOG.info("'{}' registered again in '{}' after it was lost", m.id(), m.group());
            markReRegistered(m);
            return;
          }
          List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
          if (!kvs.isEmpty() && kvs.get(0).getCreateRevision() == revision) {
            if (!isRegistered()) {
              markReRegistered(m); // it was ours all along
            }
            return;
          }
          LOG.warn("'{}' was lost and its id is now taken in '{}'; retrying", m.id(), m.group());
        } catch (MembershipBackendException e) {
          LOG.debug("{} failed; retrying", what, e);
        }
      }
      scheduleEnsure(RETRY_MS);
    }

    @Override
    protected synchronized void publish(MemberInfo info, long leaderEpoch) {
      Member m = Members.create(info, member().joinedAt(), leaderEpoch);
      setMember(m);
      if (!isRegistered()) {
        scheduleEnsure(0); // lost meanwhile: it comes back with the new values
        return;
      }
      String what = "updating '" + info.id() + "' in '" + info.group() + "'";
      ByteSequence k = EtcdSupport.bytes(key);
      TxnResponse r;
      try {
        r =
            await(
                client
                    .getKVClient()
                    .txn()
                    .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(revision)))
                    .Then(Op.put(k, value(m), PutOption.builder().withLeaseId(leaseId).build()))
                    .commit(),
                what);
      } catch (MembershipBackendException e) {
        if (!EtcdSupport.leaseNotFound(e.getCause())) {
          throw e;
        }
        lostKey(); // our lease is gone: it comes back on a new one, with the new values
        return;
      }
      if (!r.isSucceeded()) {
        lostKey();
      }
    }

    @Override
    protected void leave() {
      live.remove(this);
      ByteSequence k = EtcdSupport.bytes(key);
      try {
        await(
            client
                .getKVClient()
                .txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(revision)))
                .Then(Op.delete(k, DeleteOption.DEFAULT))
                .commit(),
            "leaving");
      } catch (MembershipBackendException e) {
        LOG.debug("'{}' could not leave at once; its lease runs out", member().id(), e);
      }
    }
  }

  // ---------------------------------------------------------------- the lease

  @Override
  public void renewed(long leaseId, long sentAtNanos) {
    List<EtcdRegistration> mine = new ArrayList<>();
    for (EtcdRegistration r : live) {
      if (r.leaseId() == leaseId && r.isRegistered() && r.sinceNanos - sentAtNanos < 0) {
        mine.add(r);
      }
    }
    if (mine.isEmpty()) {
      return;
    }
    var unused = // never fails: attachedKeys answers null on a failure
        keeper
            .attachedKeys(leaseId)
            .thenAccept(
                keys -> {
                  if (keys == null) {
                    return;
                  }
                  for (EtcdRegistration reg : mine) {
                    if (reg.leaseId() == leaseId && !keys.contains(reg.key)) {
                      reg.lostKey();
                    }
                  }
                });
  }

  @Override
  public void dropped(long leaseId, String reason) {
    for (EtcdRegistration r : live) {
      if (r.leaseId() == leaseId) {
        LOG.warn("registration of '{}' lost: {}", r.member().id(), reason);
        r.lostKey();
      }
    }
  }

  @Override
  public void renewalFailed(Throwable cause) {
    LOG.debug("renewing the membership's etcd lease failed", cause);
  }

  // ---------------------------------------------------------------- reads and feeds

  private GetResponse read(String prefix, boolean keysOnly, String what) {
    return await(
        client
            .getKVClient()
            .get(
                EtcdSupport.bytes(prefix),
                GetOption.builder().isPrefix(true).withKeysOnly(keysOnly).build()),
        what);
  }

  @Override
  protected List<Member> doMembers(String group) {
    List<Member> out = new ArrayList<>();
    for (KeyValue kv : read(groupPrefix(group), false, "reading group '" + group + "'").getKvs()) {
      out.add(decode(kv));
    }
    return out;
  }

  @Override
  protected Collection<String> doGroups() {
    Set<String> groups = new HashSet<>();
    for (KeyValue kv : read(root, true, "listing groups").getKvs()) {
      String rest = kv.getKey().toString(StandardCharsets.UTF_8).substring(root.length());
      int slash = rest.indexOf('/');
      if (slash > 0) {
        groups.add(EtcdSupport.unsegment(rest.substring(0, slash)));
      }
    }
    return groups;
  }

  @Override
  protected AutoCloseable openFeed(String group, GroupSink sink) {
    Feed f = new Feed(groupPrefix(group), sink);
    f.start();
    return f;
  }

  /**
   * Follows one group: a snapshot read at revision R, then a watch of the group's prefix from R +
   * 1, so that no change between the two is missed. When the watch breaks (a compaction beyond our
   * revision, a lost connection that jetcd gives up on), a fresh snapshot starts it over.
   */
  private final class Feed implements AutoCloseable {
    private final String prefix;
    private final GroupSink sink;
    // Guarded by this.
    private Watch.@Nullable Watcher watcher;
    private boolean closed;

    Feed(String prefix, GroupSink sink) {
      this.prefix = prefix;
      this.sink = sink;
    }

    void start() {
      synchronized (this) {
        if (closed) {
          return;
        }
      }
      var unused = // the callback handles a failed read: it retries
          EtcdSupport.bounded(
                  client
                      .getKVClient()
                      .get(EtcdSupport.bytes(prefix), GetOption.builder().isPrefix(true).build()),
                  commandTimeout)
              .whenComplete(
                  (r, e) -> {
                    if (e != null) {
                      LOG.debug("reading {} failed; retrying", prefix, e);
                      schedule(this::start, RETRY_MS, TimeUnit.MILLISECONDS);
                      return;
                    }
                    long rev = r.getHeader().getRevision();
                    List<Member> members = new ArrayList<>();
                    r.getKvs().forEach(kv -> members.add(decode(kv)));
                    sink.snapshot(rev, members);
                    follow(rev + 1);
                  });
    }

    private void follow(long fromRevision) {
      Watch.Watcher w =
          client
              .getWatchClient()
              .watch(
                  EtcdSupport.bytes(prefix),
                  WatchOption.builder().isPrefix(true).withRevision(fromRevision).build(),
                  Watch.listener(
                      resp -> {
                        for (WatchEvent ev : resp.getEvents()) {
                          KeyValue kv = ev.getKeyValue();
                          if (ev.getEventType() == WatchEvent.EventType.PUT) {
                            sink.upsert(kv.getModRevision(), decode(kv));
                          } else if (ev.getEventType() == WatchEvent.EventType.DELETE) {
                            String k = kv.getKey().toString(StandardCharsets.UTF_8);
                            sink.remove(
                                kv.getModRevision(),
                                EtcdSupport.unsegment(k.substring(prefix.length())));
                          }
                        }
                      },
                      error -> restart(error),
                      () -> restart(null)));
      synchronized (this) {
        if (!closed) {
          watcher = w;
          return;
        }
      }
      w.close();
    }

    private void restart(@Nullable Throwable error) {
      synchronized (this) {
        if (closed) {
          return;
        }
        Watch.Watcher w = watcher;
        watcher = null;
        if (w != null) {
          w.close();
        }
      }
      LOG.debug("the watch of {} ended; reading it afresh", prefix, error);
      schedule(this::start, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      Watch.Watcher w;
      synchronized (this) {
        closed = true;
        w = watcher;
        watcher = null;
      }
      if (w != null) {
        w.close();
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  protected LockService electionLocks() {
    return locks;
  }

  @Override
  protected void shutdownBackend() {
    try {
      locks.close();
      try {
        keeper.close().get(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.debug("revoking the membership's lease failed; it runs out", e);
      }
    } finally {
      leaseThread.shutdownNow();
      if (ownsClient) {
        client.close();
      }
    }
  }
}
