package io.holdfast.spring.boot;

import io.holdfast.lock.LockObserver;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.Subscription;
import io.holdfast.membership.etcd.EtcdMembership;
import io.holdfast.membership.postgresql.PostgresMembership;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.holdfast.spring.boot.HoldfastProperties.Backend;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Holdfast's beans: a {@link LockService} ({@code holdfast.lock.enabled}, default true) and a
 * {@link Membership} ({@code holdfast.membership.enabled}, default true) over the backend chosen by
 * {@code holdfast.backend} or inferred (see {@link HoldfastProperties#getBackend()}). The backend's
 * lock module ({@code holdfast-lock-<backend>}) gives the lock service; the membership needs its
 * membership module too ({@code holdfast-cluster-membership-<backend>}). Each bean backs off when
 * the application defines its own bean of that type, and is closed when the context closes: leases
 * released, registrations removed.
 *
 * <p>Methods annotated with {@link Locked} run under the lock they name.
 *
 * <p>Both beans connect when they are created, so an unreachable server or a refused password stops
 * the application at startup with the backend's error, not at the first lock.
 */
@AutoConfiguration
@EnableConfigurationProperties(HoldfastProperties.class)
@Import(LockedConfiguration.class)
public class HoldfastAutoConfiguration {

  /**
   * Fails startup with a readable report when Holdfast beans are wanted but no backend can be
   * chosen (none on the classpath, an unknown {@code holdfast.backend}, or two candidates).
   */
  @Bean
  @Conditional(NoBackendCondition.class)
  @ConditionalOnMissingBean({LockService.class, Membership.class})
  static Object holdfastBackendUnresolved(Environment env) {
    return BackendResolver.resolve(env, HoldfastAutoConfiguration.class.getClassLoader());
  }

  /**
   * Registers this application in its group once it is ready, and leaves before the web server
   * stops ({@code holdfast.membership.register}, default true).
   */
  @Bean
  @ConditionalOnBean(Membership.class)
  @ConditionalOnMissingBean(HoldfastInstance.class)
  @ConditionalOnProperty(prefix = "holdfast.membership", name = "register", matchIfMissing = true)
  HoldfastInstance holdfastInstance(
      Membership membership,
      HoldfastProperties props,
      Environment env,
      ApplicationEventPublisher events,
      ObjectProvider<HoldfastInstance.Hook> hooks) {
    return new HoldfastInstance(
        membership, props.getMembership(), env, events, hooks.orderedStream().toList());
  }

  /**
   * The application's {@link MembershipListener} beans see the joins, updates and leaves of this
   * instance's group, its {@link LeadershipListener} beans this instance's election, while it is
   * registered.
   */
  @Bean
  static HoldfastInstance.Hook holdfastListenerBeans(
      ObjectProvider<MembershipListener> members, ObjectProvider<LeadershipListener> leadership) {
    return (instance, group) -> {
      List<Subscription> watches =
          members.orderedStream().map(l -> instance.membership().watch(group, l)).toList();
      instance
          .election()
          .ifPresent(
              e -> leadership.orderedStream().forEach(l -> e.addListener(new OncePerEpoch(l))));
      return () -> watches.forEach(Subscription::close);
    };
  }

  /**
   * Lock meters in the application's Micrometer registry ({@code holdfast.metrics.enabled}, default
   * true), when it has one.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnProperty(prefix = "holdfast.metrics", name = "enabled", matchIfMissing = true)
  static class Metrics {
    // The registry is looked up when the lock service is built, after every bean definition is
    // known, so this works whichever auto-configuration defines the registry.
    @Bean
    static LockObserver holdfastLockMetrics(
        ObjectProvider<MeterRegistry> registries,
        ObjectProvider<LockNameTagger> taggers,
        Environment env) {
      MeterRegistry registry = registries.getIfUnique();
      if (registry == null) {
        return LockObserver.NONE;
      }
      LockNameTagger tagger = taggers.getIfUnique();
      // Read from the environment, not HoldfastProperties: binding every holdfast.* property this
      // early would fail on an invalid one before the startup report could name it.
      if (tagger == null
          && Binder.get(env)
                  .bind("holdfast.metrics.lock-name-tag", HoldfastProperties.LockNameTag.class)
                  .orElse(HoldfastProperties.LockNameTag.NONE)
              == HoldfastProperties.LockNameTag.PREFIX) {
        tagger = LockNameTagger.PREFIX;
      }
      return new MicrometerLockObserver(
          registry, BackendResolver.tag(env, Metrics.class.getClassLoader()), tagger);
    }

    @Bean
    static HoldfastInstance.Hook holdfastMembershipMeters(
        ObjectProvider<MeterRegistry> registries) {
      return (instance, group) -> {
        MeterRegistry registry = registries.getIfUnique();
        return registry == null
            ? () -> {}
            : new MembershipMeters(registry, instance.membership(), group, instance::election);
      };
    }
  }

  /** The holdfast health indicator, when the application has Spring Boot 4's health support. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnProperty(
      prefix = "management.health.holdfast",
      name = "enabled",
      matchIfMissing = true)
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "holdfastHealthIndicator")
    HoldfastHealthIndicator holdfastHealthIndicator(
        ObjectProvider<LockService> locks,
        ObjectProvider<HoldfastInstance> instance,
        Environment env) {
      return new HoldfastHealthIndicator(
          new HoldfastHealthCheck(
              locks.getIfUnique(),
              instance.getIfUnique(),
              BackendResolver.tag(env, Health.class.getClassLoader())));
    }
  }

  /** The Redis backend. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RedisLockService.class)
  @Conditional(OnRedisCondition.class)
  static class RedisBackend {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LockService.class)
    @ConditionalOnProperty(prefix = "holdfast.lock", name = "enabled", matchIfMissing = true)
    LockService holdfastLockService(
        HoldfastProperties props, Environment env, ObjectProvider<LockObserver> observers) {
      Settings set = new Settings(env);
      RedisURI uri = RedisUris.from(props.getRedis(), env);
      RedisLockService.Builder b = RedisLockService.builder(uri);
      b.observer(CompositeLockObserver.of(observers));
      set.apply("holdfast.lock.lease-time", props.getLock().getLeaseTime(), b::leaseTime);
      set.apply("holdfast.lock.default-wait", props.getLock().getDefaultWait(), b::defaultWait);
      set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
      set.apply("holdfast.redis.key-prefix", props.getRedis().getKeyPrefix(), b::keyPrefix);
      HoldfastProperties.Redis redis = props.getRedis();
      if (redis.getWaitForReplicas() != 0) {
        set.apply(
            "holdfast.redis.wait-for-replicas",
            redis.getWaitForReplicas(),
            n -> b.waitForReplicas(n, redis.getWaitForReplicasTimeout()));
      }
      return b.build();
    }

    /** The Redis membership, when holdfast-cluster-membership-redis is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RedisMembership.class)
    static class RedisMembershipBackend {

      @Bean(destroyMethod = "close")
      @ConditionalOnMissingBean(Membership.class)
      @ConditionalOnProperty(
          prefix = "holdfast.membership",
          name = "enabled",
          matchIfMissing = true)
      Membership holdfastMembership(HoldfastProperties props, Environment env) {
        Settings set = new Settings(env);
        RedisURI uri = RedisUris.from(props.getRedis(), env);
        RedisMembership.Builder b = RedisMembership.builder(uri);
        HoldfastProperties.MembershipSettings m = props.getMembership();
        set.apply("holdfast.membership.heartbeat-ttl", m.getHeartbeatTtl(), b::heartbeatTtl);
        set.apply(
            "holdfast.membership.reconcile-interval",
            m.getReconcileInterval(),
            b::reconcileInterval);
        set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
        set.apply("holdfast.redis.key-prefix", props.getRedis().getKeyPrefix(), b::keyPrefix);
        return b.build();
      }
    }
  }

  /** The ZooKeeper backend. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ZooKeeperLockService.class)
  @Conditional(OnZooKeeperCondition.class)
  static class ZooKeeperBackend {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LockService.class)
    @ConditionalOnProperty(prefix = "holdfast.lock", name = "enabled", matchIfMissing = true)
    LockService holdfastLockService(
        HoldfastProperties props, Environment env, ObjectProvider<LockObserver> observers) {
      Settings set = new Settings(env);
      HoldfastProperties.ZooKeeper zk = props.getZookeeper();
      ZooKeeperLockService.Builder b = ZooKeeperLockService.builder(connectString(zk));
      b.observer(CompositeLockObserver.of(observers));
      set.apply("holdfast.lock.default-wait", props.getLock().getDefaultWait(), b::defaultWait);
      set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
      set.apply("holdfast.zookeeper.session-timeout", zk.getSessionTimeout(), b::sessionTimeout);
      set.apply("holdfast.zookeeper.lock-root-path", zk.getLockRootPath(), b::rootPath);
      digest(zk, b::digestAuth);
      return b.build();
    }

    /** The ZooKeeper membership, when holdfast-cluster-membership-zookeeper is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ZooKeeperMembership.class)
    static class ZooKeeperMembershipBackend {

      @Bean(destroyMethod = "close")
      @ConditionalOnMissingBean(Membership.class)
      @ConditionalOnProperty(
          prefix = "holdfast.membership",
          name = "enabled",
          matchIfMissing = true)
      Membership holdfastMembership(HoldfastProperties props, Environment env) {
        Settings set = new Settings(env);
        HoldfastProperties.ZooKeeper zk = props.getZookeeper();
        ZooKeeperMembership.Builder b = ZooKeeperMembership.builder(connectString(zk));
        set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
        set.apply("holdfast.zookeeper.session-timeout", zk.getSessionTimeout(), b::sessionTimeout);
        set.apply(
            "holdfast.zookeeper.membership-root-path", zk.getMembershipRootPath(), b::rootPath);
        digest(zk, b::digestAuth);
        return b.build();
      }
    }

    private static String connectString(HoldfastProperties.ZooKeeper zk) {
      String connect = zk.getConnectString();
      return connect != null ? connect : "localhost:2181";
    }

    private static void digest(HoldfastProperties.ZooKeeper zk, BiConsumer<String, String> setter) {
      userAndPassword(
          "holdfast.zookeeper.digest-user",
          "holdfast.zookeeper.digest-password",
          zk.getDigestUser(),
          zk.getDigestPassword(),
          setter);
    }
  }

  /**
   * The PostgreSQL backend: on the application's DataSource bean (its pool), or on
   * holdfast.postgresql.url when set.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(PostgresLockService.class)
  @Conditional(OnPostgresqlCondition.class)
  static class PostgresqlBackend {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LockService.class)
    @ConditionalOnProperty(prefix = "holdfast.lock", name = "enabled", matchIfMissing = true)
    LockService holdfastLockService(
        HoldfastProperties props,
        Environment env,
        ObjectProvider<LockObserver> observers,
        ObjectProvider<DataSource> dataSources) {
      Settings set = new Settings(env);
      HoldfastProperties.Postgresql pg = props.getPostgresql();
      String url = pg.getUrl();
      PostgresLockService.Builder b =
          url != null
              ? set.build("holdfast.postgresql.url", url, PostgresLockService::builder)
              : PostgresLockService.builder(dataSource(dataSources));
      b.observer(CompositeLockObserver.of(observers));
      if (url != null) {
        set.apply("holdfast.postgresql.username", pg.getUsername(), b::user);
        set.apply("holdfast.postgresql.password", pg.getPassword(), b::password);
      }
      set.apply("holdfast.lock.lease-time", props.getLock().getLeaseTime(), b::leaseTime);
      set.apply("holdfast.lock.default-wait", props.getLock().getDefaultWait(), b::defaultWait);
      set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
      set.apply("holdfast.postgresql.schema", pg.getSchema(), b::schema);
      set.apply("holdfast.postgresql.table-prefix", pg.getTablePrefix(), b::tablePrefix);
      b.schemaManagedExternally(pg.isSchemaManagedExternally());
      return b.build();
    }

    /** The PostgreSQL membership, when holdfast-cluster-membership-postgresql is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(PostgresMembership.class)
    static class PostgresqlMembershipBackend {

      @Bean(destroyMethod = "close")
      @ConditionalOnMissingBean(Membership.class)
      @ConditionalOnProperty(
          prefix = "holdfast.membership",
          name = "enabled",
          matchIfMissing = true)
      Membership holdfastMembership(
          HoldfastProperties props, Environment env, ObjectProvider<DataSource> dataSources) {
        Settings set = new Settings(env);
        HoldfastProperties.Postgresql pg = props.getPostgresql();
        String url = pg.getUrl();
        PostgresMembership.Builder b =
            url != null
                ? set.build("holdfast.postgresql.url", url, PostgresMembership::builder)
                : PostgresMembership.builder(dataSource(dataSources));
        if (url != null) {
          set.apply("holdfast.postgresql.username", pg.getUsername(), b::user);
          set.apply("holdfast.postgresql.password", pg.getPassword(), b::password);
        }
        HoldfastProperties.MembershipSettings m = props.getMembership();
        set.apply("holdfast.membership.heartbeat-ttl", m.getHeartbeatTtl(), b::heartbeatTtl);
        set.apply(
            "holdfast.membership.reconcile-interval",
            m.getReconcileInterval(),
            b::reconcileInterval);
        set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
        set.apply("holdfast.postgresql.schema", pg.getSchema(), b::schema);
        set.apply("holdfast.postgresql.table-prefix", pg.getTablePrefix(), b::tablePrefix);
        b.schemaManagedExternally(pg.isSchemaManagedExternally());
        return b.build();
      }
    }

    private static DataSource dataSource(ObjectProvider<DataSource> dataSources) {
      DataSource ds = dataSources.getIfUnique();
      if (ds == null) {
        throw new InvalidHoldfastPropertyException(
            "holdfast.postgresql.url",
            "",
            "set it, or give the application one DataSource bean (spring.datasource.*) for"
                + " Holdfast to share");
      }
      return ds;
    }
  }

  /** The etcd backend. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(EtcdLockService.class)
  @Conditional(OnEtcdCondition.class)
  static class EtcdBackend {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(LockService.class)
    @ConditionalOnProperty(prefix = "holdfast.lock", name = "enabled", matchIfMissing = true)
    LockService holdfastLockService(
        HoldfastProperties props, Environment env, ObjectProvider<LockObserver> observers) {
      Settings set = new Settings(env);
      HoldfastProperties.Etcd etcd = props.getEtcd();
      EtcdLockService.Builder b =
          set.build("holdfast.etcd.endpoints", endpoints(etcd), EtcdLockService::builder);
      b.observer(CompositeLockObserver.of(observers));
      set.apply("holdfast.lock.lease-time", props.getLock().getLeaseTime(), b::leaseTime);
      set.apply("holdfast.lock.default-wait", props.getLock().getDefaultWait(), b::defaultWait);
      set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
      set.apply("holdfast.etcd.namespace", etcd.getNamespace(), b::namespace);
      set.apply("holdfast.etcd.tls-trusted-certificates", etcd.getTlsTrustedCertificates(), b::tls);
      auth(etcd, b::auth);
      return b.build();
    }

    /** The etcd membership, when holdfast-cluster-membership-etcd is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(EtcdMembership.class)
    static class EtcdMembershipBackend {

      @Bean(destroyMethod = "close")
      @ConditionalOnMissingBean(Membership.class)
      @ConditionalOnProperty(
          prefix = "holdfast.membership",
          name = "enabled",
          matchIfMissing = true)
      Membership holdfastMembership(HoldfastProperties props, Environment env) {
        Settings set = new Settings(env);
        HoldfastProperties.Etcd etcd = props.getEtcd();
        EtcdMembership.Builder b =
            set.build("holdfast.etcd.endpoints", endpoints(etcd), EtcdMembership::builder);
        set.apply(
            "holdfast.membership.heartbeat-ttl",
            props.getMembership().getHeartbeatTtl(),
            b::leaseTime);
        set.apply("holdfast.command-timeout", props.getCommandTimeout(), b::commandTimeout);
        set.apply("holdfast.etcd.namespace", etcd.getNamespace(), b::namespace);
        set.apply(
            "holdfast.etcd.tls-trusted-certificates", etcd.getTlsTrustedCertificates(), b::tls);
        auth(etcd, b::auth);
        return b.build();
      }
    }

    private static String[] endpoints(HoldfastProperties.Etcd etcd) {
      List<String> endpoints = etcd.getEndpoints();
      return endpoints.isEmpty()
          ? new String[] {"http://localhost:2379"}
          : endpoints.toArray(String[]::new);
    }

    private static void auth(HoldfastProperties.Etcd etcd, BiConsumer<String, String> setter) {
      userAndPassword(
          "holdfast.etcd.user",
          "holdfast.etcd.password",
          etcd.getUser(),
          etcd.getPassword(),
          setter);
    }
  }

  /**
   * Hands a user and password to a builder: both set, or neither.
   *
   * @throws InvalidHoldfastPropertyException if only one is set, or the builder refuses the user
   */
  static void userAndPassword(
      String userProperty,
      String passwordProperty,
      @Nullable String user,
      @Nullable String password,
      BiConsumer<String, String> setter) {
    if (user == null && password == null) {
      return;
    }
    if (user == null || password == null) {
      throw new InvalidHoldfastPropertyException(
          user == null ? userProperty : passwordProperty,
          "",
          userProperty + " and " + passwordProperty + " are set together, or neither");
    }
    try {
      setter.accept(user, password);
    } catch (IllegalArgumentException e) {
      throw new InvalidHoldfastPropertyException(
          userProperty, user, String.valueOf(e.getMessage()), e);
    }
  }

  /** Matches when the resolved backend is {@code backend}. */
  abstract static class OnBackendCondition extends SpringBootCondition {
    private final Backend backend;

    OnBackendCondition(Backend backend) {
      this.backend = backend;
    }

    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      @Nullable Backend resolved =
          BackendResolver.resolveOrNull(context.getEnvironment(), context.getClassLoader());
      return resolved == backend
          ? ConditionOutcome.match("Holdfast backend is " + backend)
          : ConditionOutcome.noMatch("Holdfast backend is " + resolved + ", not " + backend);
    }
  }

  static final class OnRedisCondition extends OnBackendCondition {
    OnRedisCondition() {
      super(Backend.REDIS);
    }
  }

  static final class OnZooKeeperCondition extends OnBackendCondition {
    OnZooKeeperCondition() {
      super(Backend.ZOOKEEPER);
    }
  }

  static final class OnPostgresqlCondition extends OnBackendCondition {
    OnPostgresqlCondition() {
      super(Backend.POSTGRESQL);
    }
  }

  static final class OnEtcdCondition extends OnBackendCondition {
    OnEtcdCondition() {
      super(Backend.ETCD);
    }
  }

  /** Matches when Holdfast beans are wanted but no backend can be chosen. */
  static final class NoBackendCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      Environment env = context.getEnvironment();
      boolean wanted =
          env.getProperty("holdfast.lock.enabled", Boolean.class, true)
              || env.getProperty("holdfast.membership.enabled", Boolean.class, true);
      if (!wanted) {
        return ConditionOutcome.noMatch("holdfast.lock and holdfast.membership are disabled");
      }
      return BackendResolver.resolveOrNull(env, context.getClassLoader()) == null
          ? ConditionOutcome.match("no Holdfast backend can be chosen")
          : ConditionOutcome.noMatch("a Holdfast backend is chosen");
    }
  }
}
