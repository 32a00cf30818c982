package io.holdfast.examples;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.LockTimeoutException;
import io.holdfast.lock.redis.RedisLockService;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/** The code shown in README.md, compiled so that it cannot drift. */
final class Snippets {
  private Snippets() {}

  static LockService build() {
    // tag::build[]
    LockService locks =
        RedisLockService.builder(RedisURI.create("redis://localhost:6379"))
            .leaseTime(Duration.ofSeconds(10)) // renewed in the background while you hold it
            .build();
    // end::build[]
    return locks;
  }

  static void decrement(LockService locks, FencedStock stock, String sku)
      throws InterruptedException {
    // tag::decrement[]
    try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(2))) {
      // The store refuses a token older than the newest it has seen, on reads and writes:
      // a holder that paused past its lease cannot undo a newer holder's work.
      long left = stock.read(sku, lock.fencingToken());
      if (left > 0) {
        stock.write(sku, left - 1, lock.fencingToken());
      }
    } // released here: compare-and-delete, so never someone else's grant
    // end::decrement[]
  }

  // tag::sellOne[]
  static boolean sellOne(LockService locks, FencedStock stock, String sku) {
    try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(2))) {
      long left = stock.read(sku, lock.fencingToken());
      return left > 0 && stock.write(sku, left - 1, lock.fencingToken());
    } catch (LockTimeoutException e) {
      return false; // another instance held it for 2 s: try again later, or answer "busy"
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // acquire() waits and can be interrupted: keep the flag
      return false; // and let the thread end
    }
  }
  // end::sellOne[]
}
