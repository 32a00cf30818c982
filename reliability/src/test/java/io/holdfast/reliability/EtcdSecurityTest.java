package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Locks over TLS and with etcd's user/password authentication, against real etcd processes the test
 * kit starts (skipped without an etcd binary): the certificate is self-signed, made by the test
 * with the JDK's keytool, and trusted by the client; authentication is turned on through etcd's v3
 * auth API. A wrong password and an untrusted certificate fail with {@link LockBackendException}
 * naming the cause, within the command timeout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdSecurityTest {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

  /** How much later than the command timeout a failure may arrive on a loaded machine. */
  private static final Duration SLACK = Duration.ofSeconds(2);

  @TempDir Path dir;

  @Test
  void overTls_trustingTheServersCertificate_locks_andAnUntrustedCertificateFailsClearly()
      throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir, "etcd");
    try (EtcdServer etcd = EtcdServers.localTls(cert.certPem(), cert.keyPem())) {
      String endpoint = etcd.endpoints().get(0);
      assertThat(endpoint).startsWith("https://");
      try (LockService locks =
          EtcdLockService.builder(endpoint)
              .tls(cert.certPem())
              .commandTimeout(Duration.ofSeconds(10))
              .build()) {
        long first;
        try (LockHandle h = locks.acquire("over-tls", Duration.ofSeconds(10))) {
          assertThat(h.isHeld()).isTrue();
          first = h.fencingToken();
        }
        try (LockHandle h = locks.acquire("over-tls", Duration.ofSeconds(10))) {
          assertThat(h.fencingToken()).isGreaterThan(first);
        }
      }
      // The JVM's default trust store does not know the test's certificate.
      try (LockService untrusted =
          EtcdLockService.builder(endpoint).commandTimeout(COMMAND_TIMEOUT).build()) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> untrusted.acquire("over-tls", Duration.ofSeconds(1)))
            .isInstanceOf(LockBackendException.class)
            .hasMessageContaining("TLS handshake");
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
            .isLessThan(COMMAND_TIMEOUT.plus(SLACK));
      }
    }
  }

  @Test
  void withAuthentication_theRightPasswordLocks_aWrongOneFailsClearly() throws Exception {
    try (EtcdServer etcd = EtcdServers.dedicated()) {
      enableAuth(etcd, "holdfast", "s3cret");
      String endpoint = etcd.endpoints().get(0);
      try (LockService locks =
          EtcdLockService.builder(endpoint)
              .auth("holdfast", "s3cret")
              .commandTimeout(Duration.ofSeconds(10))
              .build()) {
        try (LockHandle h = locks.acquire("with-auth", Duration.ofSeconds(10))) {
          assertThat(h.isHeld()).isTrue();
        }
      }
      try (LockService wrong =
          EtcdLockService.builder(endpoint)
              .auth("holdfast", "not-the-password")
              .commandTimeout(COMMAND_TIMEOUT)
              .build()) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> wrong.acquire("with-auth", Duration.ofSeconds(1)))
            .isInstanceOf(LockBackendException.class)
            .hasMessageContaining("authentication");
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
            .isLessThan(COMMAND_TIMEOUT.plus(SLACK));
      }
      // Without credentials etcd 3.4 refuses with INVALID_ARGUMENT, which names no
      // authentication but says what is missing.
      try (LockService none =
          EtcdLockService.builder(endpoint).commandTimeout(COMMAND_TIMEOUT).build()) {
        assertThatThrownBy(() -> none.acquire("with-auth", Duration.ofSeconds(1)))
            .isInstanceOf(LockBackendException.class)
            .hasMessageContaining("user name is empty");
      }
    }
  }

  /** Adds the root user (etcd requires it) and {@code user}, both with the root role. */
  private static void enableAuth(EtcdServer etcd, String user, String password)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    try (Client admin =
        Client.builder().endpoints(etcd.endpoints().toArray(String[]::new)).build()) {
      var auth = admin.getAuthClient();
      auth.roleAdd(bytes("root")).get(10, TimeUnit.SECONDS);
      for (String u : new String[] {"root", user}) {
        auth.userAdd(bytes(u), bytes(password)).get(10, TimeUnit.SECONDS);
        auth.userGrantRole(bytes(u), bytes("root")).get(10, TimeUnit.SECONDS);
      }
      auth.authEnable().get(10, TimeUnit.SECONDS);
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
