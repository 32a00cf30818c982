package io.holdfast.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.lettuce.core.RedisURI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * {@code redis:7} in a container. The host port is fixed at creation so that a stopped and
 * restarted container keeps its address, as a restarted server would.
 */
final class ContainerRedisServer implements RedisServer {
  private final GenericContainer<?> container;
  private final int hostPort;
  private boolean closed;

  @SuppressWarnings("resource")
  ContainerRedisServer() {
    hostPort = LocalRedisServer.freePort();
    container =
        new GenericContainer<>(DockerImageName.parse("redis:7"))
            .withExposedPorts(6379)
            .withCommand("redis-server", "--save", "", "--appendonly", "no")
            .withCreateContainerCmdModifier(
                cmd ->
                    cmd.getHostConfig()
                        .withPortBindings(
                            new PortBinding(
                                Ports.Binding.bindPort(hostPort), new ExposedPort(6379))))
            .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
    container.start();
  }

  private DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  @Override
  public RedisURI uri() {
    return RedisURI.create(container.getHost(), hostPort);
  }

  @Override
  public String source() {
    return "testcontainers";
  }

  @Override
  public boolean controllable() {
    return true;
  }

  @Override
  public synchronized void stop() {
    docker().killContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public synchronized void start() {
    docker().startContainerCmd(container.getContainerId()).exec();
    RedisServers.awaitPing(uri());
  }

  @Override
  public synchronized void pause() {
    docker().pauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public synchronized void resume() {
    docker().unpauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      container.stop();
    }
  }

  @Override
  public String toString() {
    return "redis:7 container on " + container.getHost() + ":" + hostPort;
  }
}
