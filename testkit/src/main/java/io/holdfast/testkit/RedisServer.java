package io.holdfast.testkit;

import io.lettuce.core.RedisURI;

/**
 * A real Redis server that a test can use, and — when the testkit started it — stop, restart and
 * pause. Obtain one from {@link RedisServers}.
 */
public interface RedisServer extends AutoCloseable {

  /**
   * Where to connect.
   *
   * @return the server's URI
   */
  RedisURI uri();

  /**
   * How this server was provided: {@code "environment"}, {@code "testcontainers"} or {@code
   * "local-process"}.
   *
   * @return the source
   */
  String source();

  /**
   * Whether {@link #stop()}, {@link #start()}, {@link #pause()} and {@link #resume()} work (they do
   * not for a server given by the environment).
   *
   * @return whether faults can be injected
   */
  boolean controllable();

  /** Stops the server (data is lost: servers run without persistence). */
  void stop();

  /** Starts a stopped server again on the same address, empty. */
  void start();

  /**
   * Freezes the server (SIGSTOP or {@code docker pause}): connections stay open, nothing answers.
   */
  void pause();

  /** Thaws a paused server. */
  void resume();

  /** Stops the server for good and removes what it left on disk. Idempotent. */
  @Override
  void close();
}
