package io.holdfast.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper server inside this JVM (Curator's {@code TestingServer}, which runs ZooKeeper's
 * own {@code ZooKeeperServerEmbedded}). Its data directory survives {@link #stop()}, so a restart
 * brings back the same tree and sessions, on the same port.
 */
final class InJvmZooKeeperServer implements ZooKeeperServer {
  private final TestingServer server;
  private final int port;
  private boolean running;
  private boolean closed;

  InJvmZooKeeperServer() {
    ZooKeeperServers.configureInJvmServers();
    port = LocalRedisServer.freePort();
    InstanceSpec spec =
        new InstanceSpec(
            null,
            port,
            -1,
            -1,
            true,
            -1,
            ZooKeeperServers.TICK_TIME_MS,
            0,
            Map.<String, Object>of(
                "maxSessionTimeout", Integer.toString(ZooKeeperServers.MAX_SESSION_TIMEOUT_MS)));
    try {
      server = new TestingServer(spec, true);
    } catch (Exception e) {
      throw new IllegalStateException("could not start an in-JVM ZooKeeper on port " + port, e);
    }
    ZooKeeperServers.neverExitTheJvm();
    running = true;
  }

  @Override
  public String connectString() {
    return "127.0.0.1:" + port;
  }

  @Override
  public String source() {
    return "in-jvm";
  }

  @Override
  public boolean controllable() {
    return true;
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    running = false;
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("this server was closed");
    }
    if (running) {
      return;
    }
    try {
      server.restart();
    } catch (Exception e) {
      throw new IllegalStateException("could not restart the in-JVM ZooKeeper on port " + port, e);
    }
    ZooKeeperServers.neverExitTheJvm();
    running = true;
    ZooKeeperServers.awaitOk(connectString());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    running = false;
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "in-JVM ZooKeeper on 127.0.0.1:" + port;
  }
}
