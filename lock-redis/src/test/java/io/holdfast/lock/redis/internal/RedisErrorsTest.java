package io.holdfast.lock.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.LockBackendException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The wording of causes that the real-server tests cannot produce on demand (an unroutable address,
 * Netty's own handshake timer), on the exception chains Lettuce builds for them.
 */
class RedisErrorsTest {
  private final RedisErrors errors =
      RedisErrors.of(RedisURI.create("rediss://10.1.2.3:6380"), Duration.ofMillis(500));

  @Test
  void connectTimeout_namesTheTimeNettyWaited() {
    Throwable e =
        new CompletionException(
            new RedisConnectionException(
                "Unable to connect to 10.1.2.3/<unresolved>:6380",
                new ConnectTimeoutException("connection timed out after 500 ms: /10.1.2.3:6380")));
    LockBackendException lbe = errors.lock("acquiring 'sku:apple'", e);
    assertThat(lbe)
        .hasMessage(
            "acquiring 'sku:apple' failed: Redis at 10.1.2.3:6380 could not be reached:"
                + " connect timed out after 500 ms")
        .hasCauseInstanceOf(RedisConnectionException.class);
  }

  @Test
  void nettysHandshakeTimer_isATlsFailure_withItsOwnDuration() {
    Throwable e =
        new RedisConnectionException(
            "Unable to connect to 10.1.2.3/<unresolved>:6380",
            new SslHandshakeTimeoutException("handshake timed out after 10000ms"));
    assertThat(errors.describe(e))
        .isEqualTo(
            "TLS handshake with Redis at 10.1.2.3:6380 failed: timed out after 10000 ms"
                + " (does that port speak TLS?)");
  }

  @Test
  void serverErrors_beyondAuthAndAcl_areQuoted() {
    assertThat(
            errors.describe(
                new RedisCommandExecutionException(
                    "READONLY You can't write against a read only replica.")))
        .isEqualTo(
            "Redis at 10.1.2.3:6380 rejected the command (READONLY You can't write against a"
                + " read only replica.)");
    assertThat(
            errors.describe(
                new RedisCommandExecutionException("NOPERM No permissions to access a key")))
        .isEqualTo(
            "Redis at 10.1.2.3:6380: ACL denied this user (NOPERM No permissions to access a key)");
    assertThat(errors.describe(new RedisException("Connection closed")))
        .isEqualTo("the connection to Redis at 10.1.2.3:6380 was lost (Connection closed)");
  }

  @Test
  void sentinelUris_nameTheMasterAndTheSentinels() {
    assertThat(RedisErrors.where(RedisURI.create("redis-sentinel://s1:26379,s2:26379#orders")))
        .isEqualTo("Redis (Sentinel master 'orders' via s1:26379, s2:26379)");
    assertThat(RedisErrors.where(null)).isEqualTo("Redis");
  }
}
