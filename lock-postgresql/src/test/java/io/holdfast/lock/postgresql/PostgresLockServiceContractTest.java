package io.holdfast.lock.postgresql;

import io.holdfast.lock.LockService;
import io.holdfast.testkit.BackendFaults;
import io.holdfast.testkit.InspectionContract;
import io.holdfast.testkit.LockServiceContract;
import io.holdfast.testkit.PostgresServers;
import io.holdfast.testkit.SharedRegister;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The lock contract against a real PostgreSQL of this class's own (faults stop and pause it). */
class PostgresLockServiceContractTest extends LockServiceContract {
  private static PostgresFixture postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = new PostgresFixture(PostgresServers.dedicated());
  }

  @AfterAll
  static void stopPostgres() {
    postgres.server.close();
  }

  @Override
  protected LockService createService(Duration leaseTime) {
    return postgres.builder(leaseTime, commandTimeout()).build();
  }

  @Override
  protected List<String> leftBehind(String namePrefix) {
    return postgres.leftBehind(namePrefix);
  }

  @Override
  protected void breakLease(String name) {
    postgres.deleteLock(name);
  }

  @Override
  protected SharedRegister register(String key) {
    return postgres.register(key);
  }

  @Override
  protected @Nullable BackendFaults faults() {
    return postgres.faults();
  }

  /** The inspector's contract, against the same server. */
  @Nested
  class Inspection extends InspectionContract {
    @Override
    protected LockService createService(Duration leaseTime) {
      return PostgresLockServiceContractTest.this.createService(leaseTime);
    }
  }
}
