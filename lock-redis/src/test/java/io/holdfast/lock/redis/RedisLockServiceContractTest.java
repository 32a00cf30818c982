package io.holdfast.lock.redis;

import io.holdfast.lock.LockService;
import io.holdfast.testkit.BackendFaults;
import io.holdfast.testkit.InspectionContract;
import io.holdfast.testkit.LockServiceContract;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.SharedRegister;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The lock contract against a real Redis server of this class's own (faults stop and pause it). */
class RedisLockServiceContractTest extends LockServiceContract {
  private static RedisFixture redis;

  @BeforeAll
  static void startRedis() {
    redis = new RedisFixture(RedisServers.dedicated());
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
    redis.server.close();
  }

  @Override
  protected LockService createService(Duration leaseTime) {
    return RedisLockService.builder(redis.server.uri())
        .leaseTime(leaseTime)
        .commandTimeout(commandTimeout())
        .build();
  }

  @Override
  protected List<String> leftBehind(String namePrefix) {
    List<String> left = new ArrayList<>();
    for (String key :
        redis.sync().keys(RedisLockService.DEFAULT_KEY_PREFIX + "{*}:lock:" + namePrefix + "*")) {
      left.add("key " + key);
    }
    String mine = "id=" + redis.sync().clientId(); // the fixture's own, reconnected after a restart
    for (String client : redis.sync().clientList().split("\n")) {
      String[] fields = client.trim().split(" ");
      if (fields.length > 1 && !fields[0].equals(mine)) {
        left.add("connection " + fields[0] + " " + fields[1]); // id=… addr=…
      }
    }
    return left;
  }

  @Override
  protected void breakLease(String name) {
    redis.deleteLock(name);
  }

  @Override
  protected SharedRegister register(String key) {
    return redis.register(key);
  }

  @Override
  protected @Nullable BackendFaults faults() {
    return redis.faults();
  }

  /** The inspector's contract, against the same server. */
  @Nested
  class Inspection extends InspectionContract {
    @Override
    protected LockService createService(Duration leaseTime) {
      return RedisLockServiceContractTest.this.createService(leaseTime);
    }
  }
}
