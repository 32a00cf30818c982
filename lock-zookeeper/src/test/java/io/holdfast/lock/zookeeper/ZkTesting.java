package io.holdfast.lock.zookeeper;

import io.holdfast.testkit.ZooKeeperServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.jspecify.annotations.Nullable;

/** Test helpers: plain Curator clients for inspecting and tampering with the server. */
final class ZkTesting {
  private ZkTesting() {}

  static CuratorFramework client(String connectString) {
    return client(connectString, Duration.ofSeconds(10), null);
  }

  static CuratorFramework client(String connectString, Duration session, @Nullable String digest) {
    CuratorFrameworkFactory.Builder b =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs((int) session.toMillis())
            .connectionTimeoutMs(3000)
            .retryPolicy(new RetryNTimes(3, 200))
            .ensembleTracker(false);
    if (digest != null) {
      b.authorization("digest", digest.getBytes(StandardCharsets.UTF_8));
    }
    CuratorFramework c = b.build();
    c.start();
    try {
      if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not connect to " + connectString);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return c;
  }

  private static final Pattern SID = Pattern.compile("sid=0x([0-9a-fA-F]+)");
  private static final Pattern LCXID = Pattern.compile("lcxid=0x([0-9a-fA-F]+)");
  private static final Pattern SENT = Pattern.compile("sent=(\\d+)");

  /** What the server says about one client connection ({@code cons}). */
  record Connection(long session, long lastCxid, long sent) {}

  /**
   * The server's per-session counters. {@code lastCxid} is the xid of the session's last request:
   * the client numbers every request (not pings) from 1, so its change is the number of requests.
   */
  static Map<Long, Connection> connections(ZooKeeperServer server) {
    return connections(server.connectString());
  }

  static Map<Long, Connection> connections(String connectString) {
    Map<Long, Connection> out = new HashMap<>();
    for (String line :
        io.holdfast.testkit.ZooKeeperServers.fourLetterWord(connectString, "cons").split("\n")) {
      Matcher sid = SID.matcher(line);
      if (!sid.find()) {
        continue;
      }
      Matcher cx = LCXID.matcher(line);
      Matcher sent = SENT.matcher(line);
      long session = Long.parseUnsignedLong(sid.group(1), 16);
      out.put(
          session,
          new Connection(
              session,
              cx.find() ? Long.parseLong(cx.group(1), 16) : 0,
              sent.find() ? Long.parseLong(sent.group(1)) : 0));
    }
    return out;
  }

  static long requests(ZooKeeperServer server, CuratorFramework client) {
    Connection c = connections(server).get(sessionId(client));
    if (c == null) {
      throw new IllegalStateException(
          "the server does not list session 0x" + Long.toHexString(sessionId(client)));
    }
    return c.lastCxid();
  }

  static long sessionId(CuratorFramework client) {
    try {
      return client.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> children(CuratorFramework client, String path) {
    try {
      return client.getChildren().forPath(path);
    } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
      return List.of();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String dir(String name) {
    return ZooKeeperLockService.DEFAULT_ROOT_PATH + "/" + LockPaths.encode(name);
  }
}
