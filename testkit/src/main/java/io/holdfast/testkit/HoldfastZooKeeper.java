package io.holdfast.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test a real ZooKeeper: annotate a parameter (of a test method, a lifecycle method
 * or the constructor) or a field of type {@link ZooKeeperServer} or {@link String} (the connect
 * string, {@code host:port}). The server is chosen as {@link ZooKeeperServers} does: {@code
 * HOLDFAST_ZOOKEEPER_CONNECT}, else a Docker container, else a server inside the JVM.
 *
 * <pre>{@code
 * // a @Test method:
 * void electsOneLeader(@HoldfastZooKeeper String connectString) { ... }
 * }</pre>
 *
 * <p>By default every test of the JVM gets {@link ZooKeeperServers#shared() the same server}, which
 * tests must not stop. With {@code dedicated = true} the test class gets a server of its own,
 * started on first use and closed after the class's last test, which its tests may {@link
 * ZooKeeperServer#stop() stop} and {@link ZooKeeperServer#start() start}: a test that stops it must
 * start it again. Static fields are set before {@code @BeforeAll} methods run, instance fields
 * before {@code @BeforeEach} methods. Needs JUnit 5.13 or later.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
@ExtendWith(HoldfastServersExtension.class)
public @interface HoldfastZooKeeper {
  /**
   * Whether the test class gets a server of its own, which it may stop, instead of the JVM-wide
   * shared one.
   *
   * @return whether dedicated to the test class
   */
  boolean dedicated() default false;
}
