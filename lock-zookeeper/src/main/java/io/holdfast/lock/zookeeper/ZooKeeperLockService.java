package io.holdfast.lock.zookeeper;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockObserver;
import io.holdfast.lock.LockService;
import io.holdfast.lock.Ticker;
import io.holdfast.lock.internal.Checks;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.zookeeper.internal.ZkSupport;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.zookeeper.data.ACL;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link LockService} over Apache ZooKeeper.
 *
 * <pre>{@code
 * LockService locks = ZooKeeperLockService.builder("zk1:2181,zk2:2181,zk3:2181")
 *     .sessionTimeout(Duration.ofSeconds(10))
 *     .build();
 * try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(2))) {
 *     stock.decrement(sku, lock.fencingToken());
 * }
 * }</pre>
 *
 * <h2>How it works</h2>
 *
 * Each acquire creates an ephemeral-sequential node (Curator's protected mode) under {@code
 * <rootPath>/<encoded name>/}, whose parents are container nodes that the server deletes once
 * empty. The lowest sequence number holds the lock; every other waiter watches only the node just
 * before its own, so a release wakes exactly one waiter. The fencing token is the creation zxid
 * ({@code czxid}) of the holder's node: it grows with every grant of a name and survives restarts
 * of the ensemble, unlike the sequence number, which restarts when the container is re-created. An
 * uncontended acquire and release costs three requests (create, getChildren, delete) in two round
 * trips: the listing is sent right behind the create, without waiting for its answer.
 *
 * <h2>Leases and loss</h2>
 *
 * A grant lives as long as the client's ZooKeeper session (the lease time of other backends does
 * not apply: the <em>session timeout</em> is the lease). A holder is told its lock may be lost —
 * {@link LockHandle#isHeld()} turns {@code false} and {@link LockHandle#onLost} listeners run —
 * when the connection is {@link LossPolicy#SUSPENDED suspended} (default), or with {@link
 * LossPolicy#LOST} only when the session is lost; in both cases also when its node is deleted by
 * someone else. A lost grant is never held again; its node is deleted as soon as ZooKeeper can be
 * reached. A backend outage fails acquires with {@link io.holdfast.lock.LockBackendException}
 * within the command timeout.
 *
 * <h2>Clients and threads</h2>
 *
 * A {@link CuratorFramework} passed to {@link #builder(CuratorFramework)} stays the application's:
 * the service never closes it (it does remove its own listener). All ZooKeeper calls are
 * asynchronous (Curator background operations); no thread is started per lock or per waiter.
 * Lost-listeners and successful {@link LockService#acquireAsync} futures run on the callback
 * executor, never on the ZooKeeper client's event thread.
 *
 * <p>Services are thread-safe. Builders are not; each setter validates at once.
 */
public final class ZooKeeperLockService {
  /** The default root under which lock nodes are created. */
  public static final String DEFAULT_ROOT_PATH = "/holdfast/locks";

  /** The default session timeout of a client the service creates. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

  private ZooKeeperLockService() {}

  /** When a holder is told that its lock may be lost. */
  public enum LossPolicy {
    /**
     * As soon as the connection is suspended (default). Safe: while the client cannot reach
     * ZooKeeper it cannot know whether its session — and the lock — still exists, and Curator does
     * not always report LOST. Costs a lost lock on a short network blip.
     */
    SUSPENDED,
    /**
     * Only when the session is lost (expired, or unreachable past the session timeout). Holds
     * through short blips, but between the suspension and the LOST report another client may
     * already hold the lock: rely on fencing tokens.
     */
    LOST
  }

  /**
   * A builder for a service that uses the application's started client. The service never closes
   * the client. With {@link Builder#digestAuth}, the client must already carry the same digest
   * credentials ({@code CuratorFrameworkFactory.builder().authorization("digest", ...)}).
   *
   * @param client a started Curator client
   * @return a new builder
   * @throws IllegalArgumentException if the client is not started
   */
  public static Builder builder(CuratorFramework client) {
    Objects.requireNonNull(client, "client");
    if (client.getState() != CuratorFrameworkState.STARTED) {
      throw new IllegalArgumentException(
          "client must be started (CuratorFramework.start()), was " + client.getState());
    }
    return new Builder(client, null);
  }

  /**
   * A builder for a service that opens (and on close, closes) its own Curator client.
   *
   * @param connectString a ZooKeeper connect string, e.g. {@code "zk1:2181,zk2:2181/chroot"}
   * @return a new builder
   * @throws IllegalArgumentException if the connect string is blank
   */
  public static Builder builder(String connectString) {
    Objects.requireNonNull(connectString, "connectString");
    if (connectString.isBlank()) {
      throw new IllegalArgumentException("connectString must not be blank");
    }
    return new Builder(null, connectString.trim());
  }

  /**
   * Builds a ZooKeeper {@link LockService}. Not thread-safe; each setter validates at once and
   * throws {@link NullPointerException} for null and {@link IllegalArgumentException} for values
   * out of range.
   */
  public static final class Builder {
    private static final Duration MIN_SESSION_TIMEOUT = Duration.ofMillis(100);

    private final @Nullable CuratorFramework client;
    private final @Nullable String connectString;
    private final ServiceConfig.Builder config = new ServiceConfig.Builder();
    private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
    private String rootPath = DEFAULT_ROOT_PATH;
    private LossPolicy lossPolicy = LossPolicy.SUSPENDED;
    private @Nullable String digestUser;
    private @Nullable String digestPassword;

    private Builder(@Nullable CuratorFramework client, @Nullable String connectString) {
      this.client = client;
      this.connectString = connectString;
    }

    /**
     * How long {@link LockService#acquire(String)} waits. Default 30 s.
     *
     * @param defaultWait zero or positive
     * @return this builder
     */
    public Builder defaultWait(Duration defaultWait) {
      config.defaultWait(defaultWait);
      return this;
    }

    /**
     * How long one ZooKeeper request may take before the operation fails with {@link
     * io.holdfast.lock.LockBackendException}; also the connection timeout of a client the service
     * creates (capped at its session timeout), and the longest a {@code close()} waits for a
     * release. Default 3 s.
     *
     * @param commandTimeout between 10 ms and 1 day
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      config.commandTimeout(commandTimeout);
      return this;
    }

    /**
     * The session timeout the service's own client asks for: how long a grant outlives a client
     * that stopped talking to ZooKeeper (the server may clamp it to its own bounds). Only for
     * {@link ZooKeeperLockService#builder(String)}; the session of an application's client is set
     * on that client. Default 10 s.
     *
     * @param sessionTimeout between 100 ms and 1 day
     * @return this builder
     * @throws IllegalStateException if the builder was made with an application's client
     */
    public Builder sessionTimeout(Duration sessionTimeout) {
      Checks.checkRange(
          sessionTimeout, "sessionTimeout", MIN_SESSION_TIMEOUT, ServiceConfig.MAX_TIMEOUT);
      if (client != null) {
        throw new IllegalStateException(
            "sessionTimeout applies only to a client the service creates; set it on your CuratorFramework");
      }
      this.sessionTimeout = sessionTimeout;
      return this;
    }

    /**
     * The node under which locks live (inside the client's namespace, if it has one). Default
     * {@value ZooKeeperLockService#DEFAULT_ROOT_PATH}.
     *
     * @param rootPath an absolute ZooKeeper path other than {@code "/"}, without a trailing slash
     * @return this builder
     */
    public Builder rootPath(String rootPath) {
      this.rootPath = ZkSupport.checkRootPath(rootPath);
      return this;
    }

    /**
     * When holders are told that their lock may be lost. Default {@link LossPolicy#SUSPENDED}.
     *
     * @param lossPolicy the policy
     * @return this builder
     */
    public Builder lossPolicy(LossPolicy lossPolicy) {
      this.lossPolicy = Objects.requireNonNull(lossPolicy, "lossPolicy");
      return this;
    }

    /**
     * Protects lock nodes with a digest ACL: full rights for {@code user:password}, read-only for
     * everyone else, so that a client without these credentials can neither delete nor alter them.
     * The ACL also applies to the folders the service creates (the root path and one per name);
     * folders that exist already keep theirs, so create the root path with this ACL too. A client
     * the service creates authenticates with these credentials; an application's client must
     * already carry them.
     *
     * @param user the digest user name, not blank and without ':'
     * @param password the password, not empty
     * @return this builder
     */
    public Builder digestAuth(String user, String password) {
      ZkSupport.checkDigest(user, password);
      this.digestUser = user;
      this.digestPassword = password;
      return this;
    }

    /**
     * Where lost-listeners run. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      config.callbackExecutor(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * Sets an observer that sees how each acquire ended and how long it waited, each release with
     * the time held, each lost lease, and each failed renewal round: for metrics and tracing (the
     * Spring Boot starter binds one to Micrometer). Default: none.
     *
     * @param observer the observer; its methods must be fast and must not block
     * @return this builder
     */
    public Builder observer(LockObserver observer) {
      config.observer(Objects.requireNonNull(observer, "observer"));
      return this;
    }

    /**
     * Sets the time source leases, renewals and pause detection are judged by, for tests on fake
     * time (the testkit's {@code FakeTicker}). Default: {@link Ticker#system()}.
     *
     * @param ticker the time source
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      config.ticker(Objects.requireNonNull(ticker, "ticker"));
      return this;
    }

    /**
     * Builds the service. With {@link ZooKeeperLockService#builder(String)} this starts a client
     * that connects in the background: the first acquires wait for it within their time limits.
     *
     * @return a new service; close it when done
     */
    public LockService build() {
      ServiceConfig cfg = config.build();
      List<ACL> acl = null;
      String user = digestUser;
      String password = digestPassword;
      if (user != null && password != null) {
        acl = ZkSupport.digestAcl(user, password);
      }
      CuratorFramework c = client;
      boolean owns = false;
      if (c == null) {
        c =
            ZkSupport.startClient(
                Objects.requireNonNull(connectString, "connectString"),
                sessionTimeout,
                cfg.commandTimeout(),
                user,
                password);
        owns = true;
      }
      return new ZooKeeperLockServiceImpl(cfg, c, owns, rootPath, lossPolicy, acl);
    }
  }
}
