package io.holdfast.lock.postgresql.internal;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Says in plain words why a statement failed: refused, authentication, timeout, read-only standby,
 * missing privileges, a missing table, a terminated connection.
 */
public final class PgErrors {
  private final String where;
  private final Duration commandTimeout;

  /**
   * A classifier for one service.
   *
   * @param where the server, for messages (a JDBC URL without credentials, or "the DataSource")
   * @param commandTimeout the command timeout, quoted in timeout messages
   */
  public PgErrors(String where, Duration commandTimeout) {
    this.where = where;
    this.commandTimeout = commandTimeout;
  }

  /**
   * The server, for messages.
   *
   * @return where the service connects
   */
  public String where() {
    return where;
  }

  /**
   * The innermost meaningful cause (not a completion or execution wrapper).
   *
   * @param error any error
   * @return the cause
   */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * Whether {@code error} means the connection is gone (refused, reset, terminated, timed out), so
   * that the statement may be retried once on a fresh one.
   *
   * @param error the failure
   * @return whether it is a connection failure
   */
  public static boolean isConnectionFailure(Throwable error) {
    String state = sqlState(error);
    if (state != null
        && (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03"))) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The SQLSTATE of the first {@link SQLException} in the chain.
   *
   * @param error the failure
   * @return the state, or {@code null}
   */
  public static @Nullable String sqlState(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return null;
  }

  /**
   * Why {@code error} happened, in a sentence naming the server.
   *
   * @param error the failure
   * @return the description
   */
  public String describe(Throwable error) {
    Throwable e = unwrap(error);
    String state = sqlState(e);
    String server = serverMessage(e);
    if (has(e, SocketTimeoutException.class) || has(e, TimeoutException.class)) {
      return "PostgreSQL at " + where + " did not answer within " + commandTimeout;
    }
    if (state == null) {
      if (has(e, ConnectException.class)) {
        return "PostgreSQL at " + where + " refused the connection (is it running?)";
      }
      if (has(e, UnknownHostException.class)) {
        return "the host of PostgreSQL at " + where + " is unknown";
      }
      return "PostgreSQL at " + where + " failed: " + e;
    }
    return switch (state) {
      case "28P01", "28000" ->
          "PostgreSQL at " + where + " rejected the credentials (authentication failed): " + server;
      case "25006" ->
          "PostgreSQL at "
              + where
              + " is read-only (a standby, or default_transaction_read_only is on): connect to"
              + " the primary";
      case "42501" ->
          "the role lacks a privilege on PostgreSQL at "
              + where
              + " (see docs/postgresql.md for the minimal grants): "
              + server;
      case "42P01" ->
          "a Holdfast table is missing on PostgreSQL at "
              + where
              + " (dropped, or another schema/prefix): "
              + server;
      case "57014" -> "PostgreSQL at " + where + " did not answer within " + commandTimeout;
      case "57P01", "57P02", "57P03" ->
          "PostgreSQL at "
              + where
              + " terminated the connection (shut down or restarting): "
              + server;
      case "53300" -> "PostgreSQL at " + where + " has no connection slot left: " + server;
      default -> {
        if (state.startsWith("08")) {
          yield has(e, ConnectException.class)
              ? "PostgreSQL at " + where + " refused the connection (is it running?)"
              : "the connection to PostgreSQL at " + where + " failed: " + server;
        }
        yield "PostgreSQL at " + where + " failed: " + server + " (SQLSTATE " + state + ")";
      }
    };
  }

  private static String serverMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getMessage() != null) {
        return s.getMessage();
      }
    }
    return String.valueOf(e);
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
