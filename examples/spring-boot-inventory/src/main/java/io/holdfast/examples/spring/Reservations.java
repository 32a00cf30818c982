package io.holdfast.examples.spring;

import io.holdfast.examples.FencedStock;
import io.holdfast.spring.boot.CurrentLock;
import io.holdfast.spring.boot.Locked;
import org.springframework.stereotype.Service;

/** Takes stock, one unit at a time, under the SKU's lock. */
@Service
public class Reservations {
  /** How a reservation ended. */
  public enum Outcome {
    /** One unit is reserved. */
    RESERVED,
    /** None was left. */
    SOLD_OUT,
    /** The store refused the write: a newer lock holder had written (this one's lease was lost). */
    FENCED_OFF
  }

  private final FencedStock stock;

  Reservations(FencedStock stock) {
    this.stock = stock;
  }

  /**
   * Reserves one unit of {@code sku}, holding the SKU's lock; the store refuses the write if a
   * newer holder has written since (this holder paused past its lease).
   *
   * @param sku the SKU
   * @return how it ended
   */
  @Locked(value = "'sku:' + #sku", maxWait = "5s")
  public Outcome reserve(String sku) {
    long token = CurrentLock.fencingToken();
    long left = stock.read(sku, token);
    if (left < 0) {
      return Outcome.FENCED_OFF;
    }
    if (left == 0) {
      return Outcome.SOLD_OUT;
    }
    return stock.write(sku, left - 1, token) ? Outcome.RESERVED : Outcome.FENCED_OFF;
  }

  /**
   * The stock left.
   *
   * @param sku the SKU
   * @return units left
   */
  public long left(String sku) {
    return stock.read(sku);
  }
}
