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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Acquire + release cycles against one ZooKeeper server: Holdfast and Curator's InterProcessMutex.
 * One operation is one full cycle (lock, then unlock).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class ZooKeeperLockBenchmark {

  /** The library under test, shared by the benchmark's threads. */
  @State(Scope.Benchmark)
  public static class Library {
    /** Which library: Holdfast or Curator. */
    @Param({"holdfast", "curator"})
    public String impl = "holdfast";

    Locker locker = NoLocker.INSTANCE;
    final HandOff handOff = new HandOff();
    final String sharedName = "one-" + Names.run();

    /** Connects. */
    @Setup(Level.Trial)
    public void connect() {
      locker = Locker.zooKeeper(impl, Servers.zooKeeper());
    }

    /**
     * Records hand-offs only in measured iterations.
     *
     * @param iteration the iteration about to run
     */
    @Setup(Level.Iteration)
    public void iteration(IterationParams iteration) {
      handOff.iteration(iteration.getType() == IterationType.MEASUREMENT);
    }

    /**
     * Writes the hand-off samples of the contended benchmark and disconnects.
     *
     * @param params the benchmark's parameters
     */
    @TearDown(Level.Trial)
    public void disconnect(BenchmarkParams params) {
      if (params.getBenchmark().endsWith(".oneName")) {
        handOff.write("zookeeper", impl);
      }
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
   * 8 threads on one lock name: contended throughput, and the hand-off latency measured by {@link
   * HandOff}.
   *
   * @param lib the library
   * @param me the thread's index
   * @throws Exception from the library
   */
  @Benchmark
  @Threads(8)
  public void oneName(Library lib, Names me) throws Exception {
    Object held = lib.locker.lock(lib.sharedName);
    lib.handOff.granted(me.index);
    lib.handOff.releasing(me.index);
    lib.locker.unlock(held);
  }
}
