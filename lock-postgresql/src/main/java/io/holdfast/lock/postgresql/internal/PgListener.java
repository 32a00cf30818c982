package io.holdfast.lock.postgresql.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dedicated connection that {@code LISTEN}s on one channel, on a thread of its own, and hands
 * every notification's payload to a callback. When the connection is lost it reconnects (every half
 * second at most) and calls {@code onReconnect}: notifications sent meanwhile are gone, so whoever
 * waits for one must look again. Nothing else runs on this connection.
 */
public final class PgListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.lock.postgresql");
  private static final long RECONNECT_MILLIS = 500;
  private static final int POLL_MILLIS = 500;

  private final PgClient client;
  private final String channel;
  private final BiConsumer<String, String> onNotification;
  private final Runnable onReconnect;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean listening;
  private volatile @Nullable Connection connection;

  /**
   * Starts listening.
   *
   * @param client where to get the dedicated connection
   * @param channel the channel name (quoted as an identifier)
   * @param onNotification called with (channel, payload) for each notification, on the listener's
   *     thread: must be fast
   * @param onReconnect called after each reconnection (not the first connection)
   * @param threadName the thread's name
   */
  public PgListener(
      PgClient client,
      String channel,
      BiConsumer<String, String> onNotification,
      Runnable onReconnect,
      String threadName) {
    this.client = client;
    this.channel = channel;
    this.onNotification = onNotification;
    this.onReconnect = onReconnect;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Whether the connection is up and listening.
   *
   * @return whether notifications arrive
   */
  public boolean isListening() {
    return listening;
  }

  private void run() {
    boolean first = true;
    while (!closed) {
      Connection c = null;
      try {
        c = client.dedicatedConnection();
        connection = c;
        try (Statement s = c.createStatement()) {
          s.setQueryTimeout(client.queryTimeoutSeconds());
          s.execute("LISTEN " + Identifiers.quote(channel));
        }
        listening = true;
        if (!first) {
          LOG.info("listening for releases on {} again", client.errors().where());
          onReconnect.run();
        }
        first = false;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] ns = pg.getNotifications(POLL_MILLIS);
          if (ns == null) {
            continue;
          }
          for (PGNotification n : ns) {
            try {
              onNotification.accept(n.getName(), n.getParameter());
            } catch (RuntimeException e) {
              LOG.warn("a notification handler threw; ignored", e);
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        if (listening || first) {
          LOG.debug(
              "the listening connection failed ({}); reconnecting", client.errors().describe(e), e);
        }
        listening = false;
        first = false;
        try {
          Thread.sleep(RECONNECT_MILLIS);
        } catch (InterruptedException ie) {
          break;
        }
      } finally {
        listening = false;
        connection = null;
        PgClient.closeQuietly(c);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    PgClient.closeQuietly(connection);
    try {
      thread.join(client.commandTimeout().toMillis() + POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
