package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both backends on one classpath: a lock and a registered member on each. */
class BothBackendsTest {
  private static final MemberInfo SELF =
      MemberInfo.builder("orders").id("orders-1").host("127.0.0.1").port(8080).build();

  @Test
  void locksAndMembersOnBothBackends() throws InterruptedException {
    String zk = ZooKeeperServers.shared().connectString();
    try (LockService redisLocks = RedisLockService.builder(RedisServers.shared().uri()).build();
        LockService zkLocks = ZooKeeperLockService.builder(zk).build();
        Membership redisMembers = RedisMembership.builder(RedisServers.shared().uri()).build();
        Membership zkMembers = ZooKeeperMembership.builder(zk).build()) {
      for (LockService locks : List.of(redisLocks, zkLocks)) {
        try (LockHandle lock = locks.acquire("sku:apple", Duration.ofSeconds(5))) {
          assertTrue(lock.isHeld());
        }
      }
      for (Membership members : List.of(redisMembers, zkMembers)) {
        try (Registration registration = members.register(SELF)) {
          assertTrue(registration.isRegistered());
          assertEquals("orders-1", members.members("orders").get(0).id());
        }
      }
    }
  }
}
