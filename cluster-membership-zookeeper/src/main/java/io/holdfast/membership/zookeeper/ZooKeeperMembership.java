package io.holdfast.membership.zookeeper;

import io.holdfast.lock.LockService;
import io.holdfast.lock.internal.Checks;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.lock.zookeeper.internal.ZkSupport;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipBackendException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.zookeeper.data.ACL;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Membership} over Apache ZooKeeper, through Curator.
 *
 * <pre>{@code
 * Membership membership = ZooKeeperMembership.builder("zk1:2181,zk2:2181,zk3:2181")
 *     .sessionTimeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <h2>How it works</h2>
 *
 * A member is an ephemeral node {@code <rootPath>/<group>/<id>} holding the member's payload
 * ({@code holdfast-member/1}, see {@code docs/membership.md}); its join time is the node's creation
 * time. The group and root nodes are container nodes, which the server deletes once empty.
 * Registering an id whose node exists fails with {@link
 * io.holdfast.membership.DuplicateMemberException}; nothing is overwritten. Each group watched by a
 * membership instance costs one persistent recursive watch, whatever the number of local watchers
 * and views; no thread is started per watcher.
 *
 * <h2>Failure detection</h2>
 *
 * A member that crashes or is cut off leaves when the server expires its session: within the
 * <b>session timeout plus one server tick</b> (plus delivery). A registration whose session expired
 * while its process lived is reported {@code lost}; as soon as the client has a new session the
 * node is created again (never over another live member's node) and the registration reports {@code
 * reRegistered}. A SUSPENDED connection does not end a registration (the node lives as long as the
 * session), but it ends leadership at once: elections run on a {@link ZooKeeperLockService} over
 * the same client, whose grants are given up on SUSPENDED. Its lock folders live under the same
 * root, as {@code <rootPath>/holdfast.election%2F<group>} (group names cannot contain {@code %}, so
 * they never meet a group node); memberships with different roots never share an election.
 *
 * <h2>Clients</h2>
 *
 * A {@link CuratorFramework} passed to {@link #builder(CuratorFramework)} stays the application's
 * and is never closed; one built from a connect string is owned and closed on {@link
 * Membership#close()}, which ends its session. Backend calls are bounded by the command timeout and
 * fail with {@link MembershipBackendException}.
 */
public final class ZooKeeperMembership {
  /** The default root under which group nodes are created. */
  public static final String DEFAULT_ROOT_PATH = "/holdfast/groups";

  /** The default session timeout of a client the membership creates. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

  private ZooKeeperMembership() {}

  /**
   * A builder over the application's started client, which the membership never closes. With {@link
   * Builder#digestAuth}, the client must already carry the same digest credentials.
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
   * A builder that creates (and on close, closes) its own Curator client.
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
   * Options of a ZooKeeper membership. Not thread-safe; each setter validates at once and throws
   * {@link NullPointerException} for null and {@link IllegalArgumentException} for values out of
   * range.
   */
  public static final class Builder {
    private final @Nullable CuratorFramework client;
    private final @Nullable String connectString;
    private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
    private Duration commandTimeout = Duration.ofSeconds(3);
    private String rootPath = DEFAULT_ROOT_PATH;
    private @Nullable String digestUser;
    private @Nullable String digestPassword;
    private @Nullable Executor callbackExecutor;

    private Builder(@Nullable CuratorFramework client, @Nullable String connectString) {
      this.client = client;
      this.connectString = connectString;
    }

    /**
     * The session timeout the membership's own client asks for: how long a crashed member stays
     * visible (the server may clamp it to its own bounds). Only for {@link
     * ZooKeeperMembership#builder(String)}. Default 10 s.
     *
     * @param sessionTimeout between 100 ms and 1 day
     * @return this builder
     * @throws IllegalStateException if the builder was made with an application's client
     */
    public Builder sessionTimeout(Duration sessionTimeout) {
      Checks.checkRange(
          sessionTimeout, "sessionTimeout", Duration.ofMillis(100), Duration.ofDays(1));
      if (client != null) {
        throw new IllegalStateException(
            "sessionTimeout applies only to a client the membership creates; set it on your CuratorFramework");
      }
      this.sessionTimeout = sessionTimeout;
      return this;
    }

    /**
     * How long one backend operation (register, update, read, leave) may take before it fails with
     * {@link MembershipBackendException}; also the connection timeout of a client the membership
     * creates (at most its session timeout). Default 3 s.
     *
     * @param commandTimeout between 10 ms and 1 day
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout =
          Checks.checkRange(
              commandTimeout, "commandTimeout", Duration.ofMillis(10), Duration.ofDays(1));
      return this;
    }

    /**
     * The node under which groups live (inside the client's namespace, if it has one). Default
     * {@value ZooKeeperMembership#DEFAULT_ROOT_PATH}.
     *
     * @param rootPath an absolute ZooKeeper path other than {@code "/"}, without a trailing slash
     * @return this builder
     */
    public Builder rootPath(String rootPath) {
      this.rootPath = ZkSupport.checkRootPath(rootPath);
      return this;
    }

    /**
     * Protects member nodes, and the group and root nodes the membership creates, with a digest
     * ACL: full rights for {@code user:password}, read-only for everyone else, so a client without
     * the credentials can see members but can neither remove, alter nor add them. Nodes that exist
     * already keep their ACL. Election locks get the same ACL. A client the membership creates
     * authenticates with these credentials; an application's client must already carry them.
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
     * Where listeners run by default. Default: a library thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the membership. With {@link ZooKeeperMembership#builder(String)} this starts a client
     * that connects in the background: the first operations wait for it within the command timeout.
     *
     * @return a new, open membership; close it when done
     * @throws MembershipBackendException if the client cannot be set up
     */
    public Membership build() {
      String user = digestUser;
      String password = digestPassword;
      List<ACL> acl = user != null && password != null ? ZkSupport.digestAcl(user, password) : null;
      CuratorFramework c = client;
      boolean owns = false;
      LockService locks = null;
      try {
        if (c == null) {
          c =
              ZkSupport.startClient(
                  Objects.requireNonNull(connectString, "connectString"),
                  sessionTimeout,
                  commandTimeout,
                  user,
                  password);
          owns = true;
        }
        ZooKeeperLockService.Builder lockBuilder =
            ZooKeeperLockService.builder(c).commandTimeout(commandTimeout).rootPath(rootPath);
        if (user != null && password != null) {
          lockBuilder.digestAuth(user, password);
        }
        locks = lockBuilder.build();
        return new ZooKeeperMembershipImpl(
            c, owns, locks, rootPath, acl, commandTimeout, callbackExecutor);
      } catch (RuntimeException e) {
        if (locks != null) {
          locks.close();
        }
        if (owns && c != null) {
          c.close();
        }
        throw new MembershipBackendException(
            "could not set up ZooKeeper membership: " + e.getMessage(), e);
      }
    }
  }
}
