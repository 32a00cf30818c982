package io.holdfast.testkit;

import java.util.List;

/**
 * A real etcd (one member, or a whole cluster seen through its client endpoints) that a test can
 * use, and — when the testkit started it — stop, restart and pause. Obtain one from {@link
 * EtcdServers}.
 */
public interface EtcdServer extends AutoCloseable {

  /**
   * The client endpoints, e.g. {@code http://127.0.0.1:2379}.
   *
   * @return at least one endpoint
   */
  List<String> endpoints();

  /**
   * The client endpoints joined with commas, as {@code HOLDFAST_ETCD_ENDPOINTS} takes them.
   *
   * @return the endpoints
   */
  default String endpointList() {
    return String.join(",", endpoints());
  }

  /**
   * How this server was provided: {@code "environment"}, {@code "testcontainers"} or {@code
   * "local-process"}.
   *
   * @return the source
   */
  String source();

  /**
   * Whether {@link #stop()}, {@link #start()}, {@link #pause()} and {@link #resume()} work (they do
   * not for servers given by the environment).
   *
   * @return whether faults can be injected
   */
  boolean controllable();

  /** Stops the server (its data stays: a restarted member keeps its keys and revisions). */
  void stop();

  /** Starts a stopped server again on the same address, with its data. */
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
