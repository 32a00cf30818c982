package io.holdfast.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test a real PostgreSQL: annotate a parameter (of a test method, a lifecycle
 * method or the constructor) or a field of type {@link PostgresServer} or {@link String} (its JDBC
 * URL; connect as {@code postgres}, with the password {@link PostgresServer#password()} gives). The
 * server is chosen as {@link PostgresServers} does: {@code HOLDFAST_POSTGRES_URL}, else a Docker
 * container, else a local PostgreSQL process from the embedded binaries.
 *
 * <pre>{@code
 * // a @Test method:
 * void decrementsUnderTheLock(@HoldfastPostgres PostgresServer postgres) { ... }
 * }</pre>
 *
 * <p>By default every test of the JVM gets {@link PostgresServers#shared() the same server}, which
 * tests must not stop. With {@code dedicated = true} the test class gets a server of its own,
 * started on first use and closed after the class's last test, which its tests may {@link
 * PostgresServer#stop() stop}, {@link PostgresServer#start() start}, {@link PostgresServer#pause()
 * pause} and {@link PostgresServer#resume() resume}: a test that does must leave it running. Static
 * fields are set before {@code @BeforeAll} methods run, instance fields before {@code @BeforeEach}
 * methods.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
@ExtendWith(HoldfastServersExtension.class)
public @interface HoldfastPostgres {
  /**
   * Whether the test class gets a server of its own, which it may stop and pause, instead of the
   * JVM-wide shared one.
   *
   * @return whether dedicated to the test class
   */
  boolean dedicated() default false;
}
