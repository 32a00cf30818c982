package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.InMemoryLockService;
import io.holdfast.lock.LockService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract against the in-memory implementation. Every service of a test shares the locks of
 * one backend instance, as services in several processes share a server.
 */
class InMemoryLockServiceContractTest extends LockServiceContract {
  private final InMemoryLockService backend = InMemoryLockService.create();
  private final Map<String, Long> registers = new ConcurrentHashMap<>();

  @Override
  protected LockService createService(Duration leaseTime) {
    return InMemoryLockService.builder().sharedWith(backend).build();
  }

  @Override
  protected List<String> leftBehind(String namePrefix) {
    int names = backend.activeNames();
    return names == 0 ? List.of() : List.of(names + " lock names held or waited for");
  }

  @Override
  protected void breakLease(String name) {
    backend.revoke(name);
  }

  @Override
  protected SharedRegister register(String key) {
    return new SharedRegister() {
      @Override
      public long read() {
        return registers.getOrDefault(key, 0L);
      }

      @Override
      public void write(long value) {
        registers.put(key, value);
      }
    };
  }

  @Nested
  class Inspection extends InspectionContract {
    @Override
    protected LockService createService(Duration leaseTime) {
      return InMemoryLockServiceContractTest.this.createService(leaseTime);
    }
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  @Test
  void noStateOutlivesTheLocks() throws Exception {
    try (InMemoryLockService s = InMemoryLockService.create()) {
      for (int i = 0; i < 1000; i++) {
        s.acquire(ns + i).close();
      }
      assertThat(s.activeNames()).isZero();
    }
  }
}
