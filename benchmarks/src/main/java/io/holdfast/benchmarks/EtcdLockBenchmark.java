package io.holdfast.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Acquire + release cycles against one etcd server: the floor (a put-if-absent transaction and a
 * compare-and-delete over raw jetcd), Holdfast, and jetcd's own {@code Lock} client (lease grant,
 * lock, unlock), each on a jetcd client of its own. One operation is one full cycle (lock, then
 * unlock).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class EtcdLockBenchmark {

  /** The library under test, shared by the benchmark's threads. */
  @State(Scope.Benchmark)
  public static class Library {
    /** Which library. */
    @Param({"floor", "holdfast", "jetcd"})
    public String impl = "holdfast";

    Locker locker = NoLocker.INSTANCE;
    final String sharedName = "one-" + Names.run();

    /** Connects. */
    @Setup(Level.Trial)
    public void connect() {
      locker = EtcdLockers.create(impl, Servers.etcd());
    }

    /** Disconnects. */
    @TearDown(Level.Trial)
    public void disconnect() {
      locker.close();
    }
  }

  /**
   * 1 thread, its own lock name.
   *
   * @param lib the library
   * @param me the thread's name
   * @throws Exception from the library
   */
  @Benchmark
  @Threads(1)
  public void uncontended(Library lib, Names me) throws Exception {
    lib.locker.unlock(lib.locker.lock(me.name));
  }

  /**
   * 8 threads on one lock name: contended throughput.
   *
   * @param lib the library
   * @throws Exception from the library
   */
  @Benchmark
  @Threads(8)
  public void oneName(Library lib) throws Exception {
    lib.locker.unlock(lib.locker.lock(lib.sharedName));
  }
}
