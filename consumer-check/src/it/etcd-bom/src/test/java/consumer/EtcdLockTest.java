package consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An etcd lock and a Redis lock in one JVM, on the test kit's real servers (the etcd part is
 * skipped where there is no etcd): both clients run on the Netty this build resolved.
 */
class EtcdLockTest {
  @Test
  void etcdAndRedisLocks_runSideBySide() throws InterruptedException {
    try (LockService redis = RedisLockService.builder(RedisServers.shared().uri()).build();
        LockHandle r = redis.acquire("sku:pear", Duration.ofSeconds(5))) {
      assertTrue(r.isHeld());
      String[] endpoints = EtcdServers.shared().endpoints().toArray(String[]::new);
      try (LockService locks = EtcdLockService.builder(endpoints).build();
          LockService other = EtcdLockService.builder(endpoints).build();
          LockHandle lock = locks.acquire("sku:apple", Duration.ofSeconds(5))) {
        assertTrue(lock.isHeld());
        assertTrue(lock.fencingToken() > 0);
        assertFalse(other.tryAcquire("sku:apple").isPresent());
      }
    }
  }
}
