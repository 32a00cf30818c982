package io.holdfast.testkit;

import java.util.Properties;
import org.postgresql.Driver;

/** A PostgreSQL server given by the environment: used, never stopped. */
final class ExternalPostgresServer implements PostgresServer {
  private final String url;
  private final String user;
  private final String password;

  ExternalPostgresServer(String url) {
    Properties parsed = Driver.parseURL(url, null);
    if (parsed == null) {
      throw new IllegalArgumentException(
          "HOLDFAST_POSTGRES_URL must be a JDBC URL (jdbc:postgresql://host:port/database), was "
              + url);
    }
    this.user = parsed.getProperty("user", "postgres");
    this.password = parsed.getProperty("password", "");
    this.url = url;
  }

  @Override
  public String jdbcUrl() {
    return url;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String password() {
    return password;
  }

  @Override
  public String source() {
    return "environment";
  }

  @Override
  public boolean controllable() {
    return false;
  }

  @Override
  public void stop() {
    throw notControllable();
  }

  @Override
  public void start() {
    throw notControllable();
  }

  @Override
  public void pause() {
    throw notControllable();
  }

  @Override
  public void resume() {
    throw notControllable();
  }

  private static UnsupportedOperationException notControllable() {
    return new UnsupportedOperationException(
        "the PostgreSQL server named by HOLDFAST_POSTGRES_URL is not the testkit's to control");
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "PostgreSQL at " + url;
  }
}
