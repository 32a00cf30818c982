package io.holdfast.lock.redis.internal;

import io.holdfast.lock.LockBackendException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Turns Lettuce and Netty exceptions into messages that lead with the root cause — connection
 * refused, authentication failed, TLS handshake failed, timed out, ACL denied — instead of the
 * outermost wrapper's text ({@code Unable to connect to ...}, {@code CompletionException: ...}).
 * The exception built keeps the original as its cause, wrappers of futures aside.
 */
public final class RedisErrors {
  private static final Pattern DENIED_COMMAND = Pattern.compile("'([A-Za-z|_-]+)' command");
  private static final Pattern AFTER = Pattern.compile("after (\\d+) ?(?:ms|millisecond)");

  private final String where;
  private final boolean tls;
  private final Duration commandTimeout;

  /**
   * A classifier for one service.
   *
   * @param where what to call the server in messages, e.g. {@code "Redis at 127.0.0.1:6379"}
   * @param tls whether the connection uses TLS, if known
   * @param commandTimeout the service's command timeout, which also bounds connect and handshake
   */
  public RedisErrors(String where, boolean tls, Duration commandTimeout) {
    this.where = where;
    this.tls = tls;
    this.commandTimeout = commandTimeout;
  }

  /**
   * A classifier for a service over {@code uri}.
   *
   * @param uri where the service connects, or {@code null} for the application's client
   * @param commandTimeout the service's command timeout
   * @return the classifier
   */
  public static RedisErrors of(@Nullable RedisURI uri, Duration commandTimeout) {
    return new RedisErrors(where(uri), uri != null && uri.isSsl(), commandTimeout);
  }

  /**
   * How messages name a server reached through {@code uri}: {@code Redis at host:port}, {@code
   * Redis at <socket>}, or {@code Redis (Sentinel master 'name' via host:port, ...)}.
   *
   * @param uri the URI, or {@code null} for a client the application passed in
   * @return the name
   */
  public static String where(@Nullable RedisURI uri) {
    if (uri == null) {
      return "Redis";
    }
    if (uri.getSocket() != null) {
      return "Redis at " + uri.getSocket();
    }
    if (uri.getSentinelMasterId() != null && !uri.getSentinels().isEmpty()) {
      List<String> sentinels = new ArrayList<>();
      for (RedisURI s : uri.getSentinels()) {
        sentinels.add(s.getHost() + ":" + s.getPort());
      }
      return "Redis (Sentinel master '"
          + uri.getSentinelMasterId()
          + "' via "
          + String.join(", ", sentinels)
          + ")";
    }
    return "Redis at " + uri.getHost() + ":" + uri.getPort();
  }

  /**
   * A lock exception: {@code <what> failed: <root cause in plain words>}.
   *
   * @param what what was being done, e.g. {@code "acquiring 'sku:apple'"}
   * @param error what Lettuce reported
   * @return the exception, caused by {@code error} without future wrappers
   */
  public LockBackendException lock(String what, Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof LockBackendException lbe) {
      return lbe;
    }
    return new LockBackendException(what + " failed: " + describe(e), e);
  }

  /**
   * A lock exception for a {@code build()} that could not connect: {@code could not connect to
   * Redis: <root cause in plain words>}.
   *
   * @param error what Lettuce reported
   * @return the exception, caused by {@code error} without future wrappers
   */
  public LockBackendException lockConnect(Throwable error) {
    Throwable e = unwrap(error);
    return new LockBackendException("could not connect to Redis: " + describe(e), e);
  }

  /**
   * The exception inside {@link CompletionException} and {@link ExecutionException} wrappers.
   *
   * @param error an exception
   * @return the first that is not such a wrapper
   */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * The root cause in plain words, naming the server, e.g. {@code Redis at 127.0.0.1:6379 refused
   * the connection (connection refused)}.
   *
   * @param error what Lettuce reported
   * @return the description
   */
  public String describe(Throwable error) {
    List<Throwable> chain = chain(unwrap(error));
    // The server's own answer, wherever it sits in the chain, says most.
    for (Throwable t : chain) {
      String m = message(t);
      if (t instanceof RedisCommandExecutionException || t.getClass() == RedisException.class) {
        if (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains("invalid password")) {
          return "authentication to " + where + " failed (" + m + ")";
        }
        if (m.startsWith("NOPERM") || m.contains(" NOPERM ")) {
          Matcher cmd = DENIED_COMMAND.matcher(m);
          return cmd.find()
              ? where
                  + ": ACL denied command "
                  + cmd.group(1).toUpperCase(Locale.ROOT)
                  + " to this user ("
                  + m
                  + ")"
              : where + ": ACL denied this user (" + m + ")";
        }
      }
    }
    for (Throwable t : chain) {
      String m = message(t);
      if (t instanceof RedisCommandTimeoutException) {
        if (m.startsWith("Connection initialization")) {
          // Lettuce times the whole setup (TCP connect, TLS handshake, HELLO/AUTH) as one.
          return tls
              ? "TLS handshake or connection setup with "
                  + where
                  + " timed out after "
                  + millis(m)
                  + " ms (does that port speak TLS?)"
              : where + " did not complete the connection setup within " + millis(m) + " ms";
        }
        return where + " timed out after " + millis(m) + " ms (no answer)";
      }
      if (isTls(t)) {
        if (t.getClass().getSimpleName().equals("SslHandshakeTimeoutException")) {
          return "TLS handshake with "
              + where
              + " failed: timed out after "
              + millis(m)
              + " ms (does that port speak TLS?)";
        }
        return "TLS handshake with " + where + " failed (" + m + ")";
      }
      if (t.getClass().getName().equals("io.netty.channel.ConnectTimeoutException")) {
        return where + " could not be reached: connect timed out after " + millis(m) + " ms";
      }
      if (t instanceof ConnectException) {
        return m.contains("Connection refused")
            ? where + " refused the connection (connection refused)"
            : where + " could not be reached (" + m + ")";
      }
      if (t instanceof UnknownHostException) {
        return "the host of " + where + " is unknown (" + m + ")";
      }
      if (t instanceof RedisCommandExecutionException) {
        return where + " rejected the command (" + m + ")";
      }
      if (t.getClass() == RedisException.class && m.startsWith("Currently not connected")) {
        return "not connected to " + where + " (the connection was lost; reconnecting)";
      }
      if (t instanceof ClosedChannelException
          || (t.getClass() == RedisException.class && m.startsWith("Connection closed"))
          || (t instanceof IOException && !(t instanceof SSLException))) {
        return "the connection to " + where + " was lost (" + m + ")";
      }
    }
    Throwable root = chain.get(chain.size() - 1);
    if (root instanceof RedisConnectionException) {
      return "could not connect to " + where + " (" + message(root) + ")";
    }
    return where + ": " + root.getClass().getSimpleName() + ": " + message(root);
  }

  /** The duration a Lettuce or Netty message names, else the command timeout. */
  private long millis(String message) {
    Matcher m = AFTER.matcher(message);
    return m.find() ? Long.parseLong(m.group(1)) : commandTimeout.toMillis();
  }

  private static boolean isTls(Throwable t) {
    String name = t.getClass().getName();
    return t instanceof SSLException || name.equals("io.netty.handler.ssl.NotSslRecordException");
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.trim();
  }

  private static List<Throwable> chain(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    Throwable t = error;
    while (t != null && !chain.contains(t) && chain.size() < 16) {
      chain.add(t);
      t = t.getCause();
    }
    return chain;
  }
}
