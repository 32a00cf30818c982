package io.holdfast.lock.etcd.internal;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/** Client settings, keys and error messages shared by the etcd lock service and membership. */
public final class EtcdSupport {
  private EtcdSupport() {}

  /** How a service connects: the part of a builder both etcd builders share. */
  public static final class Connection {
    private final List<String> endpoints;
    private @Nullable String user;
    private @Nullable String password;
    private boolean tls;
    private @Nullable Path trustedCertificates;

    /**
     * Validates the endpoints.
     *
     * @param endpoints client URLs such as {@code http://etcd1:2379}, at least one
     * @throws IllegalArgumentException if there is none, or one is not an http(s) URL
     */
    public Connection(String... endpoints) {
      Objects.requireNonNull(endpoints, "endpoints");
      if (endpoints.length == 0) {
        throw new IllegalArgumentException("endpoints must name at least one etcd client URL");
      }
      List<String> checked = new ArrayList<>();
      for (String e : endpoints) {
        Objects.requireNonNull(e, "endpoints");
        String s = e.trim();
        URI uri;
        try {
          uri = URI.create(s);
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException("endpoint is not a URL: '" + e + "'", ex);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
          throw new IllegalArgumentException(
              "endpoint must be an http:// or https:// URL with a host, like"
                  + " http://etcd1:2379, was '"
                  + e
                  + "'");
        }
        if (scheme.equals("https")) {
          tls = true;
        }
        checked.add(s);
      }
      this.endpoints = List.copyOf(checked);
    }

    /**
     * Sets user and password (etcd's authentication).
     *
     * @param user not blank
     * @param password not empty
     */
    public void auth(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.isBlank()) {
        throw new IllegalArgumentException("user must not be blank");
      }
      if (password.isEmpty()) {
        throw new IllegalArgumentException("password must not be empty");
      }
      this.user = user;
      this.password = password;
    }

    /**
     * Turns TLS on, trusting the given certificates (PEM), or the JVM's default trust store if
     * {@code null}.
     *
     * @param trustedCertificates a readable PEM file, or {@code null}
     */
    public void tls(@Nullable Path trustedCertificates) {
      if (trustedCertificates != null && !Files.isReadable(trustedCertificates)) {
        throw new IllegalArgumentException(
            "trustedCertificates must be a readable PEM file, was " + trustedCertificates);
      }
      this.tls = true;
      this.trustedCertificates = trustedCertificates;
    }

    /**
     * The endpoints.
     *
     * @return the client URLs
     */
    public List<String> endpoints() {
      return endpoints;
    }

    /**
     * Builds a jetcd client whose own retries end within the command timeout: Holdfast bounds every
     * call itself and reports the cause.
     *
     * @param commandTimeout the service's command timeout
     * @return a new client; the caller closes it
     */
    public Client open(Duration commandTimeout) {
      ClientBuilder b =
          Client.builder()
              .endpoints(endpoints.toArray(String[]::new))
              // Half the command timeout: an outage then fails with its cause (refused,
              // unreachable) before Holdfast's own bound of one command timeout ends the call.
              .connectTimeout(commandTimeout.dividedBy(2))
              .retryMaxDuration(commandTimeout.dividedBy(2))
              .retryDelay(Math.max(10, Math.min(200, commandTimeout.toMillis() / 10)))
              .retryMaxDelay(Math.max(10, Math.min(1000, commandTimeout.toMillis() / 3)))
              .retryChronoUnit(java.time.temporal.ChronoUnit.MILLIS)
              // Not jetcd's default (wait for a ready channel): a call on a channel that cannot
              // connect would wait out the command timeout and say only that, hiding the cause
              // (an untrusted certificate, a refused connection). Failing, it carries the cause,
              // and jetcd's retries above still ride out a short outage.
              .waitForReady(false);
      String u = user;
      String p = password;
      if (u != null && p != null) {
        b.user(bytes(u)).password(bytes(p));
      }
      if (tls) {
        Path trusted = trustedCertificates;
        try {
          b.sslContext(
              ssl -> {
                if (trusted != null) {
                  ssl.trustManager(trusted.toFile());
                }
              });
        } catch (SSLException e) {
          throw new IllegalArgumentException("could not set up TLS: " + e.getMessage(), e);
        } catch (RuntimeException e) {
          if (e.getCause() instanceof IOException io) {
            throw new UncheckedIOException(io);
          }
          throw e;
        }
      }
      return b.build();
    }
  }

  /**
   * UTF-8 bytes.
   *
   * @param s a string
   * @return its bytes
   */
  public static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /**
   * Checks a key prefix (the namespace every key of a service lives under).
   *
   * @param prefix not empty, ending with '/'
   * @param what the argument's name
   * @return the prefix
   */
  public static String checkPrefix(String prefix, String what) {
    Objects.requireNonNull(prefix, what);
    if (prefix.isEmpty() || !prefix.endsWith("/")) {
      throw new IllegalArgumentException(
          what
              + " must be a non-empty key prefix ending with '/', like /holdfast/, was '"
              + prefix
              + "'");
    }
    return prefix;
  }

  /**
   * Encodes a name as one key segment: {@code '%'} and {@code '/'} are percent-encoded, so that one
   * name's prefix never contains another's keys.
   *
   * @param name a name
   * @return the segment
   */
  public static String segment(String name) {
    return name.replace("%", "%25").replace("/", "%2F");
  }

  /**
   * Decodes a key segment made by {@link #segment}.
   *
   * @param segment the segment
   * @return the name
   */
  public static String unsegment(String segment) {
    return segment.replace("%2F", "/").replace("%25", "%");
  }

  /**
   * Bounds a call by the command timeout.
   *
   * @param <T> the result type
   * @param call the call
   * @param timeout the command timeout
   * @return the same future, failing with {@link TimeoutException} after nine tenths of the timeout
   */
  public static <T> CompletableFuture<T> bounded(CompletableFuture<T> call, Duration timeout) {
    // A little less than the timeout: the core's own guard (wait + one command timeout) would
    // otherwise win the race and report a bare timeout instead of this call's cause.
    long nanos = timeout.toNanos();
    return call.orTimeout(nanos - nanos / 10, TimeUnit.NANOSECONDS);
  }

  /**
   * Says what went wrong, naming the cause a user can act on: unreachable, authentication, TLS,
   * timeout.
   *
   * @param what the operation, e.g. {@code "acquiring 'x'"}
   * @param error what jetcd reported
   * @param endpoints where
   * @param timeout the command timeout
   * @return a message
   */
  public static String describe(
      String what, Throwable error, List<String> endpoints, Duration timeout) {
    Throwable e = unwrap(error);
    String where = "etcd at " + String.join(",", endpoints);
    if (e instanceof TimeoutException) {
      return what + " failed: " + where + " did not answer within " + timeout;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return what + " failed: the TLS handshake with " + where + " failed: " + c.getMessage();
      }
    }
    Status.Code code = code(e);
    String detail = e.getMessage() == null ? e.toString() : e.getMessage();
    if (detail.contains("authentication failed")
        || code == Status.Code.UNAUTHENTICATED
        || code == Status.Code.PERMISSION_DENIED) {
      return what + " failed: " + where + " refused the credentials (authentication): " + detail;
    }
    if (code == Status.Code.UNAVAILABLE) {
      return what
          + " failed: "
          + where
          + " is unavailable (connection refused or unreachable, or no leader): "
          + detail;
    }
    if (code == Status.Code.DEADLINE_EXCEEDED) {
      return what + " failed: " + where + " did not answer within " + timeout + ": " + detail;
    }
    return what + " failed: " + where + ": " + detail;
  }

  /** The gRPC status code of a jetcd failure, or {@code null}. */
  static Status.@Nullable Code code(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof EtcdException ee) {
        return Status.Code.valueOf(ee.getErrorCode().name());
      }
      if (c instanceof StatusRuntimeException sre) {
        return sre.getStatus().getCode();
      }
    }
    return null;
  }

  /**
   * Whether a failure means the lease does not exist (expired or revoked).
   *
   * @param error what jetcd reported, or {@code null} (an exception without a cause)
   * @return whether the lease is gone
   */
  public static boolean leaseNotFound(@Nullable Throwable error) {
    if (error == null) {
      return false;
    }
    Throwable e = unwrap(error);
    String m = String.valueOf(e.getMessage());
    return code(e) == Status.Code.NOT_FOUND || m.contains("requested lease not found");
  }

  /**
   * Peels {@link CompletionException} and {@link ExecutionException}.
   *
   * @param error an exception
   * @return its cause
   */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
