package io.holdfast.cli;

/** The exit codes of every command (docs/operations.md lists them). */
final class ExitCodes {
  /** Done; for {@code doctor}: no finding breaks a guarantee. */
  static final int OK = 0;

  /**
   * The answer is "no": {@code doctor} found a setting that breaks a guarantee, {@code locks
   * release} found nothing held, {@code leader} found no leader.
   */
  static final int NO = 1;

  /** The command line was wrong (picocli's own code for usage errors). */
  static final int USAGE = 2;

  /** The backend could not be reached or failed. */
  static final int BACKEND = 3;

  private ExitCodes() {}
}
