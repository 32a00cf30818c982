package io.holdfast.spring.boot;

import java.util.List;
import java.util.function.Supplier;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Spring Cloud's {@link ReactiveDiscoveryClient} over Holdfast membership, answering from the same
 * live views as {@link HoldfastDiscoveryClient} (one watch per group, one {@code HeartbeatEvent}
 * per change, whichever client asked). A call that may reach the backend ({@code getServices}, or
 * the first request for a group) runs on Reactor's bounded-elastic scheduler, never on the
 * subscriber's event loop.
 */
final class HoldfastReactiveDiscoveryClient implements ReactiveDiscoveryClient, AutoCloseable {
  private final HoldfastDiscoveryClient delegate;
  private final boolean owned;

  /**
   * @param delegate the views to answer from
   * @param owned whether {@link #close()} closes {@code delegate} (not when it is a bean itself)
   */
  HoldfastReactiveDiscoveryClient(HoldfastDiscoveryClient delegate, boolean owned) {
    this.delegate = delegate;
    this.owned = owned;
  }

  @Override
  public void close() {
    if (owned) {
      delegate.close();
    }
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public Flux<ServiceInstance> getInstances(String serviceId) {
    return blocking(() -> delegate.getInstances(serviceId));
  }

  @Override
  public Flux<String> getServices() {
    return blocking(delegate::getServices);
  }

  private static <T> Flux<T> blocking(Supplier<List<T>> call) {
    return Mono.fromSupplier(call)
        .subscribeOn(Schedulers.boundedElastic())
        .flatMapMany(Flux::fromIterable);
  }
}
