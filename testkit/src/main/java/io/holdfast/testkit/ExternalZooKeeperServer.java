package io.holdfast.testkit;

/** A server the environment named; the testkit neither starts nor stops it. */
final class ExternalZooKeeperServer implements ZooKeeperServer {
  private final String connectString;

  ExternalZooKeeperServer(String connectString) {
    this.connectString = connectString;
  }

  @Override
  public String connectString() {
    return connectString;
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
        "the ZooKeeper server from HOLDFAST_ZOOKEEPER_CONNECT is not the testkit's to control");
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
  public void close() {}

  @Override
  public String toString() {
    return "ZooKeeper at " + connectString;
  }
}
