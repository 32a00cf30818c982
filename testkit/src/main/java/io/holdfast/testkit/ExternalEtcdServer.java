package io.holdfast.testkit;

import java.util.List;

/** Servers the environment named; the testkit neither starts nor stops them. */
final class ExternalEtcdServer implements EtcdServer {
  private final List<String> endpoints;

  ExternalEtcdServer(List<String> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  @Override
  public List<String> endpoints() {
    return endpoints;
  }

  @Override
  public String source() {
    return "environment";
  }

  @Override
  public boolean controllable() {
    return false;
  }

  private static UnsupportedOperationException notOurs() {
    return new UnsupportedOperationException(
        "the etcd from HOLDFAST_ETCD_ENDPOINTS is not the testkit's to control");
  }

  @Override
  public void stop() {
    throw notOurs();
  }

  @Override
  public void start() {
    throw notOurs();
  }

  @Override
  public void pause() {
    throw notOurs();
  }

  @Override
  public void resume() {
    throw notOurs();
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "etcd at " + String.join(",", endpoints);
  }
}
