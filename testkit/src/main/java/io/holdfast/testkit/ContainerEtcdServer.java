package io.holdfast.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-member etcd in a container. The host port is fixed at creation so that a stopped and
 * restarted container keeps its address (and its data, which lives in the container).
 */
final class ContainerEtcdServer implements EtcdServer {
  static final String IMAGE = "gcr.io/etcd-development/etcd:v3.5.21";

  private final GenericContainer<?> container;
  private final int hostPort;
  private boolean closed;

  @SuppressWarnings("resource")
  ContainerEtcdServer() {
    hostPort = LocalRedisServer.freePort();
    container =
        new GenericContainer<>(DockerImageName.parse(IMAGE))
            .withExposedPorts(2379)
            .withCommand(
                "etcd",
                "--name=holdfast",
                "--data-dir=/tmp/etcd-data",
                "--listen-client-urls=http://0.0.0.0:2379",
                "--advertise-client-urls=http://127.0.0.1:" + hostPort,
                "--heartbeat-interval=50",
                "--election-timeout=500",
                "--log-level=error")
            .withCreateContainerCmdModifier(
                cmd ->
                    cmd.getHostConfig()
                        .withPortBindings(
                            new PortBinding(
                                Ports.Binding.bindPort(hostPort), new ExposedPort(2379))))
            .waitingFor(Wait.forHttp("/health").forPort(2379).forStatusCode(200));
    container.start();
  }

  private DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  @Override
  public List<String> endpoints() {
    return List.of("http://" + container.getHost() + ":" + hostPort);
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
    EtcdServers.awaitHealthy(endpoints().get(0));
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
    return IMAGE + " container on " + endpoints().get(0);
  }
}
