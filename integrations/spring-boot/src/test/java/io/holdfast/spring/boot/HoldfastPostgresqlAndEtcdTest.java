package io.holdfast.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.PostgresServer;
import io.holdfast.testkit.PostgresServers;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The PostgreSQL and etcd backends through the auto-configuration, against real servers from the
 * test kit (the etcd tests are skipped, with one line saying why, where no etcd can be had).
 */
class HoldfastPostgresqlAndEtcdTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HoldfastAutoConfiguration.class));

  /** The application's own pool, as spring.datasource.* would give it. */
  @Configuration(proxyBeanMethods = false)
  static class ApplicationPool {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      PostgresServer pg = PostgresServers.shared();
      HikariConfig c = new HikariConfig();
      c.setJdbcUrl(pg.jdbcUrl());
      c.setUsername(pg.user());
      c.setPassword(pg.password());
      c.setMaximumPoolSize(4);
      return new HikariDataSource(c);
    }
  }

  @Test
  void postgresql_onTheApplicationsDataSource_locksAndRegisters() {
    runner
        .withUserConfiguration(ApplicationPool.class)
        .withPropertyValues(
            "holdfast.backend=postgresql", "holdfast.postgresql.table-prefix=spring_pool_")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(LockService.class);
              assertLocks(context);
              assertRegisters(context.getBean(Membership.class));
              // The statements share the application's pool.
              HikariDataSource pool = context.getBean(HikariDataSource.class);
              assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isPositive();
            });
  }

  @Test
  void postgresql_isInferredFromSpringDatasourceUrl_whenTheOthersAreNotConfigured() {
    runner
        .withUserConfiguration(ApplicationPool.class)
        .withPropertyValues("spring.datasource.url=" + PostgresServers.shared().jdbcUrl())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(BackendResolver.tag(context.getEnvironment(), getClass().getClassLoader()))
                  .isEqualTo("postgresql");
              assertLocks(context);
            });
  }

  @Test
  void postgresql_onItsOwnUrl_withoutADataSource() {
    PostgresServer pg = PostgresServers.shared();
    runner
        .withPropertyValues(
            "holdfast.backend=postgresql",
            "holdfast.postgresql.url=" + pg.jdbcUrl(),
            "holdfast.postgresql.username=" + pg.user(),
            "holdfast.postgresql.password=" + pg.password(),
            "holdfast.membership.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(DataSource.class);
              assertLocks(context);
            });
  }

  @Test
  void postgresql_withNeitherUrlNorDataSource_failsStartupSayingWhatToSet() {
    runner
        .withPropertyValues("holdfast.backend=postgresql")
        .run(
            context ->
                assertThat(HoldfastAutoConfigurationTest.analyze(context).getDescription())
                    .contains("'holdfast.postgresql.url'", "DataSource bean"));
  }

  @Test
  void postgresql_aBadTablePrefix_isReportedAgainstItsProperty() {
    runner
        .withUserConfiguration(ApplicationPool.class)
        .withPropertyValues(
            "holdfast.backend=postgresql", "holdfast.postgresql.table-prefix=Bad-Prefix")
        .run(
            context ->
                assertThat(HoldfastAutoConfigurationTest.analyze(context).getDescription())
                    .contains("'holdfast.postgresql.table-prefix'", "'Bad-Prefix'"));
  }

  @Test
  void etcd_fromItsEndpoints_locksAndRegisters() {
    EtcdServer etcd = EtcdServers.shared();
    runner
        .withClassLoader(
            new FilteredClassLoader(
                RedisLockService.class, ZooKeeperLockService.class, PostgresLockService.class))
        .withPropertyValues(
            "holdfast.etcd.endpoints=" + String.join(",", etcd.endpoints()),
            "holdfast.etcd.namespace=/spring-test/")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(LockService.class).getClass().getName())
                  .startsWith(EtcdLockService.class.getPackageName());
              assertLocks(context);
              assertRegisters(context.getBean(Membership.class));
            });
  }

  @Test
  void etcd_userWithoutPassword_failsStartupNamingTheMissingProperty() {
    runner
        .withPropertyValues(
            "holdfast.backend=etcd",
            "holdfast.etcd.endpoints=http://127.0.0.1:1",
            "holdfast.etcd.user=app")
        .run(
            context ->
                assertThat(HoldfastAutoConfigurationTest.analyze(context).getDescription())
                    .contains("'holdfast.etcd.password'", "set together"));
  }

  @Test
  void etcd_aMalformedEndpoint_isReportedAgainstItsProperty() {
    runner
        .withPropertyValues("holdfast.backend=etcd", "holdfast.etcd.endpoints=ftp://host:2379")
        .run(
            context ->
                assertThat(HoldfastAutoConfigurationTest.analyze(context).getDescription())
                    .contains("'holdfast.etcd.endpoints'", "ftp://host:2379"));
  }

  private static void assertLocks(AssertableApplicationContext context)
      throws InterruptedException {
    LockService locks = context.getBean(LockService.class);
    String name = "spring:" + System.nanoTime();
    try (LockHandle lock = locks.acquire(name, Duration.ofSeconds(10))) {
      assertThat(lock.isHeld()).isTrue();
      assertThat(lock.fencingToken()).isPositive();
    }
  }

  private static void assertRegisters(Membership membership) {
    String group = "spring-" + System.nanoTime();
    try (Registration r =
        membership.register(MemberInfo.builder(group).id("m1").host("h").port(1).build())) {
      assertThat(membership.members(group)).extracting(m -> m.id()).containsExactly("m1");
    }
  }
}
