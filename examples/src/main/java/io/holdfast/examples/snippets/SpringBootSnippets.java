package io.holdfast.examples.snippets;

import io.holdfast.examples.FencedStock;
import io.holdfast.spring.boot.CurrentLock;
import io.holdfast.spring.boot.Locked;

/** The code shown in docs/spring-boot.md, compiled so that it cannot drift. */
final class SpringBootSnippets {
  private SpringBootSnippets() {}

  static class InventoryService {
    private final FencedStock stock;

    InventoryService(FencedStock stock) {
      this.stock = stock;
    }

    // tag::locked[]
    @Locked(value = "'sku:' + #sku", maxWait = "2s")
    public boolean reserve(String sku) {
      long token = CurrentLock.fencingToken(); // the store refuses older tokens
      long left = stock.read(sku, token);
      if (left == 0) {
        return false;
      }
      return stock.write(sku, left - 1, token); // false: a newer holder wrote first
    }
    // end::locked[]
  }
}
