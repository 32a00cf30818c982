package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.LockPage;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour of {@link LockService#inspector()} on every backend, against a real server: what
 * {@code inspect} reports of a held and a free lock, paged listing by prefix, and a fenced
 * force-release that the old holder learns about. A backend's contract test runs it as a nested
 * class ({@code @Nested class Inspection extends InspectionContract}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class InspectionContract {
  private final List<LockService> services = new CopyOnWriteArrayList<>();

  /** A prefix unique to this test, so that tests never see each other's locks. */
  protected final String ns = "i" + UUID.randomUUID().toString().substring(0, 8) + ":";

  /**
   * Makes a new service of the implementation under test, connected to the real backend.
   *
   * @param leaseTime the lease time it must use
   * @return a new service; the suite closes it
   */
  protected abstract LockService createService(Duration leaseTime);

  /**
   * The lease time of the services; the old holder of a force-released lock must learn it within a
   * few of them.
   *
   * @return the lease time
   */
  protected Duration leaseTime() {
    return Duration.ofSeconds(2);
  }

  private LockService service() {
    LockService s = createService(leaseTime());
    services.add(s);
    return s;
  }

  @AfterEach
  void closeServices() {
    for (LockService s : services) {
      s.close();
    }
  }

  @Test
  void inspect_freeLock_isNotHeld() {
    LockInfo info = service().inspector().inspect(ns + "free");
    assertThat(info.isHeld()).isFalse();
    assertThat(info.name()).isEqualTo(ns + "free");
    assertThat(info.ownerId()).isEmpty();
    assertThat(info.fencingToken()).isZero();
    assertThat(info.leaseLeft()).isEmpty();
  }

  @Test
  void inspect_heldLock_showsHolderTokenAndLease() throws Exception {
    LockService holder = service();
    LockInspector inspector = service().inspector();
    Instant before = Instant.now().minusSeconds(2); // allow the server's clock some skew
    try (LockHandle h = holder.acquire(ns + "held", Duration.ZERO)) {
      Instant after = Instant.now().plusSeconds(2);
      LockInfo info = inspector.inspect(ns + "held");
      assertThat(info.isHeld()).isTrue();
      assertThat(info.name()).isEqualTo(ns + "held");
      assertThat(info.fencingToken()).isEqualTo(h.fencingToken());
      assertThat(info.ownerId()).get().asString().isNotBlank();
      info.grantedAt().ifPresent(t -> assertThat(t).isBetween(before, after));
      info.leaseLeft()
          .ifPresent(
              left ->
                  assertThat(left).isPositive().isLessThanOrEqualTo(leaseTime().plusSeconds(1)));
      info.waiters().ifPresent(w -> assertThat(w).isZero());
    }
    assertThat(inspector.inspect(ns + "held").isHeld()).isFalse();
  }

  @Test
  void ownerIds_ofTwoServices_differ() throws Exception {
    LockService a = service();
    LockService b = service();
    try (LockHandle ha = a.acquire(ns + "a", Duration.ZERO);
        LockHandle hb = b.acquire(ns + "b", Duration.ZERO)) {
      LockInspector inspector = a.inspector();
      assertThat(inspector.inspect(ns + "a").ownerId())
          .isPresent()
          .isNotEqualTo(inspector.inspect(ns + "b").ownerId());
    }
  }

  @Test
  void inspect_countsWaiters_whereTheBackendCanTell() throws Exception {
    LockService holder = service();
    LockService waiter = service();
    try (LockHandle h = holder.acquire(ns + "queued", Duration.ZERO)) {
      if (holder.inspector().inspect(ns + "queued").waiters().isEmpty()) {
        return; // this backend cannot tell (asserted by the table in LockInfo's Javadoc)
      }
      CompletableFuture<LockHandle> queued =
          waiter.acquireAsync(ns + "queued", Duration.ofSeconds(60));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> holder.inspector().inspect(ns + "queued").waiters().orElse(-1) == 1);
      h.close();
      queued.get(30, TimeUnit.SECONDS).close();
    }
  }

  @Test
  void timeout_carriesTheHoldersOwnerId_whenTheBackendTells() throws Exception {
    LockService holder = service();
    LockService other = service();
    try (LockHandle h = holder.acquire(ns + "busy", Duration.ZERO)) {
      LockInfo info = other.inspector().inspect(ns + "busy");
      assertThatThrownBy(() -> other.acquire(ns + "busy", Duration.ofMillis(200)))
          .isInstanceOfSatisfying(
              LockTimeoutException.class,
              e ->
                  e.holderOwnerId()
                      .ifPresent(id -> assertThat(Optional.of(id)).isEqualTo(info.ownerId())));
    }
  }

  @Test
  void list_pagesThroughHeldLocksUnderThePrefix_only() throws Exception {
    LockService holder = service();
    LockInspector inspector = service().inspector();
    Map<String, Long> tokens = new HashMap<>();
    List<LockHandle> handles = new ArrayList<>();
    try {
      for (int i = 0; i < 7; i++) {
        LockHandle h = holder.acquire(ns + "list/" + i, Duration.ZERO);
        handles.add(h);
        tokens.put(ns + "list/" + i, h.fencingToken());
      }
      handles.add(holder.acquire(ns + "other/1", Duration.ZERO));
      holder.acquire(ns + "list/released", Duration.ZERO).close();

      Map<String, Long> listed = new HashMap<>();
      String cursor = LockPage.FIRST;
      int pages = 0;
      do {
        LockPage page = inspector.list(ns + "list/", 3, cursor);
        pages++;
        for (LockInfo info : page.locks()) {
          assertThat(info.isHeld()).isTrue();
          listed.put(info.name(), info.fencingToken());
        }
        cursor = page.nextCursor().orElse(null);
        assertThat(pages).as("pages").isLessThan(1000);
      } while (cursor != null);
      assertThat(listed).isEqualTo(tokens);
      assertThat(pages).isGreaterThanOrEqualTo(2);
    } finally {
      handles.forEach(LockHandle::close);
    }
  }

  @Test
  void list_treatsThePrefixLiterally() throws Exception {
    LockService holder = service();
    try (LockHandle glob = holder.acquire(ns + "g*[?]\\%/ü", Duration.ZERO);
        LockHandle other = holder.acquire(ns + "gx[a]\\%/u", Duration.ZERO)) {
      List<String> names = new ArrayList<>();
      String cursor = LockPage.FIRST;
      do {
        LockPage page = holder.inspector().list(ns + "g*[?]", 100, cursor);
        page.locks().forEach(i -> names.add(i.name()));
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      assertThat(names).containsExactly(ns + "g*[?]\\%/ü");
    }
  }

  @Test
  void forceRelease_isFenced_andTheOldHolderLearnsItLostTheLock() throws Exception {
    LockService oldHolder = service();
    LockService next = service();
    LockInspector operator = service().inspector();
    LockHandle old = oldHolder.acquire(ns + "stuck", Duration.ZERO);
    CountDownLatch lost = new CountDownLatch(1);
    old.onLost(h -> lost.countDown());
    CompletableFuture<LockHandle> waiting = next.acquireAsync(ns + "stuck", Duration.ofSeconds(60));

    Optional<LockInfo> released = operator.forceRelease(ns + "stuck");

    assertThat(released).isPresent();
    assertThat(released.get().fencingToken()).isEqualTo(old.fencingToken());
    assertThat(released.get().ownerId()).isPresent();
    // The waiter is granted the lock, with a larger token; the old holder is told.
    try (LockHandle successor = waiting.get(30, TimeUnit.SECONDS)) {
      assertThat(successor.fencingToken()).isGreaterThan(old.fencingToken());
      assertThat(operator.inspect(ns + "stuck").fencingToken()).isEqualTo(successor.fencingToken());
      assertThat(lost.await(leaseTime().toMillis() * 5 + 10_000, TimeUnit.MILLISECONDS))
          .as("the old holder's onLost ran")
          .isTrue();
      assertThat(old.isHeld()).isFalse();
      old.close(); // harmless: it must not release the successor's grant
      assertThat(operator.inspect(ns + "stuck").fencingToken()).isEqualTo(successor.fencingToken());
    }
  }

  @Test
  void forceRelease_ofAFreeLock_releasesNothing() throws Exception {
    LockInspector operator = service().inspector();
    assertThat(operator.forceRelease(ns + "nobody")).isEmpty();
    LockService s = service();
    try (LockHandle h = s.acquire(ns + "nobody", Duration.ZERO)) {
      assertThat(h.isHeld()).isTrue();
    }
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the API must answer with an NPE
  void arguments_areValidated() {
    LockInspector inspector = service().inspector();
    assertThatNullPointerException().isThrownBy(() -> inspector.inspect(null)).withMessage("name");
    assertThatNullPointerException()
        .isThrownBy(() -> inspector.list(null, 10, LockPage.FIRST))
        .withMessage("prefix");
    assertThatNullPointerException()
        .isThrownBy(() -> inspector.list("", 10, null))
        .withMessage("cursor");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> inspector.list("", 0, LockPage.FIRST))
        .withMessageContaining("pageSize must be between 1 and 1000");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> inspector.list("", 1001, LockPage.FIRST))
        .withMessageContaining("pageSize");
    assertThatIllegalArgumentException().isThrownBy(() -> inspector.forceRelease(" "));
  }

  @Test
  void closedService_refusesInspection() {
    LockService s = service();
    LockInspector inspector = s.inspector();
    s.close();
    assertThatThrownBy(() -> inspector.inspect(ns + "x")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> inspector.list("", 10, LockPage.FIRST))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> inspector.forceRelease(ns + "x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(s::inspector).isInstanceOf(IllegalStateException.class);
  }
}
