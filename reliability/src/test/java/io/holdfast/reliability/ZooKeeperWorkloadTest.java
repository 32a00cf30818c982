package io.holdfast.reliability;

import io.holdfast.testkit.TcpFaultProxy;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The workloads on a real ZooKeeper server (in-JVM unless the environment names one). */
class ZooKeeperWorkloadTest extends LockWorkloadContract {
  private static ZooKeeperServer zk;

  @BeforeAll
  static void startZooKeeper() {
    zk = ZooKeeperServers.dedicated();
  }

  @AfterAll
  static void stopZooKeeper() throws Exception {
    zk.close();
  }

  @Override
  String kind() {
    return "zookeeper";
  }

  @Override
  String address() {
    return zk.connectString();
  }

  @Override
  String address(TcpFaultProxy proxy) {
    return proxy.host() + ":" + proxy.port();
  }

  @Override
  String serverHost() {
    return zk.connectString().split(",")[0].split(":")[0];
  }

  @Override
  int serverPort() {
    String first = zk.connectString().split(",")[0];
    return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1).replaceAll("/.*", ""));
  }

  @Override
  Duration lease() {
    return Duration.ofSeconds(2);
  }
}
