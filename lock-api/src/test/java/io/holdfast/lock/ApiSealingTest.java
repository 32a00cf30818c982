package io.holdfast.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing internal is reachable through the public types of io.holdfast.lock. */
class ApiSealingTest {
  private static final List<Class<?>> PUBLIC_TYPES =
      List.of(
          LockService.class,
          LockHandle.class,
          LockObserver.class,
          Ticker.class,
          InMemoryLockService.class,
          InMemoryLockService.Builder.class,
          LockException.class,
          LockBackendException.class,
          LockTimeoutException.class);

  @Test
  void inMemoryLockService_doesNotExtendTheInternalCore() {
    assertThat(InMemoryLockService.class.getSuperclass()).isEqualTo(Object.class);
  }

  @Test
  void noPublicMethod_namesAnInternalType() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : PUBLIC_TYPES) {
      for (Method m : type.getMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        List<Class<?>> named = new ArrayList<>(List.of(m.getParameterTypes()));
        named.add(m.getReturnType());
        named.add(m.getDeclaringClass());
        for (Class<?> c : named) {
          if (c.getName().contains(".internal.")) {
            leaks.add(type.getSimpleName() + "." + m.getName() + " names " + c.getName());
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}
