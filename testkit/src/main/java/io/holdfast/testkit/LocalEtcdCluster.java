package io.holdfast.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An etcd cluster of local processes on loopback ports, for fault tests: stop, start and pause
 * single members (a quorum of a 3-member cluster survives one). Obtain one from {@link
 * EtcdServers#localCluster(int)}; close it to stop every member.
 */
public final class LocalEtcdCluster implements AutoCloseable {
  private final List<LocalEtcdServer> members = new ArrayList<>();

  LocalEtcdCluster(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, was " + size);
    }
    try {
      for (int i = 0; i < size; i++) {
        members.add(new LocalEtcdServer("m" + i));
      }
      String initial =
          members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
      for (LocalEtcdServer m : members) {
        m.joinCluster(initial, "holdfast-cluster-" + members.get(0).clientUrl().hashCode());
        m.launch();
      }
      for (LocalEtcdServer m : members) {
        m.awaitHealthy();
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * The client endpoints of every member.
   *
   * @return the endpoints, in member order
   */
  public List<String> endpoints() {
    List<String> all = new ArrayList<>();
    for (LocalEtcdServer m : members) {
      all.add(m.clientUrl());
    }
    return all;
  }

  /**
   * How many members the cluster has.
   *
   * @return the size
   */
  public int size() {
    return members.size();
  }

  /**
   * One member, which the test may stop, start, pause and resume ({@link EtcdServer#start()} waits
   * until it is healthy again, which needs a quorum).
   *
   * @param index from 0
   * @return the member
   */
  public EtcdServer member(int index) {
    return members.get(index);
  }

  @Override
  public void close() {
    for (LocalEtcdServer m : members) {
      m.close();
    }
  }

  @Override
  public String toString() {
    return "local etcd cluster " + endpoints();
  }
}
