package io.holdfast.testkit;

/**
 * A number stored outside the JVM (in the backend under test), read and written in separate,
 * non-atomic steps: a lock that fails to exclude shows up as lost updates.
 */
public interface SharedRegister {
  /**
   * Reads the value.
   *
   * @return the value, 0 if never written
   */
  long read();

  /**
   * Writes the value.
   *
   * @param value the new value
   */
  void write(long value);
}
