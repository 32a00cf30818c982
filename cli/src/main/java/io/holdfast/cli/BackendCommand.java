package io.holdfast.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A command that talks to one backend: the connection options, {@code --json}, exit codes. */
abstract class BackendCommand implements Callable<Integer> {
  @Mixin Connection connection = new Connection();

  @Option(names = "--json", description = "print JSON instead of a table")
  boolean json;

  /**
   * Runs the command.
   *
   * @param out standard output
   * @return the exit code
   * @throws Exception anything; {@link Holdfast} maps it to an exit code and a message
   */
  abstract int run(PrintWriter out) throws Exception;

  @Override
  public final Integer call() throws Exception {
    connection.kind(); // fails early, as a usage error, without a backend
    PrintWriter out = new PrintWriter(System.out, true, java.nio.charset.StandardCharsets.UTF_8);
    try {
      return run(out);
    } finally {
      out.flush();
    }
  }
}
