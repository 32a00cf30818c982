package io.holdfast.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/** A benchmark thread's own lock name and index. */
@State(Scope.Thread)
public class Names {
  private static final String RUN =
      ProcessHandle.current().pid()
          + "-"
          + Long.toHexString(ThreadLocalRandom.current().nextLong());

  String name = "";
  int index;

  /**
   * Names this thread's lock.
   *
   * @param thread the thread's parameters
   */
  @Setup(Level.Trial)
  public void name(ThreadParams thread) {
    index = thread.getThreadIndex();
    name = "own-" + RUN + "-" + index;
  }

  /** A prefix unique to this JVM, so that forks never meet each other's leftovers. */
  static String run() {
    return RUN;
  }
}
