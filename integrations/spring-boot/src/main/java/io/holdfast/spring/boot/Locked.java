package io.holdfast.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method while holding a Holdfast lock: acquired from the application's {@code
 * LockService} before the method runs, released when it returns or throws.
 *
 * <pre>{@code
 * @Locked("'sku:' + #sku")
 * public void reserve(String sku, int quantity) {
 *   long token = CurrentLock.fencingToken(); // pass it to the store with the write
 *   ...
 * }
 * }</pre>
 *
 * <p>The lock name is a SpEL expression over the method's arguments ({@code #sku} by parameter name
 * when the code is compiled with {@code -parameters}, as Spring Boot's build plugins do, or {@code
 * #p0}/{@code #a0} by position); a fixed name is a quoted literal ({@code "'nightly-report'"}). The
 * name must evaluate to a non-blank string, else the call fails with {@code
 * IllegalArgumentException} before any lock is taken.
 *
 * <p>When the lock cannot be had within {@link #maxWait()}, the method does not run and the call
 * throws {@code LockTimeoutException}; a backend failure throws {@code LockBackendException}; an
 * interrupt while waiting throws {@link LockedInterruptedException} with the thread's interrupt
 * status set. Inside the method, {@link CurrentLock} gives the handle and its fencing token.
 *
 * <p>Spring AOP proxies apply: the annotation works on calls that come through the bean's proxy,
 * not on a call from one method of the bean to another of the same bean ({@code this.reserve(…)}),
 * and not on private methods. Holding a lock is reentrant per thread, as {@code LockService}'s is:
 * an annotated method calling another with the same lock name does not wait for itself.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Locked {
  /**
   * The lock name, as a SpEL expression over the method's arguments.
   *
   * @return the expression
   */
  String value();

  /**
   * How long to wait for the lock, in Spring Boot's duration format ({@code "500ms"}, {@code "2s"},
   * {@code "PT1M"}); {@code "0"} makes one attempt. Empty: the service's {@code defaultWait}
   * ({@code holdfast.lock.default-wait}).
   *
   * @return the wait
   */
  String maxWait() default "";
}
