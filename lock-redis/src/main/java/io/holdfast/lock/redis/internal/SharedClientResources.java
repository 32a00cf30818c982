package io.holdfast.lock.redis.internal;

import io.lettuce.core.resource.ClientResources;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One set of Lettuce client resources (event loops, timer, DNS resolver) for every client the
 * services of this JVM create from a {@code RedisURI}, shut down when the last of them closes.
 * Creating resources costs threads and, the first time in a JVM, most of a second.
 */
final class SharedClientResources {
  // Guarded by the class.
  private static @Nullable ClientResources shared;
  private static int users;

  private SharedClientResources() {}

  static synchronized ClientResources acquire() {
    ClientResources r = shared;
    if (r == null) {
      r = ClientResources.create();
      shared = r;
    }
    users++;
    return r;
  }

  static synchronized void release(ClientResources r) {
    if (r != shared) {
      return;
    }
    if (--users == 0) {
      shared = null;
      // Nobody waits: the I/O threads stop in the background once the last client is gone.
      var unused = r.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  static synchronized int users() {
    return users;
  }
}
