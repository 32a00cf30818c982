package io.holdfast.membership.redis;

/**
 * The membership scripts. Keys of a group: {@code KEYS[1]} the sorted set of live member ids scored
 * by lease expiry (ms, server clock), {@code KEYS[2]} the hash of id → {@code
 * "<joinedMs>|<payload>"}, {@code KEYS[3]} the group's version. Every script first prunes members
 * whose lease expired, announcing each as left. Every change bumps the version to the larger of
 * last + 1 and the server clock in microseconds — so versions keep growing across a restart — and
 * is published on the group's channel as {@code "J <version> <record>"}, {@code "U <version>
 * <record>"} or {@code "L <version> <id>"}.
 */
final class MembershipScripts {
  private MembershipScripts() {}

  private static final String PRELUDE =
      "local t = redis.call('TIME')\n"
          + "local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
          + "local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
          + "local function bump()\n"
          + "  local v = tonumber(redis.call('GET', KEYS[3]) or '0') + 1\n"
          + "  if nowUs > v then v = nowUs end\n"
          + "  local s = string.format('%d', v)\n"
          + "  redis.call('SET', KEYS[3], s)\n"
          + "  return s\n"
          + "end\n"
          + "local function prune(channel)\n"
          + "  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', nowMs)) do\n"
          + "    redis.call('ZREM', KEYS[1], id)\n"
          + "    redis.call('HDEL', KEYS[2], id)\n"
          + "    redis.call('PUBLISH', channel, 'L ' .. bump() .. ' ' .. id)\n"
          + "  end\n"
          + "end\n"
          + "local function ours(id, joined)\n"
          + "  local rec = redis.call('HGET', KEYS[2], id)\n"
          + "  return rec and string.sub(rec, 1, string.len(joined) + 1) == joined .. '|'\n"
          + "end\n";

  /** ARGV: id, payload, ttl ms, channel. Returns {1, joinedMs} or {0, 0} if the id is live. */
  static final String REGISTER =
      PRELUDE
          + "prune(ARGV[4])\n"
          + "if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {0, 0} end\n"
          + "redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[3]), ARGV[1])\n"
          + "local joined = string.format('%d', nowMs)\n"
          + "local rec = joined .. '|' .. ARGV[2]\n"
          + "redis.call('HSET', KEYS[2], ARGV[1], rec)\n"
          + "redis.call('PUBLISH', ARGV[4], 'J ' .. bump() .. ' ' .. rec)\n"
          + "return {1, nowMs}\n";

  /**
   * ARGV: ttl ms, channel, then (id, joinedMs) pairs. Extends each registration still ours; returns
   * 1 or 0 per pair.
   */
  static final String HEARTBEAT =
      PRELUDE
          + "prune(ARGV[2])\n"
          + "local res = {}\n"
          + "for i = 1, (#ARGV - 2) / 2 do\n"
          + "  local id = ARGV[1 + 2 * i]\n"
          + "  if ours(id, ARGV[2 + 2 * i]) then\n"
          + "    redis.call('ZADD', KEYS[1], 'XX', nowMs + tonumber(ARGV[1]), id)\n"
          + "    res[i] = 1\n"
          + "  else\n"
          + "    res[i] = 0\n"
          + "  end\n"
          + "end\n"
          + "return res\n";

  /** ARGV: id, joinedMs, payload, channel. Returns 1 if published, 0 if not ours any more. */
  static final String UPDATE =
      PRELUDE
          + "prune(ARGV[4])\n"
          + "if not ours(ARGV[1], ARGV[2]) then return 0 end\n"
          + "local rec = ARGV[2] .. '|' .. ARGV[3]\n"
          + "if redis.call('HGET', KEYS[2], ARGV[1]) == rec then return 1 end\n"
          + "redis.call('HSET', KEYS[2], ARGV[1], rec)\n"
          + "redis.call('PUBLISH', ARGV[4], 'U ' .. bump() .. ' ' .. rec)\n"
          + "return 1\n";

  /** ARGV: id, joinedMs, channel. Removes the registration if still ours; returns 1 or 0. */
  static final String LEAVE =
      PRELUDE
          + "if not ours(ARGV[1], ARGV[2]) then return 0 end\n"
          + "redis.call('ZREM', KEYS[1], ARGV[1])\n"
          + "redis.call('HDEL', KEYS[2], ARGV[1])\n"
          + "redis.call('PUBLISH', ARGV[3], 'L ' .. bump() .. ' ' .. ARGV[1])\n"
          + "return 1\n";

  /** ARGV: channel. Returns {version, record...} of the live members. */
  static final String SNAPSHOT =
      PRELUDE
          + "prune(ARGV[1])\n"
          + "local out = {redis.call('GET', KEYS[3]) or '0'}\n"
          + "for _, rec in ipairs(redis.call('HVALS', KEYS[2])) do out[#out + 1] = rec end\n"
          + "return out\n";

  /** ARGV: channel. Returns the group's version (after pruning). */
  static final String VERSION =
      PRELUDE + "prune(ARGV[1])\n" + "return redis.call('GET', KEYS[3]) or '0'\n";
}
