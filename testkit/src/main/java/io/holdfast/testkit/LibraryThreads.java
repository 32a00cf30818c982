package io.holdfast.testkit;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** The Holdfast library's own threads, for the contract suites' check that none outlive close(). */
final class LibraryThreads {
  // The library's threads are holdfast-<kind>-…; the testkit's own (proxies, server output pumps,
  // shutdown hooks) are not a test's leak.
  private static final Pattern LIBRARY_THREAD =
      Pattern.compile("holdfast-(?!proxy-)(?![a-z]+-output-)(?!.*shutdown).*");

  private LibraryThreads() {}

  /**
   * The library's threads alive now (schedulers, callback, re-registration, listener, JDBC), by
   * name and id.
   */
  static Set<String> alive() {
    Set<String> names = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && LIBRARY_THREAD.matcher(t.getName()).matches()) {
        names.add(t.getName() + "#" + t.getId());
      }
    }
    return names;
  }

  /** The library's threads alive now that were not in {@code before}. */
  static Set<String> startedSince(Set<String> before) {
    Set<String> now = alive();
    now.removeAll(before);
    return now;
  }
}
