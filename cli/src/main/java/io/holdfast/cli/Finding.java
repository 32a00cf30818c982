package io.holdfast.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One result of {@code doctor}: what was checked, what was found, and what to change and why.
 *
 * @param check the setting checked, e.g. {@code maxmemory-policy}
 * @param status how bad
 * @param found what the server said
 * @param advice what to change and why (empty when nothing needs to change)
 */
record Finding(String check, Status status, String found, String advice) {

  /** How bad a finding is. */
  enum Status {
    /** Fine. */
    OK,
    /** For information. */
    INFO,
    /** Worth changing: a documented limit applies, or the check could not run. */
    WARN,
    /** Breaks a guarantee in docs/guarantees.md: {@code doctor} exits 1. */
    BREAKS
  }

  static Finding ok(String check, String found) {
    return new Finding(check, Status.OK, found, "");
  }

  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("check", check);
    m.put("status", status.name().toLowerCase(java.util.Locale.ROOT));
    m.put("found", found);
    m.put("advice", advice);
    return m;
  }
}
