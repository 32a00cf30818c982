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
 * {@code postgres:17} in a container. The host port is fixed at creation so that a stopped and
 * restarted container keeps its address; its data lives in the container, so it survives.
 */
final class ContainerPostgresServer implements PostgresServer {
  private static final String PASSWORD = "postgres";
  private final GenericContainer<?> container;
  private final int hostPort;
  private boolean closed;

  @SuppressWarnings("resource")
  ContainerPostgresServer() {
    hostPort = LocalRedisServer.freePort();
    container =
        new GenericContainer<>(DockerImageName.parse("postgres:17"))
            .withExposedPorts(5432)
            .withEnv("POSTGRES_PASSWORD", PASSWORD)
            .withCommand(
                "postgres",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=300",
                "-c",
                "shared_preload_libraries=pg_stat_statements")
            .withCreateContainerCmdModifier(
                cmd ->
                    cmd.getHostConfig()
                        .withPortBindings(
                            new PortBinding(
                                Ports.Binding.bindPort(hostPort), new ExposedPort(5432))))
            // The image's entrypoint starts a temporary server for its init scripts first.
            .waitingFor(
                Wait.forLogMessage(".*database system is ready to accept connections.*", 2));
    container.start();
  }

  private DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  @Override
  public String jdbcUrl() {
    return "jdbc:postgresql://" + container.getHost() + ":" + hostPort + "/postgres";
  }

  @Override
  public String user() {
    return "postgres";
  }

  @Override
  public String password() {
    return PASSWORD;
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
    PostgresServers.awaitReady(this);
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
    return "postgres:17 container on " + container.getHost() + ":" + hostPort;
  }
}
