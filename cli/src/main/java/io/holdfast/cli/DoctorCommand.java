package io.holdfast.cli;

import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code holdfast doctor}: reads the server's settings and reports each that weakens or breaks a
 * Holdfast guarantee, with what to change and why. Exits 1 if a finding breaks a guarantee in
 * docs/guarantees.md.
 */
@Command(
    name = "doctor",
    description =
        "Check the server's settings against Holdfast's guarantees (Redis, ZooKeeper,"
            + " PostgreSQL). Exit 1 if a finding breaks one.",
    mixinStandardHelpOptions = true)
final class DoctorCommand extends BackendCommand {
  @Option(
      names = "--wait-for-replicas",
      paramLabel = "N",
      description = "Redis: the waitForReplicas your services use (default 0)")
  int waitForReplicas;

  @Option(
      names = "--session-timeout",
      paramLabel = "DURATION",
      description = "ZooKeeper: the sessionTimeout your services ask for (default PT10S)")
  Duration sessionTimeout = ZooKeeperLockService.DEFAULT_SESSION_TIMEOUT;

  @Override
  int run(PrintWriter out) throws Exception {
    List<Finding> findings =
        switch (connection.kind()) {
          case REDIS -> new RedisDoctor(connection, waitForReplicas).check();
          case ZOOKEEPER -> new ZooKeeperDoctor(connection, sessionTimeout).check();
          case POSTGRESQL -> new PostgresDoctor(connection).check();
          case ETCD ->
              List.of(
                  new Finding(
                      "checks",
                      Finding.Status.INFO,
                      "doctor has no checks for " + connection.kind() + " yet",
                      ""));
        };
    boolean breaks = findings.stream().anyMatch(f -> f.status() == Finding.Status.BREAKS);
    if (json) {
      List<Object> list = new ArrayList<>();
      findings.forEach(f -> list.add(f.json()));
      out.println(Output.json(list));
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Finding f : findings) {
        rows.add(List.of(f.status().name(), f.check(), f.found()));
      }
      Output.table(out, List.of("STATUS", "CHECK", "FOUND"), rows);
      for (Finding f : findings) {
        if (!f.advice().isEmpty()) {
          out.println();
          out.println(f.status() + " " + f.check() + ": " + f.advice());
        }
      }
      out.println();
      out.println(
          breaks
              ? "A setting breaks a guarantee of docs/guarantees.md: fix the BREAKS findings."
              : "Nothing breaks a guarantee of docs/guarantees.md.");
    }
    return breaks ? ExitCodes.NO : ExitCodes.OK;
  }
}
