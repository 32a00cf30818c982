package io.holdfast.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * {@code zookeeper:3.9} in a container, configured like the in-JVM server (tick time, session
 * bounds, fast container-node reaping, every four-letter word allowed). The host port is fixed at
 * creation so that a stopped and restarted container keeps its address; its data stays in the
 * container, so a restart keeps the tree and the sessions.
 */
final class ContainerZooKeeperServer implements ZooKeeperServer {
  private final GenericContainer<?> container;
  private final int hostPort;
  private boolean closed;

  @SuppressWarnings("resource")
  ContainerZooKeeperServer() {
    hostPort = LocalRedisServer.freePort();
    container =
        new GenericContainer<>(DockerImageName.parse("zookeeper:3.9"))
            .withExposedPorts(2181)
            .withEnv("ZOO_TICK_TIME", Integer.toString(ZooKeeperServers.TICK_TIME_MS))
            .withEnv("ZOO_4LW_COMMANDS_WHITELIST", "*")
            .withEnv("ZOO_ADMINSERVER_ENABLED", "false")
            .withEnv("ZOO_MAX_CLIENT_CNXNS", "0")
            .withEnv(
                "ZOO_CFG_EXTRA", "maxSessionTimeout=" + ZooKeeperServers.MAX_SESSION_TIMEOUT_MS)
            .withEnv(
                "JVMFLAGS",
                "-Dznode.container.checkIntervalMs="
                    + ZooKeeperServers.CONTAINER_CHECK_MS
                    + " -Dznode.container.maxPerMinute="
                    + ZooKeeperServers.CONTAINER_MAX_PER_MINUTE)
            .withCreateContainerCmdModifier(
                cmd ->
                    cmd.getHostConfig()
                        .withPortBindings(
                            new PortBinding(
                                Ports.Binding.bindPort(hostPort), new ExposedPort(2181))))
            .waitingFor(Wait.forListeningPort());
    container.start();
    ZooKeeperServers.awaitOk(connectString());
  }

  private DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  @Override
  public String connectString() {
    return container.getHost() + ":" + hostPort;
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
    docker().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
  }

  @Override
  public synchronized void start() {
    docker().startContainerCmd(container.getContainerId()).exec();
    ZooKeeperServers.awaitOk(connectString());
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
    return "zookeeper:3.9 container on " + connectString();
  }
}
