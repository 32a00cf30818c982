package io.holdfast.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/** The contract suites' after-each check fails when a test leaves a lock behind. */
class LeftBehindCheckTest {
  @Test
  void leakedHandleOfAnUnclosedService_failsTheCheck_andPassesOnceReleased() throws Exception {
    InMemoryLockServiceContractTest suite = new InMemoryLockServiceContractTest();
    suite.recordWhatIsThere();
    LockService leaked = suite.createService(suite.leaseTime());
    LockHandle h = leaked.acquire(suite.ns + "leaked");

    assertThatThrownBy(suite::verifyNothingLeftBehind)
        .isInstanceOf(ConditionTimeoutException.class)
        .hasMessageContaining("left behind in the backend")
        .hasMessageContaining("1 lock names held");

    h.close();
    leaked.close();
    suite.verifyNothingLeftBehind();
    suite.closeBackend();
  }
}
