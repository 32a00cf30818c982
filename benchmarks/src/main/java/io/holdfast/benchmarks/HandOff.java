package io.holdfast.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, on one contended lock, the time from a holder's release to the next grant — by the
 * clock of this JVM, whatever JMH reports per operation. The releasing holder stamps {@link
 * System#nanoTime()} just before it calls the library's unlock; the next holder stamps it just
 * after its lock call returns. A sample is <em>cross-thread</em> when the next holder is another
 * thread (a waiter was woken), otherwise the releasing thread took the lock straight back.
 *
 * <p>Also counts overlaps: a grant while another thread still holds the lock (there must be none).
 */
final class HandOff {
  /** Directory for sample files; a JVM that has none set records nothing to disk. */
  static final String DIR_PROPERTY = "holdfast.bench.handoffDir";

  private final AtomicInteger holders = new AtomicInteger();
  private final AtomicLong overlaps = new AtomicLong();
  private volatile int lastReleaser = -1;
  private volatile long lastRelease;
  private volatile boolean recording;

  // Guarded by this. Positive: cross-thread hand-off in ns; negative: same thread again.
  private long[] samples = new long[1 << 16];
  private int count;

  /** At the start of each iteration, while no benchmark thread runs. */
  void iteration(boolean measured) {
    recording = measured;
    lastRelease = 0;
    lastReleaser = -1;
  }

  /** Right after {@code thread}'s lock call returned. */
  void granted(int thread) {
    long now = System.nanoTime();
    if (holders.incrementAndGet() != 1) {
      overlaps.incrementAndGet();
    }
    long released = lastRelease;
    int by = lastReleaser;
    if (recording && released != 0) {
      long gap = now - released;
      record(by == thread ? -Math.max(1, gap) : Math.max(1, gap));
    }
  }

  /** Right before {@code thread} calls unlock. */
  void releasing(int thread) {
    holders.decrementAndGet();
    lastReleaser = thread;
    lastRelease = System.nanoTime();
  }

  private synchronized void record(long sample) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, samples.length * 2);
    }
    samples[count++] = sample;
  }

  long overlaps() {
    return overlaps.get();
  }

  synchronized int count() {
    return count;
  }

  /** Writes the samples as {@code <backend>-<impl>-<pid>.handoff}, if a directory is set. */
  void write(String backend, String impl) {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      return;
    }
    StringBuilder text = new StringBuilder();
    text.append("# overlaps ").append(overlaps.get()).append('\n');
    synchronized (this) {
      for (int i = 0; i < count; i++) {
        text.append(samples[i]).append('\n');
      }
    }
    Path file =
        Path.of(
            dir,
            backend
                + "-"
                + impl
                + "-"
                + ProcessHandle.current().pid()
                + "-"
                + System.nanoTime()
                + ".handoff");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
