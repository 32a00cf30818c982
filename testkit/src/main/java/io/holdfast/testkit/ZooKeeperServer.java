package io.holdfast.testkit;

/**
 * A real ZooKeeper server that a test can use, and — when the testkit started it — stop and
 * restart. Obtain one from {@link ZooKeeperServers}.
 *
 * <p>Implementations are thread-safe: a test may stop a server while other threads use it.
 */
public interface ZooKeeperServer extends AutoCloseable {

  /**
   * Where to connect, as a ZooKeeper connect string ({@code host:port}).
   *
   * @return the connect string
   */
  String connectString();

  /**
   * How this server was provided: {@code "environment"}, {@code "testcontainers"} or {@code
   * "in-jvm"}.
   *
   * @return the source
   */
  String source();

  /**
   * Whether {@link #stop()} and {@link #start()} work (they do not for a server given by the
   * environment).
   *
   * @return whether faults can be injected
   */
  boolean controllable();

  /**
   * Stops the server. Its data (and so its sessions and ephemeral nodes) survives, as it would on
   * disk: clients whose session has not timed out when it comes back keep their session.
   */
  void stop();

  /** Starts a stopped server again on the same address and waits until it answers. */
  void start();

  /**
   * Sends a four-letter-word command ({@code ruok}, {@code srvr}, {@code mntr}, {@code cons}, …)
   * and returns the answer. The testkit's own servers allow every command.
   *
   * @param command the four-letter word
   * @return the server's answer, possibly empty
   */
  default String fourLetterWord(String command) {
    return ZooKeeperServers.fourLetterWord(connectString(), command);
  }

  /** Stops the server for good and removes what it left on disk. Idempotent. */
  @Override
  void close();
}
