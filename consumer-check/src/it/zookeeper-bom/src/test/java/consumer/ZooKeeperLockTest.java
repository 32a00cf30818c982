package consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A ZooKeeper lock, on the test kit's real server. */
class ZooKeeperLockTest {
  @Test
  void locksOnARealServer() throws InterruptedException {
    String connect = ZooKeeperServers.shared().connectString();
    try (LockService locks = ZooKeeperLockService.builder(connect).build();
        LockService other = ZooKeeperLockService.builder(connect).build();
        LockHandle lock = locks.acquire("sku:apple", Duration.ofSeconds(5))) {
      assertTrue(lock.isHeld());
      assertTrue(lock.fencingToken() > 0);
      assertFalse(other.tryAcquire("sku:apple").isPresent());
    }
  }
}
