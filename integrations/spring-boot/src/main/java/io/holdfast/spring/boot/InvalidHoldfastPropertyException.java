package io.holdfast.spring.boot;

import org.jspecify.annotations.Nullable;

/**
 * A {@code holdfast.*} property whose value Holdfast cannot use; the failure analyzer turns it into
 * a startup report naming the property, the value and what is allowed.
 */
final class InvalidHoldfastPropertyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String value;
  private final String allowed;

  InvalidHoldfastPropertyException(String property, String value, String allowed) {
    this(property, value, allowed, null);
  }

  InvalidHoldfastPropertyException(
      String property, String value, String allowed, @Nullable Throwable cause) {
    super("invalid value '" + value + "' for property '" + property + "': " + allowed, cause);
    this.property = property;
    this.value = value;
    this.allowed = allowed;
  }

  String property() {
    return property;
  }

  String value() {
    return value;
  }

  String allowed() {
    return allowed;
  }
}
