package io.holdfast.membership.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a membership right after a Redis restart, while its client is still reconnecting and
 * rejects commands: close() waits for the reconnection (within the command timeout) and nothing
 * logs a stack trace. The test's SLF4J binding (slf4j-simple) writes to System.err, which the test
 * reads.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisMembershipRestartLoggingTest {

  @Test
  void closeJustAfterARestart_deregisters_andLogsNoStackTrace() {
    try (RedisServer redis = RedisServers.dedicated()) {
      Assumptions.assumeTrue(redis.controllable(), "a server from the environment");
      Membership m = RedisMembership.builder(redis.uri()).build();
      LeaderElection e = m.election(m.register(MemberInfo.builder("g").id("a").host("h").build()));
      await().atMost(Duration.ofSeconds(30)).until(e::isLeader);
      redis.stop();
      redis.start();
      String logged = capturingStderr(m::close);
      assertThat(
              logged
                  .lines()
                  .filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by"))
                  .toList())
          .as("stack trace lines logged by close():%n%s", logged)
          .isEmpty();
    }
  }

  private static String capturingStderr(Runnable r) {
    PrintStream before = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(before);
    }
    String s = out.toString(StandardCharsets.UTF_8);
    before.print(s);
    return s;
  }
}
