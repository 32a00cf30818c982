package io.holdfast.lock.internal;

import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work started without anyone waiting for its future, made explicit: what would otherwise fail into
 * a future nobody reads is logged instead.
 */
public final class Futures {
  private static final Logger LOG = LoggerFactory.getLogger(Futures.class);

  private Futures() {}

  /**
   * Runs {@code callback} when {@code stage} completes, like {@link CompletionStage#whenComplete},
   * but logs (at WARN) what the callback throws instead of hiding it in a future nobody reads.
   *
   * @param stage the stage
   * @param callback gets the value or the failure, one of them null
   * @param <T> the value type
   */
  public static <T> void onComplete(
      CompletionStage<T> stage,
      BiConsumer<? super @Nullable T, ? super @Nullable Throwable> callback) {
    var unused =
        stage.handle(
            (v, e) -> {
              try {
                callback.accept(v, e);
              } catch (RuntimeException | Error t) {
                LOG.warn("a Holdfast completion callback threw; ignored", t);
              }
              return null;
            });
  }

  /**
   * Lets {@code stage} finish unobserved: its result is not needed, and a failure is logged at
   * DEBUG (for clean-up the backend retries or that a later step notices anyway).
   *
   * @param stage the stage
   * @param log the caller's logger
   * @param what what the stage does, for the log message, e.g. "deleting /a/b"
   */
  public static void forget(CompletionStage<?> stage, Logger log, String what) {
    var unused =
        stage.whenComplete(
            (v, e) -> {
              if (e != null) {
                log.debug("{} failed", what, e);
              }
            });
  }
}
