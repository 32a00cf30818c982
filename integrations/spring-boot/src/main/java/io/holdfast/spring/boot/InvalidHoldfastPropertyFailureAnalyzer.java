package io.holdfast.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@code holdfast.*} property Holdfast refused as one readable paragraph instead of a
 * stack trace: the property, the value, and what is allowed. Registered in {@code
 * META-INF/spring.factories}.
 */
final class InvalidHoldfastPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidHoldfastPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidHoldfastPropertyException cause) {
    String description =
        "Holdfast could not start: the property '"
            + cause.property()
            + "' is set to '"
            + cause.value()
            + "', which is not allowed: "
            + cause.allowed();
    String action =
        "Change '"
            + cause.property()
            + "' in your application properties or environment ("
            + cause.allowed()
            + "), or remove it to use Holdfast's default.";
    return new FailureAnalysis(description, action, cause);
  }
}
