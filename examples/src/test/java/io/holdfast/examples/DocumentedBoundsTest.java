package io.holdfast.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.redis.RedisMembership;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps the numbered bounds the docs promise — survivable pauses, failure detection, renewal and
 * heartbeat cadence, the drift margin — tied to the constants the code runs on, the way {@link
 * ConfigurationDocTest} ties the configuration table to the builders. Each expected sentence is
 * built from the code's constants; change a constant and the page must change with it. Promises
 * that turned out false are listed too, so that they do not come back.
 */
class DocumentedBoundsTest {
  static final Path DOCS = Path.of("../docs");

  /** Words the docs use for a fraction 1/n, and for (n − 1)/n. */
  static final Map<Integer, String> PART = Map.of(2, "half", 3, "a third", 4, "a quarter");

  /** "every third of it". */
  static final Map<Integer, String> EVERY = Map.of(2, "half", 3, "third", 4, "quarter");

  static final Map<Integer, String> REST = Map.of(2, "half", 3, "two thirds", 4, "three quarters");

  static final List<String> PAGES =
      List.of(
          "configuration.md",
          "guarantees.md",
          "index.md",
          "membership.md",
          "operations.md",
          "redis.md",
          "zookeeper.md");

  @Test
  void redisLeases_renewalCadence_driftMargin_andSurvivablePause_matchTheCode() throws Exception {
    int renewals = intConstant("io.holdfast.lock.redis.RedisLockServiceImpl", "RENEWALS_PER_LEASE");
    int batch = intConstant("io.holdfast.lock.redis.RedisLockServiceImpl", "RENEW_BATCH");
    Duration lease = ServiceConfig.DEFAULT_LEASE_TIME;
    long marginNanos = margin(lease);
    // The margin is p % of the lease + a fixed part: read both off the code.
    long perSecond = margin(lease.plusSeconds(100)) - marginNanos; // p % of 100 s
    long percent = perSecond / Duration.ofSeconds(1).toNanos();
    long fixedMillis = Duration.ofNanos(marginNanos - lease.toNanos() * percent / 100).toMillis();
    String marginText = percent + " % of the lease + " + fixedMillis + " ms";
    expect("guarantees.md", "drift margin of " + marginText);
    expect("redis.md", "drift margin of " + marginText);
    expect("configuration.md", "less a " + percent + " % + " + fixedMillis + " ms drift margin");
    expect("configuration.md", "the drift margin (" + marginText + ")");
    expect("guarantees.md", "*rates* differ by less than " + percent + " %");
    expect("index.md", "clock *rates* within " + percent + " %");

    expect("configuration.md", "renewals run every lease/" + renewals);
    expect("index.md", "renewal 1 per " + batch + " held locks every lease/" + renewals);
    expect("configuration.md", "Held locks are renewed every " + EVERY.get(renewals) + " of it");
    // The worst pause starts just before a renewal is due: (n-1)/n of the lease remain, less the
    // margin (and one round trip, which the docs round away by flooring to 0.1 s).
    long survivable = lease.toNanos() * (renewals - 1) / renewals - marginNanos;
    expect(
        "configuration.md",
        "about **"
            + REST.get(renewals)
            + " of the lease** ("
            + tenths(survivable)
            + " of the default "
            + seconds(lease)
            + ")");
  }

  @Test
  void zooKeeperPauseDetector_matchesTheCode() throws Exception {
    int divisor =
        intConstant("io.holdfast.lock.zookeeper.ZooKeeperLockServiceImpl", "PAUSE_DIVISOR");
    long tickMillis =
        longConstant("io.holdfast.lock.internal.AbstractLockService", "PAUSE_TICK_MILLIS");
    Duration session = ZooKeeperLockService.DEFAULT_SESSION_TIMEOUT;
    String part = PART.get(divisor);
    expect(
        "configuration.md", "a pause longer than **" + part + " the negotiated session timeout**");
    expect("configuration.md", "ticks every " + tickMillis + " ms");
    long sure = session.toNanos() / divisor - Duration.ofMillis(tickMillis).toNanos();
    expect(
        "configuration.md",
        part
            + " the session timeout less\n    "
            + tickMillis
            + " ms is always survived: "
            + tenths(sure)
            + " of the default "
            + seconds(session));
    // ZooKeeper's own client (ClientCnxn, 3.9) drops a connection silent for 2/3 of the session
    // and pings after (2/3)/2 of it less 1 s: a pause beyond the difference can suspend it.
    long readTimeout = session.toNanos() * 2 / 3;
    long suspendable = readTimeout - (readTimeout / 2 - Duration.ofSeconds(1).toNanos());
    expect(
        "configuration.md",
        "**a third of the session timeout + 1 s** ("
            + tenths(suspendable)
            + " of the default "
            + seconds(session)
            + ")");
    expect("guarantees.md", "a gap of more than " + part + " the negotiated session timeout");
    expect("index.md", "for more than " + part + " the session timeout");
  }

  @Test
  void zooKeeperContendedNames_matchTheCode() throws Exception {
    int names =
        intConstant("io.holdfast.lock.zookeeper.ZooKeeperLockServiceImpl", "CONTENDED_NAMES");
    expect(
        "zookeeper.md",
        "The service remembers the last "
            + java.text.NumberFormat.getIntegerInstance(java.util.Locale.US).format(names)
            + "\n     contended names.");
  }

  @Test
  void redisMembershipFailureDetection_matchesTheHeartbeatCadence() throws Exception {
    int n = intConstant("io.holdfast.membership.redis.RedisMembershipImpl", "HEARTBEATS_PER_TTL");
    String bound = "TTL + TTL/" + n;
    expect("membership.md", "**crashed member leaves within " + bound + "**");
    expect("membership.md", "**Heartbeats** every TTL/" + n);
    expect("membership.md", "`reconcileInterval` default TTL/" + n);
    expect(
        "configuration.md",
        "sends a heartbeat every TTL/" + n + ", and a crashed member leaves within " + bound);
    expect(
        "configuration.md",
        "`reconcileInterval` (TTL/"
            + n
            + "). With no other live member and a longer"
            + " `reconcileInterval`, the\n  bound is TTL + `reconcileInterval`");
    expect("index.md", "a crashed member leaves within " + bound + " while");
    assertEquals(
        Duration.ofSeconds(10),
        RedisMembership.DEFAULT_TTL,
        "membership.md quotes the 10 s default");
    expect("membership.md", "Default TTL " + seconds(RedisMembership.DEFAULT_TTL));
  }

  @Test
  void promisesFoundFalse_doNotComeBack() throws IOException {
    List<String> problems = new ArrayList<>();
    for (String page : PAGES) {
      String text = read(page);
      for (String stale :
          List.of(
              "waiters are granted at once",
              "the longest pause a live holder can survive",
              "always ends before the server's",
              "Wall-clock time is never used for this")) {
        if (text.contains(stale)) {
          problems.add(page + " still says \"" + stale + "\"");
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  // ---- helpers

  static long margin(Duration lease) {
    ServiceConfig.Builder b = new ServiceConfig.Builder();
    b.leaseTime(lease);
    return b.build().driftMarginNanos();
  }

  /** Floors to a tenth of a second: "6.5 s". */
  static String tenths(long nanos) {
    long tenths = nanos / Duration.ofMillis(100).toNanos();
    return String.format(Locale.ROOT, "%d.%d s", tenths / 10, tenths % 10);
  }

  static String seconds(Duration d) {
    assertEquals(0, d.toMillis() % 1000, d + " is not whole seconds");
    return d.toSeconds() + " s";
  }

  static void expect(String page, String text) throws IOException {
    String content = read(page);
    // Line breaks in the page are just spaces in the sentence.
    String flat = content.replaceAll("\\s*\\n\\s*", " ");
    String wanted = text.replaceAll("\\s*\\n\\s*", " ");
    assertTrue(flat.contains(wanted), "docs/" + page + " should say: " + wanted);
  }

  static String read(String page) throws IOException {
    return Files.readString(DOCS.resolve(page), StandardCharsets.UTF_8);
  }

  static int intConstant(String className, String name) throws ReflectiveOperationException {
    return ((Number) constant(className, name)).intValue();
  }

  static long longConstant(String className, String name) throws ReflectiveOperationException {
    return ((Number) constant(className, name)).longValue();
  }

  static Object constant(String className, String name) throws ReflectiveOperationException {
    Field f = Class.forName(className).getDeclaredField(name);
    f.setAccessible(true);
    return f.get(null);
  }
}
