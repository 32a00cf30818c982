package io.holdfast.lock.redis;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;

/**
 * Where a lock's keys live. A name maps to a Redis Cluster hash slot; the lock key and that slot's
 * fencing counter carry the same hash tag, chosen so that it hashes to that very slot. So a script
 * touching both stays within one slot, and there is one counter per slot (at most 16,384 keys,
 * whatever the number of names) rather than one per name. The same layout is used on a standalone
 * server, so data never needs to move when a deployment moves to a cluster.
 *
 * <pre>
 *   {prefix}{T}:lock:{name}   the lock: value "serviceId:token", expiring after the lease
 *   {prefix}{T}:fence         the slot's fencing counter: the last token granted
 * </pre>
 *
 * where {@code T} is the shortest base-36 string whose CRC16 slot equals the name's slot.
 */
final class KeySpace {
  private static final String[] TAGS = buildTags();

  private final String prefix;

  KeySpace(String prefix) {
    this.prefix = prefix;
  }

  private static String[] buildTags() {
    String[] tags = new String[SlotHash.SLOT_COUNT];
    int found = 0;
    for (int i = 0; found < tags.length; i++) {
      String candidate = Integer.toString(i, 36);
      int slot = SlotHash.getSlot(candidate);
      if (tags[slot] == null) {
        tags[slot] = candidate;
        found++;
      }
    }
    return tags;
  }

  static int slotOf(String name) {
    return SlotHash.getSlot(name.getBytes(StandardCharsets.UTF_8));
  }

  String lockKey(String name) {
    return prefix + "{" + TAGS[slotOf(name)] + "}:lock:" + name;
  }

  String fenceKey(String name) {
    return prefix + "{" + TAGS[slotOf(name)] + "}:fence";
  }

  /** The pub/sub channel on which releases of {@code name} are announced. */
  String channel(String lockKey) {
    return lockKey;
  }

  String prefix() {
    return prefix;
  }
}
