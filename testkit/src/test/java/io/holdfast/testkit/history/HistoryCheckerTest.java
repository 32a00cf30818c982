package io.holdfast.testkit.history;

import static io.holdfast.testkit.history.Event.Op.ACQUIRE;
import static io.holdfast.testkit.history.Event.Op.CRASH;
import static io.holdfast.testkit.history.Event.Op.RELEASE;
import static io.holdfast.testkit.history.Event.Op.WRITE;
import static io.holdfast.testkit.history.Event.Type.FAIL;
import static io.holdfast.testkit.history.Event.Type.INVOKE;
import static io.holdfast.testkit.history.Event.Type.LOST;
import static io.holdfast.testkit.history.Event.Type.OK;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker against hand-made histories, good and bad. */
class HistoryCheckerTest {
  private final List<Event> h = new ArrayList<>();

  private void ev(long t, String client, Event.Op op, Event.Type type, String name, long token) {
    h.add(new Event(t, client, op, type, name, token, 0));
  }

  private void cycle(long from, long to, String client, String name, long token) {
    ev(from - 1, client, ACQUIRE, INVOKE, name, 0);
    ev(from, client, ACQUIRE, OK, name, token);
    ev(to, client, RELEASE, INVOKE, name, token);
    ev(to + 1, client, RELEASE, OK, name, token);
  }

  @Test
  void cleanHistory_isValid() {
    cycle(10, 20, "w1/t1", "a", 1);
    cycle(21, 30, "w2/t1", "a", 2);
    cycle(15, 40, "w3/t1", "b", 7); // another name may overlap
    HistoryChecker.Report r = HistoryChecker.check(h);
    assertThat(r.valid()).as(r.violations().toString()).isTrue();
    assertThat(r.grants()).hasSize(3);
  }

  @Test
  void twoHoldersAtOnce_isAnOverlapViolation() {
    cycle(10, 20, "w1/t1", "a", 1);
    cycle(19, 30, "w2/t1", "a", 2);
    HistoryChecker.Report r = HistoryChecker.check(h);
    assertThat(r.violations()).singleElement().asString().startsWith("overlap: 'a' held by w1/t1");
  }

  @Test
  void overlapWithAContainedGrant_isFound() {
    cycle(10, 50, "w1/t1", "a", 1);
    cycle(20, 25, "w2/t1", "a", 2);
    cycle(30, 35, "w3/t1", "a", 3); // overlaps the long first grant, not the one before it
    assertThat(HistoryChecker.check(h).violations()).hasSize(2);
  }

  @Test
  void overlapAfterTheEarlierLeaseWasLost_isFencedNotAViolation() {
    ev(10, "w1/t1", ACQUIRE, OK, "a", 1);
    ev(40, "w1/t1", ACQUIRE, LOST, "a", 1); // a paused holder learns it lost, late
    ev(41, "w1/t1", RELEASE, INVOKE, "a", 1);
    cycle(20, 30, "w2/t1", "a", 2);
    HistoryChecker.Report r = HistoryChecker.check(h);
    assertThat(r.valid()).isTrue();
    assertThat(r.fencedOverlaps()).isEqualTo(1);
    assertThat(r.lostLeases()).isEqualTo(1);
  }

  @Test
  void lossReportedAfterTheReleaseBegan_stillMarksTheGrantLost() {
    ev(10, "w1/t1", ACQUIRE, OK, "a", 1);
    ev(45, "w1/t1", RELEASE, INVOKE, "a", 1);
    ev(46, "w1/t1", ACQUIRE, LOST, "a", 1);
    cycle(20, 30, "w2/t1", "a", 2);
    HistoryChecker.Report r = HistoryChecker.check(h);
    assertThat(r.valid()).as(r.violations().toString()).isTrue();
    assertThat(r.fencedOverlaps()).isEqualTo(1);
  }

  @Test
  void tokenGoingBackwards_isAViolation() {
    cycle(10, 20, "w1/t1", "a", 5);
    cycle(21, 30, "w2/t1", "a", 5);
    cycle(31, 40, "w2/t1", "a", 3);
    assertThat(HistoryChecker.check(h).violations())
        .hasSize(2)
        .allSatisfy(v -> assertThat(v).startsWith("token order"));
  }

  @Test
  void crash_endsTheGrantsOfEveryThreadOfTheProcess() {
    ev(10, "w1/t1", ACQUIRE, OK, "a", 1);
    ev(12, "w1/t2", ACQUIRE, OK, "b", 4);
    ev(15, "w1", CRASH, INVOKE, "", 0);
    cycle(30, 40, "w2/t1", "a", 2);
    cycle(31, 41, "w2/t2", "b", 5);
    HistoryChecker.Report r = HistoryChecker.check(h);
    assertThat(r.valid()).as(r.violations().toString()).isTrue();
    assertThat(r.crashes()).isEqualTo(1);
    assertThat(r.grants()).filteredOn(HistoryChecker.Grant::crashed).hasSize(2);
  }

  @Test
  void grantNeverEnded_overlapsEverythingAfter() {
    ev(10, "w1/t1", ACQUIRE, OK, "a", 1); // no release, no crash recorded
    cycle(30, 40, "w2/t1", "a", 2);
    assertThat(HistoryChecker.check(h).valid()).isFalse();
  }

  @Test
  void lostAndPhantomWrites_areFound_indeterminateOnesAllowed() {
    for (int i = 0; i < 5; i++) {
      ev(100 + i * 10, "w1/t1", WRITE, INVOKE, "c", 1);
      ev(101 + i * 10, "w1/t1", WRITE, OK, "c", 1);
    }
    ev(200, "w2/t1", WRITE, INVOKE, "c", 1); // killed before it knew
    ev(201, "w2", CRASH, INVOKE, "", 0);
    ev(300, "w3/t1", WRITE, INVOKE, "c", 1);
    ev(301, "w3/t1", WRITE, FAIL, "c", 1); // refused as stale
    assertThat(HistoryChecker.check(h, Map.of("c", 5L)).valid()).isTrue();
    assertThat(HistoryChecker.check(h, Map.of("c", 6L)).valid()).isTrue();
    HistoryChecker.Report lost = HistoryChecker.check(h, Map.of("c", 4L));
    assertThat(lost.violations()).singleElement().asString().startsWith("lost writes");
    assertThat(HistoryChecker.check(h, Map.of("c", 7L)).violations())
        .singleElement()
        .asString()
        .startsWith("phantom writes");
    assertThat(lost.writesAcked()).isEqualTo(5);
    assertThat(lost.writesIndeterminate()).isEqualTo(1);
    assertThat(lost.writesRejected()).isEqualTo(1);
  }

  @Test
  void historyFiles_roundTrip_andMergeInTimeOrder_skippingATornLine(@TempDir Path dir)
      throws Exception {
    Path a = dir.resolve("a.log");
    Path b = dir.resolve("b.log");
    try (HistoryFile fa = new HistoryFile(a);
        HistoryFile fb = new HistoryFile(b)) {
      fa.write(new Event(5, "w1/t1", ACQUIRE, OK, "name with spaces\nand newline", 9, 0));
      fb.write(new Event(3, "w2/t1", WRITE, OK, "x", 1, 42));
    }
    Files.writeString(b, "12 w2/t1 acq", java.nio.file.StandardOpenOption.APPEND);
    List<Event> all = HistoryFile.readAll(List.of(a, b, dir.resolve("missing.log")));
    assertThat(all).extracting(Event::nanos).containsExactly(3L, 5L);
    assertThat(all.get(1).name()).isEqualTo("name with spaces\nand newline");
    assertThat(all.get(0).value()).isEqualTo(42);
  }
}
