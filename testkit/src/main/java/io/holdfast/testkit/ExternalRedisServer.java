package io.holdfast.testkit;

import io.lettuce.core.RedisURI;

/** A server the environment named; the testkit neither starts nor stops it. */
final class ExternalRedisServer implements RedisServer {
  private final RedisURI uri;

  ExternalRedisServer(RedisURI uri) {
    this.uri = uri;
  }

  @Override
  public RedisURI uri() {
    return uri;
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
        "the Redis server from HOLDFAST_REDIS_URI is not the testkit's to control");
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
    return "Redis at " + uri;
  }
}
