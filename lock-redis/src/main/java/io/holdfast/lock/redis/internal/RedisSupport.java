package io.holdfast.lock.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

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
   * fails fast instead of queueing); connect and TLS handshake within the command timeout
   * (Lettuce's defaults are 10 s each); every command but {@code WAIT} within it too ({@code WAIT}
   * within its own timeout plus that).
   *
   * @param commandTimeout the service's command timeout
   * @return the options
   */
  public static ClientOptions ownClientOptions(Duration commandTimeout) {
    return ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
        .sslOptions(SslOptions.builder().handshakeTimeout(commandTimeout).build())
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

  /**
   * A client a service creates and owns, and how to shut it down.
   *
   * @param client the client
   * @param shutdown shuts the client down and lets go of its resources
   */
  public record OwnedClient(RedisClient client, Runnable shutdown) {}

  /**
   * Creates a client for {@code uri} with {@link #ownClientOptions}, on the application's {@code
   * resources} (never shut down by the service) or else on the JVM-wide shared ones.
   *
   * @param uri where to connect; its timeout (which bounds the connection handshake) becomes the
   *     command timeout
   * @param commandTimeout the service's command timeout
   * @param resources the application's resources, or {@code null} for the shared ones
   * @return the client
   */
  public static OwnedClient createClient(
      RedisURI uri, Duration commandTimeout, @Nullable ClientResources resources) {
    RedisURI.Builder copy = RedisURI.builder(uri).withTimeout(commandTimeout);
    if (uri.getSentinelMasterId() != null) {
      // Lettuce's copying builder leaves the Sentinels out.
      uri.getSentinels().forEach(copy::withSentinel);
      copy.withSentinelMasterId(uri.getSentinelMasterId());
    }
    RedisURI timed = copy.build();
    ClientResources r = resources != null ? resources : SharedClientResources.acquire();
    RedisClient client;
    try {
      client = RedisClient.create(r, timed);
      client.setOptions(ownClientOptions(commandTimeout));
    } catch (RuntimeException e) {
      if (resources == null) {
        SharedClientResources.release(r);
      }
      throw e;
    }
    return new OwnedClient(
        client,
        () -> {
          try {
            client.shutdown(0, 2, TimeUnit.SECONDS);
          } finally {
            if (resources == null) {
              SharedClientResources.release(r);
            }
          }
        });
  }
}
