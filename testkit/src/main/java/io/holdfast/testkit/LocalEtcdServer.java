package io.holdfast.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code etcd} child process on loopback ports: a single-member cluster, or a member of a
 * {@link LocalEtcdCluster}. Its data directory (on {@code /dev/shm} when there is one: etcd fsyncs
 * every write, and this etcd has no switch to stop it) survives {@link #stop()} and {@link
 * #start()}.
 */
final class LocalEtcdServer implements EtcdServer {
  private static final Logger LOG = LoggerFactory.getLogger(LocalEtcdServer.class);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String name;
  private final Path dir;
  private final int clientPort;
  private final int peerPort;

  /** Certificate and key (PEM) for TLS on the client port, or null for plain HTTP. */
  private final @Nullable Path certFile;

  private final @Nullable Path keyFile;

  /** Plain-HTTP port of /health and /metrics when the client port speaks TLS (else 0). */
  private final int metricsPort;

  private String initialCluster;
  private String clusterToken;
  private @Nullable Process process;
  private final Thread shutdownHook;
  private boolean closed;

  /** A member named {@code name}; not started: call {@link #launch} and {@link #awaitHealthy}. */
  LocalEtcdServer(String name) {
    this(name, null, null);
  }

  /**
   * A member whose client port speaks TLS with the given certificate and key (PEM files), when both
   * are given; its health is then checked on a plain-HTTP metrics port of its own.
   */
  LocalEtcdServer(String name, @Nullable Path certFile, @Nullable Path keyFile) {
    this.name = name;
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.metricsPort = certFile != null && keyFile != null ? LocalRedisServer.freePort() : 0;
    try {
      Path shm = Path.of("/dev/shm");
      this.dir =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? Files.createTempDirectory(shm, "holdfast-etcd-")
              : Files.createTempDirectory("holdfast-etcd-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.clientPort = LocalRedisServer.freePort();
    this.peerPort = LocalRedisServer.freePort();
    this.initialCluster = name + "=" + peerUrl();
    this.clusterToken = "holdfast-" + dir.getFileName();
    this.shutdownHook = new Thread(this::kill, "holdfast-etcd-shutdown-" + clientPort);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A started single-member cluster. */
  static LocalEtcdServer single() {
    return started(new LocalEtcdServer("holdfast"));
  }

  /** A started single-member cluster whose clients connect over TLS. */
  static LocalEtcdServer singleTls(Path certFile, Path keyFile) {
    return started(new LocalEtcdServer("holdfast", certFile, keyFile));
  }

  private static LocalEtcdServer started(LocalEtcdServer s) {
    try {
      s.start();
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /**
   * The etcd binary: {@code HOLDFAST_ETCD_BINARY} (or the system property {@code
   * holdfast.etcd.binary}; {@code none} for none), else the one on the PATH, else {@code null}.
   */
  static @Nullable Path binary() {
    String chosen =
        System.getProperty("holdfast.etcd.binary", System.getenv("HOLDFAST_ETCD_BINARY"));
    if (chosen != null && !chosen.isBlank()) {
      Path p = Path.of(chosen.trim());
      return chosen.trim().equals("none") || !Files.isExecutable(p) ? null : p;
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    // -1: keep every entry; empty ones (no directory) are skipped.
    for (String d : path.split(java.io.File.pathSeparator, -1)) {
      if (d.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(d, "etcd");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  String name() {
    return name;
  }

  String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  String clientUrl() {
    return (metricsPort == 0 ? "http" : "https") + "://127.0.0.1:" + clientPort;
  }

  /** Where {@code /health} answers in plain HTTP. */
  private String healthUrl() {
    return metricsPort == 0 ? clientUrl() : "http://127.0.0.1:" + metricsPort;
  }

  /** Makes this a member of a cluster: every member must be given the same two values. */
  void joinCluster(String initialCluster, String clusterToken) {
    this.initialCluster = initialCluster;
    this.clusterToken = clusterToken;
  }

  @Override
  public List<String> endpoints() {
    return List.of(clientUrl());
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
    launch();
    awaitHealthy();
  }

  /** Starts the process without waiting (a cluster member waits for its peers). */
  synchronized void launch() {
    if (closed) {
      throw new IllegalStateException("this server was closed");
    }
    if (process != null && process.isAlive()) {
      return;
    }
    Path bin = binary();
    if (bin == null) {
      throw new IllegalStateException("no etcd binary on the PATH");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.toString());
    cmd.addAll(
        List.of(
            "--name",
            name,
            "--data-dir",
            dir.resolve("data").toString(),
            "--listen-client-urls",
            clientUrl(),
            "--advertise-client-urls",
            clientUrl(),
            "--listen-peer-urls",
            peerUrl(),
            "--initial-advertise-peer-urls",
            peerUrl(),
            "--initial-cluster",
            initialCluster,
            "--initial-cluster-state",
            "new",
            "--initial-cluster-token",
            clusterToken,
            // Fast elections on loopback: a killed leader is replaced within about a second.
            "--heartbeat-interval",
            "50",
            "--election-timeout",
            "500",
            "--logger",
            "zap",
            "--log-level",
            "error"));
    Path cert = certFile;
    Path key = keyFile;
    if (metricsPort != 0 && cert != null && key != null) {
      cmd.addAll(
          List.of(
              "--cert-file",
              cert.toString(),
              "--key-file",
              key.toString(),
              "--listen-metrics-urls",
              healthUrl()));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + cmd, e);
    }
    process = p;
    drain(p);
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
                  LOG.debug("etcd:{} {}", clientPort, line);
                }
              } catch (IOException e) {
                LOG.trace("etcd:{} output closed", clientPort, e);
              }
            },
            "holdfast-etcd-output-" + clientPort);
    t.setDaemon(true);
    t.start();
  }

  /** Waits until the member reports itself healthy (it has a leader and serves reads). */
  void awaitHealthy() {
    long deadline = System.nanoTime() + Timing.scaled(Duration.ofSeconds(30)).toNanos();
    while (System.nanoTime() - deadline < 0) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException(
            "etcd "
                + name
                + " on port "
                + clientPort
                + " exited"
                + (p == null ? "" : " with " + p.exitValue())
                + " at start");
      }
      if (healthy(healthUrl())) {
        return;
      }
      LocalRedisServer.parkMillis(25);
    }
    throw new IllegalStateException("etcd on port " + clientPort + " was not healthy in 30 s");
  }

  /** Whether the etcd at {@code clientUrl} answers {@code /health} with {@code true}. */
  static boolean healthy(String clientUrl) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(clientUrl + "/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"true\"");
    } catch (IOException e) {
      return false;
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
    LocalRedisServer.signal(p, "CONT");
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
    LocalRedisServer.signal(requireRunning(), "STOP");
  }

  @Override
  public synchronized void resume() {
    LocalRedisServer.signal(requireRunning(), "CONT");
  }

  /** Whether the process is running (possibly paused). */
  synchronized boolean running() {
    Process p = process;
    return p != null && p.isAlive();
  }

  private Process requireRunning() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("etcd on port " + clientPort + " is not running");
    }
    return p;
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
    LocalRedisServer.deleteTree(dir);
  }

  @Override
  public String toString() {
    return "local etcd " + name + " on " + clientUrl();
  }
}
