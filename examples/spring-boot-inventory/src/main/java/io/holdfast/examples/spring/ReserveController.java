package io.holdfast.examples.spring;

import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /reserve/{sku}}: 200 with the instance's member id when a unit is reserved, 409 when
 * the SKU is sold out or the write was fenced off. {@code GET /stock/{sku}}: the units left.
 */
@RestController
class ReserveController {
  private final Reservations reservations;
  private final String instance;

  ReserveController(Reservations reservations, Environment env) {
    this.reservations = reservations;
    this.instance = env.getProperty("holdfast.membership.id", "this instance");
  }

  @PostMapping("/reserve/{sku}")
  ResponseEntity<String> reserve(@PathVariable String sku) {
    Reservations.Outcome outcome = reservations.reserve(sku);
    return ResponseEntity.status(
            outcome == Reservations.Outcome.RESERVED ? HttpStatus.OK : HttpStatus.CONFLICT)
        .body(outcome + " by " + instance);
  }

  @GetMapping("/stock/{sku}")
  long stock(@PathVariable String sku) {
    return reservations.left(sku);
  }
}
