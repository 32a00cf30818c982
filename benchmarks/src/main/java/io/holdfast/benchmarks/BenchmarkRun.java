package io.holdfast.benchmarks;

import io.holdfast.testkit.EtcdServer;
import io.holdfast.testkit.EtcdServers;
import io.holdfast.testkit.PostgresServer;
import io.holdfast.testkit.PostgresServers;
import io.holdfast.testkit.RedisServer;
import io.holdfast.testkit.RedisServers;
import io.holdfast.testkit.ZooKeeperServer;
import io.holdfast.testkit.ZooKeeperServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Runs every benchmark against one Redis process, one ZooKeeper server, one PostgreSQL server and
 * (when an etcd binary or Docker is at hand) one etcd started here, measures the footprint, and
 * writes {@code results.json}, {@code results.csv} and the JMH JSON to the output directory; with
 * {@code -docs DIR} also regenerates {@code DIR/performance.md}'s results section and its charts.
 *
 * <pre>
 * -out DIR          where results go (default target/benchmark-results)
 * -docs DIR         regenerate DIR/performance.md and DIR/performance-*.svg
 * -rounds N         passes over all benchmarks, one fork each, so that every library meets
 *                   the same background load (default 3)
 * -warmups N        warm-up iterations per fork (default 2)
 * -iterations N     measured iterations per fork (default 4)
 * -time MS          length of one iteration in ms (default 2000)
 * -locks N          locks held at once for the footprint (default 10000)
 * -cycles N         uncontended Redis cycles counted for the per-cycle costs (default 20000)
 * -zkCycles N       the same for ZooKeeper (default 2000)
 * -pairedRounds N   rounds of the paired uncontended comparison (default 41; blocks of 200 ms
 *                   per library on Redis, 500 ms on ZooKeeper)
 * -costRounds N     fresh JVMs per library for the per-cycle costs, interleaved; the median
 *                   wall time's run is kept (default 3)
 * -membershipSamples N  joins and leaves timed per backend (default 300)
 * -members N        members registered at once for the membership footprint (default 1000)
 * -include REGEX    benchmarks to run (default: all of this module)
 * -throughputOnly   only the JMH benchmarks (no footprint, costs, paired runs or membership)
 * -quick            the smoke mode: one pass, no fork, one 100 ms iteration each, 100 locks,
 *                   10 membership samples, 20 members, in-process
 * </pre>
 */
public final class BenchmarkRun {
  static final String ALL = "io\\.holdfast\\.benchmarks\\..*Benchmark";

  /** What a run does, from the command line. */
  static final class Settings {
    Path out = Path.of("target", "benchmark-results");
    @Nullable Path docs;
    int rounds = 3;
    int forks = 1;
    int warmups = 2;
    int iterations = 4;
    long iterationMillis = 2000;
    int locks = 10_000;
    int cycles = 20_000;
    int zkCycles = 2_000;
    int pairedRounds = 41;
    int membershipSamples = 300;
    int costRounds = 3;
    int members = 1_000;
    String include = ALL;
    boolean quick;
    boolean throughputOnly;

    static Settings parse(String... args) {
      Settings s = new Settings();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "-quick" -> {
            s.quick = true;
            s.rounds = 1;
            s.forks = 0;
            s.warmups = 0;
            s.iterations = 1;
            s.iterationMillis = 100;
            s.locks = 100;
            s.cycles = 100;
            s.zkCycles = 20;
            s.membershipSamples = 10;
            s.members = 20;
          }
          case "-out" -> s.out = Path.of(args[++i]);
          case "-docs" -> s.docs = Path.of(args[++i]);
          case "-rounds" -> s.rounds = Integer.parseInt(args[++i]);
          case "-warmups" -> s.warmups = Integer.parseInt(args[++i]);
          case "-iterations" -> s.iterations = Integer.parseInt(args[++i]);
          case "-time" -> s.iterationMillis = Long.parseLong(args[++i]);
          case "-locks" -> s.locks = Integer.parseInt(args[++i]);
          case "-cycles" -> s.cycles = Integer.parseInt(args[++i]);
          case "-zkCycles" -> s.zkCycles = Integer.parseInt(args[++i]);
          case "-pairedRounds" -> s.pairedRounds = Integer.parseInt(args[++i]);
          case "-membershipSamples" -> s.membershipSamples = Integer.parseInt(args[++i]);
          case "-costRounds" -> s.costRounds = Integer.parseInt(args[++i]);
          case "-members" -> s.members = Integer.parseInt(args[++i]);
          case "-include" -> s.include = args[++i];
          case "-throughputOnly" -> s.throughputOnly = true;
          default -> throw new IllegalArgumentException("unknown argument " + a);
        }
      }
      return s;
    }
  }

  private BenchmarkRun() {}

  /**
   * Runs everything.
   *
   * @param args see the class comment
   * @throws Exception if a benchmark or the footprint fails
   */
  public static void main(String[] args) throws Exception {
    Results r = run(Settings.parse(args));
    System.out.println();
    System.out.println(Report.summary(r));
    System.exit(0);
  }

  static Results run(Settings s) throws Exception {
    Instant started = Instant.now();
    Path classpathCopy = s.quick ? null : snapshotClasspath();
    try {
      return run(s, started);
    } finally {
      if (classpathCopy != null) {
        deleteTree(classpathCopy);
      }
    }
  }

  /**
   * Copies the class directories on the classpath (this module's and the reactor modules'
   * target/classes) and points {@code java.class.path} — which JMH and {@link #fresh} give every
   * JVM they start — at the copies, and loads this module's classes now: a build started elsewhere
   * in the same checkout while the run goes on ({@code mvn verify} recompiles, {@code mvn clean}
   * deletes target/) cannot pull classes from under it.
   */
  private static Path snapshotClasspath() throws IOException {
    Path root = Files.createTempDirectory("holdfast-bench-classpath-");
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String entry :
        System.getProperty("java.class.path", "").split(java.io.File.pathSeparator, -1)) {
      if (entry.isEmpty()) {
        continue; // not a path: Path.of("") would be the working directory
      }
      Path p = Path.of(entry);
      if (Files.isDirectory(p)) {
        Path copy = root.resolve(Integer.toString(i++));
        copyTree(p, copy);
        entries.add(copy.toString());
      } else {
        entries.add(entry);
      }
    }
    System.setProperty("java.class.path", String.join(java.io.File.pathSeparator, entries));
    for (Class<?> c :
        List.of(
            Report.class,
            Chart.class,
            Chart.Bar.class,
            Chart.Group.class,
            Chart.Section.class,
            Results.class,
            Results.Throughput.class,
            Results.HandOffStats.class,
            Json.class,
            Cost.class,
            Cost.Result.class,
            Footprint.class,
            Footprint.Result.class,
            Monitor.class,
            Paired.class,
            Paired.Ratio.class,
            MembershipProbe.class,
            MembershipProbe.Result.class)) {
      try {
        Class.forName(c.getName(), true, BenchmarkRun.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return root;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // left in the temp directory
    }
  }

  private static Results run(Settings s, Instant started) throws Exception {
    // Outside target/: a "mvn clean" elsewhere in the checkout must not take the samples away.
    Path handOffDir = Files.createTempDirectory("holdfast-bench-handoff-");
    Results results = new Results();
    // No etcd binary is published on Maven Central: without one on the PATH (or Docker, or
    // HOLDFAST_ETCD_ENDPOINTS) the etcd benchmarks are left out and the run says so.
    @Nullable EtcdServer etcd = EtcdServers.available() ? EtcdServers.dedicated() : null;
    try (RedisServer redis = RedisServers.localProcess();
        ZooKeeperServer zooKeeper = ZooKeeperServers.inJvm();
        PostgresServer postgres = PostgresServers.dedicated()) {
      String redisHostPort = Servers.hostPort(redis.uri());
      List<String> props =
          new ArrayList<>(
              List.of(
                  Servers.REDIS_PROPERTY, redisHostPort,
                  Servers.ZOOKEEPER_PROPERTY, zooKeeper.connectString(),
                  Servers.POSTGRES_PROPERTY, postgres.jdbcUrlWithCredentials(),
                  HandOff.DIR_PROPERTY, handOffDir.toAbsolutePath().toString()));
      if (etcd != null) {
        props.addAll(List.of(Servers.ETCD_PROPERTY, etcd.endpointList()));
      }
      List<String> forkArgs =
          new ArrayList<>(
              List.of("-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
      for (int i = 0; i < props.size(); i += 2) {
        System.setProperty(props.get(i), props.get(i + 1));
        forkArgs.add("-D" + props.get(i) + "=" + props.get(i + 1));
      }
      describe(results, s, redis, zooKeeper, postgres, etcd);

      // Every round runs every benchmark once (one fork each): a burst of load from elsewhere
      // on the machine then hits all libraries alike instead of whichever ran at that moment.
      Map<String, ListStatistics> scores = new TreeMap<>();
      for (int round = 1; round <= s.rounds; round++) {
        Files.createDirectories(s.out);
        ChainedOptionsBuilder options =
            new OptionsBuilder()
                .include(s.include)
                .forks(s.forks)
                .warmupIterations(s.warmups)
                .measurementIterations(s.iterations)
                .warmupTime(TimeValue.milliseconds(s.iterationMillis))
                .measurementTime(TimeValue.milliseconds(s.iterationMillis))
                .jvmArgs(forkArgs.toArray(new String[0]))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(s.out.resolve("jmh-round-" + round + ".json").toString());
        if (s.quick) {
          options.timeout(TimeValue.seconds(30));
        }
        if (etcd == null) {
          options.exclude(EtcdLockBenchmark.class.getName());
        }
        Collection<RunResult> run;
        try {
          run = new Runner(options.build()).run();
        } catch (RunnerException e) {
          throw new IllegalStateException("a benchmark failed", e);
        }
        for (RunResult rr : run) {
          String key = rr.getParams().getBenchmark() + "|" + rr.getParams().getParam("impl");
          ListStatistics into = scores.computeIfAbsent(key, k -> new ListStatistics());
          for (BenchmarkResult br : rr.getBenchmarkResults()) {
            for (IterationResult ir : br.getIterationResults()) {
              into.addValue(ir.getPrimaryResult().getScore());
            }
          }
        }
      }
      for (Map.Entry<String, ListStatistics> e : scores.entrySet()) {
        String benchmark = e.getKey().substring(0, e.getKey().indexOf('|'));
        String impl = e.getKey().substring(e.getKey().indexOf('|') + 1);
        String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        String backend =
            benchmark.contains("ZooKeeper")
                ? "zookeeper"
                : benchmark.contains("Postgres")
                    ? "postgres"
                    : benchmark.contains("Etcd") ? "etcd" : "redis";
        ListStatistics st = e.getValue();
        results.throughput.add(
            new Results.Throughput(
                backend, method, impl, st.getMean(), st.getMeanErrorAt(0.999), st.getN()));
      }
      readHandOffs(handOffDir, results);
      deleteTree(handOffDir);
      if (s.throughputOnly) {
        return finish(s, started, results);
      }

      for (String impl : List.of("holdfast", "redisson")) {
        results.footprints.add(
            s.quick
                ? Footprint.measure(impl, redis.uri(), s.locks)
                : Footprint.Result.parse(
                    fresh(
                        Footprint.class,
                        Footprint.PREFIX,
                        impl,
                        redisHostPort,
                        Integer.toString(s.locks))));
      }
      results.settings.put("costRounds", Integer.toString(s.quick ? 1 : s.costRounds));
      results.costs.addAll(
          costs(
              s,
              "redis",
              List.of("floor", "scripts", "holdfast", "redisson"),
              redisHostPort,
              s.cycles,
              impl -> Cost.redis(impl, redis.uri(), s.cycles)));
      if (s.quick) {
        results.paired.addAll(Paired.redis(redis.uri(), 3, 20));
      } else {
        for (String line :
            freshAll(
                Paired.class,
                Paired.PREFIX,
                "redis",
                redisHostPort,
                Integer.toString(s.pairedRounds),
                "200")) {
          results.paired.add(Paired.Ratio.parse(line));
        }
      }
      results.memberships.add(membership(s, "redis", redisHostPort));
      if (s.include.contains("ZooKeeper") || s.include.equals(ALL)) {
        results.memberships.add(membership(s, "zookeeper", zooKeeper.connectString()));
        if (s.quick) {
          results.paired.addAll(Paired.zooKeeper(zooKeeper.connectString(), 3, 20));
        } else {
          try {
            for (String line :
                freshAll(
                    Paired.class,
                    Paired.PREFIX,
                    "zookeeper",
                    zooKeeper.connectString(),
                    Integer.toString(s.pairedRounds),
                    "500")) {
              results.paired.add(Paired.Ratio.parse(line));
            }
          } catch (IllegalStateException e) {
            String message = String.valueOf(e.getMessage());
            String first =
                message.lines().filter(l -> l.contains("Exception")).findFirst().orElse(message);
            results.problems.add("the paired ZooKeeper comparison failed: " + first.trim());
            System.out.println(e.getMessage());
          }
        }
        results.costs.addAll(
            costs(
                s,
                "zookeeper",
                List.of("holdfast", "curator"),
                zooKeeper.connectString(),
                s.zkCycles,
                impl -> Cost.zooKeeper(impl, zooKeeper.connectString(), s.zkCycles)));
      }
    } finally {
      if (etcd != null) {
        etcd.close();
      }
    }
    return finish(s, started, results);
  }

  private static Results finish(Settings s, Instant started, Results results) throws IOException {
    results.settings.put("loadAverageAtEnd", loadAverage());
    results.settings.put(
        "duration",
        Duration.between(started, Instant.now()).truncatedTo(ChronoUnit.SECONDS).toString());
    Files.createDirectories(s.out);
    Files.writeString(s.out.resolve("results.json"), results.toJson(), StandardCharsets.UTF_8);
    Files.writeString(s.out.resolve("results.csv"), results.toCsv(), StandardCharsets.UTF_8);
    Path docs = s.docs;
    if (docs != null) {
      Report.write(results, docs);
    }
    return results;
  }

  /** Measures one library's cost in-process (the smoke mode). */
  private interface CostProbe {
    Cost.Result run(String impl) throws Exception;
  }

  /**
   * Each library's cost per cycle, measured {@code costRounds} times in a fresh JVM each with the
   * libraries interleaved, keeping the run with the median wall time: a burst of other work on the
   * machine then spoils one run of one library, not the table.
   */
  private static List<Cost.Result> costs(
      Settings s,
      String backend,
      List<String> impls,
      String address,
      int cycles,
      CostProbe inProcess)
      throws Exception {
    Map<String, List<Cost.Result>> runs = new java.util.LinkedHashMap<>();
    for (int round = 0; round < (s.quick ? 1 : s.costRounds); round++) {
      for (String impl : impls) {
        Cost.Result c =
            s.quick
                ? inProcess.run(impl)
                : Cost.Result.parse(
                    fresh(
                        Cost.class, Cost.PREFIX, backend, impl, address, Integer.toString(cycles)));
        runs.computeIfAbsent(impl, k -> new ArrayList<>()).add(c);
      }
    }
    List<Cost.Result> kept = new ArrayList<>();
    for (List<Cost.Result> l : runs.values()) {
      l.sort(java.util.Comparator.comparingDouble(Cost.Result::wallMicros));
      kept.add(l.get(l.size() / 2));
    }
    return kept;
  }

  private static MembershipProbe.Result membership(Settings s, String backend, String address)
      throws Exception {
    String samples = Integer.toString(s.membershipSamples);
    String members = Integer.toString(s.members);
    return s.quick
        ? MembershipProbe.measure(backend, address, s.membershipSamples, s.members)
        : MembershipProbe.Result.parse(
            fresh(
                MembershipProbe.class, MembershipProbe.PREFIX, backend, address, samples, members));
  }

  private static void readHandOffs(Path dir, Results results) throws IOException {
    Map<String, List<Long>> samples = new TreeMap<>();
    Map<String, Long> overlaps = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".handoff")) {
          continue;
        }
        String[] parts = name.split("-", -1); // -1: keep empty fields too
        String key = parts[0] + "-" + parts[1];
        List<Long> into = samples.computeIfAbsent(key, k -> new ArrayList<>());
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (line.startsWith("# overlaps ")) {
            overlaps.merge(key, Long.parseLong(line.substring(11).trim()), Long::sum);
          } else if (!line.isBlank()) {
            into.add(Long.parseLong(line.trim()));
          }
        }
      }
    }
    for (Map.Entry<String, List<Long>> e : samples.entrySet()) {
      String[] key = e.getKey().split("-", -1);
      long[] values = e.getValue().stream().mapToLong(Long::longValue).toArray();
      results.handOffs.add(
          Results.HandOffStats.of(key[0], key[1], values, overlaps.getOrDefault(e.getKey(), 0L)));
    }
  }

  /**
   * Runs {@code main} in a fresh JVM (serial collector) and returns its line after {@code prefix}.
   */
  private static String fresh(Class<?> main, String prefix, String... args)
      throws IOException, InterruptedException {
    List<String> all = freshAll(main, prefix, args);
    return all.get(all.size() - 1);
  }

  /** Runs {@code main} in a fresh JVM and returns every line after {@code prefix}, at least one. */
  private static List<String> freshAll(Class<?> main, String prefix, String... args)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-Xms512m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> found = new ArrayList<>();
    StringBuilder output = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.append(line).append('\n');
        if (line.startsWith(prefix)) {
          found.add(line.substring(prefix.length()));
          System.out.println(line);
        }
      }
    }
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || found.isEmpty()) {
      p.destroyForcibly();
      throw new IllegalStateException(
          main.getSimpleName() + " " + List.of(args) + " failed:\n" + output);
    }
    return found;
  }

  /** The server's version, from its {@code /version} endpoint. */
  private static String etcdVersion(EtcdServer server) {
    try {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(server.endpoints().get(0) + "/version"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\"etcdserver\":\"([^\"]+)\"").matcher(r.body());
      return m.find() ? "etcd " + m.group(1) : "etcd ?";
    } catch (IOException e) {
      return "etcd ? (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "etcd ?";
    }
  }

  private static String postgresVersion(PostgresServer server) {
    try (java.sql.Connection c = server.connect();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SHOW server_version")) {
      return rs.next() ? "PostgreSQL " + rs.getString(1) : "PostgreSQL ?";
    } catch (java.sql.SQLException e) {
      return "PostgreSQL ? (" + e.getMessage() + ")";
    }
  }

  private static void describe(
      Results r,
      Settings s,
      RedisServer redis,
      ZooKeeperServer zk,
      PostgresServer postgres,
      @Nullable EtcdServer etcd) {
    Map<String, String> m = r.machine;
    m.put("cpu", cpuModel());
    m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put(
        "java",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("redis", "redis-server " + redisVersion(redis) + ", local process, loopback");
    m.put(
        "zookeeper",
        "ZooKeeper "
            + org.apache.zookeeper.Version.getFullVersion().split("[-,]", -1)[0]
            + ", in-JVM server ("
            + zk.source()
            + ", no fsync)");
    m.put("postgresql", postgresVersion(postgres) + " (" + postgres.source() + ", no fsync)");
    m.put(
        "etcd",
        etcd == null
            ? "none (no etcd binary on the PATH, no Docker: the etcd benchmarks were left out)"
            : etcdVersion(etcd) + " (" + etcd.source() + ")");
    m.put("jetcd", version("io.etcd", "jetcd-core"));
    m.put("holdfast", gitRevision());
    m.put("lettuce", version("io.lettuce", "lettuce-core"));
    m.put("redisson", version("org.redisson", "redisson"));
    m.put("curator", version("org.apache.curator", "curator-recipes"));
    m.put("netty", version("io.netty", "netty-common"));
    m.put("postgresql-jdbc", version("org.postgresql", "postgresql"));
    m.put("hikaricp", version("com.zaxxer", "HikariCP"));
    m.put("shedlock", version("net.javacrumbs.shedlock", "shedlock-provider-jdbc-template"));
    m.put(
        "spring-integration",
        version("org.springframework.integration", "spring-integration-jdbc"));
    m.put("jmh", version("org.openjdk.jmh", "jmh-core"));
    Map<String, String> st = r.settings;
    st.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    st.put("mode", s.quick ? "quick (smoke, not a measurement)" : "full");
    st.put("rounds", Integer.toString(s.rounds));
    st.put("forks", Integer.toString(s.forks));
    st.put("warmups", Integer.toString(s.warmups));
    st.put("iterations", Integer.toString(s.iterations));
    st.put("iterationMillis", Long.toString(s.iterationMillis));
    st.put("locksHeld", Integer.toString(s.locks));
    st.put("loadAverageAtStart", loadAverage());
  }

  /** The commit measured, and whether the measured library modules differed from it. */
  private static String gitRevision() {
    try {
      String head = git("rev-parse", "--short", "HEAD").trim();
      String dirty =
          git(
                  "status",
                  "--porcelain",
                  "--",
                  ":/lock-api",
                  ":/lock-redis",
                  ":/lock-zookeeper",
                  ":/cluster-membership",
                  ":/cluster-membership-redis",
                  ":/cluster-membership-zookeeper")
              .trim();
      return head.isEmpty()
          ? "?"
          : "commit "
              + head
              + (dirty.isEmpty() ? "" : " with local changes to the library modules");
    } catch (IOException | RuntimeException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static String git(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of("git", "-C", Path.of("").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      return "";
    }
    return out;
  }

  /** The 1, 5 and 15 minute load averages: how busy the machine was besides this run. */
  private static String loadAverage() {
    try {
      String[] f =
          Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).trim().split(" ", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  private static String redisVersion(RedisServer redis) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      for (String line : c.sync().info("server").split("\r?\n", -1)) {
        if (line.startsWith("redis_version:")) {
          return line.substring("redis_version:".length()).trim();
        }
      }
      return "?";
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static String version(String group, String artifact) {
    String resource = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = BenchmarkRun.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return "?";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }

  static String fmt(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
