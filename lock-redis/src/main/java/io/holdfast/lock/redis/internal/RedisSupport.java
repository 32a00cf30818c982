package io.holdfast.lock.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Validation and client options shared by the Redis builders. */
public final class RedisSupport {
  private RedisSupport() {}

  /**
   * Checks a key prefix: at most 64 characters, no '{' or '}' (they would break hash tags).
   *
   * @param keyPrefix the prefix
   * @return the prefix
   */
  public static String checkKeyPrefix(String keyPrefix) {
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (keyPrefix.length() > 64 || keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException(
          "keyPrefix must be at most 64 characters without '{' or '}', was '" + keyPrefix + "'");
    }
    return keyPrefix;
  }

  /**
   * Options for a client a service creates and owns: reject commands while disconnected (an outage
   * fails fast instead of queueing), connect and time commands out within the command timeout
   * ({@code WAIT} within its own timeout plus that).
   *
   * @param commandTimeout the service's command timeout
   * @return the options
   */
  public static ClientOptions ownClientOptions(Duration commandTimeout) {
    return ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
        .timeoutOptions(
            TimeoutOptions.builder()
                .timeoutCommands()
                .timeoutSource(new ExceptWait(commandTimeout.toNanos()))
                .build())
        .build();
  }

  /**
   * The command timeout for every command but {@code WAIT}, whose own timeout may be longer: the
   * connector bounds it by that timeout plus the command timeout.
   */
  private static final class ExceptWait extends TimeoutOptions.TimeoutSource {
    private final long nanos;

    ExceptWait(long nanos) {
      this.nanos = nanos;
    }

    @Override
    public long getTimeout(RedisCommand<?, ?, ?> command) {
      return command.getType() == CommandType.WAIT ? 0 : nanos;
    }

    @Override
    public TimeUnit getTimeUnit() {
      return TimeUnit.NANOSECONDS;
    }
  }
}
