package io.holdfast.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the servers' own chatter down to WARN when the testkit starts them: an in-JVM ZooKeeper
 * server and the ZooKeeper client log dozens of INFO lines per start and connection (banners,
 * environments, configurations), Testcontainers its banner and image pulls. Only loggers the user
 * left unconfigured are touched, in whichever SLF4J binding is present (slf4j-simple, Logback,
 * Log4j 2, java.util.logging); {@code HOLDFAST_TESTKIT_SERVER_LOGS=show} (or the system property
 * {@code holdfast.testkit.serverLogs=show}) leaves every logger alone.
 */
final class QuietLogs {
  private static final Logger LOG = LoggerFactory.getLogger(QuietLogs.class);

  /** The loggers quieted when the testkit runs ZooKeeper. */
  static final List<String> ZOOKEEPER = List.of("org.apache.zookeeper", "org.apache.curator");

  /** The loggers of jetcd and its transport, quieted when the testkit hands out an etcd. */
  static final List<String> ETCD_CLIENT = List.of("io.etcd.jetcd", "io.vertx", "io.grpc");

  /** The loggers quieted when the testkit starts a container. */
  static final List<String> CONTAINERS =
      List.of("org.testcontainers", "tc", "com.github.dockerjava");

  private static final Set<String> done = ConcurrentHashMap.newKeySet();

  /** java.util.logging keeps loggers weakly: a level set on one nobody holds would be lost. */
  private static final Set<java.util.logging.Logger> julLoggers = ConcurrentHashMap.newKeySet();

  /**
   * Curator logs every connection loss that a background request gives up on at ERROR, with a stack
   * trace: one per pending request, again and again through an outage. With this property (read
   * once, when Curator's framework class loads) only the first per connection is ERROR, the rest
   * DEBUG.
   */
  static final String CURATOR_FIRST_CONNECTION_ISSUE_ONLY =
      "curator-log-only-first-connection-issue-as-error-level";

  private QuietLogs() {}

  /** Quiets ZooKeeper's and Curator's loggers, and Curator's repeated connection-loss errors. */
  static void zooKeeper() {
    if (showServerLogs()) {
      return;
    }
    quiet(ZOOKEEPER);
    if (System.getProperty(CURATOR_FIRST_CONNECTION_ISSUE_ONLY) == null) {
      System.setProperty(CURATOR_FIRST_CONNECTION_ISSUE_ONLY, "true");
    }
  }

  private static boolean showServerLogs() {
    return "show"
        .equals(
            RedisServers.setting("HOLDFAST_TESTKIT_SERVER_LOGS", "holdfast.testkit.serverLogs"));
  }

  /**
   * Sets each logger to WARN unless the user configured it, or asked for server logs.
   *
   * @param loggers logger names (prefixes: their children inherit)
   */
  static void quiet(List<String> loggers) {
    if (showServerLogs()) {
      return;
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    String binding = factory.getClass().getName();
    for (String name : loggers) {
      if (!done.add(name)) {
        continue;
      }
      try {
        switch (binding) {
          case "org.slf4j.simple.SimpleLoggerFactory" -> quietSimple(name);
          case "ch.qos.logback.classic.LoggerContext" -> quietLogback(factory, name);
          case "org.apache.logging.slf4j.Log4jLoggerFactory" -> quietLog4j(name);
          case "org.slf4j.jul.JDK14LoggerFactory" -> quietJul(name);
          default -> LOG.debug("left {} alone: unknown SLF4J binding {}", name, binding);
        }
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        LOG.debug("could not set {} to WARN in {}", name, binding, e);
      }
    }
  }

  /** slf4j-simple reads a logger's level when the logger is made, system properties first. */
  private static void quietSimple(String name) {
    String key = "org.slf4j.simpleLogger.log." + name;
    if (System.getProperty(key) == null && simpleLoggerFile().getProperty(key) == null) {
      System.setProperty(key, "warn");
    }
  }

  private static Properties simpleLoggerFile() {
    Properties p = new Properties();
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    try (InputStream in =
        (cl != null ? cl : QuietLogs.class.getClassLoader())
            .getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      LOG.debug("could not read simplelogger.properties", e);
    }
    return p;
  }

  private static void quietLogback(ILoggerFactory factory, String name)
      throws ReflectiveOperationException {
    Object logger = factory.getLogger(name);
    if (logger.getClass().getMethod("getLevel").invoke(logger) == null) {
      Class<?> level =
          Class.forName("ch.qos.logback.classic.Level", true, logger.getClass().getClassLoader());
      Object warn = level.getField("WARN").get(null);
      logger.getClass().getMethod("setLevel", level).invoke(logger, warn);
    }
  }

  private static void quietLog4j(String name) throws ReflectiveOperationException {
    ClassLoader cl = LoggerFactory.getILoggerFactory().getClass().getClassLoader();
    Class<?> logManager = Class.forName("org.apache.logging.log4j.LogManager", true, cl);
    Object context = logManager.getMethod("getContext", boolean.class).invoke(null, false);
    Method getConfiguration = context.getClass().getMethod("getConfiguration");
    Object configuration = getConfiguration.invoke(context);
    Object configured = configuration.getClass().getMethod("getLoggers").invoke(configuration);
    if (configured instanceof java.util.Map<?, ?> m && m.containsKey(name)) {
      return;
    }
    Class<?> level = Class.forName("org.apache.logging.log4j.Level", true, cl);
    Class<?> configurator =
        Class.forName("org.apache.logging.log4j.core.config.Configurator", true, cl);
    configurator
        .getMethod("setLevel", String.class, level)
        .invoke(null, name, level.getField("WARN").get(null));
  }

  private static void quietJul(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    if (logger.getLevel() == null && !julConfigured(name)) {
      logger.setLevel(java.util.logging.Level.WARNING);
      julLoggers.add(logger);
    }
  }

  private static boolean julConfigured(String name) {
    @Nullable String level =
        java.util.logging.LogManager.getLogManager().getProperty(name + ".level");
    return level != null;
  }
}
