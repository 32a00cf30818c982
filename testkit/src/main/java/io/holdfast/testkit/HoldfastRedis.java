package io.holdfast.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test a real Redis: annotate a parameter (of a test method, a lifecycle method or
 * the constructor) or a field of type {@link RedisServer}, {@link io.lettuce.core.RedisURI} or
 * {@link String} (the URI, {@code redis://host:port}). The server is chosen as {@link RedisServers}
 * does: {@code HOLDFAST_REDIS_URI}, else a Docker container, else a local {@code redis-server}
 * process.
 *
 * <pre>{@code
 * // a @Test method:
 * void decrementsUnderTheLock(@HoldfastRedis RedisURI redis) { ... }
 * }</pre>
 *
 * <p>By default every test of the JVM gets {@link RedisServers#shared() the same server}, which
 * tests must not stop. With {@code dedicated = true} the test class gets a server of its own,
 * started on first use and closed after the class's last test, which its tests may {@link
 * RedisServer#stop() stop}, {@link RedisServer#start() start}, {@link RedisServer#pause() pause}
 * and {@link RedisServer#resume() resume}: a test that does must leave it running. Static fields
 * are set before {@code @BeforeAll} methods run, instance fields before {@code @BeforeEach}
 * methods. Needs JUnit 5.13 or later.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD})
@ExtendWith(HoldfastServersExtension.class)
public @interface HoldfastRedis {
  /**
   * Whether the test class gets a server of its own, which it may stop and pause, instead of the
   * JVM-wide shared one.
   *
   * @return whether dedicated to the test class
   */
  boolean dedicated() default false;
}
