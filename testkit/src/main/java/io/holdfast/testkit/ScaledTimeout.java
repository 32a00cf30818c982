package io.holdfast.testkit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * JUnit's {@code @Timeout} for a whole test class, scaled by {@link Timing} (an annotation's value
 * cannot be): each test method runs on its own thread as usual and is interrupted, then failed,
 * when it takes longer than the scaled limit. Register it as a static field with
 * {@code @RegisterExtension}.
 */
public final class ScaledTimeout implements InvocationInterceptor {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "testkit-timeout");
            t.setDaemon(true);
            return t;
          });

  private final Duration limit;

  /**
   * A limit per test method.
   *
   * @param base the limit on a machine of normal speed; scaled by {@link Timing#scaled}
   */
  public ScaledTimeout(Duration base) {
    this.limit = Timing.scaled(base);
  }

  @Override
  public void interceptTestMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext extensionContext)
      throws Throwable {
    Thread runner = Thread.currentThread();
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> alarm =
        TIMER.schedule(
            () -> {
              timedOut.set(true);
              runner.interrupt();
            },
            limit.toNanos(),
            TimeUnit.NANOSECONDS);
    Throwable failure = null;
    try {
      invocation.proceed();
    } catch (Throwable t) {
      failure = t;
    } finally {
      alarm.cancel(false);
    }
    if (timedOut.get()) {
      Thread.interrupted(); // the alarm's interrupt, if the test ended just as it rang
      TimeoutException e =
          new TimeoutException(
              invocationContext.getExecutable().getName()
                  + "() timed out after "
                  + limit
                  + " (scale with -D"
                  + Timing.PROPERTY
                  + ")");
      if (failure != null) {
        e.addSuppressed(failure);
      }
      throw e;
    }
    if (failure != null) {
      throw failure;
    }
  }
}
