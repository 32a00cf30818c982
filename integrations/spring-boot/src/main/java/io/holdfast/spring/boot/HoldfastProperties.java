package io.holdfast.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Holdfast's settings under holdfast.*. A property left unset keeps the backend builder's default
 * (see docs/configuration.md); a value the builder refuses stops the application at startup with a
 * message naming the property, the value and what is allowed.
 *
 * <p>Bound once at startup by Spring; not meant to be changed afterwards.
 */
@ConfigurationProperties("holdfast")
public class HoldfastProperties {

  /** Which backend Holdfast uses. */
  public enum Backend {
    /** Redis, through Lettuce (holdfast-lock-redis). */
    REDIS,
    /** ZooKeeper, through Curator (holdfast-lock-zookeeper). */
    ZOOKEEPER,
    /** PostgreSQL, through JDBC (holdfast-lock-postgresql). */
    POSTGRESQL,
    /** etcd, through jetcd (holdfast-lock-etcd). */
    ETCD
  }

  /**
   * The backend. Inferred when unset: the only backend artifact on the classpath, or else the only
   * backend with an address configured (holdfast.redis.uri or spring.data.redis.*;
   * holdfast.zookeeper.connect-string; holdfast.postgresql.url or spring.datasource.url;
   * holdfast.etcd.endpoints).
   */
  private @Nullable Backend backend;

  /**
   * How long each backend command may take, and the bound on connecting. Unset: the builder's
   * default.
   */
  private @Nullable Duration commandTimeout;

  private final Lock lock = new Lock();
  private final Redis redis = new Redis();
  private final ZooKeeper zookeeper = new ZooKeeper();
  private final Postgresql postgresql = new Postgresql();
  private final Etcd etcd = new Etcd();
  private final MembershipSettings membership = new MembershipSettings();
  private final Metrics metrics = new Metrics();
  private final Discovery discovery = new Discovery();

  public @Nullable Backend getBackend() {
    return backend;
  }

  public void setBackend(@Nullable Backend backend) {
    this.backend = backend;
  }

  public @Nullable Duration getCommandTimeout() {
    return commandTimeout;
  }

  public void setCommandTimeout(@Nullable Duration commandTimeout) {
    this.commandTimeout = commandTimeout;
  }

  public Lock getLock() {
    return lock;
  }

  public Redis getRedis() {
    return redis;
  }

  public ZooKeeper getZookeeper() {
    return zookeeper;
  }

  public Postgresql getPostgresql() {
    return postgresql;
  }

  public Etcd getEtcd() {
    return etcd;
  }

  public MembershipSettings getMembership() {
    return membership;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Discovery getDiscovery() {
    return discovery;
  }

  /** Spring Cloud discovery (holdfast.discovery.*). */
  public static class Discovery {
    /**
     * Whether to offer the membership as Spring Cloud's DiscoveryClient and ReactiveDiscoveryClient
     * (services are groups, instances live members) and ServiceRegistry, when spring-cloud-commons
     * is on the classpath.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** Micrometer meters (holdfast.metrics.*). */
  public static class Metrics {
    /**
     * Whether to record lock meters (holdfast.lock.acquire, .held, .active, .lost,
     * .renewal.failures) in the application's MeterRegistry, when it has one.
     */
    private boolean enabled = true;

    /**
     * Whether lock meters carry a "lock" tag mapped from the lock name: none (the default: names
     * are not tags), or prefix (the part before the first ':', "sku" for "sku:42"). A
     * LockNameTagger bean overrides it.
     */
    private LockNameTag lockNameTag = LockNameTag.NONE;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public LockNameTag getLockNameTag() {
      return lockNameTag;
    }

    public void setLockNameTag(LockNameTag lockNameTag) {
      this.lockNameTag = lockNameTag;
    }
  }

  /** How lock names become the lock meters' "lock" tag. */
  public enum LockNameTag {
    /** Not at all. */
    NONE,
    /** The part before the first ':'. */
    PREFIX
  }

  /** The lock service (holdfast.lock.*). */
  public static class Lock {
    /** Whether to create the LockService bean. */
    private boolean enabled = true;

    /**
     * The lease of every grant, renewed in the background while held (Redis, PostgreSQL, etcd;
     * ZooKeeper's lease is the session). Unset: the builder's default.
     */
    private @Nullable Duration leaseTime;

    /** How long acquire(name) waits without an explicit wait. Unset: the default. */
    private @Nullable Duration defaultWait;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public @Nullable Duration getLeaseTime() {
      return leaseTime;
    }

    public void setLeaseTime(@Nullable Duration leaseTime) {
      this.leaseTime = leaseTime;
    }

    public @Nullable Duration getDefaultWait() {
      return defaultWait;
    }

    public void setDefaultWait(@Nullable Duration defaultWait) {
      this.defaultWait = defaultWait;
    }
  }

  /** The Redis backend (holdfast.redis.*). */
  public static class Redis {
    /**
     * The server, as a Lettuce URI (redis://user:password@host:6379/0, rediss://… for TLS,
     * redis-sentinel://…). Unset: built from spring.data.redis.* if any is set, else
     * redis://localhost:6379.
     */
    private @Nullable String uri;

    /** The prefix of every key and channel Holdfast uses. Unset: the builder's default. */
    private @Nullable String keyPrefix;

    /**
     * Replicas that must acknowledge each grant before it is returned (Redis WAIT); 0 waits for
     * none.
     */
    private int waitForReplicas;

    /** How long a grant waits for those replicas. */
    private Duration waitForReplicasTimeout = Duration.ofMillis(100);

    public @Nullable String getUri() {
      return uri;
    }

    public void setUri(@Nullable String uri) {
      this.uri = uri;
    }

    public @Nullable String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(@Nullable String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    public int getWaitForReplicas() {
      return waitForReplicas;
    }

    public void setWaitForReplicas(int waitForReplicas) {
      this.waitForReplicas = waitForReplicas;
    }

    public Duration getWaitForReplicasTimeout() {
      return waitForReplicasTimeout;
    }

    public void setWaitForReplicasTimeout(Duration waitForReplicasTimeout) {
      this.waitForReplicasTimeout = waitForReplicasTimeout;
    }
  }

  /** The ZooKeeper backend (holdfast.zookeeper.*). */
  public static class ZooKeeper {
    /** The ensemble, host:port[,host:port…][/chroot]. Unset: localhost:2181. */
    private @Nullable String connectString;

    /** The session timeout the client asks for. Unset: the builder's default. */
    private @Nullable Duration sessionTimeout;

    /** The root of Holdfast's lock nodes. Unset: the builder's default. */
    private @Nullable String lockRootPath;

    /** The root of Holdfast's membership nodes. Unset: the builder's default. */
    private @Nullable String membershipRootPath;

    /** Digest authentication user (with digest-password); unset: none. */
    private @Nullable String digestUser;

    /** Digest authentication password. */
    private @Nullable String digestPassword;

    public @Nullable String getConnectString() {
      return connectString;
    }

    public void setConnectString(@Nullable String connectString) {
      this.connectString = connectString;
    }

    public @Nullable Duration getSessionTimeout() {
      return sessionTimeout;
    }

    public void setSessionTimeout(@Nullable Duration sessionTimeout) {
      this.sessionTimeout = sessionTimeout;
    }

    public @Nullable String getLockRootPath() {
      return lockRootPath;
    }

    public void setLockRootPath(@Nullable String lockRootPath) {
      this.lockRootPath = lockRootPath;
    }

    public @Nullable String getMembershipRootPath() {
      return membershipRootPath;
    }

    public void setMembershipRootPath(@Nullable String membershipRootPath) {
      this.membershipRootPath = membershipRootPath;
    }

    public @Nullable String getDigestUser() {
      return digestUser;
    }

    public void setDigestUser(@Nullable String digestUser) {
      this.digestUser = digestUser;
    }

    public @Nullable String getDigestPassword() {
      return digestPassword;
    }

    public void setDigestPassword(@Nullable String digestPassword) {
      this.digestPassword = digestPassword;
    }
  }

  /** The PostgreSQL backend (holdfast.postgresql.*). */
  public static class Postgresql {
    /**
     * A JDBC URL (jdbc:postgresql://host:5432/db) for connections of Holdfast's own. Unset: the
     * application's DataSource bean (spring.datasource.*), whose pool the statements then share.
     */
    private @Nullable String url;

    /** The user, with holdfast.postgresql.url. */
    private @Nullable String username;

    /** The password, with holdfast.postgresql.url. */
    private @Nullable String password;

    /** The schema of Holdfast's tables. Unset: the connection's search path. */
    private @Nullable String schema;

    /** The prefix of Holdfast's table names. Unset: the builder's default. */
    private @Nullable String tablePrefix;

    /**
     * Whether the tables are created by a DBA or a migration tool: the services then only check
     * that they exist, and fail with the DDL to run when they do not.
     */
    private boolean schemaManagedExternally;

    public @Nullable String getUrl() {
      return url;
    }

    public void setUrl(@Nullable String url) {
      this.url = url;
    }

    public @Nullable String getUsername() {
      return username;
    }

    public void setUsername(@Nullable String username) {
      this.username = username;
    }

    public @Nullable String getPassword() {
      return password;
    }

    public void setPassword(@Nullable String password) {
      this.password = password;
    }

    public @Nullable String getSchema() {
      return schema;
    }

    public void setSchema(@Nullable String schema) {
      this.schema = schema;
    }

    public @Nullable String getTablePrefix() {
      return tablePrefix;
    }

    public void setTablePrefix(@Nullable String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    public boolean isSchemaManagedExternally() {
      return schemaManagedExternally;
    }

    public void setSchemaManagedExternally(boolean schemaManagedExternally) {
      this.schemaManagedExternally = schemaManagedExternally;
    }
  }

  /** The etcd backend (holdfast.etcd.*). */
  public static class Etcd {
    /**
     * The cluster's client URLs (http://host:2379; https:// turns TLS on). Unset:
     * http://localhost:2379.
     */
    private List<String> endpoints = new ArrayList<>();

    /** The etcd user (with holdfast.etcd.password); unset: no authentication. */
    private @Nullable String user;

    /** The etcd password. */
    private @Nullable String password;

    /** The key prefix of every key Holdfast uses. Unset: the builder's default. */
    private @Nullable String namespace;

    /**
     * A PEM file of the certificates to trust for TLS (e.g. etcd's CA). Unset: the JVM's trust
     * store, for https:// endpoints.
     */
    private @Nullable Path tlsTrustedCertificates;

    public List<String> getEndpoints() {
      return endpoints;
    }

    public void setEndpoints(List<String> endpoints) {
      this.endpoints = endpoints;
    }

    public @Nullable String getUser() {
      return user;
    }

    public void setUser(@Nullable String user) {
      this.user = user;
    }

    public @Nullable String getPassword() {
      return password;
    }

    public void setPassword(@Nullable String password) {
      this.password = password;
    }

    public @Nullable String getNamespace() {
      return namespace;
    }

    public void setNamespace(@Nullable String namespace) {
      this.namespace = namespace;
    }

    public @Nullable Path getTlsTrustedCertificates() {
      return tlsTrustedCertificates;
    }

    public void setTlsTrustedCertificates(@Nullable Path tlsTrustedCertificates) {
      this.tlsTrustedCertificates = tlsTrustedCertificates;
    }
  }

  /** Cluster membership (holdfast.membership.*). */
  public static class MembershipSettings {
    /** Whether to create the Membership bean. */
    private boolean enabled = true;

    /**
     * Redis, PostgreSQL, etcd: how long a member stays listed without a heartbeat (heartbeats every
     * third of it; on etcd the members' lease). Unset: the builder's default.
     */
    private @Nullable Duration heartbeatTtl;

    /**
     * Redis, PostgreSQL: how often a watcher re-reads the whole group to repair a missed change.
     * Unset: the builder's default.
     */
    private @Nullable Duration reconcileInterval;

    /**
     * Whether this application registers itself in group once it is ready, and leaves at shutdown
     * before its web server stops taking requests.
     */
    private boolean register = true;

    /** The group to register in. Unset: spring.application.name. */
    private @Nullable String group;

    /** This instance's member id. Unset: the group name and a random suffix, new per start. */
    private @Nullable String id;

    /** The address peers reach this instance at. Unset: the first non-loopback address. */
    private @Nullable String host;

    /** The port peers reach this instance at. Unset: the web server's actual port, or 0. */
    private @Nullable Integer port;

    /** Extra metadata published with this member (holdfast.membership.metadata.zone=a). */
    private Map<String, String> metadata = new LinkedHashMap<>();

    private final Election election = new Election();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public boolean isRegister() {
      return register;
    }

    public void setRegister(boolean register) {
      this.register = register;
    }

    public @Nullable String getGroup() {
      return group;
    }

    public void setGroup(@Nullable String group) {
      this.group = group;
    }

    public @Nullable String getId() {
      return id;
    }

    public void setId(@Nullable String id) {
      this.id = id;
    }

    public @Nullable String getHost() {
      return host;
    }

    public void setHost(@Nullable String host) {
      this.host = host;
    }

    public @Nullable Integer getPort() {
      return port;
    }

    public void setPort(@Nullable Integer port) {
      this.port = port;
    }

    public Map<String, String> getMetadata() {
      return metadata;
    }

    public void setMetadata(Map<String, String> metadata) {
      this.metadata = metadata;
    }

    public Election getElection() {
      return election;
    }

    public @Nullable Duration getHeartbeatTtl() {
      return heartbeatTtl;
    }

    public void setHeartbeatTtl(@Nullable Duration heartbeatTtl) {
      this.heartbeatTtl = heartbeatTtl;
    }

    public @Nullable Duration getReconcileInterval() {
      return reconcileInterval;
    }

    public void setReconcileInterval(@Nullable Duration reconcileInterval) {
      this.reconcileInterval = reconcileInterval;
    }
  }

  /** Leader election among the registered instances (holdfast.membership.election.*). */
  public static class Election {
    /**
     * Whether this instance stands for leader of its group once registered; gaining and losing
     * leadership are published as HoldfastLeadershipEvents.
     */
    private boolean enabled;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
