package io.holdfast.membership;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Strategies for choosing a peer from a live {@link MembershipView}. Every selector reads the
 * view's current members at each call, so members that left are never chosen and new ones are
 * chosen at once. All are thread-safe.
 */
public final class PeerSelectors {
  private PeerSelectors() {}

  /**
   * Each call the next member in id order, wrapping around.
   *
   * @param view the live view
   * @return the selector
   */
  public static PeerSelector roundRobin(MembershipView view) {
    Objects.requireNonNull(view, "view");
    AtomicLong next = new AtomicLong();
    return () -> {
      List<Member> members = nonEmpty(view, "");
      return members.get((int) Math.floorMod(next.getAndIncrement(), (long) members.size()));
    };
  }

  /**
   * A uniformly random member each call.
   *
   * @param view the live view
   * @return the selector
   */
  public static PeerSelector random(MembershipView view) {
    Objects.requireNonNull(view, "view");
    return () -> {
      List<Member> members = nonEmpty(view, "");
      return members.get(ThreadLocalRandom.current().nextInt(members.size()));
    };
  }

  /**
   * Rendezvous (highest-random-weight) hashing: a key goes to the member whose hash with the key is
   * highest, so it keeps going to the same member while that member lives, and when a member leaves
   * only its keys move.
   *
   * @param view the live view
   * @return the selector
   */
  public static KeyedPeerSelector rendezvous(MembershipView view) {
    Objects.requireNonNull(view, "view");
    return key -> {
      Objects.requireNonNull(key, "key");
      List<Member> members = nonEmpty(view, "");
      long keyHash = hash(key, 0x9E3779B97F4A7C15L);
      Member best = members.get(0);
      long bestWeight = weight(keyHash, best);
      for (Member m : members.subList(1, members.size())) {
        long w = weight(keyHash, m);
        if (Long.compareUnsigned(w, bestWeight) > 0) {
          best = m;
          bestWeight = w;
        }
      }
      return best;
    };
  }

  /**
   * The member with the lowest number in metadata field {@code metadataKey} (e.g. a load or queue
   * length it publishes with {@link Registration#update}); ties are broken at random. Members
   * without a numeric value there are skipped.
   *
   * @param view the live view
   * @param metadataKey the metadata field holding the load
   * @return the selector
   */
  public static PeerSelector leastLoaded(MembershipView view, String metadataKey) {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(metadataKey, "metadataKey");
    return () -> {
      List<Member> least = new ArrayList<>();
      double min = Double.POSITIVE_INFINITY;
      for (Member m : view.members()) {
        String raw = m.metadata().get(metadataKey);
        double load;
        try {
          load = raw == null ? Double.NaN : Double.parseDouble(raw);
        } catch (NumberFormatException e) {
          continue;
        }
        if (Double.isNaN(load)) {
          continue;
        }
        if (load < min) {
          min = load;
          least.clear();
        }
        if (load == min) {
          least.add(m);
        }
      }
      if (least.isEmpty()) {
        throw new NoLiveMembersException(
            view.group(), "with a numeric '" + metadataKey + "' in its metadata");
      }
      return least.get(ThreadLocalRandom.current().nextInt(least.size()));
    };
  }

  private static List<Member> nonEmpty(MembershipView view, String why) {
    List<Member> members = view.members();
    if (members.isEmpty()) {
      throw new NoLiveMembersException(view.group(), why);
    }
    return members;
  }

  /** FNV-1a over UTF-8, then mixed: a stable 64-bit hash (String.hashCode is only 32 bits). */
  /** A member's rendezvous weight for a key's hash. */
  private static long weight(long keyHash, Member m) {
    return new SplittableRandom(keyHash ^ hash(m.id(), 0xC2B2AE3D27D4EB4FL)).nextLong();
  }

  private static long hash(String s, long seed) {
    long h = 0xcbf29ce484222325L ^ seed;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return new SplittableRandom(h).nextLong();
  }
}
