package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.TestAbortedException;

/**
 * The behaviour every {@link LockService} must have, run against a real backend. A backend's test
 * class extends this and says how to make a service, how to take a lock away behind its holder's
 * back, where to keep a shared register, and (optionally) how to fault the backend.
 *
 * <p>Tests wait on conditions, never on sleeps; time bounds are generous upper limits.
 */
public abstract class LockServiceContract {
  /** Each test's limit, scaled by {@link Timing}. */
  @RegisterExtension static final ScaledTimeout TIMEOUT = new ScaledTimeout(Duration.ofMinutes(2));

  private final List<LockService> services = new CopyOnWriteArrayList<>();
  private Set<String> before = Set.of();
  private Set<String> threadsBefore = Set.of();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  /** A prefix unique to this test, so that tests never see each other's locks. */
  protected final String ns = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";

  /**
   * Makes a new service of the implementation under test, connected to the real backend.
   *
   * @param leaseTime the lease time it must use
   * @return a new service; the suite closes it
   */
  protected abstract LockService createService(Duration leaseTime);

  /**
   * Takes the lock away from whoever holds it, behind their back (deletes the key or node), as an
   * expired lease or an operator would.
   *
   * @param name the lock name
   */
  protected abstract void breakLease(String name);

  /**
   * A register kept in the backend.
   *
   * @param key a key unique to the test
   * @return the register
   */
  protected abstract SharedRegister register(String key);

  /**
   * What the backend still holds for this test once its services are closed: the lock keys, nodes
   * or rows of names starting with {@code namePrefix}, and the backend's connections or sessions if
   * it can list them (identified so that two calls name the same one alike). The suite calls it
   * before each test and, after closing the test's services, waits (up to the lease time, the
   * command timeout and 5 s, scaled) until it names nothing that was not there before; a test that
   * leaks a handle, a service or a connection then fails.
   *
   * @param namePrefix the prefix of every lock name of the test
   * @return one line per thing left behind; empty when nothing is
   */
  protected abstract List<String> leftBehind(String namePrefix);

  /**
   * Faults the backend supports; {@code null} (the default) skips the fault tests.
   *
   * @return the faults, or {@code null}
   */
  protected @Nullable BackendFaults faults() {
    return null;
  }

  /** The faults, or the test is skipped (as {@code Assumptions} would). */
  private BackendFaults faultsOrSkip() {
    BackendFaults faults = faults();
    if (faults == null) {
      throw new TestAbortedException("backend faults not supported");
    }
    return faults;
  }

  /**
   * The lease time of services made by {@link #service()}.
   *
   * @return the lease time
   */
  protected Duration leaseTime() {
    return Duration.ofSeconds(2);
  }

  /**
   * The command timeout of the services, to bound how long failures may take.
   *
   * @return the command timeout
   */
  protected Duration commandTimeout() {
    return Duration.ofSeconds(3);
  }

  /**
   * A service that the suite closes after the test.
   *
   * @return a new service
   */
  protected final LockService service() {
    return service(leaseTime());
  }

  private LockService service(Duration leaseTime) {
    LockService s = createService(leaseTime);
    services.add(s);
    return s;
  }

  @BeforeEach
  void recordWhatIsThere() {
    before = new HashSet<>(leftBehind(ns));
    threadsBefore = LibraryThreads.alive();
  }

  @AfterEach
  void closeServices() {
    pool.shutdownNow();
    for (LockService s : services) {
      s.close();
    }
    verifyNothingLeftBehind();
  }

  /** After the services closed: no locks, connections or Holdfast threads of this test remain. */
  void verifyNothingLeftBehind() {
    Duration bound = leaseTime().plus(commandTimeout()).plus(Timing.scaled(Duration.ofSeconds(5)));
    await()
        .atMost(bound)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              List<String> left = new ArrayList<>(leftBehind(ns));
              left.removeAll(before);
              assertThat(left).as("left behind in the backend after close()").isEmpty();
            });
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(10)))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              assertThat(LibraryThreads.startedSince(threadsBefore))
                  .as("Holdfast threads alive after close()")
                  .isEmpty();
            });
  }

  private String name(String base) {
    return ns + base;
  }

  // ------------------------------------------------------------------ exclusion and fencing

  @Test
  // Thread.yield() between read and write widens the race window a broken lock would lose an
  // update in; it is a nudge, not something the test relies on for correctness.
  @SuppressWarnings("ThreadPriorityCheck")
  void mutualExclusion_sixteenThreadsOverFourServices_noLostUpdates() throws Exception {
    String lock = name("counter");
    SharedRegister counter = register(ns + "counter-value");
    counter.write(0);
    int threads = 16;
    int perThread = 25;
    List<LockService> clients = List.of(service(), service(), service(), service());
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    List<Long> tokensInGrantOrder = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      LockService client = clients.get(t % clients.size());
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                  try (LockHandle h = client.acquire(lock, Timing.scaled(Duration.ofSeconds(60)))) {
                    tokensInGrantOrder.add(h.fencingToken());
                    long v = counter.read();
                    Thread.yield();
                    counter.write(v + 1);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(Timing.scaledMillis(100_000), TimeUnit.MILLISECONDS);
    }
    assertThat(counter.read()).isEqualTo((long) threads * perThread);
    assertThat(tokensInGrantOrder).hasSize(threads * perThread).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void fencingToken_increasesWithEveryGrant_acrossServices() throws Exception {
    String lock = name("fence");
    LockService a = service();
    LockService b = service();
    long last = 0;
    for (int i = 0; i < 10; i++) {
      LockService s = i % 2 == 0 ? a : b;
      try (LockHandle h = s.acquire(lock, Timing.scaled(Duration.ofSeconds(10)))) {
        assertThat(h.fencingToken()).isPositive().isGreaterThan(last);
        last = h.fencingToken();
      }
    }
  }

  @Test
  void fencingToken_ofLaterHolder_isLarger_afterLeaseBroken() throws Exception {
    String lock = name("stolen");
    LockService a = service();
    LockService b = service();
    LockHandle first = a.acquire(lock, Duration.ZERO);
    breakLease(lock);
    try (LockHandle second = b.acquire(lock, Timing.scaled(Duration.ofSeconds(10)))) {
      assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
      first.close(); // compare-and-delete: must not release the second holder's grant
      assertThat(a.tryAcquire(lock)).isEmpty();
      assertThat(second.isHeld()).isTrue();
    }
  }

  // ------------------------------------------------------------------ handles

  @Test
  void handle_reportsNameTokenAndHeld_thenNotHeldAfterClose() throws Exception {
    LockService s = service();
    LockHandle h = s.acquire(name("h"));
    long token = h.fencingToken();
    assertThat(h.name()).isEqualTo(name("h"));
    assertThat(h.isHeld()).isTrue();
    h.close();
    assertThat(h.isHeld()).isFalse();
    assertThat(h.fencingToken()).isEqualTo(token);
  }

  @Test
  void close_isIdempotent_andReleasesOnlyOnce() throws Exception {
    LockService s = service();
    LockService other = service();
    LockHandle h = s.acquire(name("idem"));
    h.close();
    h.close();
    try (LockHandle next = other.acquire(name("idem"), Timing.scaled(Duration.ofSeconds(10)))) {
      h.close();
      assertThat(next.isHeld()).isTrue();
      assertThat(s.tryAcquire(name("idem"))).isEmpty();
    }
  }

  @Test
  void release_letsAnotherServiceAcquire() throws Exception {
    LockService a = service();
    LockService b = service();
    try (LockHandle h = a.acquire(name("r"))) {
      assertThat(b.tryAcquire(name("r"))).isEmpty();
    }
    Optional<LockHandle> h2 = b.tryAcquire(name("r"));
    assertThat(h2).isPresent();
    h2.get().close();
  }

  // ------------------------------------------------------------------ reentrancy

  @Test
  void reentrant_sameThread_getsSameToken_releasedWhenAllClosed() throws Exception {
    LockService s = service();
    LockService other = service();
    LockHandle outer = s.acquire(name("re"));
    LockHandle inner = s.acquire(name("re"), Duration.ZERO);
    Optional<LockHandle> third = s.tryAcquire(name("re"));
    assertThat(inner.fencingToken()).isEqualTo(outer.fencingToken());
    assertThat(third)
        .hasValueSatisfying(h -> assertThat(h.fencingToken()).isEqualTo(outer.fencingToken()));
    outer.close();
    assertThat(inner.isHeld()).isTrue();
    assertThat(other.tryAcquire(name("re"))).isEmpty();
    inner.close();
    third.get().close();
    Optional<LockHandle> after = other.tryAcquire(name("re"));
    assertThat(after).isPresent();
    after.get().close();
  }

  @Test
  void reentrant_otherThreadOfSameService_competes() throws Exception {
    LockService s = service();
    try (LockHandle h = s.acquire(name("thread"))) {
      Optional<LockHandle> fromOtherThread =
          pool.submit(() -> s.tryAcquire(name("thread")))
              .get(Timing.scaledMillis(30_000), TimeUnit.MILLISECONDS);
      assertThat(fromOtherThread).isEmpty();
      assertThat(h.isHeld()).isTrue();
    }
  }

  @Test
  void acquireAsync_neverReenters() throws Exception {
    LockService s = service();
    try (LockHandle h = s.acquire(name("async-re"))) {
      CompletableFuture<LockHandle> f = s.acquireAsync(name("async-re"), Duration.ZERO);
      assertThatThrownBy(() -> f.get(Timing.scaledMillis(30_000), TimeUnit.MILLISECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(LockTimeoutException.class);
      assertThat(h.isHeld()).isTrue();
    }
  }

  // ------------------------------------------------------------------ waiting

  @Test
  void acquire_timesOut_withLockTimeoutException_andLeavesNothing() throws Exception {
    LockService a = service();
    LockService b = service();
    try (LockHandle h = a.acquire(name("busy"))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> b.acquire(name("busy"), Duration.ofMillis(300)))
          .isInstanceOf(LockTimeoutException.class)
          .hasMessageContaining(name("busy"));
      long elapsed = System.nanoTime() - t0;
      assertThat(Duration.ofNanos(elapsed))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300))
          .isLessThan(
              Duration.ofMillis(300)
                  .plus(commandTimeout())
                  .plus(Timing.scaled(Duration.ofSeconds(5))));
      assertThat(h.isHeld()).isTrue();
    }
    Optional<LockHandle> again = b.tryAcquire(name("busy"));
    assertThat(again).isPresent();
    again.get().close();
  }

  @Test
  void tryAcquire_doesNotWaitForTheHolder() throws Exception {
    LockService a = service();
    LockService b = service();
    try (LockHandle h = a.acquire(name("try"))) {
      long t0 = System.nanoTime();
      assertThat(b.tryAcquire(name("try"))).isEmpty();
      assertThat(b.tryAcquire(name("try"), Duration.ZERO)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isLessThan(commandTimeout().multipliedBy(2));
    }
  }

  @Test
  void waiter_getsLock_whenHolderReleases() throws Exception {
    LockService a = service();
    LockService b = service();
    LockHandle h = a.acquire(name("wait"));
    CountDownLatch waiting = new CountDownLatch(1);
    Future<Optional<LockHandle>> waiter =
        pool.submit(
            () -> {
              waiting.countDown();
              return b.tryAcquire(name("wait"), Timing.scaled(Duration.ofSeconds(60)));
            });
    waiting.await();
    h.close();
    Optional<LockHandle> got = waiter.get(Timing.scaledMillis(60_000), TimeUnit.MILLISECONDS);
    assertThat(got)
        .hasValueSatisfying(g -> assertThat(g.fencingToken()).isGreaterThan(h.fencingToken()));
    got.get().close();
  }

  @Test
  void waiter_getsLock_whenHoldersLeaseRunsOut_evenWithoutRelease() throws Exception {
    // The holder's service is closed abruptly from the backend's point of view: its lease is
    // broken, and no release message is ever sent. The waiter must not hang.
    LockService a = service();
    LockService b = service();
    LockHandle h = a.acquire(name("expire"));
    Future<LockHandle> waiter =
        pool.submit(() -> b.acquire(name("expire"), Timing.scaled(Duration.ofSeconds(60))));
    breakLease(name("expire"));
    LockHandle got = waiter.get(Timing.scaledMillis(60_000), TimeUnit.MILLISECONDS);
    assertThat(got.fencingToken()).isGreaterThan(h.fencingToken());
    got.close();
  }

  @Test
  void interruptedWaiter_throwsInterruptedException_andLeavesNothingHeld() throws Exception {
    LockService a = service();
    LockService b = service();
    LockHandle h = a.acquire(name("intr"));
    AtomicReference<Thread> waiterThread = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    Future<Throwable> waiter =
        pool.submit(
            () -> {
              waiterThread.set(Thread.currentThread());
              started.countDown();
              try {
                b.acquire(name("intr"), Timing.scaled(Duration.ofSeconds(60))).close();
                return null;
              } catch (Throwable t) {
                return t;
              }
            });
    started.await();
    Objects.requireNonNull(waiterThread.get(), "waiter thread").interrupt();
    assertThat(waiter.get(Timing.scaledMillis(30_000), TimeUnit.MILLISECONDS))
        .isInstanceOf(InterruptedException.class);
    h.close();
    Optional<LockHandle> free = a.tryAcquire(name("intr"), Timing.scaled(Duration.ofSeconds(10)));
    assertThat(free).isPresent();
    free.get().close();
  }

  @Test
  void interruptRacingTheGrant_neverLeavesTheLockHeld() throws Exception {
    LockService s = service();
    LockService probe = service();
    for (int i = 0; i < 30; i++) {
      String lock = name("race-" + i);
      CountDownLatch started = new CountDownLatch(1);
      AtomicReference<Thread> t = new AtomicReference<>();
      Future<?> f =
          pool.submit(
              () -> {
                t.set(Thread.currentThread());
                started.countDown();
                try (LockHandle h = s.acquire(lock, Timing.scaled(Duration.ofSeconds(30)))) {
                  h.isHeld();
                } catch (InterruptedException e) {
                  // expected for some iterations
                }
                return null;
              });
      started.await();
      Objects.requireNonNull(t.get(), "acquiring thread").interrupt();
      f.get(Timing.scaledMillis(30_000), TimeUnit.MILLISECONDS);
      Optional<LockHandle> h = probe.tryAcquire(lock, Timing.scaled(Duration.ofSeconds(10)));
      assertThat(h).as("lock %s left held", lock).isPresent();
      h.get().close();
    }
  }

  @Test
  void interruptFlag_beforeAcquire_throwsAtOnce() {
    LockService s = service();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> s.acquire(name("flag"))).isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
  }

  // ------------------------------------------------------------------ async

  @Test
  void acquireAsync_completesWhenReleased() throws Exception {
    LockService a = service();
    LockService b = service();
    LockHandle h = a.acquire(name("async"));
    CompletableFuture<LockHandle> f =
        b.acquireAsync(name("async"), Timing.scaled(Duration.ofSeconds(60)));
    assertThat(f).isNotDone();
    h.close();
    LockHandle got = f.get(Timing.scaledMillis(60_000), TimeUnit.MILLISECONDS);
    assertThat(got.isHeld()).isTrue();
    assertThat(got.fencingToken()).isGreaterThan(h.fencingToken());
    got.close();
  }

  @Test
  void acquireAsync_timesOut_withLockTimeoutException() throws Exception {
    LockService a = service();
    LockService b = service();
    try (LockHandle h = a.acquire(name("async-to"))) {
      CompletableFuture<LockHandle> f = b.acquireAsync(name("async-to"), Duration.ofMillis(200));
      assertThatThrownBy(() -> f.get(Timing.scaledMillis(30_000), TimeUnit.MILLISECONDS))
          .hasCauseInstanceOf(LockTimeoutException.class);
      assertThat(h.isHeld()).isTrue();
    }
  }

  @Test
  void acquireAsync_cancelled_leavesNothingHeld() throws Exception {
    LockService a = service();
    LockService b = service();
    LockHandle h = a.acquire(name("async-cancel"));
    CompletableFuture<LockHandle> f =
        b.acquireAsync(name("async-cancel"), Timing.scaled(Duration.ofSeconds(60)));
    f.cancel(false);
    h.close();
    Optional<LockHandle> again =
        a.tryAcquire(name("async-cancel"), Timing.scaled(Duration.ofSeconds(10)));
    assertThat(again).isPresent();
    again.get().close();
  }

  // ------------------------------------------------------------------ lost leases

  @Test
  void lostLease_turnsIsHeldFalse_firesOnLostOnce_andOthersAcquire() throws Exception {
    LockService a = service();
    LockService b = service();
    LockHandle h = a.acquire(name("lost"));
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean heldLockInCallback = new AtomicBoolean();
    AtomicReference<String> callbackThread = new AtomicReference<>();
    String testThread = Thread.currentThread().getName();
    h.onLost(
        x -> {
          heldLockInCallback.set(Thread.holdsLock(h));
          callbackThread.set(Thread.currentThread().getName());
          calls.incrementAndGet();
        });
    breakLease(name("lost"));
    try (LockHandle other = b.acquire(name("lost"), Timing.scaled(Duration.ofSeconds(30)))) {
      assertThat(other.fencingToken()).isGreaterThan(h.fencingToken());
      await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> calls.get() == 1);
      assertThat(h.isHeld()).isFalse();
      assertThat(heldLockInCallback).isFalse();
      assertThat(callbackThread.get()).isNotEqualTo(testThread);
      AtomicInteger late = new AtomicInteger();
      h.onLost(x -> late.incrementAndGet());
      await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> late.get() == 1);
      h.close();
      assertThat(other.isHeld()).isTrue();
      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void lostLease_isNeverReentered_sameThreadGetsFreshGrant() throws Exception {
    LockService a = service();
    LockHandle h = a.acquire(name("lost-re"));
    breakLease(name("lost-re"));
    await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> !h.isHeld());
    try (LockHandle again = a.acquire(name("lost-re"), Timing.scaled(Duration.ofSeconds(30)))) {
      assertThat(again.fencingToken()).isGreaterThan(h.fencingToken());
      assertThat(again.isHeld()).isTrue();
      assertThat(h.isHeld()).isFalse();
      h.close();
      assertThat(again.isHeld()).isTrue();
    }
  }

  @Test
  void onLost_doesNotFireOnClose() throws Exception {
    LockService s = service();
    AtomicInteger calls = new AtomicInteger();
    LockHandle h = s.acquire(name("nolost"));
    h.onLost(x -> calls.incrementAndGet());
    h.close();
    LockService other = service();
    try (LockHandle h2 = other.acquire(name("nolost"), Timing.scaled(Duration.ofSeconds(10)))) {
      breakLease(name("nolost"));
    }
    await()
        .during(Duration.ofMillis(300))
        .atMost(Timing.scaled(Duration.ofSeconds(5)))
        .until(() -> calls.get() == 0);
  }

  @Test
  void throwingListener_isLogged_andOtherListenersStillRun() throws Exception {
    LockService s = service();
    LockHandle h = s.acquire(name("throws"));
    AtomicInteger ran = new AtomicInteger();
    h.onLost(
        x -> {
          throw new IllegalStateException("listener failure (expected by the test)");
        });
    h.onLost(x -> ran.incrementAndGet());
    breakLease(name("throws"));
    await().atMost(Timing.scaled(Duration.ofSeconds(30))).until(() -> ran.get() == 1);
    h.close();
  }

  @Test
  void heldLock_staysHeld_acrossManyLeaseTimes() throws Exception {
    LockService s = service(Duration.ofMillis(600));
    LockService other = service();
    try (LockHandle h = s.acquire(name("renew"))) {
      long until = System.nanoTime() + Duration.ofMillis(600).multipliedBy(4).toNanos();
      await()
          .atMost(Timing.scaled(Duration.ofSeconds(30)))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                assertThat(h.isHeld()).isTrue();
                return System.nanoTime() - until >= 0;
              });
      assertThat(other.tryAcquire(name("renew"))).isEmpty();
    }
  }

  /**
   * Several processes calling {@code tryAcquire} in a loop (a scheduler's "run if nobody else is"):
   * grants keep coming and never overlap. (How many attempts a grant takes depends on thread
   * scheduling, so it is not asserted here; ZooKeeper's request-count test shows that refused
   * attempts on a contended name no longer create nodes that block each other.)
   */
  @Test
  void tryAcquireInALoop_underContention_keepsGranting() throws Exception {
    int contenders = 8;
    int grantsWanted = 100;
    String name = name("try-loop");
    AtomicInteger grants = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<Future<?>> loops = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      LockService s = service();
      loops.add(
          pool.submit(
              () -> {
                while (grants.get() < grantsWanted && !Thread.currentThread().isInterrupted()) {
                  attempts.incrementAndGet();
                  Optional<LockHandle> h = s.tryAcquire(name);
                  if (h.isPresent()) {
                    try (LockHandle held = h.get()) {
                      if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                      }
                      grants.incrementAndGet();
                      inside.decrementAndGet();
                    }
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : loops) {
      f.get(Timing.scaledMillis(120_000), TimeUnit.MILLISECONDS);
    }
    assertThat(overlaps.get()).as("grants that overlapped").isZero();
    assertThat(grants.get()).isGreaterThanOrEqualTo(grantsWanted);
    assertThat(attempts.get()).isGreaterThanOrEqualTo(grants.get());
  }

  // ------------------------------------------------------------------ names

  @Test
  void unusualNames_areDistinctValidLocks() throws Exception {
    LockService s = service();
    LockService other = service();
    List<String> names =
        List.of(
            "/",
            ".",
            "..",
            "zookeeper",
            "a/b/../c",
            "{tag}",
            "*",
            "\u0000\u0001\n",
            " x ",
            "\uD83D\uDD12 lock",
            "é",
            "e\u0301",
            "x".repeat(LockService.MAX_NAME_BYTES - ns.length()),
            "\u00e9".repeat((LockService.MAX_NAME_BYTES - ns.length()) / 2));
    assertThat((ns + names.get(names.size() - 2)).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .hasSize(LockService.MAX_NAME_BYTES);
    List<LockHandle> held = new ArrayList<>();
    for (String n : names) {
      held.add(s.acquire(ns + n, Duration.ZERO));
    }
    for (String n : names) {
      assertThat(other.tryAcquire(ns + n)).as("lock %s", n).isEmpty();
    }
    held.forEach(LockHandle::close);
    for (String n : names) {
      Optional<LockHandle> h = other.tryAcquire(ns + n);
      assertThat(h).as("lock %s after release", n).isPresent();
      h.get().close();
    }
  }

  // ------------------------------------------------------------------ bad input

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the API must answer with an NPE
  void nullArguments_throwNullPointerException_namingTheArgument() {
    LockService s = service();
    assertThatNullPointerException()
        .isThrownBy(() -> s.acquire(null))
        .withMessageContaining("name");
    assertThatNullPointerException()
        .isThrownBy(() -> s.acquire("x", null))
        .withMessageContaining("maxWait");
    assertThatNullPointerException()
        .isThrownBy(() -> s.tryAcquire(null))
        .withMessageContaining("name");
    assertThatNullPointerException()
        .isThrownBy(() -> s.tryAcquire("x", null))
        .withMessageContaining("maxWait");
    assertThatNullPointerException()
        .isThrownBy(() -> s.acquireAsync(null, Duration.ZERO))
        .withMessageContaining("name");
    assertThatNullPointerException()
        .isThrownBy(() -> s.acquireAsync("x", null))
        .withMessageContaining("maxWait");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the API must answer with an NPE
  void nullListener_throwsNullPointerException() throws Exception {
    LockService s = service();
    try (LockHandle h = s.acquire(name("nl"))) {
      assertThatNullPointerException()
          .isThrownBy(() -> h.onLost(null))
          .withMessageContaining("listener");
    }
  }

  @Test
  void invalidNames_throwIllegalArgumentException_sayingWhatIsAllowed() {
    LockService s = service();
    assertThatThrownBy(() -> s.acquire(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThatThrownBy(() -> s.acquire(" \t\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThatThrownBy(() -> s.tryAcquire("x".repeat(LockService.MAX_NAME_BYTES + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024");
    assertThatThrownBy(() -> s.tryAcquire("\u00e9".repeat(LockService.MAX_NAME_BYTES / 2 + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UTF-8 bytes");
    assertThatThrownBy(() -> s.acquireAsync("bad\uD800", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("surrogate");
  }

  @Test
  void invalidDurations_throwIllegalArgumentException() {
    LockService s = service();
    assertThatThrownBy(() -> s.acquire("x", Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> s.tryAcquire("x", Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most");
    assertThatThrownBy(() -> s.acquireAsync("x", Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ closing the service

  @Test
  void closedService_toldItsHoldersFirst_thenReleasedItsLocks_andThrowsIllegalStateException()
      throws Exception {
    LockService s = service();
    LockService other = service();
    LockHandle h = s.acquire(name("svc"));
    AtomicInteger lostCalls = new AtomicInteger();
    AtomicReference<@Nullable String> seenByListener = new AtomicReference<>();
    h.onLost(
        x -> {
          lostCalls.incrementAndGet();
          // Told before the release: the handle says so, and nobody else can have the lock yet.
          Optional<LockHandle> taken = Optional.empty();
          try {
            taken = other.tryAcquire(name("svc"));
          } catch (RuntimeException e) {
            seenByListener.set("tryAcquire threw " + e);
            return;
          }
          seenByListener.set("isHeld=" + x.isHeld() + " othersGotIt=" + taken.isPresent());
          taken.ifPresent(LockHandle::close);
        });
    s.close();
    s.close();
    assertThat(lostCalls).as("lost-listener runs when the service closes").hasValue(1);
    assertThat(seenByListener).hasValue("isHeld=false othersGotIt=false");
    assertThat(h.isHeld()).isFalse();
    assertThatCode(h::close).doesNotThrowAnyException();
    assertThatThrownBy(() -> s.acquire(name("svc")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> s.tryAcquire(name("svc"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.acquireAsync(name("svc"), Duration.ZERO))
        .isInstanceOf(IllegalStateException.class);
    Optional<LockHandle> free = other.tryAcquire(name("svc"));
    assertThat(free).isPresent();
    free.get().close();
    assertThat(lostCalls).hasValue(1);
  }

  @Test
  void closingService_failsItsWaiters() throws Exception {
    LockService a = service();
    LockService b = service();
    try (LockHandle h = a.acquire(name("closing"))) {
      CompletableFuture<LockHandle> f =
          b.acquireAsync(name("closing"), Timing.scaled(Duration.ofSeconds(60)));
      b.close();
      assertThatThrownBy(() -> f.get(Timing.scaledMillis(30_000), TimeUnit.MILLISECONDS))
          .isInstanceOf(ExecutionException.class);
      assertThat(h.isHeld()).isTrue();
    }
  }

  // ------------------------------------------------------------------ backend faults

  @Test
  void backendDown_givesLockBackendException_withinTimeout_andWorksWhenBack() throws Exception {
    BackendFaults faults = faultsOrSkip();
    LockService s = service();
    faults.stop();
    try {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> s.acquire(name("down"), Duration.ofSeconds(1)))
          .isInstanceOf(LockBackendException.class)
          .hasCauseInstanceOf(Throwable.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isLessThan(
              Duration.ofSeconds(1)
                  .plus(commandTimeout())
                  .plus(Timing.scaled(Duration.ofSeconds(5))));
    } finally {
      faults.start();
    }
    await()
        .atMost(Timing.scaled(Duration.ofSeconds(60)))
        .ignoreExceptions()
        .until(
            () -> {
              try (LockHandle h = s.acquire(name("down"), Duration.ofSeconds(1))) {
                return h.isHeld();
              }
            });
  }

  @Test
  void backendPausedPastLease_holderLearnsItLost_andAnotherClientGetsLargerToken()
      throws Exception {
    BackendFaults faults = faultsOrSkip();
    LockService a = service();
    LockService b = service();
    LockHandle h = a.acquire(name("paused"));
    AtomicInteger lost = new AtomicInteger();
    h.onLost(x -> lost.incrementAndGet());
    faults.pause();
    try {
      await()
          .atMost(leaseTime().plus(Timing.scaled(Duration.ofSeconds(30))))
          .until(() -> !h.isHeld() && lost.get() == 1);
    } finally {
      faults.resume();
    }
    try (LockHandle h2 =
        b.acquire(name("paused"), leaseTime().plus(Timing.scaled(Duration.ofSeconds(30))))) {
      assertThat(h2.fencingToken()).isGreaterThan(h.fencingToken());
      assertThat(h.isHeld()).isFalse();
    }
    h.close();
  }
}
