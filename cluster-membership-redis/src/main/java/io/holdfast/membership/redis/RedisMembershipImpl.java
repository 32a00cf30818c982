package io.holdfast.membership.redis;

import io.holdfast.lock.LockService;
import io.holdfast.lock.internal.Futures;
import io.holdfast.lock.redis.internal.Connector;
import io.holdfast.lock.redis.internal.Connector.Script;
import io.holdfast.lock.redis.internal.RedisErrors;
import io.holdfast.membership.DuplicateMemberException;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.MembershipBackendException;
import io.holdfast.membership.internal.AbstractMembership;
import io.holdfast.membership.internal.AbstractRegistration;
import io.holdfast.membership.internal.GroupSink;
import io.holdfast.membership.internal.MemberCodec;
import io.holdfast.membership.internal.Members;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Membership over Redis: see {@link RedisMembership} for the model. */
final class RedisMembershipImpl extends AbstractMembership {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership.redis");

  /** Heartbeats per TTL; also the default reconcile interval's divisor (docs quote TTL/3). */
  static final int HEARTBEATS_PER_TTL = 3;

  private final Connector redis;
  private final RedisErrors errors;
  private final LockService locks;
  private final String prefix;
  private final Duration ttl;
  private final String ttlMillis;
  private final Script register;
  private final Script heartbeat;
  private final Script update;
  private final Script leave;
  private final Script snapshot;
  private final Script version;
  private final Set<RedisRegistration> live = ConcurrentHashMap.newKeySet();
  private final Map<String, Feed> feedsByChannel = new ConcurrentHashMap<>();
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final ScheduledFuture<?> heartbeats;
  private final ScheduledFuture<?> reconciles;

  RedisMembershipImpl(
      Connector redis,
      RedisErrors errors,
      LockService locks,
      String prefix,
      Duration ttl,
      Duration reconcileInterval,
      Duration commandTimeout,
      @Nullable Executor callbackExecutor) {
    super("redis", commandTimeout, callbackExecutor);
    this.redis = redis;
    redis.boundEachOperation(commandTimeout);
    this.errors = errors;
    this.locks = locks;
    this.prefix = prefix;
    this.ttl = ttl;
    this.ttlMillis = Long.toString(ttl.toMillis());
    this.register = redis.script(MembershipScripts.REGISTER);
    this.heartbeat = redis.script(MembershipScripts.HEARTBEAT);
    this.update = redis.script(MembershipScripts.UPDATE);
    this.leave = redis.script(MembershipScripts.LEAVE);
    this.snapshot = redis.script(MembershipScripts.SNAPSHOT);
    this.version = redis.script(MembershipScripts.VERSION);
    this.pubSub = redis.pubSub();
    pubSub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            Feed f = feedsByChannel.get(channel);
            if (f != null) {
              f.onMessage(message);
            }
          }
        });
    this.heartbeats = every(this::heartbeatAll, ttl.dividedBy(HEARTBEATS_PER_TTL));
    this.reconciles = every(this::reconcileAll, reconcileInterval);
  }

  // ---------------------------------------------------------------- keys

  private String[] keys(String group) {
    String base = prefix + "m:{" + group + "}:";
    return new String[] {base + "members", base + "info", base + "version"};
  }

  private String channel(String group) {
    return prefix + "m:{" + group + "}:events";
  }

  private <T> T await(CompletableFuture<T> f, String what) {
    return await(f, what, commandTimeout);
  }

  private <T> T await(CompletableFuture<T> f, String what, Duration limit) {
    try {
      return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MembershipBackendException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      throw failure(what, e);
    } catch (TimeoutException e) {
      throw failure(what, new io.lettuce.core.RedisCommandTimeoutException(e));
    }
  }

  /** {@code <what> failed: <root cause in plain words>}, caused by the unwrapped error. */
  private MembershipBackendException failure(String what, Throwable error) {
    Throwable e = RedisErrors.unwrap(error);
    if (e instanceof MembershipBackendException mbe) {
      return mbe;
    }
    return new MembershipBackendException(what + " failed: " + errors.describe(e), e);
  }

  private static Member decode(String record) {
    int bar = record.indexOf('|');
    long joinedMs = Long.parseLong(record.substring(0, bar));
    return MemberCodec.decode(record.substring(bar + 1), Instant.ofEpochMilli(joinedMs));
  }

  // ---------------------------------------------------------------- register

  @Override
  protected AbstractRegistration doRegister(MemberInfo info) {
    long joinedMs = registerNow(info, 0);
    if (joinedMs < 0) {
      throw new DuplicateMemberException(info.group(), info.id());
    }
    RedisRegistration r =
        new RedisRegistration(Members.create(info, Instant.ofEpochMilli(joinedMs), 0), joinedMs);
    live.add(r);
    return r;
  }

  /** Returns the join time in ms, or -1 if the id is live already. */
  private long registerNow(MemberInfo info, long epoch) {
    List<Object> reply =
        await(
            redis.<List<Object>>eval(
                register,
                ScriptOutputType.MULTI,
                keys(info.group()),
                info.id(),
                MemberCodec.encode(info, epoch),
                ttlMillis,
                channel(info.group())),
            "registering '" + info.id() + "' in '" + info.group() + "'");
    return (Long) reply.get(0) == 1L ? (Long) reply.get(1) : -1;
  }

  private final class RedisRegistration extends AbstractRegistration {
    private volatile long joinedMs;
    private volatile long confirmedAt = System.nanoTime();

    RedisRegistration(Member member, long joinedMs) {
      super(RedisMembershipImpl.this, member);
      this.joinedMs = joinedMs;
    }

    @Override
    protected void publish(MemberInfo info, long leaderEpoch) {
      setMember(Members.create(info, member().joinedAt(), leaderEpoch));
      Long ok =
          await(
              redis.<Long>eval(
                  update,
                  ScriptOutputType.INTEGER,
                  keys(info.group()),
                  info.id(),
                  Long.toString(joinedMs),
                  MemberCodec.encode(info, leaderEpoch),
                  channel(info.group())),
              "updating '" + info.id() + "'");
      if (ok == null || ok != 1L) {
        // Lost meanwhile: come back with the new values rather than fail the caller.
        rejoin();
      }
    }

    @Override
    protected void leave() {
      live.remove(this);
      Member m = member();
      // Just after a Redis restart the client is still reconnecting and rejects commands at once:
      // try again until the command timeout rather than leave it to the TTL.
      long deadline = System.nanoTime() + commandTimeout.toNanos();
      while (true) {
        try {
          await(
              redis.<Long>eval(
                  RedisMembershipImpl.this.leave,
                  ScriptOutputType.INTEGER,
                  keys(m.group()),
                  m.id(),
                  Long.toString(joinedMs),
                  channel(m.group())),
              "deregistering '" + m.id() + "'");
          return;
        } catch (MembershipBackendException e) {
          if (!(e.getCause() instanceof TimeoutException)
              && !Thread.currentThread().isInterrupted()
              && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            continue;
          }
          Throwable cause = e.getCause();
          String why =
              cause == null || cause instanceof TimeoutException
                  ? e.getMessage()
                  : cause.toString();
          LOG.warn(
              "could not deregister '{}' ({}); it leaves when its heartbeat TTL runs out",
              m.id(),
              why);
          LOG.debug("deregistering '{}' failed", m.id(), e);
          return;
        }
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
            long joined = registerNow(info, epoch);
            if (joined >= 0) {
              joinedMs = joined;
              confirmedAt = sentAt;
            }
            return joined;
          },
          LOG);
    }
  }

  private void heartbeatAll() {
    Map<String, List<RedisRegistration>> byGroup = new HashMap<>();
    for (RedisRegistration r : live) {
      byGroup.computeIfAbsent(r.member().group(), g -> new ArrayList<>()).add(r);
    }
    for (Map.Entry<String, List<RedisRegistration>> e : byGroup.entrySet()) {
      List<RedisRegistration> regs = e.getValue();
      String[] args = new String[2 + 2 * regs.size()];
      args[0] = ttlMillis;
      args[1] = channel(e.getKey());
      for (int i = 0; i < regs.size(); i++) {
        args[2 + 2 * i] = regs.get(i).member().id();
        args[3 + 2 * i] = Long.toString(regs.get(i).joinedMs);
      }
      long sentAt = System.nanoTime();
      Futures.onComplete(
          redis.<List<Long>>eval(heartbeat, ScriptOutputType.MULTI, keys(e.getKey()), args),
          (res, err) -> {
            if (err != null || res == null) {
              LOG.debug(
                  "heartbeat of group '{}' failed: {}",
                  e.getKey(),
                  err == null ? "no reply" : errors.describe(err),
                  err);
              regs.forEach(RedisRegistration::unconfirmed);
              return;
            }
            for (int i = 0; i < regs.size(); i++) {
              RedisRegistration r = regs.get(i);
              if (res.get(i) == 1L) {
                r.confirmed(sentAt);
              } else if (!r.isClosed()) {
                scheduleBlocking(r::rejoin, 0, TimeUnit.MILLISECONDS);
              }
            }
          });
    }
  }

  // ---------------------------------------------------------------- members and watching

  @Override
  protected Collection<String> doGroups() {
    // A group's keys exist while it has members: the members key names every non-empty group.
    String head = prefix + "m:{";
    String tail = "}:members";
    // Each SCAN step is bounded by the command timeout; the walk as a whole by a minute.
    List<String> keys =
        await(
            redis.scanKeys(Connector.globEscaped(head) + "*" + tail),
            "listing groups",
            Duration.ofMinutes(1));
    List<String> groups = new ArrayList<>();
    for (String key : keys) {
      if (key.startsWith(head)
          && key.endsWith(tail)
          && key.length() > head.length() + tail.length()) {
        groups.add(key.substring(head.length(), key.length() - tail.length()));
      }
    }
    return groups;
  }

  @Override
  protected List<Member> doMembers(String group) {
    List<Object> reply =
        await(
            redis.<List<Object>>eval(snapshot, ScriptOutputType.MULTI, keys(group), channel(group)),
            "reading group '" + group + "'");
    List<Member> members = new ArrayList<>();
    for (int i = 1; i < reply.size(); i++) {
      members.add(decode(String.valueOf(reply.get(i))));
    }
    return members;
  }

  @Override
  protected AutoCloseable openFeed(String group, GroupSink sink) {
    Feed f = new Feed(group, sink);
    feedsByChannel.put(f.channel, f);
    f.start();
    return f;
  }

  /** Follows one group: pub/sub for changes, a snapshot to start, and version checks to heal. */
  /**
   * Messages a feed keeps while it waits for its first snapshot; past this many (a snapshot that
   * keeps failing under a flood of changes) it drops them and relies on reconciliation.
   */
  private static final int MAX_EARLY_MESSAGES = 10_000;

  private final class Feed implements AutoCloseable {
    final String group;
    final String channel;
    final GroupSink sink;
    volatile long lastVersion = -1;
    volatile boolean closed;

    /** Guards the first snapshot and the messages that arrived before it. */
    private final Object order = new Object();

    private boolean snapshotApplied;
    private List<String> early = new ArrayList<>();
    private boolean earlyOverflowed;

    Feed(String group, GroupSink sink) {
      this.group = group;
      this.channel = channel(group);
      this.sink = sink;
    }

    void start() {
      // Subscribe first, then read: a change between the two arrives as a message with a newer
      // version than the snapshot, and one before it is in the snapshot.
      Futures.onComplete(
          redis.bounded(pubSub.async().subscribe(channel), Duration.ZERO),
          (ok, e) -> {
            if (e != null) {
              LOG.debug(
                  "subscribing to group '{}' failed; the next reconciliation retries: {}",
                  group,
                  errors.describe(e),
                  e);
            } else {
              refresh();
            }
          });
    }

    void refresh() {
      if (closed) {
        return;
      }
      Futures.onComplete(
          redis.<List<Object>>eval(snapshot, ScriptOutputType.MULTI, keys(group), channel),
          (reply, e) -> {
            if (e != null || reply == null) {
              LOG.debug(
                  "reading group '{}' failed; the next reconciliation retries: {}",
                  group,
                  e == null ? "no reply" : errors.describe(e),
                  e);
              return;
            }
            long v;
            List<Member> members = new ArrayList<>();
            try {
              v = Long.parseLong(String.valueOf(reply.get(0)));
              for (int i = 1; i < reply.size(); i++) {
                members.add(decode(String.valueOf(reply.get(i))));
              }
            } catch (RuntimeException unreadable) {
              LOG.warn(
                  "ignored an unreadable snapshot of group '{}'; the next reconciliation retries",
                  group,
                  unreadable);
              return;
            }
            synchronized (order) {
              sink.snapshot(v, members);
              lastVersion = Math.max(lastVersion, v);
              if (!snapshotApplied) {
                // Messages and the snapshot's reply arrive on two connections, in either
                // order: a change published after the snapshot was read can arrive first.
                // Replay what came early; the sink skips what the snapshot already holds.
                snapshotApplied = true;
                List<String> replay = early;
                early = List.of();
                replay.forEach(this::apply);
                if (earlyOverflowed) {
                  refresh(); // some were dropped: read a snapshot newer than all of them
                }
              }
            }
          });
    }

    void reconcile() {
      if (closed) {
        return;
      }
      if (lastVersion < 0) {
        start();
        return;
      }
      Futures.onComplete(
          redis.<String>eval(version, ScriptOutputType.VALUE, keys(group), channel),
          (v, e) -> {
            if (e == null && v != null && !String.valueOf(lastVersion).equals(v)) {
              refresh(); // a newer version, or one we cannot read: read the group again
            }
          });
    }

    void onMessage(String message) {
      synchronized (order) {
        if (!snapshotApplied) {
          // Kept until the first snapshot: dropping it would lose the change for good when the
          // snapshot turns out older, since later messages move lastVersion past it.
          if (early.size() < MAX_EARLY_MESSAGES) {
            early.add(message);
          } else {
            earlyOverflowed = true;
          }
          return;
        }
      }
      apply(message);
    }

    private void apply(String message) {
      int s1 = message.indexOf(' ');
      int s2 = message.indexOf(' ', s1 + 1);
      if (s1 < 0 || s2 < 0) {
        return;
      }
      long v;
      try {
        v = Long.parseLong(message.substring(s1 + 1, s2));
        String body = message.substring(s2 + 1);
        switch (message.charAt(0)) {
          case 'J', 'U' -> sink.upsert(v, decode(body));
          case 'L' -> sink.remove(v, body);
          default -> {
            return;
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("ignored an unreadable membership event on '{}'", channel, e);
        return;
      }
      lastVersion = Math.max(lastVersion, v);
    }

    @Override
    public void close() {
      closed = true;
      feedsByChannel.remove(channel, this);
      Futures.forget(pubSub.async().unsubscribe(channel), LOG, "unsubscribing " + channel);
    }
  }

  private void reconcileAll() {
    for (Feed f : feedsByChannel.values()) {
      f.reconcile();
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
      redis.close();
    }
  }
}
