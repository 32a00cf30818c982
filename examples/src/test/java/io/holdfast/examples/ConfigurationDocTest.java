package io.holdfast.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.holdfast.lock.InMemoryLockService;
import io.holdfast.lock.etcd.EtcdLockService;
import io.holdfast.lock.internal.ServiceConfig;
import io.holdfast.lock.postgresql.PostgresLockService;
import io.holdfast.lock.redis.RedisLockService;
import io.holdfast.lock.zookeeper.ZooKeeperLockService;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.etcd.EtcdMembership;
import io.holdfast.membership.postgresql.PostgresMembership;
import io.holdfast.membership.redis.RedisMembership;
import io.holdfast.membership.zookeeper.ZooKeeperMembership;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/configuration.md true to the builders. The page has one table per builder, right after
 * a marker {@code <!-- builder: fully.qualified.Outer$Builder -->}, with the columns option |
 * default | range | meaning, and the option written as {@code `name(Type, Type)`}. This test
 * checks, by reflection, that
 *
 * <ul>
 *   <li>every public builder class of the library modules has a table;
 *   <li>every public setter of a builder is in its table, and every row names a real setter;
 *   <li>every default written as a duration ({@code 10 s}), a number, or a {@code `literal`} is
 *       what a fresh builder actually holds, and the public default constants agree;
 *   <li>every range written {@code A – B} or {@code ≥ A} on a one-argument option is what the
 *       setter accepts: both ends pass, one nanosecond (or one) beyond either end is rejected.
 * </ul>
 */
class ConfigurationDocTest {
  static final Path PAGE = Path.of("../docs/configuration.md");
  static final List<String> LIBRARY_MODULES =
      List.of(
          "lock-api",
          "lock-redis",
          "lock-zookeeper",
          "lock-etcd",
          "cluster-membership",
          "cluster-membership-redis",
          "cluster-membership-zookeeper",
          "lock-postgresql",
          "cluster-membership-postgresql",
          "cluster-membership-etcd");
  static final Pattern MARKER = Pattern.compile("<!-- builder: ([\\w.$]+) -->");
  static final Pattern OPTION = Pattern.compile("`(\\w+)\\(([^)]*)\\)`");
  static final Pattern DURATION = Pattern.compile("(\\d+) (ns|µs|ms|s|min|h|days?)");
  static final Pattern RANGE = Pattern.compile("(.+?) – (.+)");
  static final Pattern AT_LEAST = Pattern.compile("≥ (.+)");

  /** How to get a fresh builder of each class, without connecting anywhere. */
  static final Map<Class<?>, Supplier<Object>> FRESH =
      Map.of(
          RedisLockService.Builder.class,
          () -> RedisLockService.builder(RedisURI.create("redis://localhost:6379")),
          RedisMembership.Builder.class,
          () -> RedisMembership.builder(RedisURI.create("redis://localhost:6379")),
          ZooKeeperLockService.Builder.class,
          () -> ZooKeeperLockService.builder("localhost:2181"),
          InMemoryLockService.Builder.class,
          InMemoryLockService::builder,
          ZooKeeperMembership.Builder.class,
          () -> ZooKeeperMembership.builder("localhost:2181"),
          MemberInfo.Builder.class,
          () -> MemberInfo.builder("docs"),
          PostgresLockService.Builder.class,
          () -> PostgresLockService.builder("jdbc:postgresql://localhost:5432/postgres"),
          PostgresMembership.Builder.class,
          () -> PostgresMembership.builder("jdbc:postgresql://localhost:5432/postgres"),
          EtcdLockService.Builder.class,
          () -> EtcdLockService.builder("http://localhost:2379"),
          EtcdMembership.Builder.class,
          () -> EtcdMembership.builder("http://localhost:2379"));

  /** Options whose value the builder keeps under another field name. */
  static final Map<String, String> FIELD_OF =
      Map.of("heartbeatTtl", "ttl", "waitForReplicas", "waitReplicas");

  /** One row of a builder's table. */
  record Row(String name, List<String> params, String defaultText, String range, int line) {
    String signature() {
      return name + "(" + String.join(", ", params) + ")";
    }
  }

  static Map<String, List<Row>> tables;

  @BeforeAll
  static void readPage() throws IOException {
    tables = parse(Files.readAllLines(PAGE, StandardCharsets.UTF_8));
    assertFalse(tables.isEmpty(), "no builder tables found in " + PAGE);
  }

  static Map<String, List<Row>> parse(List<String> lines) {
    Map<String, List<Row>> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = MARKER.matcher(lines.get(i));
      if (!m.find()) {
        continue;
      }
      List<Row> rows = new ArrayList<>();
      int j = i + 1;
      while (j < lines.size() && lines.get(j).isBlank()) {
        j++;
      }
      for (; j < lines.size() && lines.get(j).strip().startsWith("|"); j++) {
        String[] cells = lines.get(j).strip().split("\\|");
        // cells[0] is empty (before the first '|').
        if (cells.length < 5) {
          fail(PAGE + ":" + (j + 1) + ": a row needs option | default | range | meaning");
        }
        Matcher o = OPTION.matcher(cells[1].strip());
        if (!o.matches()) {
          continue; // header or separator
        }
        rows.add(
            new Row(o.group(1), params(o.group(2)), cells[2].strip(), cells[3].strip(), j + 1));
      }
      if (out.put(m.group(1), rows) != null) {
        fail(PAGE + ":" + (i + 1) + ": " + m.group(1) + " has two tables");
      }
    }
    return out;
  }

  /** "Map<String, String>, int" → [Map, int]. */
  static List<String> params(String text) {
    String plain = text.replaceAll("<[^>]*>", "").strip();
    if (plain.isEmpty()) {
      return List.of();
    }
    return Arrays.stream(plain.split(",")).map(String::strip).toList();
  }

  @Test
  void everyPublicBuilderOfTheLibrary_hasATable() throws IOException {
    Set<String> builders = new TreeSet<>();
    for (String module : LIBRARY_MODULES) {
      Path src = Path.of("..", module, "src/main/java");
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          String rel = src.relativize(f).toString().replace('\\', '/');
          if (rel.contains("/internal/")) {
            continue;
          }
          String text = Files.readString(f, StandardCharsets.UTF_8);
          if (text.contains("public static final class Builder")) {
            builders.add(
                rel.substring(0, rel.length() - ".java".length()).replace('/', '.') + "$Builder");
          }
        }
      }
    }
    assertTrue(builders.size() >= FRESH.size(), "found only " + builders);
    Set<String> missing = new TreeSet<>(builders);
    missing.removeAll(tables.keySet());
    assertTrue(missing.isEmpty(), "builders without a table in " + PAGE + ": " + missing);
  }

  @Test
  void everySetterIsDocumented_andEveryDocumentedOptionExists() throws ClassNotFoundException {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, List<Row>> table : tables.entrySet()) {
      Class<?> builder = Class.forName(table.getKey());
      Set<String> inCode =
          setters(builder).stream()
              .map(ConfigurationDocTest::signature)
              .collect(Collectors.toCollection(TreeSet::new));
      Set<String> inDoc =
          table.getValue().stream()
              .map(Row::signature)
              .collect(Collectors.toCollection(TreeSet::new));
      for (String s : inCode) {
        if (!inDoc.contains(s)) {
          problems.add(builder.getName() + ": setter `" + s + "` is not in the table");
        }
      }
      for (String s : inDoc) {
        if (!inCode.contains(s)) {
          problems.add(
              builder.getName() + ": the table lists `" + s + "`, which the builder does not have");
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  @Test
  void documentedDefaults_areTheBuildersDefaults() throws Exception {
    int checked = 0;
    for (Map.Entry<String, List<Row>> table : tables.entrySet()) {
      Class<?> builder = Class.forName(table.getKey());
      Supplier<Object> fresh = FRESH.get(builder);
      if (fresh == null) {
        continue; // a new builder: options are checked above; add it to FRESH to check defaults
      }
      for (Row row : table.getValue()) {
        Object expected = parseValue(row.defaultText());
        if (expected == null) {
          continue; // prose ("a library thread", "none")
        }
        Object actual = actualDefault(fresh.get(), row.name());
        String where = PAGE + ":" + row.line() + " " + builder.getName() + "." + row.name();
        if (expected instanceof Long n) {
          assertEquals(n.longValue(), ((Number) actual).longValue(), where);
        } else if (expected instanceof String s) {
          assertEquals(s, String.valueOf(actual), where);
        } else {
          assertEquals(expected, actual, where);
        }
        checked++;
      }
    }
    assertTrue(checked >= 15, "only " + checked + " defaults could be checked");
  }

  @Test
  void documentedDefaults_agreeWithThePublicConstants() {
    Map<String, Object> constants = new LinkedHashMap<>();
    constants.put(
        RedisLockService.Builder.class.getName() + "#leaseTime", ServiceConfig.DEFAULT_LEASE_TIME);
    constants.put(
        RedisLockService.Builder.class.getName() + "#defaultWait", ServiceConfig.DEFAULT_WAIT);
    constants.put(
        RedisLockService.Builder.class.getName() + "#commandTimeout",
        ServiceConfig.DEFAULT_COMMAND_TIMEOUT);
    constants.put(
        RedisLockService.Builder.class.getName() + "#keyPrefix",
        RedisLockService.DEFAULT_KEY_PREFIX);
    constants.put(
        RedisMembership.Builder.class.getName() + "#heartbeatTtl", RedisMembership.DEFAULT_TTL);
    constants.put(
        RedisMembership.Builder.class.getName() + "#keyPrefix",
        RedisLockService.DEFAULT_KEY_PREFIX);
    constants.put(
        ZooKeeperLockService.Builder.class.getName() + "#sessionTimeout",
        ZooKeeperLockService.DEFAULT_SESSION_TIMEOUT);
    constants.put(
        ZooKeeperLockService.Builder.class.getName() + "#rootPath",
        ZooKeeperLockService.DEFAULT_ROOT_PATH);
    constants.put(
        ZooKeeperLockService.Builder.class.getName() + "#defaultWait", ServiceConfig.DEFAULT_WAIT);
    constants.put(
        ZooKeeperLockService.Builder.class.getName() + "#commandTimeout",
        ServiceConfig.DEFAULT_COMMAND_TIMEOUT);
    constants.put(
        InMemoryLockService.Builder.class.getName() + "#defaultWait", ServiceConfig.DEFAULT_WAIT);
    constants.put(
        ZooKeeperMembership.Builder.class.getName() + "#sessionTimeout",
        ZooKeeperMembership.DEFAULT_SESSION_TIMEOUT);
    constants.put(
        ZooKeeperMembership.Builder.class.getName() + "#rootPath",
        ZooKeeperMembership.DEFAULT_ROOT_PATH);
    constants.put(
        PostgresLockService.Builder.class.getName() + "#tablePrefix",
        PostgresLockService.DEFAULT_TABLE_PREFIX);
    constants.put(
        PostgresMembership.Builder.class.getName() + "#heartbeatTtl",
        PostgresMembership.DEFAULT_TTL);
    for (Map.Entry<String, Object> c : constants.entrySet()) {
      String[] key = c.getKey().split("#");
      Row row = row(key[0], key[1]);
      assertEquals(
          c.getValue(), parseValue(row.defaultText()), PAGE + ":" + row.line() + " " + c.getKey());
    }
    Row lease = row(RedisLockService.Builder.class.getName(), "leaseTime");
    assertEquals(
        ServiceConfig.MIN_LEASE_TIME + " – " + ServiceConfig.MAX_TIMEOUT,
        rangeOf(lease).get(0) + " – " + rangeOf(lease).get(1),
        PAGE + ":" + lease.line());
    Row timeout = row(RedisLockService.Builder.class.getName(), "commandTimeout");
    assertEquals(
        ServiceConfig.MIN_COMMAND_TIMEOUT + " – " + ServiceConfig.MAX_TIMEOUT,
        rangeOf(timeout).get(0) + " – " + rangeOf(timeout).get(1),
        PAGE + ":" + timeout.line());
  }

  @Test
  void documentedRanges_areWhatTheSettersAccept() throws Exception {
    int checked = 0;
    for (Map.Entry<String, List<Row>> table : tables.entrySet()) {
      Class<?> builder = Class.forName(table.getKey());
      Supplier<Object> fresh = FRESH.get(builder);
      if (fresh == null) {
        continue;
      }
      for (Row row : table.getValue()) {
        if (row.params().size() != 1) {
          continue;
        }
        boolean duration = row.params().get(0).equals("Duration");
        if (!duration && !row.params().get(0).equals("int")) {
          continue;
        }
        List<Object> range = new ArrayList<>(rangeOf(row));
        if (range.isEmpty()) {
          continue;
        }
        for (int i = 0; i < range.size(); i++) {
          Object bound = range.get(i);
          if (duration && Integer.valueOf(0).equals(bound)) {
            range.set(i, Duration.ZERO); // "≥ 0" needs no unit
          }
          assertEquals(
              duration,
              range.get(i) instanceof Duration,
              PAGE + ":" + row.line() + ": range bound " + bound);
        }
        Method setter = builder.getMethod(row.name(), duration ? Duration.class : int.class);
        String where = PAGE + ":" + row.line() + " " + builder.getName() + "." + row.name();
        Object low = range.get(0);
        accepts(setter, fresh.get(), low, true, where);
        accepts(setter, fresh.get(), step(low, -1), false, where);
        if (range.size() > 1) {
          Object high = range.get(1);
          accepts(setter, fresh.get(), high, true, where);
          accepts(setter, fresh.get(), step(high, +1), false, where);
        }
        checked++;
      }
    }
    assertTrue(checked >= 10, "only " + checked + " ranges could be checked");
  }

  // ---- helpers

  static List<Method> setters(Class<?> builder) {
    return Arrays.stream(builder.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getReturnType() == builder)
        .toList();
  }

  static String signature(Method m) {
    return m.getName()
        + "("
        + Arrays.stream(m.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", "))
        + ")";
  }

  static Row row(String builder, String option) {
    List<Row> rows = tables.get(builder);
    assertTrue(rows != null, "no table for " + builder);
    return rows.stream()
        .filter(r -> r.name().equals(option))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + option + " for " + builder));
  }

  /** A duration, a number, a {@code `literal`}; null for prose. */
  static @Nullable Object parseValue(String text) {
    Duration d = parseDuration(text);
    if (d != null) {
      return d;
    }
    if (text.matches("-?\\d+")) {
      return Long.parseLong(text);
    }
    if (text.matches("`[^`]+`")) {
      return text.substring(1, text.length() - 1);
    }
    return null;
  }

  static @Nullable Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ns" -> Duration.ofNanos(n);
      case "µs" -> Duration.ofNanos(n * 1000);
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "min" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** [low, high], [low] for "≥ low", or empty when the range is prose. */
  static List<Object> rangeOf(Row row) {
    String text = row.range();
    Matcher both = RANGE.matcher(text);
    Matcher least = AT_LEAST.matcher(text);
    List<Object> out = new ArrayList<>();
    if (both.matches()) {
      Object low = parseValue(both.group(1).strip());
      Object high = parseValue(both.group(2).strip());
      if (low == null || high == null || low instanceof String || high instanceof String) {
        return List.of();
      }
      out.add(low);
      out.add(high);
    } else if (least.matches()) {
      Object low = parseValue(least.group(1).strip());
      if (low == null || low instanceof String) {
        return List.of();
      }
      out.add(low);
    }
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i) instanceof Long n) {
        out.set(i, Math.toIntExact(n));
      }
    }
    return out;
  }

  static Object step(Object value, int direction) {
    if (value instanceof Duration d) {
      return d.plusNanos(direction);
    }
    return (Integer) value + direction;
  }

  static void accepts(Method setter, Object builder, Object value, boolean ok, String where)
      throws Exception {
    try {
      setter.invoke(builder, value);
      if (!ok) {
        fail(where + ": accepts " + value + ", outside the documented range");
      }
    } catch (InvocationTargetException e) {
      if (ok || !(e.getCause() instanceof IllegalArgumentException)) {
        throw new AssertionError(
            where + ": rejects " + value + ", inside the documented range", e.getCause());
      }
    }
  }

  /** What a fresh builder holds for an option. */
  static @Nullable Object actualDefault(Object builder, String option)
      throws ReflectiveOperationException {
    Field config = field(builder.getClass(), "config");
    if (config != null
        && config.getType() == ServiceConfig.Builder.class
        && Set.of("leaseTime", "defaultWait", "commandTimeout", "ticker").contains(option)) {
      ServiceConfig built = ((ServiceConfig.Builder) config.get(builder)).build();
      return ServiceConfig.class.getMethod(option).invoke(built);
    }
    Field f = field(builder.getClass(), FIELD_OF.getOrDefault(option, option));
    if (f == null) {
      throw new AssertionError(
          builder.getClass().getName()
              + " has no field for option "
              + option
              + ": add it to FIELD_OF, or write the default as prose");
    }
    return f.get(builder);
  }

  static @Nullable Field field(Class<?> type, String name) {
    try {
      Field f = type.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException e) {
      return null;
    }
  }
}
