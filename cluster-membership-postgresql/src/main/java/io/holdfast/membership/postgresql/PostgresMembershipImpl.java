package io.holdfast.membership.postgresql;

import io.holdfast.lock.LockService;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.postgresql.internal.PgClient;
import io.holdfast.lock.postgresql.internal.PgErrors;
import io.holdfast.lock.postgresql.internal.PgListener;
import io.holdfast.membership.DuplicateMemberException;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.internal.AbstractMembership;
import io.holdfast.membership.internal.AbstractRegistration;
import io.holdfast.membership.internal.GroupSink;
import io.holdfast.membership.internal.MemberCodec;
import io.holdfast.membership.internal.Members;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Membership over PostgreSQL: see {@link PostgresMembership} for the model. */
final class PostgresMembershipImpl extends AbstractMembership {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership.postgresql");

  /** Heartbeats per TTL; also the default reconcile interval's divisor. */
  static final int HEARTBEATS_PER_TTL = 3;

  private final PgClient client;
  private final MembershipSql sql;
  private final LockService locks;
  private final Duration ttl;
  private final double ttlSeconds;
  private final Set<PgRegistration> live = ConcurrentHashMap.newKeySet();
  private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
  private final PgListener listener;
  private final ScheduledFuture<?> heartbeats;
  private final ScheduledFuture<?> reconciles;

  PostgresMembershipImpl(
      PgClient client,
      MembershipSql sql,
      LockService locks,
      Duration ttl,
      Duration reconcileInterval,
      Duration commandTimeout,
      @Nullable Executor callbackExecutor) {
    super("postgresql", commandTimeout, callbackExecutor);
    this.client = client;
    this.sql = sql;
    this.locks = locks;
    this.ttl = ttl;
    this.ttlSeconds = ttl.toMillis() / 1000.0;
    this.listener =
        new PgListener(
            client,
            sql.channel,
            (channel, payload) -> onNotification(payload),
            () -> feeds.values().forEach(Feed::refresh),
            "holdfast-postgresql-membership-listener-"
                + UUID.randomUUID().toString().substring(0, 8));
    this.heartbeats = every(this::heartbeatAll, ttl.dividedBy(HEARTBEATS_PER_TTL));
    this.reconciles = every(() -> feeds.values().forEach(Feed::refresh), reconcileInterval);
  }

  /** {@code <group>} (read it again) or {@code <group>\n<U|L>\n<version>\n<body>}. */
  private void onNotification(String payload) {
    String[] parts = payload.split("\n", 4);
    Feed f = feeds.get(parts[0]);
    if (f == null) {
      return;
    }
    if (parts.length < 4) {
      f.refresh();
      return;
    }
    f.onEvent(parts[1], parts[2], parts[3]);
  }

  private Map<String, Object> params(String group) {
    Map<String, Object> p = new HashMap<>();
    p.put("g", group);
    p.put("chan", sql.channel);
    p.put("ttl", ttlSeconds);
    return p;
  }

  private <T> T call(String what, PgClient.Work<T> work) {
    try {
      return client.call(work);
    } catch (SQLException | RuntimeException e) {
      throw failure(what, e);
    }
  }

  private MembershipBackendException failure(String what, Throwable e) {
    if (e instanceof MembershipBackendException m) {
      return m;
    }
    return new MembershipBackendException(
        what + " failed: " + client.errors().describe(e), PgErrors.unwrap(e));
  }

  // ---------------------------------------------------------------- register

  @Override
  protected AbstractRegistration doRegister(MemberInfo info) {
    String session = UUID.randomUUID().toString();
    long joinedMs = registerNow(info, 0, session);
    if (joinedMs < 0) {
      throw new DuplicateMemberException(info.group(), info.id());
    }
    PgRegistration r =
        new PgRegistration(Members.create(info, Instant.ofEpochMilli(joinedMs), 0), session);
    live.add(r);
    return r;
  }

  /** Returns the join time in ms, or -1 if the id is live already. */
  private long registerNow(MemberInfo info, long epoch, String session) {
    Map<String, Object> p = params(info.group());
    p.put("id", info.id());
    p.put("session", session);
    p.put("record", MemberCodec.encode(info, epoch));
    return call(
        "registering '" + info.id() + "' in '" + info.group() + "'",
        c -> {
          long joined = -1;
          try (PreparedStatement s = sql.register.prepare(c, p, client.queryTimeoutSeconds());
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              if (r.getInt(1) == 1) {
                joined = r.getLong(2);
              }
            }
          }
          return joined;
        });
  }

  private final class PgRegistration extends AbstractRegistration {
    private volatile String session;
    private volatile long confirmedAt = System.nanoTime();

    PgRegistration(Member member, String session) {
      super(PostgresMembershipImpl.this, member);
      this.session = session;
    }

    @Override
    protected void publish(MemberInfo info, long leaderEpoch) {
      setMember(Members.create(info, member().joinedAt(), leaderEpoch));
      Map<String, Object> p = params(info.group());
      p.put("id", info.id());
      p.put("session", session);
      p.put("record", MemberCodec.encode(info, leaderEpoch));
      boolean ok =
          call(
              "updating '" + info.id() + "'",
              c -> {
                boolean updated = false;
                try (PreparedStatement s = sql.update.prepare(c, p, client.queryTimeoutSeconds());
                    ResultSet r = s.executeQuery()) {
                  while (r.next()) {
                    updated |= r.getInt(1) == 1;
                  }
                }
                return updated;
              });
      if (!ok) {
        // Lost meanwhile: come back with the new values rather than fail the caller.
        rejoin();
      }
    }

    @Override
    protected void leave() {
      live.remove(this);
      Member m = member();
      Map<String, Object> p = params(m.group());
      p.put("id", m.id());
      p.put("session", session);
      try {
        call(
            "deregistering '" + m.id() + "'",
            c -> {
              try (PreparedStatement s = sql.leave.prepare(c, p, client.queryTimeoutSeconds());
                  ResultSet r = s.executeQuery()) {
                while (r.next()) {
                  // drain
                }
              }
              return Boolean.TRUE; // done: Work has no void form
            });
      } catch (MembershipBackendException e) {
        LOG.warn(
            "could not deregister '{}' ({}); it leaves when its heartbeat TTL runs out",
            m.id(),
            e.getMessage());
      }
    }

    void confirmed(long sentAt) {
      confirmedAt = sentAt;
    }

    void unconfirmed() {
      if (System.nanoTime() - confirmedAt > ttl.toNanos()) {
        markLost();
      }
    }

    void rejoin() {
      rejoin(
          (info, epoch) -> {
            long sentAt = System.nanoTime();
            String next = UUID.randomUUID().toString();
            long joined = registerNow(info, epoch, next);
            if (joined >= 0) {
              session = next;
              confirmedAt = sentAt;
            }
            return joined;
          },
          LOG);
    }
  }

  private void heartbeatAll() {
    Map<String, List<PgRegistration>> byGroup = new HashMap<>();
    for (PgRegistration r : live) {
      byGroup.computeIfAbsent(r.member().group(), g -> new ArrayList<>()).add(r);
    }
    for (Map.Entry<String, List<PgRegistration>> e : byGroup.entrySet()) {
      List<PgRegistration> regs = e.getValue();
      String[] ids = new String[regs.size()];
      String[] sessions = new String[regs.size()];
      for (int i = 0; i < regs.size(); i++) {
        ids[i] = regs.get(i).member().id();
        sessions[i] = regs.get(i).session;
      }
      Map<String, Object> p = params(e.getKey());
      p.put("ids", ids);
      p.put("sessions", sessions);
      long sentAt = System.nanoTime();
      Futures.onComplete(
          client.submit(
              c -> {
                Set<String> renewed = new HashSet<>();
                try (PreparedStatement s =
                        sql.heartbeat.prepare(c, p, client.queryTimeoutSeconds());
                    ResultSet r = s.executeQuery()) {
                  while (r.next()) {
                    String id = r.getString(1);
                    if (id != null) {
                      renewed.add(id);
                    }
                  }
                }
                return renewed;
              }),
          (renewed, err) -> {
            if (err != null || renewed == null) {
              LOG.debug(
                  "heartbeat of group '{}' failed: {}",
                  e.getKey(),
                  err == null ? "no reply" : client.errors().describe(err),
                  err);
              regs.forEach(PgRegistration::unconfirmed);
              return;
            }
            for (PgRegistration r : regs) {
              if (renewed.contains(r.member().id())) {
                r.confirmed(sentAt);
              } else if (!r.isClosed()) {
                scheduleBlocking(r::rejoin, 0, TimeUnit.MILLISECONDS);
              }
            }
          });
    }
  }

  // ---------------------------------------------------------------- members and watching

  private record Snapshot(long version, List<Member> members) {}

  private Snapshot read(java.sql.Connection c, String group) throws SQLException {
    long version = 0;
    List<Member> members = new ArrayList<>();
    try (PreparedStatement s =
            sql.snapshot.prepare(c, params(group), client.queryTimeoutSeconds());
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        version = r.getLong(1);
        String record = r.getString(3);
        if (record != null) {
          members.add(MemberCodec.decode(record, Instant.ofEpochMilli(r.getLong(4))));
        }
      }
    }
    return new Snapshot(version, members);
  }

  @Override
  protected Collection<String> doGroups() {
    return call(
        "listing groups",
        c -> {
          List<String> groups = new ArrayList<>();
          try (PreparedStatement s = sql.groups.prepare(c, Map.of(), client.queryTimeoutSeconds());
              ResultSet r = s.executeQuery()) {
            while (r.next()) {
              groups.add(r.getString(1));
            }
          }
          return groups;
        });
  }

  @Override
  protected List<Member> doMembers(String group) {
    return call("reading group '" + group + "'", c -> read(c, group).members());
  }

  @Override
  protected AutoCloseable openFeed(String group, GroupSink sink) {
    Feed f = new Feed(group, sink);
    feeds.put(group, f);
    f.refresh();
    return f;
  }

  /**
   * Follows one group by reading it whenever a change is notified, and every reconcile interval
   * (which heals a lost notification and prunes members that expired unnoticed). Reads never
   * overlap: a notification during a read makes one more read after it.
   */
  /** Events a feed keeps while it waits for its first snapshot; past this, it reads again. */
  private static final int MAX_EARLY_EVENTS = 10_000;

  private final class Feed implements AutoCloseable {
    final String group;
    final GroupSink sink;
    // 0 idle, 1 reading, 2 reading and another read wanted.
    final AtomicInteger state = new AtomicInteger();
    volatile boolean closed;

    /** Guards the first snapshot and the events that arrived before it. */
    private final Object order = new Object();

    private boolean snapshotApplied;
    private List<String[]> early = new ArrayList<>();

    Feed(String group, GroupSink sink) {
      this.group = group;
      this.sink = sink;
    }

    void refresh() {
      if (closed) {
        return;
      }
      while (true) {
        int s = state.get();
        if (s == 0 && state.compareAndSet(0, 1)) {
          read();
          return;
        }
        if (s == 1 && state.compareAndSet(1, 2)) {
          return;
        }
        if (s == 2) {
          return;
        }
      }
    }

    private void read() {
      Futures.onComplete(
          client.submit(c -> PostgresMembershipImpl.this.read(c, group)),
          (snap, e) -> {
            if (e != null || snap == null) {
              LOG.debug(
                  "reading group '{}' failed; the next reconciliation retries: {}",
                  group,
                  e == null ? "no reply" : client.errors().describe(e),
                  e);
            } else if (!closed) {
              synchronized (order) {
                sink.snapshot(snap.version(), snap.members());
                if (!snapshotApplied) {
                  // An event can arrive before the first snapshot that it is newer than:
                  // replay them; the sink skips what the snapshot already holds.
                  snapshotApplied = true;
                  List<String[]> replay = early;
                  early = List.of();
                  replay.forEach(ev -> apply(ev[0], ev[1], ev[2]));
                }
              }
            }
            if (state.compareAndSet(2, 1)) {
              read();
            } else {
              state.set(0);
            }
          });
    }

    void onEvent(String kind, String version, String body) {
      synchronized (order) {
        if (!snapshotApplied) {
          if (early.size() < MAX_EARLY_EVENTS) {
            early.add(new String[] {kind, version, body});
          } else {
            refresh();
          }
          return;
        }
      }
      apply(kind, version, body);
    }

    private void apply(String kind, String version, String body) {
      try {
        long v = Long.parseLong(version);
        switch (kind) {
          case "U" -> {
            int bar = body.indexOf('|');
            long joinedMs = Long.parseLong(body.substring(0, bar));
            sink.upsert(
                v, MemberCodec.decode(body.substring(bar + 1), Instant.ofEpochMilli(joinedMs)));
          }
          case "L" -> sink.remove(v, body);
          default -> refresh();
        }
      } catch (RuntimeException e) {
        LOG.warn("ignored an unreadable membership event of group '{}'", group, e);
        refresh();
      }
    }

    @Override
    public void close() {
      closed = true;
      feeds.remove(group, this);
    }
  }

  // ---------------------------------------------------------------- the rest

  @Override
  protected LockService electionLocks() {
    return locks;
  }

  @Override
  protected void shutdownBackend() {
    heartbeats.cancel(false);
    reconciles.cancel(false);
    try {
      locks.close();
    } finally {
      try {
        listener.close();
      } finally {
        client.close();
      }
    }
  }
}
