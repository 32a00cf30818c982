package io.holdfast.membership.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on an underlying executor: the delivery of one
 * subscription's events. A task that throws is logged and does not stop the next.
 */
final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger("io.holdfast.membership");

  private final Executor delegate;
  // Guarded by this.
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean running;

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      queue.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        running = false;
        queue.clear();
      }
      LOG.warn("the callback executor refused membership events; they were dropped", e);
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (Throwable t) {
        LOG.warn("a Holdfast membership listener threw; ignored", t);
      }
    }
  }
}
