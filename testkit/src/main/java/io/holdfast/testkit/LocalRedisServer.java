package io.holdfast.testkit;

import io.lettuce.core.RedisURI;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@code redis-server} child process on a loopback port, without persistence. */
final class LocalRedisServer implements RedisServer {
  private static final Logger LOG = LoggerFactory.getLogger(LocalRedisServer.class);

  /** The binary inside {@code org.signal:embedded-redis}. */
  private static final String EMBEDDED_VERSION = "7.0.15";

  private static volatile @Nullable Path binary;

  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private final @Nullable String configFile;
  private @Nullable Process process;
  private final Thread shutdownHook;
  private boolean closed;

  LocalRedisServer(List<String> extraArgs) {
    this(extraArgs, null);
  }

  /**
   * A server whose first argument is a config file written into its directory (Sentinel needs a
   * writable one).
   */
  LocalRedisServer(List<String> extraArgs, @Nullable String configText) {
    this.extraArgs = List.copyOf(extraArgs);
    try {
      this.dir = Files.createTempDirectory("holdfast-redis-");
      if (configText != null) {
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, configText, StandardCharsets.UTF_8);
        this.configFile = conf.toString();
      } else {
        this.configFile = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.port = freePort();
    this.shutdownHook = new Thread(this::kill, "holdfast-redis-shutdown-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    start();
  }

  /** The redis-server to run: from the PATH, else the one shipped in embedded-redis. */
  static synchronized Path binary() {
    Path b = binary;
    if (b != null) {
      return b;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      // -1: keep every entry; empty ones (no directory) are skipped below.
      for (String dir : path.split(java.io.File.pathSeparator, -1)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, "redis-server");
        if (Files.isExecutable(candidate)) {
          LOG.info("using redis-server from the PATH: {}", candidate);
          binary = candidate;
          return candidate;
        }
      }
    }
    b = extractEmbedded();
    binary = b;
    return b;
  }

  private static Path extractEmbedded() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String osPart = os.contains("mac") ? "darwin" : "linux";
    String archPart =
        arch.equals("aarch64") || arch.equals("arm64")
            ? "arm64"
            : arch.equals("x86") || arch.equals("i386") ? "386" : "amd64";
    String resource = "redis-server-" + EMBEDDED_VERSION + "-" + osPart + "-" + archPart;
    try (InputStream in = LocalRedisServer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "no redis-server on the PATH, and org.signal:embedded-redis has no binary "
                + resource
                + " on the classpath");
      }
      Path dir = Files.createTempDirectory("holdfast-redis-bin-");
      Path target = dir.resolve("redis-server");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
      target.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      LOG.info("using the Redis {} binary shipped in org.signal:embedded-redis", EMBEDDED_VERSION);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("could not extract " + resource, e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  @Override
  public RedisURI uri() {
    return RedisURI.create("127.0.0.1", port);
  }

  @Override
  public String source() {
    return "local-process";
  }

  @Override
  public boolean controllable() {
    return true;
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("this server was closed");
    }
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(binary().toString());
    if (configFile != null) {
      cmd.add(configFile);
    }
    cmd.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "no",
            "--daemonize", "no",
            "--dir", dir.toString(),
            "--loglevel", "warning"));
    cmd.addAll(extraArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + cmd, e);
    }
    process = p;
    drain(p);
    awaitListening(p);
  }

  private void drain(Process p) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  LOG.debug("redis:{} {}", port, line);
                }
              } catch (IOException e) {
                LOG.trace("redis:{} output closed", port, e);
              }
            },
            "holdfast-redis-output-" + port);
    t.setDaemon(true);
    t.start();
  }

  private void awaitListening(Process p) {
    long deadline = System.nanoTime() + Timing.scaled(Duration.ofSeconds(20)).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "redis-server on port " + port + " exited with " + p.exitValue() + " at start");
      }
      try (Socket s = new Socket()) {
        // The server binds 127.0.0.1 only: connect to that address, not to what a name resolves to.
        s.connect(
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 200);
        if (ping(s)) {
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      parkMillis(20);
    }
    throw new IllegalStateException("redis-server on port " + port + " did not start in 20 s");
  }

  private static boolean ping(Socket s) throws IOException {
    s.setSoTimeout(1000);
    s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] buf = new byte[7];
    int n = s.getInputStream().readNBytes(buf, 0, buf.length);
    // "+PONG", or "-NOAUTH" from a server started with --requirepass: either way it serves.
    return (n > 0 && buf[0] == '+')
        || new String(buf, 0, n, StandardCharsets.US_ASCII).equals("-NOAUTH");
  }

  static void parkMillis(long ms) {
    CountDownLatch never = new CountDownLatch(1);
    try {
      never.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    signal(p, "CONT");
    p.destroyForcibly();
    try {
      p.waitFor(Timing.scaledMillis(10_000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public synchronized void pause() {
    signal(requireRunning(), "STOP");
  }

  @Override
  public synchronized void resume() {
    signal(requireRunning(), "CONT");
  }

  private Process requireRunning() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    return p;
  }

  static void signal(Process p, String sig) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start();
      if (!kill.waitFor(Timing.scaledMillis(10_000), TimeUnit.MILLISECONDS)
          || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + sig + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    deleteTree(dir);
  }

  static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}", root, e);
    }
  }

  @Override
  public String toString() {
    return "local redis-server on 127.0.0.1:" + port;
  }
}
