package io.holdfast.spring.boot;

import io.holdfast.membership.MemberInfo;
import java.net.URI;
import java.util.Map;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application's {@link HoldfastInstance} as Spring Cloud sees a registration: what it is
 * registered as, or, while it is not registered, what it would register as. Used by {@link
 * HoldfastServiceRegistry} and Spring Cloud's {@code serviceregistry} Actuator endpoint.
 */
final class HoldfastRegistration implements Registration {
  private final HoldfastInstance instance;

  HoldfastRegistration(HoldfastInstance instance) {
    this.instance = instance;
  }

  HoldfastInstance instance() {
    return instance;
  }

  private MemberInfo info() {
    return instance.registration().map(r -> r.member().info()).orElseGet(instance::self);
  }

  @Override
  public String getInstanceId() {
    return info().id();
  }

  @Override
  public String getServiceId() {
    return info().group();
  }

  @Override
  public String getHost() {
    return info().host();
  }

  @Override
  public int getPort() {
    return info().port();
  }

  @Override
  public boolean isSecure() {
    return HoldfastDiscoveryClient.isSecure(info().metadata());
  }

  @Override
  public URI getUri() {
    return ServiceInstance.createUri(this);
  }

  @Override
  public Map<String, String> getMetadata() {
    return info().metadata();
  }

  @Override
  public String toString() {
    return "HoldfastRegistration[" + info() + "]";
  }
}
