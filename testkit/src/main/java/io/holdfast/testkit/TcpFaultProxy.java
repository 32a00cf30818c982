package io.holdfast.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on a loopback port in front of a server, for network faults between a client and its
 * server: {@link #cut()} (reset every connection and refuse new ones), {@link #blackhole()} (keep
 * connections open but deliver nothing, as a partition that drops packets does), {@link
 * #delay(Duration)} (hold every chunk of data for a while, as a latency spike does), and {@link
 * #heal()}. Two threads per proxied connection; for tests only.
 */
public final class TcpFaultProxy implements AutoCloseable {
  /** What the proxy does with traffic. */
  public enum Mode {
    /** Forward. */
    PASS,
    /** Reset and refuse. */
    CUT,
    /** Accept, hold, deliver nothing. */
    BLACKHOLE
  }

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.PASS;
  private volatile long delayNanos;
  private volatile boolean closed;

  /**
   * Starts a proxy to {@code host:port} on a free loopback port.
   *
   * @param host the server's host
   * @param port the server's port
   */
  public TcpFaultProxy(String host, int port) {
    this.target = new InetSocketAddress(host, port);
    try {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "holdfast-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * The proxy's port: point clients here.
   *
   * @return the port
   */
  public int port() {
    return server.getLocalPort();
  }

  /**
   * The proxy's host.
   *
   * @return the loopback address
   */
  public String host() {
    return server.getInetAddress().getHostAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (mode == Mode.CUT) {
        closeQuietly(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 5000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      pump(client, upstream, "up");
      pump(upstream, client, "down");
    }
  }

  private void pump(Socket from, Socket to, String dir) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  long d = delayNanos;
                  if (d > 0) {
                    LockSupport.parkNanos(d);
                  }
                  while (mode == Mode.BLACKHOLE && !closed && !from.isClosed()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                  }
                  if (mode == Mode.CUT) {
                    break;
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // the other side closed, or we cut it
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "holdfast-proxy-" + dir);
    t.setDaemon(true);
    t.start();
  }

  /** Resets every connection and refuses new ones until {@link #heal()}. */
  public void cut() {
    mode = Mode.CUT;
    for (Socket s : sockets) {
      try {
        s.setSoLinger(true, 0);
      } catch (SocketException e) {
        // already closed
      }
      closeQuietly(s);
    }
  }

  /** Keeps connections open but delivers nothing until {@link #heal()}. */
  public void blackhole() {
    mode = Mode.BLACKHOLE;
  }

  /**
   * Delays every chunk of data by {@code delay} (until set back to zero).
   *
   * @param delay the added latency
   */
  public void delay(Duration delay) {
    delayNanos = delay.toNanos();
  }

  /** Back to forwarding, without delay. */
  public void heal() {
    delayNanos = 0;
    mode = Mode.PASS;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // nothing to do
    }
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
