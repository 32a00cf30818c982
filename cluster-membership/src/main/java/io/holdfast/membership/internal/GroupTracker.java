package io.holdfast.membership.internal;

import io.holdfast.membership.Member;
import io.holdfast.membership.MembershipListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * What one membership instance knows of one group, fed by one backend watch and shared by every
 * local subscriber of the group. Turns the backend's reports into joined/updated/left events and
 * delivers them to each subscriber in order.
 */
final class GroupTracker implements GroupSink {
  private final String group;
  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  // Guarded by this.
  private Map<String, Member> members = new TreeMap<>();
  private long version = Long.MIN_VALUE;
  private volatile List<Member> snapshot = List.of();

  record Subscriber(MembershipListener listener, SerialExecutor delivery) {}

  GroupTracker(String group) {
    this.group = group;
  }

  String group() {
    return group;
  }

  CompletableFuture<Void> ready() {
    return ready;
  }

  List<Member> members() {
    return snapshot;
  }

  /** Adds a subscriber; it receives the current snapshot first if the tracker is ready. */
  synchronized Subscriber subscribe(MembershipListener listener, Executor executor) {
    Subscriber s = new Subscriber(listener, new SerialExecutor(executor));
    subscribers.add(s);
    if (ready.isDone()) {
      List<Member> now = snapshot;
      s.delivery().execute(() -> listener.snapshot(now));
    }
    return s;
  }

  void unsubscribe(Subscriber s) {
    subscribers.remove(s);
  }

  boolean hasSubscribers() {
    return !subscribers.isEmpty();
  }

  @Override
  public synchronized void snapshot(long v, Collection<Member> live) {
    if (ready.isDone() && v <= version) {
      return;
    }
    Map<String, Member> next = new TreeMap<>();
    for (Member m : live) {
      next.put(m.id(), m);
    }
    boolean first = !ready.isDone();
    Map<String, Member> before = members;
    members = next;
    version = v;
    publish();
    if (first) {
      List<Member> now = snapshot;
      for (Subscriber s : subscribers) {
        s.delivery().execute(() -> s.listener().snapshot(now));
      }
      ready.complete(null);
      return;
    }
    for (Member old : before.values()) {
      if (!next.containsKey(old.id())) {
        emitLeft(old);
      }
    }
    for (Member now : next.values()) {
      Member old = before.get(now.id());
      if (old == null) {
        emitJoined(now);
      } else if (!old.equals(now)) {
        emitChanged(old, now);
      }
    }
  }

  @Override
  public synchronized void upsert(long v, Member member) {
    if (!ready.isDone() || v <= version) {
      return;
    }
    version = v;
    Member old = members.put(member.id(), member);
    publish();
    if (old == null) {
      emitJoined(member);
    } else if (!old.equals(member)) {
      emitChanged(old, member);
    }
  }

  @Override
  public synchronized void remove(long v, String id) {
    if (!ready.isDone() || v <= version) {
      return;
    }
    version = v;
    Member old = members.remove(id);
    publish();
    if (old != null) {
      emitLeft(old);
    }
  }

  // Guarded by this.
  private void publish() {
    snapshot = Collections.unmodifiableList(new ArrayList<>(members.values()));
  }

  // Guarded by this: events are enqueued in the order they are decided.
  private void emitJoined(Member m) {
    for (Subscriber s : subscribers) {
      s.delivery().execute(() -> s.listener().joined(m));
    }
  }

  private void emitLeft(Member m) {
    for (Subscriber s : subscribers) {
      s.delivery().execute(() -> s.listener().left(m));
    }
  }

  /**
   * A member that comes back with a new join time (it was lost and registered again) is reported as
   * left then joined, so watchers see the return; any other change is an update.
   */
  private void emitChanged(Member old, Member now) {
    if (!Objects.equals(old.joinedAt(), now.joinedAt())) {
      emitLeft(old);
      emitJoined(now);
      return;
    }
    for (Subscriber s : subscribers) {
      s.delivery().execute(() -> s.listener().updated(old, now));
    }
  }
}
