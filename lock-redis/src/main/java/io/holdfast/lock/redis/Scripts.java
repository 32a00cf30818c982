package io.holdfast.lock.redis;

/**
 * The Lua scripts. User data (names, owner values, durations) reaches them only through KEYS and
 * ARGV, never spliced into the script text.
 */
final class Scripts {
  private Scripts() {}

  /**
   * Grant if free. KEYS: lock, fence. ARGV: service id, lease in ms.
   *
   * <p>Returns {@code {1, token}} on a grant, {@code {0, pttl, holder}} when held by someone else
   * (the holder's value, {@code <service id>:<token>}, and its lease left in ms). The token is the
   * larger of the slot's last token + 1 and the server's clock in microseconds: strictly increasing
   * per slot (so per name), and still larger than every earlier token after the counter is lost to
   * a restart without persistence or to a failover to a replica that had not received it, as long
   * as the server clock does not step back by more than the time the outage took.
   */
  static final String ACQUIRE =
      "if redis.call('EXISTS', KEYS[1]) == 1 then\n"
          + "  local ttl = redis.call('PTTL', KEYS[1])\n"
          + "  if ttl < 0 then ttl = tonumber(ARGV[2]) end\n"
          + "  return {0, ttl, redis.call('GET', KEYS[1])}\n"
          + "end\n"
          + "local last = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
          + "local now = redis.call('TIME')\n"
          + "local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])\n"
          + "local token = last + 1\n"
          + "if micros > token then token = micros end\n"
          + "local t = string.format('%d', token)\n"
          + "redis.call('SET', KEYS[2], t)\n"
          + "redis.call('SET', KEYS[1], ARGV[1] .. ':' .. t, 'PX', ARGV[2])\n"
          + "return {1, token}\n";

  /**
   * Compare-and-delete, announcing the release to waiters. KEYS: lock. ARGV: owner value, channel.
   * Returns 1 if the grant was still ours and is now deleted, else 0.
   */
  static final String RELEASE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
          + "  redis.call('DEL', KEYS[1])\n"
          + "  redis.call('PUBLISH', ARGV[2], '1')\n"
          + "  return 1\n"
          + "end\n"
          + "return 0\n";

  /**
   * Compare-and-extend a batch. KEYS: locks. ARGV: lease in ms, then one owner value per key.
   * Returns one 1 (extended) or 0 (no longer ours) per key.
   */
  static final String RENEW =
      "local result = {}\n"
          + "for i, key in ipairs(KEYS) do\n"
          + "  if redis.call('GET', key) == ARGV[i + 1] then\n"
          + "    redis.call('PEXPIRE', key, ARGV[1])\n"
          + "    result[i] = 1\n"
          + "  else\n"
          + "    result[i] = 0\n"
          + "  end\n"
          + "end\n"
          + "return result\n";
}
