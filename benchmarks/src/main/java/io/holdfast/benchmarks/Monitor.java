package io.holdfast.benchmarks;

import io.lettuce.core.RedisURI;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Counts the commands clients send to Redis — round trips, not the commands scripts run — with
 * {@code MONITOR}, which marks commands run by a script as {@code [0 lua]}.
 */
final class Monitor {
  /** Work to watch. */
  interface Work {
    void run() throws Exception;
  }

  private Monitor() {}

  /** Runs {@code work} while watching; returns top-level command name → count (upper case). */
  static Map<String, Long> topLevelCommands(RedisURI uri, Work work) throws Exception {
    String marker = "holdfast-monitor-end-" + UUID.randomUUID();
    try (Socket monitor = new Socket(uri.getHost(), uri.getPort());
        Socket control = new Socket(uri.getHost(), uri.getPort())) {
      monitor.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
      monitor.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
      monitor.getOutputStream().flush();
      String ok = in.readLine();
      if (ok == null || !ok.startsWith("+OK")) {
        throw new IOException("MONITOR answered " + ok);
      }
      work.run();
      OutputStream out = control.getOutputStream();
      out.write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      Map<String, Long> counts = new TreeMap<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.contains(marker)) {
          return counts;
        }
        // +1700000000.123456 [0 127.0.0.1:50000] "evalsha" "..." ...
        int close = line.indexOf(']');
        int quote = line.indexOf('"', close);
        if (close < 0 || quote < 0 || line.contains("[0 lua]") || line.contains(" lua]")) {
          continue;
        }
        int end = line.indexOf('"', quote + 1);
        String cmd = line.substring(quote + 1, end).toUpperCase(Locale.ROOT);
        counts.merge(cmd, 1L, Long::sum);
      }
      throw new IOException("MONITOR ended before the marker");
    }
  }
}
