package io.holdfast.testkit.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A client process's history, one {@link Event} per line, flushed as it is written so that a
 * process killed with {@code kill -9} leaves every event it recorded. Thread-safe.
 */
public final class HistoryFile implements AutoCloseable {
  private final BufferedWriter out;

  /**
   * Opens (appends to) a history file.
   *
   * @param path the file
   */
  public HistoryFile(Path path) {
    try {
      this.out =
          Files.newBufferedWriter(
              path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Records an event now.
   *
   * @param client who
   * @param op what
   * @param type which step
   * @param name the lock
   * @param token the token, 0 if none
   * @param value the value, 0 if none
   */
  public void record(
      String client, Event.Op op, Event.Type type, String name, long token, long value) {
    write(new Event(System.nanoTime(), client, op, type, name, token, value));
  }

  /**
   * Records an event.
   *
   * @param e the event
   */
  public synchronized void write(Event e) {
    try {
      out.write(e.toLine());
      out.newLine();
      out.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads and merges several files into one history ordered by time. A line cut short by a kill is
   * skipped.
   *
   * @param paths the files
   * @return the events
   */
  public static List<Event> readAll(List<Path> paths) {
    List<Event> all = new ArrayList<>();
    for (Path p : paths) {
      if (!Files.exists(p)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          try {
            all.add(Event.parse(line));
          } catch (RuntimeException e) {
            // a partial last line written as the process died
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    all.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    return all;
  }
}
