package io.holdfast.spring.boot;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionException;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/** Holds the lock a {@link Locked} method names around the method's invocation. */
final class LockedMethodInterceptor implements MethodInterceptor {
  private final ObjectProvider<LockService> locks;
  private final SpelExpressionParser parser = new SpelExpressionParser();
  private final ParameterNameDiscoverer names = new DefaultParameterNameDiscoverer();
  private final Map<Method, Plan> plans = new ConcurrentHashMap<>();

  /** A method's parsed annotation. */
  private record Plan(Expression name, String source, @Nullable Duration maxWait) {}

  LockedMethodInterceptor(ObjectProvider<LockService> locks) {
    this.locks = locks;
  }

  @Override
  public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
    Object target = invocation.getThis();
    Method method =
        target == null
            ? invocation.getMethod()
            : AopUtils.getMostSpecificMethod(invocation.getMethod(), target.getClass());
    Plan plan = plans.computeIfAbsent(method, this::plan);
    String name = evaluate(plan, method, invocation.getArguments());
    LockService service = locks.getObject();
    LockHandle handle;
    try {
      Duration maxWait = plan.maxWait();
      handle = maxWait == null ? service.acquire(name) : service.acquire(name, maxWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LockedInterruptedException(name, e);
    }
    try (handle) {
      CurrentLock.push(handle);
      try {
        return invocation.proceed();
      } finally {
        CurrentLock.pop();
      }
    }
  }

  private Plan plan(Method method) {
    Locked locked = AnnotatedElementUtils.findMergedAnnotation(method, Locked.class);
    if (locked == null) {
      throw new IllegalStateException("no @Locked on " + method);
    }
    Expression name;
    try {
      name = parser.parseExpression(locked.value());
    } catch (ExpressionException e) {
      throw new IllegalArgumentException(
          "@Locked(\""
              + locked.value()
              + "\") on "
              + method
              + " is not a SpEL expression: "
              + e.getMessage(),
          e);
    }
    Duration maxWait = null;
    if (!locked.maxWait().isBlank()) {
      try {
        maxWait = DurationStyle.detectAndParse(locked.maxWait());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "@Locked maxWait \""
                + locked.maxWait()
                + "\" on "
                + method
                + " is not a duration such as 500ms, 2s or PT1M",
            e);
      }
    }
    return new Plan(name, locked.value(), maxWait);
  }

  private String evaluate(Plan plan, Method method, @Nullable Object[] args) {
    MethodBasedEvaluationContext context =
        new MethodBasedEvaluationContext(null, method, args, names);
    Object value;
    try {
      value = plan.name().getValue(context);
    } catch (ExpressionException e) {
      throw new IllegalArgumentException(
          "@Locked(\""
              + plan.source()
              + "\") on "
              + method
              + " could not be evaluated: "
              + e.getMessage(),
          e);
    }
    if (value == null || value.toString().isBlank()) {
      throw new IllegalArgumentException(
          "@Locked(\"" + plan.source() + "\") on " + method + " gave an empty lock name");
    }
    return value.toString();
  }
}
