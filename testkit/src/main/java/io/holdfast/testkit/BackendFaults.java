package io.holdfast.testkit;

/** Faults a contract test may inject into the backend under test. */
public interface BackendFaults {
  /** Stops the backend; its state may be lost. */
  void stop();

  /** Starts a stopped backend again at the same address. */
  void start();

  /** Freezes the backend: connections stay open, nothing answers. */
  void pause();

  /** Thaws a frozen backend. */
  void resume();
}
