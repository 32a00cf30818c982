package io.holdfast.cli;

import io.holdfast.cli.Finding.Status;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/** The ZooKeeper checks of {@code doctor}. */
final class ZooKeeperDoctor {
  private final Connection connection;
  private final Duration sessionTimeout;

  ZooKeeperDoctor(Connection connection, Duration sessionTimeout) {
    this.connection = connection;
    this.sessionTimeout = sessionTimeout;
  }

  List<Finding> check() throws Exception {
    CuratorFrameworkFactory.Builder b =
        CuratorFrameworkFactory.builder()
            .connectString(connection.zooKeeper())
            .sessionTimeoutMs((int) sessionTimeout.toMillis())
            .connectionTimeoutMs((int) connection.timeout.toMillis())
            .retryPolicy(new RetryOneTime(100));
    String[] digest = connection.digest();
    if (digest != null) {
      b.authorization("digest", (digest[0] + ":" + digest[1]).getBytes(StandardCharsets.UTF_8));
    }
    try (CuratorFramework client = b.build()) {
      client.start();
      if (!client.blockUntilConnected((int) connection.timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new io.holdfast.lock.LockBackendException(
            "could not connect to ZooKeeper at "
                + connection.zooKeeper()
                + " within "
                + connection.timeout,
            new IOException("not connected"));
      }
      List<Finding> out = new ArrayList<>();
      out.add(sessionTimeout(client.getZookeeperClient().getZooKeeper().getSessionTimeout()));
      out.add(ensemble(client));
      out.add(fourLetterWords());
      out.add(rootAcl(client));
      return out;
    }
  }

  Finding sessionTimeout(int negotiatedMs) {
    long asked = sessionTimeout.toMillis();
    String found = "asked " + asked + " ms, the server granted " + negotiatedMs + " ms";
    if (negotiatedMs == asked) {
      return Finding.ok("session timeout", found);
    }
    String effect =
        negotiatedMs < asked
            ? "leases are lost sooner than configured: a network blip or pause of about two"
                + " thirds of "
                + negotiatedMs
                + " ms suspends the connection and loses every lock (and the pause detector"
                + " reports a pause of half of it)"
            : "a crashed holder blocks its locks for " + negotiatedMs + " ms, not " + asked;
    return new Finding(
        "session timeout",
        Status.WARN,
        found,
        "the server clamps session timeouts to its minSessionTimeout..maxSessionTimeout"
            + " (by default 2 to 20 ticks): "
            + effect
            + ". Change the server's bounds or the services' sessionTimeout so they agree.");
  }

  private static Finding ensemble(CuratorFramework client) throws Exception {
    int servers = 0;
    try {
      byte[] config = client.getConfig().forEnsemble();
      for (String line : new String(config, StandardCharsets.UTF_8).lines().toList()) {
        if (line.startsWith("server.")) {
          servers++;
        }
      }
    } catch (Exception e) {
      servers = 0; // no dynamic config (reconfig disabled): fall back to the connect string
    }
    String source = "from the ensemble's config";
    if (servers == 0) {
      servers = client.getZookeeperClient().getCurrentConnectionString().split(",", -1).length;
      source = "from the connect string";
    }
    String found = servers + " server(s), " + source;
    if (servers == 1) {
      return new Finding(
          "ensemble",
          Status.WARN,
          found,
          "a single server: when it stops, no lock can be acquired or renewed, and every held"
              + " lock is reported lost. Run 3 or 5 servers.");
    }
    if (servers % 2 == 0) {
      return new Finding(
          "ensemble",
          Status.WARN,
          found,
          "an even ensemble tolerates no more failures than one server fewer: run an odd"
              + " number.");
    }
    return Finding.ok("ensemble", found + ", quorum " + (servers / 2 + 1));
  }

  private Finding fourLetterWords() {
    String first = connection.zooKeeper().split(",", -1)[0];
    int slash = first.indexOf('/');
    if (slash >= 0) {
      first = first.substring(0, slash);
    }
    int colon = first.lastIndexOf(':');
    String host = colon < 0 ? first : first.substring(0, colon);
    int port = colon < 0 ? 2181 : Integer.parseInt(first.substring(colon + 1));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) connection.timeout.toMillis());
      s.setSoTimeout((int) connection.timeout.toMillis());
      OutputStream o = s.getOutputStream();
      o.write("ruok".getBytes(StandardCharsets.US_ASCII));
      o.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (answer.equals("imok")) {
        return Finding.ok("4lw commands", "ruok answered imok on " + first);
      }
      return new Finding(
          "4lw commands",
          Status.INFO,
          "ruok not answered on " + first,
          "operators use stat, cons and mntr to see sessions and latency: allow them with"
              + " 4lw.commands.whitelist=ruok,stat,cons,mntr,srvr.");
    } catch (IOException | RuntimeException e) {
      return new Finding(
          "4lw commands", Status.INFO, "could not ask " + first + ": " + e.getMessage(), "");
    }
  }

  private Finding rootAcl(CuratorFramework client) throws Exception {
    String root =
        connection.prefix == null ? ZooKeeperLockService.DEFAULT_ROOT_PATH : connection.prefix;
    if (client.checkExists().forPath(root) == null) {
      return new Finding(
          "root ACL",
          Status.INFO,
          root + " does not exist yet",
          "with digestAuth, create it with the services' ACL before the first service runs"
              + " (docs/operations.md, ZooKeeper ACL).");
    }
    List<ACL> acl = client.getACL().forPath(root);
    for (ACL a : acl) {
      boolean anyone = a.getId().getScheme().equals("world");
      if (anyone && (a.getPerms() & (ZooDefs.Perms.DELETE | ZooDefs.Perms.CREATE)) != 0) {
        return new Finding(
            "root ACL",
            Status.WARN,
            root + " is open to world:anyone",
            "any client of the ensemble can delete lock nodes under their holders (they report"
                + " the loss). Use digestAuth and create the root with its ACL (docs/operations.md,"
                + " ZooKeeper ACL).");
      }
    }
    return Finding.ok("root ACL", root + ": " + acl);
  }
}
