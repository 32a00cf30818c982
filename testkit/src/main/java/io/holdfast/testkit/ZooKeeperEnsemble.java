package io.holdfast.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * A real ZooKeeper quorum inside this JVM, whose members a test can kill and restart. Obtain one
 * from {@link ZooKeeperServers#ensemble(int)}. Members are numbered from 0 in connect-string order.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
  private final TestingCluster cluster;
  private final List<InstanceSpec> specs;
  private final boolean[] running;
  private boolean closed;

  ZooKeeperEnsemble(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, was " + size);
    }
    ZooKeeperServers.configureInJvmServers();
    specs = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      specs.add(
          new InstanceSpec(
              null,
              LocalRedisServer.freePort(),
              LocalRedisServer.freePort(),
              LocalRedisServer.freePort(),
              true,
              i + 1,
              ZooKeeperServers.TICK_TIME_MS,
              0,
              Map.<String, Object>of(
                  "maxSessionTimeout", Integer.toString(ZooKeeperServers.MAX_SESSION_TIMEOUT_MS))));
    }
    cluster = new TestingCluster(specs);
    running = new boolean[size];
    try {
      cluster.start();
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not start a " + size + "-server ZooKeeper ensemble", e);
    }
    ZooKeeperServers.neverExitTheJvm();
    java.util.Arrays.fill(running, true);
    for (int i = 0; i < size; i++) {
      ZooKeeperServers.awaitOk(connectString(i));
    }
  }

  /**
   * The connect string of the whole ensemble.
   *
   * @return {@code host:port,host:port,...}
   */
  public String connectString() {
    return specs.stream().map(s -> "127.0.0.1:" + s.getPort()).collect(Collectors.joining(","));
  }

  /**
   * The connect string of one member.
   *
   * @param member its index
   * @return {@code host:port}
   */
  public String connectString(int member) {
    return "127.0.0.1:" + specs.get(member).getPort();
  }

  /**
   * The number of members.
   *
   * @return the size
   */
  public int size() {
    return specs.size();
  }

  /**
   * The member that is currently the leader, asked of each running member ({@code srvr}).
   *
   * @return its index, or -1 if no running member says it leads
   */
  public int leader() {
    for (int i = 0; i < specs.size(); i++) {
      if (!running[i]) {
        continue;
      }
      try {
        if (ZooKeeperServers.fourLetterWord(connectString(i), "srvr").contains("Mode: leader")) {
          return i;
        }
      } catch (RuntimeException e) {
        // not answering: not the leader we can use
      }
    }
    return -1;
  }

  /**
   * Kills a member abruptly (its client connections drop at once).
   *
   * @param member its index
   */
  public void kill(int member) {
    try {
      cluster.killServer(specs.get(member));
    } catch (Exception e) {
      throw new IllegalStateException("could not kill member " + member, e);
    }
    running[member] = false;
  }

  /**
   * Restarts a killed member on the same ports.
   *
   * @param member its index
   */
  public void restart(int member) {
    try {
      cluster.restartServer(specs.get(member));
      ZooKeeperServers.neverExitTheJvm();
    } catch (Exception e) {
      throw new IllegalStateException("could not restart member " + member, e);
    }
    running[member] = true;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      cluster.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "in-JVM ZooKeeper ensemble " + connectString();
  }
}
