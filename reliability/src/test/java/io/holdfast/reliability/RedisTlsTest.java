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
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
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
    Path keystore = dir.resolve("redis.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "redis",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit",
        "-keypass",
        "changeit");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    Certificate cert = ks.getCertificate("redis");
    Key key = ks.getKey("redis", "changeit".toCharArray());
    Path certPem = dir.resolve("redis.crt");
    Path keyPem = dir.resolve("redis.key");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);

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
                      .truststore(keystore.toFile(), "changeit")
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

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
