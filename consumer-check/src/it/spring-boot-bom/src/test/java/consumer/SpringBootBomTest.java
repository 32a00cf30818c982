package consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServers;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Holdfast with the Lettuce and Netty that Spring Boot's BOM chose. */
class SpringBootBomTest {
  @Test
  void redisLocksWithBootsLettuce() throws InterruptedException {
    System.out.println("Lettuce " + RedisURI.class.getPackage().getImplementationVersion());
    try (LockService locks = RedisLockService.builder(RedisServers.shared().uri()).build();
        LockHandle lock = locks.acquire("sku:apple", Duration.ofSeconds(5))) {
      assertTrue(lock.isHeld());
    }
  }

  @Test
  void zooKeeperLocksNextToBootsNetty() throws InterruptedException {
    String zk = ZooKeeperServers.shared().connectString();
    try (LockService locks = ZooKeeperLockService.builder(zk).build();
        LockHandle lock = locks.acquire("sku:apple", Duration.ofSeconds(5))) {
      assertTrue(lock.isHeld());
    }
  }
}
