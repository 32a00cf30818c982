package io.holdfast.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based checks of bad and odd input against both real backends: every lock name, wait,
 * group, id and metadata either works or gets the documented exception, and nothing is left held or
 * registered.
 */
class InputPropertiesTest {
  private static RedisServer redis;
  private static ZooKeeperServer zk;
  private static List<LockService> lockA;
  private static List<LockService> lockB;
  private static List<Membership> memberships;

  @BeforeContainer
  static void start() {
    redis = RedisServers.localProcess();
    zk = ZooKeeperServers.dedicated();
    lockA =
        List.of(
            RedisLockService.builder(redis.uri()).build(),
            ZooKeeperLockService.builder(zk.connectString()).build());
    lockB =
        List.of(
            RedisLockService.builder(redis.uri()).build(),
            ZooKeeperLockService.builder(zk.connectString()).build());
    memberships =
        List.of(
            RedisMembership.builder(redis.uri()).build(),
            ZooKeeperMembership.builder(zk.connectString()).build());
  }

  @AfterContainer
  static void stop() throws Exception {
    lockA.forEach(LockService::close);
    lockB.forEach(LockService::close);
    memberships.forEach(Membership::close);
    zk.close();
    redis.close();
  }

  static boolean validName(String s) {
    if (s.isBlank()) {
      return false;
    }
    try {
      ByteBuffer b =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s));
      return b.remaining() <= LockService.MAX_NAME_BYTES;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Provide
  Arbitrary<String> lockNames() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().all().ofMinLength(500).ofMaxLength(1100),
        Arbitraries.strings().withChars("/.{}:\\ \t\n\u0000zookeper").ofMaxLength(30),
        Arbitraries.of(
            "",
            " ",
            "/",
            ".",
            "..",
            "zookeeper",
            "\uD800",
            "a\uDC00b",
            "x".repeat(1024),
            "x".repeat(1025),
            "\u00e9".repeat(512),
            "\u00e9".repeat(513)));
  }

  @Property(tries = 150)
  void everyLockName_worksOrIsRefusedWithIllegalArgument_andNothingStaysHeld(
      @ForAll("lockNames") String name) throws Exception {
    for (int i = 0; i < lockA.size(); i++) {
      LockService a = lockA.get(i);
      LockService b = lockB.get(i);
      if (!validName(name)) {
        assertThatThrownBy(() -> a.tryAcquire(name)).isInstanceOf(IllegalArgumentException.class);
        continue;
      }
      Optional<LockHandle> h = a.tryAcquire(name);
      assertThat(h).as("valid name %s on backend %d", name, i).isPresent();
      assertThat(b.tryAcquire(name)).isEmpty();
      h.get().close();
      Optional<LockHandle> again = b.tryAcquire(name, Duration.ofSeconds(10));
      assertThat(again).isPresent();
      again.get().close();
    }
  }

  @Property(tries = 100)
  void everyWait_worksOrIsRefusedWithIllegalArgument(@ForAll long amount, @ForAll boolean inSeconds)
      throws Exception {
    Duration wait = inSeconds ? Duration.ofSeconds(amount) : Duration.ofNanos(amount);
    boolean valid = !wait.isNegative() && wait.compareTo(Duration.ofNanos(Long.MAX_VALUE)) <= 0;
    for (LockService s : lockA) {
      if (!valid) {
        assertThatThrownBy(() -> s.tryAcquire("wait-prop", wait))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.acquireAsync("wait-prop", wait))
            .isInstanceOf(IllegalArgumentException.class);
      } else {
        try (LockHandle h = s.tryAcquire("wait-prop", wait).orElseThrow()) {
          assertThat(h.isHeld()).isTrue();
        }
      }
    }
  }

  @Provide
  Arbitrary<String> memberNames() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars("._-0123456789")
            .ofMinLength(1)
            .ofMaxLength(20),
        Arbitraries.strings().all().ofMaxLength(10),
        Arbitraries.strings().withCharRange('a', 'c').ofLength(129),
        Arbitraries.of("", ".", "..", ".hidden", "a/b", "ok-name", "x".repeat(128)));
  }

  @Provide
  Arbitrary<Map<String, String>> metadata() {
    return Arbitraries.maps(
            Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(20), Arbitraries.of("holdfast.x", "")),
            Arbitraries.strings().all().ofMaxLength(3000))
        .ofMaxSize(3);
  }

  @Property(tries = 60)
  void everyMember_registersOrIsRefused_andLeavesNoTrace(
      @ForAll("memberNames") String group,
      @ForAll("memberNames") String id,
      @ForAll("metadata") Map<String, String> metadata) {
    MemberInfo info;
    try {
      info = MemberInfo.builder(group).id(id).metadata(metadata).build();
    } catch (IllegalArgumentException e) {
      return; // documented refusal, nothing registered
    }
    for (Membership m : memberships) {
      try (Registration r = m.register(info)) {
        assertThat(m.members(group)).extracting(Member::id).contains(id);
        assertThat(r.member().metadata()).isEqualTo(info.metadata());
      }
      assertThat(m.members(group)).extracting(Member::id).doesNotContain(id);
    }
  }
}
