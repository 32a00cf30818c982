package io.holdfast.lock.zookeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.jspecify.annotations.Nullable;

/** Test helpers: plain Curator clients for inspecting and tampering with the server. */
final class ZkTesting {
  private ZkTesting() {}

  static CuratorFramework client(String connectString) {
    return client(connectString, Duration.ofSeconds(10), null);
  }

  static CuratorFramework client(String connectString, Duration session, @Nullable String digest) {
    CuratorFrameworkFactory.Builder b =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs((int) session.toMillis())
            .connectionTimeoutMs(3000)
            .retryPolicy(new RetryNTimes(3, 200))
            .ensembleTracker(false);
    if (digest != null) {
      b.authorization("digest", digest.getBytes(StandardCharsets.UTF_8));
    }
    CuratorFramework c = b.build();
    c.start();
    try {
      if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not connect to " + connectString);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return c;
  }
}
