package io.holdfast.testkit.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a lock history.
 *
 * <ul>
 *   <li><b>Exclusion:</b> a grant lasts from its acquire's {@code ok} until its holder invokes the
 *       release, learns the lease was lost, or its process is killed. Two grants of one name that
 *       overlap in time are a violation — unless the earlier one was reported lost: a holder that
 *       was paused past its lease still believes it holds until it runs again, and that overlap is
 *       what fencing tokens are for (it is counted, and the fenced register must have refused the
 *       late writes).
 *   <li><b>Fencing order:</b> in the order grants of a name began, their tokens strictly increase.
 *   <li><b>No lost writes:</b> for a counter incremented by read–write under the lock, the final
 *       value lies between the acknowledged increments and the acknowledged plus the indeterminate
 *       ones (a process killed mid-write).
 * </ul>
 */
public final class HistoryChecker {
  private HistoryChecker() {}

  /**
   * One grant as reconstructed from the history.
   *
   * @param client the holder
   * @param name the lock
   * @param token its fencing token
   * @param start when the acquire returned
   * @param end when the holder stopped believing it held the lock ({@code Long.MAX_VALUE}: never
   *     recorded)
   * @param lost whether its lease was reported lost
   * @param crashed whether its process was killed while holding it
   */
  public record Grant(
      String client,
      String name,
      long token,
      long start,
      long end,
      boolean lost,
      boolean crashed) {}

  /**
   * What the checker found.
   *
   * @param grants all grants
   * @param violations every violation, described
   * @param fencedOverlaps overlaps with a grant whose lease was reported lost
   * @param acquireFailures acquires that failed or timed out
   * @param lostLeases leases reported lost
   * @param crashes processes killed
   * @param writesAcked writes acknowledged
   * @param writesIndeterminate writes whose outcome is unknown
   * @param writesRejected writes refused (stale fencing token)
   */
  public record Report(
      List<Grant> grants,
      List<String> violations,
      int fencedOverlaps,
      int acquireFailures,
      int lostLeases,
      int crashes,
      long writesAcked,
      long writesIndeterminate,
      long writesRejected) {

    /**
     * Whether the history is clean.
     *
     * @return no violations
     */
    public boolean valid() {
      return violations.isEmpty();
    }

    /**
     * One line of figures.
     *
     * @return the summary
     */
    public String summary() {
      return String.format(
          "grants %d, acquire failures %d, leases lost %d, processes killed %d, overlaps with a"
              + " lost lease (fenced) %d, writes acked %d / indeterminate %d / rejected as stale %d,"
              + " violations %d",
          grants.size(),
          acquireFailures,
          lostLeases,
          crashes,
          fencedOverlaps,
          writesAcked,
          writesIndeterminate,
          writesRejected,
          violations.size());
    }
  }

  private static final class Open {
    final String client;
    final String name;
    final long token;
    final long start;
    long end = Long.MAX_VALUE;
    boolean lost;
    boolean crashed;

    Open(String client, String name, long token, long start) {
      this.client = client;
      this.name = name;
      this.token = token;
      this.start = start;
    }

    Grant grant() {
      return new Grant(client, name, token, start, end, lost, crashed);
    }
  }

  /**
   * Checks exclusion and fencing order only.
   *
   * @param history events in time order
   * @return the report
   */
  public static Report check(List<Event> history) {
    return check(history, Map.of());
  }

  /**
   * Checks a history.
   *
   * @param history events in time order (as {@link HistoryFile#readAll} returns them)
   * @param finalValues the final value of each counter written under the lock, by lock name
   * @return the report
   */
  public static Report check(List<Event> history, Map<String, Long> finalValues) {
    List<String> violations = new ArrayList<>();
    Map<String, Open> holding = new HashMap<>(); // client + name -> open grant
    List<Open> all = new ArrayList<>();
    Map<String, long[]> writes = new HashMap<>(); // name -> {acked, indeterminate, rejected}
    Map<String, Event> pendingWrites = new HashMap<>(); // client + name -> invoke
    int acquireFailures = 0;
    int lostLeases = 0;
    int crashes = 0;
    for (Event e : history) {
      String key = e.client() + "\u0000" + e.name();
      switch (e.op()) {
        case ACQUIRE -> {
          if (e.type() == Event.Type.OK) {
            Open g = new Open(e.client(), e.name(), e.token(), e.nanos());
            holding.put(key, g);
            all.add(g);
          } else if (e.type() == Event.Type.FAIL || e.type() == Event.Type.INFO) {
            acquireFailures++;
          } else if (e.type() == Event.Type.LOST) {
            // The notice may come after the holder already began its release (listeners run
            // asynchronously): find the grant by its token either way.
            lostLeases++;
            Open g = holding.remove(key);
            if (g == null) {
              for (int i = all.size() - 1; i >= 0; i--) {
                Open o = all.get(i);
                if (o.client.equals(e.client())
                    && o.name.equals(e.name())
                    && o.token == e.token()) {
                  g = o;
                  break;
                }
              }
            }
            if (g != null) {
              g.lost = true;
              g.end = Math.min(g.end, e.nanos());
            }
          }
        }
        case RELEASE -> {
          if (e.type() == Event.Type.INVOKE) {
            Open g = holding.remove(key);
            if (g != null) {
              g.end = Math.min(g.end, e.nanos());
            }
          }
        }
        case WRITE -> {
          long[] w = writes.computeIfAbsent(e.name(), n -> new long[3]);
          switch (e.type()) {
            case INVOKE -> pendingWrites.put(key, e);
            case OK -> {
              pendingWrites.remove(key);
              w[0]++;
            }
            case FAIL -> {
              pendingWrites.remove(key);
              w[2]++;
            }
            case INFO -> {
              pendingWrites.remove(key);
              w[1]++;
            }
            default -> {}
          }
        }
        case CRASH -> {
          crashes++;
          String prefix = e.client() + "/";
          for (var it = holding.entrySet().iterator(); it.hasNext(); ) {
            Open g = it.next().getValue();
            if (g.client.startsWith(prefix) || g.client.equals(e.client())) {
              g.end = Math.min(g.end, e.nanos());
              g.crashed = true;
              it.remove();
            }
          }
          for (var it = pendingWrites.entrySet().iterator(); it.hasNext(); ) {
            Event w = it.next().getValue();
            if (w.client().startsWith(prefix) || w.client().equals(e.client())) {
              writes.computeIfAbsent(w.name(), n -> new long[3])[1]++;
              it.remove();
            }
          }
        }
      }
    }
    // Writes whose process never reported back (still pending at the end) are indeterminate.
    for (Event w : pendingWrites.values()) {
      writes.computeIfAbsent(w.name(), n -> new long[3])[1]++;
    }

    int fenced = 0;
    Map<String, List<Open>> byName = new HashMap<>();
    for (Open g : all) {
      byName.computeIfAbsent(g.name, n -> new ArrayList<>()).add(g);
    }
    for (List<Open> grants : byName.values()) {
      grants.sort((a, b) -> Long.compare(a.start, b.start));
      Open longest = null;
      for (int i = 0; i < grants.size(); i++) {
        Open g = grants.get(i);
        if (i > 0 && g.token <= grants.get(i - 1).token) {
          violations.add(
              String.format(
                  "token order: '%s' granted to %s with token %d after token %d (%s)",
                  g.name, g.client, g.token, grants.get(i - 1).token, grants.get(i - 1).client));
        }
        if (longest != null && g.start < longest.end) {
          if (longest.lost) {
            fenced++;
          } else {
            violations.add(
                String.format(
                    "overlap: '%s' held by %s (token %d) until %d, granted to %s (token %d) at %d",
                    g.name,
                    longest.client,
                    longest.token,
                    longest.end,
                    g.client,
                    g.token,
                    g.start));
          }
        }
        if (longest == null || g.end > longest.end) {
          longest = g;
        }
      }
    }

    long acked = 0;
    long indeterminate = 0;
    long rejected = 0;
    for (Map.Entry<String, long[]> e : writes.entrySet()) {
      long[] w = e.getValue();
      acked += w[0];
      indeterminate += w[1];
      rejected += w[2];
      Long fin = finalValues.get(e.getKey());
      if (fin != null) {
        if (fin < w[0]) {
          violations.add(
              String.format(
                  "lost writes: '%s' ends at %d but %d increments were acknowledged",
                  e.getKey(), fin, w[0]));
        } else if (fin > w[0] + w[1]) {
          violations.add(
              String.format(
                  "phantom writes: '%s' ends at %d, more than %d acknowledged + %d indeterminate",
                  e.getKey(), fin, w[0], w[1]));
        }
      }
    }
    List<Grant> grants = new ArrayList<>();
    for (Open g : all) {
      grants.add(g.grant());
    }
    return new Report(
        grants,
        violations,
        fenced,
        acquireFailures,
        lostLeases,
        crashes,
        acked,
        indeterminate,
        rejected);
  }
}
