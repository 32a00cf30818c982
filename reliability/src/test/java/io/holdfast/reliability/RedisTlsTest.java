package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Locks and membership over TLS ({@code rediss://}) to a real Redis whose self-signed certificate
 * the test makes with the JDK's keytool; the client trusts exactly that certificate. A client that
 * speaks plain TCP to the TLS port gets a clear error.
 */
class RedisTlsTest {
  @TempDir Path dir;

  @Test
  void locksAndMembership_overTls_withASelfSignedCertificate() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir, "redis");
    Path certPem = cert.certPem();
    Path keyPem = cert.keyPem();

    int tlsPort;
    try (ServerSocket s = new ServerSocket(0)) {
      tlsPort = s.getLocalPort();
    }
    try (RedisServer redis =
        RedisServers.localProcess(
            "--tls-port", Integer.toString(tlsPort),
            "--tls-cert-file", certPem.toString(),
            "--tls-key-file", keyPem.toString(),
            "--tls-ca-cert-file", certPem.toString(),
            "--tls-auth-clients", "no")) {
      RedisURI tls =
          RedisURI.builder()
              .withHost("127.0.0.1")
              .withPort(tlsPort)
              .withSsl(true)
              .withVerifyPeer(true)
              .build();
      RedisClient client = RedisClient.create(tls);
      client.setOptions(
          ClientOptions.builder()
              .sslOptions(
                  SslOptions.builder()
                      .jdkSslProvider()
                      .truststore(cert.keyStore().toFile(), SelfSignedCertificate.PASSWORD)
                      .build())
              .build());
      try (LockService locks = RedisLockService.builder(client).build();
          Membership membership = RedisMembership.builder(client).build()) {
        try (LockHandle h = locks.acquire("over-tls", Duration.ofSeconds(5))) {
          assertThat(h.isHeld()).isTrue();
        }
        membership.register(MemberInfo.builder("tls-group").id("m1").build());
        assertThat(membership.members("tls-group")).hasSize(1);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      // Plain TCP to the TLS port: a clear error, never a hang.
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () ->
                  RedisLockService.builder(RedisURI.create("127.0.0.1", tlsPort))
                      .commandTimeout(Duration.ofSeconds(1))
                      .build())
          .isInstanceOf(LockBackendException.class)
          .hasMessageContaining("could not connect to Redis");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
      assertThat(redis.source()).isEqualTo("local-process");
    }
  }
}
