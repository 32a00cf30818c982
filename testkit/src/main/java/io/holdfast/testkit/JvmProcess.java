package io.holdfast.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A separate JVM running a main class on this JVM's classpath — a real second process for crash
 * tests. The child signals readiness by printing {@value #READY} on a line of its own.
 */
public final class JvmProcess implements AutoCloseable {
  /** The line a child prints when it is ready. */
  public static final String READY = "HOLDFAST-READY";

  private static final Logger LOG = LoggerFactory.getLogger(JvmProcess.class);
  private final Process process;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile java.util.function.@org.jspecify.annotations.Nullable Consumer<String>
      lineConsumer;

  private JvmProcess(
      Process process,
      java.util.function.@org.jspecify.annotations.Nullable Consumer<String> lines) {
    this.process = process;
    this.lineConsumer = lines;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  var consumer = lineConsumer;
                  if (line.equals(READY)) {
                    ready.complete(null);
                  } else if (consumer != null) {
                    consumer.accept(line);
                  } else {
                    LOG.debug("child {}: {}", process.pid(), line);
                  }
                }
              } catch (IOException e) {
                LOG.trace("child output closed", e);
              }
              ready.completeExceptionally(
                  new IllegalStateException("child JVM exited before it was ready"));
            },
            "holdfast-child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} in a new JVM with this JVM's classpath, and waits until it is ready.
   *
   * @param main the main class
   * @param args its arguments
   * @return the running child
   */
  public static JvmProcess start(Class<?> main, String... args) {
    return start(main, null, args);
  }

  /**
   * Starts {@code main} in a new JVM, handing every line it prints to {@code lines} from the start.
   *
   * @param main the main class
   * @param lines receives the child's output lines (other than {@link #READY}), or {@code null}
   * @param args its arguments
   * @return the running child, once ready
   */
  public static JvmProcess start(
      Class<?> main,
      java.util.function.@org.jspecify.annotations.Nullable Consumer<String> lines,
      String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start a JVM for " + main.getName(), e);
    }
    JvmProcess child = new JvmProcess(p, lines);
    try {
      child.ready.get(Timing.scaledMillis(60_000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.kill();
      throw new IllegalStateException("interrupted while starting " + main.getName(), e);
    } catch (ExecutionException | TimeoutException e) {
      child.kill();
      throw new IllegalStateException(main.getName() + " did not become ready in 60 s", e);
    }
    return child;
  }

  /**
   * The child's process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /** Kills the child at once (SIGKILL, as {@code kill -9}): no shutdown hook runs. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(Timing.scaledMillis(30_000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Freezes the child (SIGSTOP), as a long GC pause would. */
  public void pause() {
    signal("STOP");
  }

  /** Thaws a frozen child (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  /**
   * Sends one line to the child's standard input.
   *
   * @param line the line
   */
  public synchronized void send(String line) {
    try {
      var in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write to child " + process.pid(), e);
    }
  }

  private void signal(String sig) {
    if (!process.isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
      if (!kill.waitFor(Timing.scaledMillis(10_000), TimeUnit.MILLISECONDS)
          || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Lines the child printed after {@link #READY}, if a consumer was set with {@link
   * #onLine(java.util.function.Consumer)}; otherwise they are logged at debug level.
   *
   * @param consumer receives each line, on the reader thread
   * @return this
   */
  public JvmProcess onLine(java.util.function.Consumer<String> consumer) {
    this.lineConsumer = consumer;
    return this;
  }

  /**
   * Waits for the child to exit by itself.
   *
   * @param timeout how long to wait
   * @return whether it exited
   * @throws InterruptedException if interrupted
   */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Whether the child is still running.
   *
   * @return whether alive
   */
  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  /**
   * For a child's main: tell the parent it is ready, then block until killed.
   *
   * @param blockFor how long to stay alive at most
   */
  public static void readyAndWait(Duration blockFor) {
    System.out.println(READY);
    System.out.flush();
    try {
      new CompletableFuture<Void>().get(blockFor.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // time is up
    }
  }
}
