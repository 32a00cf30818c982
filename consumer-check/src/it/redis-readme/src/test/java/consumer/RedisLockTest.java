package consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The first thing a user does: a Redis lock, on the test kit's real server. */
class RedisLockTest {
  @Test
  void locksOnARealServer() throws InterruptedException {
    try (LockService locks = RedisLockService.builder(RedisServers.shared().uri()).build();
        LockService other = RedisLockService.builder(RedisServers.shared().uri()).build()) {
      try (LockHandle lock = locks.acquire("sku:apple", Duration.ofSeconds(2))) {
        assertTrue(lock.isHeld());
        assertTrue(lock.fencingToken() > 0);
        assertFalse(other.tryAcquire("sku:apple").isPresent());
      }
      try (LockHandle again = other.acquire("sku:apple", Duration.ofSeconds(2))) {
        assertTrue(again.isHeld());
      }
    }
  }
}
