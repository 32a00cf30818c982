package io.holdfast.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.testkit.RedisServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Round trips counted by the server ({@code INFO commandstats}), not timed. Leases are a day long
 * so that no background renewal round falls inside a measured window; rounds are run by hand.
 */
class RedisCommandCountTest {
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

  private static LockService service() {
    return RedisLockService.builder(redis.server.uri()).leaseTime(Duration.ofDays(1)).build();
  }

  @Test
  void thousandUncontendedCycles_costExactlyTwoThousandScriptCalls() throws Exception {
    try (LockService locks = service()) {
      locks
          .acquire("warm-up")
          .close(); // loads the scripts (EVAL after NOSCRIPT) outside the window
      redis.resetStats();
      for (int i = 0; i < 1000; i++) {
        try (LockHandle h = locks.acquire("count:" + (i % 10), Duration.ZERO)) {
          assertThat(h.isHeld()).isTrue();
        }
      }
      // commandstats also counts the commands scripts run (GET, SET, ...); what the client sent
      // is the EVALSHAs, and nothing else that a client could send instead.
      Map<String, Long> calls = redis.commandCalls();
      assertThat(calls.get("evalsha")).isEqualTo(2000L);
      assertThat(calls).doesNotContainKeys("eval", "subscribe", "pexpire", "script|load");
    }
  }

  @Test
  void reentrantAcquires_costNoRoundTrip() throws Exception {
    try (LockService locks = service()) {
      locks.acquire("warm-up").close();
      redis.resetStats();
      List<LockHandle> handles = new ArrayList<>();
      handles.add(locks.acquire("reentrant"));
      for (int i = 0; i < 50; i++) {
        handles.add(locks.acquire("reentrant"));
        handles.add(locks.tryAcquire("reentrant").orElseThrow());
      }
      handles.forEach(LockHandle::close);
      assertThat(redis.commandCalls().get("evalsha")).isEqualTo(2L);
    }
  }

  @Test
  void renewingThousandHeldLocks_costsTenScriptCallsPerRound() throws Exception {
    try (LockService locks = service()) {
      List<LockHandle> held = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        held.add(locks.acquire("renew:" + i, Duration.ZERO));
      }
      redis.resetStats();
      ((RedisLockServiceImpl) locks).renewNow().get();
      assertThat(redis.commandCalls().get("evalsha")).isEqualTo(10L);
      redis.resetStats();
      ((RedisLockServiceImpl) locks).renewNow().get();
      assertThat(redis.commandCalls().get("evalsha")).isEqualTo(10L);
      assertThat(held).allMatch(LockHandle::isHeld);
      held.forEach(LockHandle::close);
    }
  }

  @Test
  void afterScriptFlush_oneEvalReloadsTheScript_andLockingGoesOn() throws Exception {
    try (LockService locks = service()) {
      locks.acquire("flush").close();
      redis.sync().scriptFlush();
      redis.resetStats();
      locks.acquire("flush").close();
      // acquire and release: each EVALSHA refused with NOSCRIPT, then one EVAL that reloads it
      Map<String, Long> calls = redis.commandCalls();
      assertThat(calls.get("eval")).isEqualTo(2L);
      assertThat(calls.get("evalsha")).isEqualTo(2L);
      redis.resetStats();
      locks.acquire("flush").close();
      calls = redis.commandCalls();
      assertThat(calls).doesNotContainKey("eval");
      assertThat(calls.get("evalsha")).isEqualTo(2L);
    }
  }
}
