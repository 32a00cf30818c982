package io.holdfast.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.testkit.RedisServers;
import org.junit.jupiter.api.Test;

/** Two instances of the service sell the stock exactly once, both doing part of the work. */
class InventoryServiceTest {
  @Test
  void twoInstances_sellTheStockExactlyOnce() throws Exception {
    InventoryServiceDemo.Result r = InventoryServiceDemo.run(RedisServers.shared().uri(), 40, 60);
    assertThat(r.members()).containsExactly("inventory-1", "inventory-2");
    assertThat(r.reserved()).isEqualTo(40);
    assertThat(r.reservedBy()).containsOnlyKeys("inventory-1", "inventory-2");
    assertThat(r.soldOut()).isEqualTo(20);
    assertThat(r.other()).isZero();
    assertThat(r.left()).isZero();
    assertThat(r.acceptedWrites()).isEqualTo(40);
  }
}
