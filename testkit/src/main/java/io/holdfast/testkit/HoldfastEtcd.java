package io.holdfast.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test a real etcd: annotate a parameter (of a test method, a lifecycle method or
 * the constructor) or a field of type {@link EtcdServer} or {@link String} (the client endpoints,
 * comma-separated). The server is chosen as {@link EtcdServers} does: {@code
 * HOLDFAST_ETCD_ENDPOINTS}, else a Docker container, else a local {@code etcd} process from the
 * PATH; with none of these the test is skipped (a failed assumption) with one line saying how to
 * enable it.
 *
 * <p>By default every test of the JVM gets {@link EtcdServers#shared() the same server}, which
 * tests must not stop. With {@code dedicated = true} the test class gets a server of its own,
 * started on first use and closed after the class's last test, which its tests may stop, start,
 * pause and resume: a test that does must leave it running. Static fields are set before {@code
 * BeforeAll} methods run, instance fields before {@code BeforeEach} methods.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
@ExtendWith(HoldfastServersExtension.class)
public @interface HoldfastEtcd {
  /**
   * Whether the test class gets a server of its own, which it may stop and pause, instead of the
   * JVM-wide shared one.
   *
   * @return whether dedicated to the test class
   */
  boolean dedicated() default false;
}
