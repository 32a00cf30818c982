package io.holdfast.lock.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.BackendFaults;
import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.InspectionContract;
import io.holdfast.testkit.LockServiceContract;
import io.holdfast.testkit.SharedRegister;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The shared contract against a real etcd (the testkit's choice: environment, container or a local
 * process; skipped when there is none). Every service has its own client and lease, as separate
 * processes would. Breaking a lease deletes the holder's key; faults stop, restart and freeze the
 * server (which keeps its data).
 */
class EtcdLockServiceContractTest extends LockServiceContract {
  private static EtcdServer server;
  private static Client admin;

  @BeforeAll
  static void startServer() {
    server = EtcdServers.dedicated();
    admin = EtcdTesting.client(server.endpoints());
  }

  @AfterAll
  static void stopServer() {
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected LockService createService(Duration leaseTime) {
    return EtcdLockService.builder(server.endpoints().toArray(String[]::new))
        .leaseTime(leaseTime)
        .commandTimeout(commandTimeout())
        .build();
  }

  @Override
  protected List<String> leftBehind(String namePrefix) {
    List<String> left = new ArrayList<>();
    for (KeyValue kv :
        EtcdTesting.queue(admin, EtcdLockService.DEFAULT_NAMESPACE + "locks/" + namePrefix)) {
      left.add("key " + kv.getKey());
    }
    return left;
  }

  @Override
  protected void breakLease(String name) {
    EtcdTesting.breakLease(admin, name);
  }

  @Override
  protected SharedRegister register(String key) {
    return EtcdTesting.register(admin, key);
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
        server.pause();
      }

      @Override
      public void resume() {
        server.resume();
      }
    };
  }

  /** The inspector's contract, against the same server. */
  @Nested
  class Inspection extends InspectionContract {
    @Override
    protected LockService createService(Duration leaseTime) {
      return EtcdLockServiceContractTest.this.createService(leaseTime);
    }
  }
}
