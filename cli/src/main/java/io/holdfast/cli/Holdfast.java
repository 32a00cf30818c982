package io.holdfast.cli;

import io.holdfast.lock.LockException;
import io.holdfast.membership.MembershipException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code holdfast} command. Exit codes: 0 done (doctor: nothing breaks a guarantee), 1 the
 * answer is no (a doctor finding that breaks a guarantee, nothing to release, no leader), 2 a usage
 * error, 3 the backend could not be reached or failed.
 */
@Command(
    name = "holdfast",
    description = "Inspect Holdfast locks and groups on Redis, ZooKeeper, PostgreSQL or etcd.",
    mixinStandardHelpOptions = true,
    versionProvider = Holdfast.Version.class,
    subcommands = {
      LocksCommand.class,
      MembersCommand.class,
      MembersCommand.Leader.class,
      BenchCommand.class,
      DoctorCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 done; 1 the answer is no (doctor finding that breaks a guarantee, nothing"
          + " released, no leader); 2 usage error; 3 backend unreachable or failed."
    })
public final class Holdfast {
  private Holdfast() {}

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Holdfast.class.getPackage().getImplementationVersion();
      return new String[] {"holdfast " + (v == null ? "(development build)" : v)};
    }
  }

  /**
   * The command line, ready to execute.
   *
   * @return the command line
   */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(Holdfast.class);
    cl.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          PrintWriter err = command.getErr();
          if (e instanceof IllegalArgumentException) {
            err.println("holdfast: " + e.getMessage());
            err.println(command.getHelp().fullSynopsis().stripTrailing());
            return ExitCodes.USAGE;
          }
          if (e instanceof LockException || e instanceof MembershipException) {
            err.println("holdfast: " + e.getMessage());
            return ExitCodes.BACKEND;
          }
          err.println("holdfast: " + e);
          return ExitCodes.BACKEND;
        });
    return cl;
  }

  /**
   * Runs the command line and exits with its code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
