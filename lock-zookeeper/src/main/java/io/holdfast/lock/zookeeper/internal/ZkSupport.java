package io.holdfast.lock.zookeeper.internal;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.common.PathUtils;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.jspecify.annotations.Nullable;

/** Validation, digest ACLs and client creation for the ZooKeeper builders. */
public final class ZkSupport {
  private ZkSupport() {}

  /**
   * Checks a root path: absolute, valid, not {@code "/"}, no trailing slash, not in {@code
   * /zookeeper}.
   *
   * @param rootPath the path
   * @return the path
   */
  public static String checkRootPath(String rootPath) {
    Objects.requireNonNull(rootPath, "rootPath");
    if (rootPath.equals("/") || rootPath.endsWith("/")) {
      throw new IllegalArgumentException(
          "rootPath must be an absolute path below '/' without a trailing slash, was '"
              + rootPath
              + "'");
    }
    try {
      PathUtils.validatePath(rootPath);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "rootPath must be a valid absolute ZooKeeper path, was '"
              + rootPath
              + "': "
              + e.getMessage(),
          e);
    }
    if (rootPath.equals("/zookeeper") || rootPath.startsWith("/zookeeper/")) {
      throw new IllegalArgumentException(
          "rootPath must not be inside /zookeeper, was '" + rootPath + "'");
    }
    return rootPath;
  }

  /**
   * Checks digest credentials.
   *
   * @param user not blank, without ':'
   * @param password not empty
   */
  public static void checkDigest(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.isBlank() || user.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "digestAuth user must be non-blank and must not contain ':'");
    }
    if (password.isEmpty()) {
      throw new IllegalArgumentException("digestAuth password must not be empty");
    }
  }

  /**
   * Full rights for {@code user:password}, read-only for everyone else.
   *
   * @param user the digest user
   * @param password its password
   * @return the ACL
   */
  public static List<ACL> digestAcl(String user, String password) {
    String digest;
    try {
      digest = DigestAuthenticationProvider.generateDigest(user + ":" + password);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM cannot compute ZooKeeper digests (SHA-1)", e);
    }
    return List.of(
        new ACL(ZooDefs.Perms.ALL, new Id("digest", digest)),
        new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
  }

  /**
   * Starts a client the service will own. It connects in the background.
   *
   * @param connectString the ensemble
   * @param sessionTimeout the session timeout to ask for
   * @param commandTimeout the service's command timeout (bounds the connection timeout)
   * @param user digest user, or {@code null}
   * @param password digest password, or {@code null}
   * @return the started client
   */
  public static CuratorFramework startClient(
      String connectString,
      Duration sessionTimeout,
      Duration commandTimeout,
      @Nullable String user,
      @Nullable String password) {
    CuratorFrameworkFactory.Builder b =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(toIntMillis(sessionTimeout))
            // Curator warns, and waits too long, if the connection timeout exceeds the session's.
            .connectionTimeoutMs(
                toIntMillis(
                    commandTimeout.compareTo(sessionTimeout) <= 0
                        ? commandTimeout
                        : sessionTimeout))
            .retryPolicy(new ExponentialBackoffRetry(100, 5, 2000))
            .ensembleTracker(false);
    if (user != null && password != null) {
      b.authorization("digest", (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    CuratorFramework c = b.build();
    c.start();
    return c;
  }

  /**
   * Where the client connects, for messages: {@code ZooKeeper at host:port,...}.
   *
   * @param client the client
   * @return the name
   */
  public static String where(CuratorFramework client) {
    String cs;
    try {
      cs = client.getZookeeperClient().getCurrentConnectionString();
    } catch (RuntimeException e) {
      cs = null;
    }
    return cs == null || cs.isEmpty() ? "ZooKeeper" : "ZooKeeper at " + cs;
  }

  /**
   * Why a request got no answer in time, in plain words: no connection at all, or a server that did
   * not answer.
   *
   * @param client the client
   * @param op the request, e.g. {@code "create"}, or {@code null}
   * @param path its path, or {@code null}
   * @param timeout how long it waited
   * @return the description
   */
  public static String describeTimeout(
      CuratorFramework client, @Nullable String op, @Nullable String path, Duration timeout) {
    if (!client.getZookeeperClient().isConnected()) {
      return noConnection(client, timeout);
    }
    String request = path == null ? "" : (op == null ? "a request on " : op + " of ") + path + " ";
    return where(client) + " did not answer " + request + "within " + timeout.toMillis() + " ms";
  }

  private static String noConnection(CuratorFramework client, Duration timeout) {
    return "no connection to "
        + where(client)
        + " within "
        + timeout.toMillis()
        + " ms (connection refused or no answer: is a server up at that address?)";
  }

  /**
   * A failed request's result code in plain words, e.g. {@code ZooKeeper denied create of /a/b: not
   * authorized (NoAuth: ...)}.
   *
   * @param client the client
   * @param code the result code
   * @param op the request, e.g. {@code "create"}, or {@code null}
   * @param path its path
   * @param timeout the command timeout (how long a request waits for a connection)
   * @return the description
   */
  public static String describe(
      CuratorFramework client,
      KeeperException.@Nullable Code code,
      @Nullable String op,
      @Nullable String path,
      Duration timeout) {
    String request = (op == null ? "a request on " : op + " of ") + path;
    if (code == null) {
      return "ZooKeeper " + request + " failed with an unknown result code";
    }
    return switch (code) {
      case NOAUTH ->
          "ZooKeeper denied "
              + (op == null ? "access to " + path : request)
              + ": not authorized (NOAUTH: the node's ACL does not allow this client; check its"
              + " digest credentials, digestAuth)";
      case AUTHFAILED -> "authentication to " + where(client) + " failed (AUTHFAILED)";
      case CONNECTIONLOSS, OPERATIONTIMEOUT ->
          client.getZookeeperClient().isConnected()
              ? "the connection to "
                  + where(client)
                  + " was lost during "
                  + request
                  + " ("
                  + code
                  + ")"
              : noConnection(client, timeout);
      case SESSIONEXPIRED ->
          "the ZooKeeper session expired during " + request + " (SESSIONEXPIRED)";
      default -> "ZooKeeper " + request + " failed: " + code;
    };
  }

  private static int toIntMillis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }
}
