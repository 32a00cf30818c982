package io.holdfast.spring.boot;

import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;

/**
 * Hands properties' values to builder methods, naming the property — with the value as the user
 * wrote it — if the builder refuses one.
 */
final class Settings {
  private final Environment env;

  Settings(Environment env) {
    this.env = env;
  }

  /**
   * Calls {@code setter} with {@code value} unless it is null (unset: the builder keeps its
   * default).
   *
   * @throws InvalidHoldfastPropertyException if the builder refuses the value
   */
  <T> void apply(String property, @Nullable T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    build(
        property,
        value,
        v -> {
          setter.accept(v);
          return v;
        });
  }

  /**
   * Calls {@code factory} with {@code value}, e.g. a builder's {@code builder(url)}.
   *
   * @throws InvalidHoldfastPropertyException if the factory refuses the value
   */
  <T, R> R build(String property, T value, Function<T, R> factory) {
    try {
      return factory.apply(value);
    } catch (IllegalArgumentException e) {
      String written = env.getProperty(property);
      throw new InvalidHoldfastPropertyException(
          property,
          written != null ? written : String.valueOf(value),
          String.valueOf(e.getMessage()),
          e);
    }
  }
}
