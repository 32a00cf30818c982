package io.holdfast.lock.zookeeper;

import io.holdfast.lock.LockService;
import io.holdfast.testkit.BackendFaults;
import io.holdfast.testkit.InspectionContract;
import io.holdfast.testkit.LockServiceContract;
import io.holdfast.testkit.SharedRegister;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The shared contract against a real ZooKeeper (the testkit's choice: environment, container or
 * in-JVM). Every service has its own client and session, as separate processes would. Breaking a
 * lease deletes the holder's node; faults stop and restart the server (on the same port, with its
 * data), which the holder sees as a suspended connection.
 */
class ZooKeeperLockServiceContractTest extends LockServiceContract {
  private static ZooKeeperServer server;
  private static CuratorFramework admin;

  @BeforeAll
  static void startServer() {
    server = ZooKeeperServers.dedicated();
    admin = ZkTesting.client(server.connectString());
  }

  @AfterAll
  static void stopServer() {
    admin.close();
    server.close();
  }

  @Override
  protected LockService createService(Duration leaseTime) {
    // leaseTime has no meaning here: the session is the lease.
    return ZooKeeperLockService.builder(server.connectString())
        .sessionTimeout(Duration.ofSeconds(5))
        .commandTimeout(commandTimeout())
        .build();
  }

  @Override
  protected List<String> leftBehind(String namePrefix) {
    List<String> left = new ArrayList<>();
    String root = ZooKeeperLockService.DEFAULT_ROOT_PATH;
    try {
      for (String dir : admin.getChildren().forPath(root)) {
        if (dir.startsWith(LockPaths.encode(namePrefix))) {
          for (String node : admin.getChildren().forPath(root + "/" + dir)) {
            left.add("znode " + root + "/" + dir + "/" + node);
          }
        }
      }
    } catch (KeeperException.NoNodeException e) {
      // nothing was ever locked, or the container is gone
    } catch (Exception e) {
      throw new IllegalStateException("could not list " + root, e);
    }
    for (long session : ZkTesting.connections(server).keySet()) {
      left.add("session 0x" + Long.toHexString(session));
    }
    return left;
  }

  @Override
  protected void breakLease(String name) {
    String dir = ZooKeeperLockService.DEFAULT_ROOT_PATH + "/" + LockPaths.encode(name);
    try {
      List<String> queue = LockPaths.queue(admin.getChildren().forPath(dir));
      if (!queue.isEmpty()) {
        admin.delete().forPath(dir + "/" + queue.get(0));
      }
    } catch (KeeperException.NoNodeException e) {
      // nobody holds it
    } catch (Exception e) {
      throw new IllegalStateException("could not break the lease of " + name, e);
    }
  }

  @Override
  protected SharedRegister register(String key) {
    String path = "/holdfast-test/registers/" + LockPaths.encode(key);
    return new SharedRegister() {
      @Override
      public long read() {
        try {
          return Long.parseLong(new String(admin.getData().forPath(path), StandardCharsets.UTF_8));
        } catch (KeeperException.NoNodeException e) {
          return 0;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public void write(long value) {
        byte[] data = Long.toString(value).getBytes(StandardCharsets.UTF_8);
        try {
          admin.create().orSetData().creatingParentsIfNeeded().forPath(path, data);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  @Override
  protected @Nullable BackendFaults faults() {
    if (!server.controllable()) {
      return null;
    }
    return new BackendFaults() {
      @Override
      public void stop() {
        server.stop();
      }

      @Override
      public void start() {
        server.start();
      }

      @Override
      public void pause() {
        // ZooKeeper clients see a frozen server and a stopped one alike: the connection is
        // suspended. The server keeps its data, so sessions survive a short stop.
        server.stop();
      }

      @Override
      public void resume() {
        server.start();
      }
    };
  }

  /** The inspector's contract, against the same server. */
  @Nested
  class Inspection extends InspectionContract {
    @Override
    protected LockService createService(Duration leaseTime) {
      return ZooKeeperLockServiceContractTest.this.createService(leaseTime);
    }
  }
}
