package io.holdfast.cli;

import io.holdfast.cli.Finding.Status;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Redis checks of {@code doctor}, on the node named by {@code --redis}. */
final class RedisDoctor {
  /** A clock offset beyond which the server's clock is probably not synchronised. */
  static final long CLOCK_OFFSET_WARN_MILLIS = 1000;

  private final Connection connection;
  private final int waitForReplicas;

  RedisDoctor(Connection connection, int waitForReplicas) {
    this.connection = connection;
    this.waitForReplicas = waitForReplicas;
  }

  List<Finding> check() {
    RedisClient client = RedisClient.create(connection.redisUri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> redis = c.sync();
      List<Finding> out = new ArrayList<>();
      Map<String, String> info;
      try {
        info = info(redis.info());
      } catch (RedisException e) {
        info = null; // a user without +info: the checks that need it say so
        out.add(
            new Finding(
                "info",
                Status.WARN,
                "INFO denied (" + e.getMessage() + ")",
                "version, persistence, replicas and cluster mode were not checked: run doctor as"
                    + " a user allowed +info."));
      }
      if (info != null) {
        out.add(version(info.getOrDefault("redis_version", "?")));
      }
      out.add(maxmemoryPolicy(redis));
      if (info != null) {
        out.add(persistence(info));
        out.add(replicas(info));
      }
      out.add(acl(redis));
      out.add(clock(redis));
      if (info != null) {
        out.add(cluster(info));
      }
      return out;
    } finally {
      client.shutdown();
    }
  }

  /** {@code INFO}'s {@code key:value} lines. */
  static Map<String, String> info(String text) {
    Map<String, String> m = new HashMap<>();
    for (String line : text.lines().toList()) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        m.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return m;
  }

  static Finding version(String version) {
    int major;
    try {
      major = Integer.parseInt(version.substring(0, version.indexOf('.')));
    } catch (RuntimeException e) {
      return new Finding("version", Status.WARN, version, "could not read the Redis version");
    }
    if (major < 7) {
      return new Finding(
          "version",
          Status.BREAKS,
          "Redis " + version,
          "Holdfast needs Redis 7.0 or later: its scripts rely on script effects replication"
              + " (replicas must apply the grant the primary made, with its clock-derived token).");
    }
    return Finding.ok("version", "Redis " + version);
  }

  private static Finding maxmemoryPolicy(RedisCommands<String, String> redis) {
    Map<String, String> policy;
    String maxmemory;
    try {
      policy = redis.configGet("maxmemory-policy");
      maxmemory = redis.configGet("maxmemory").getOrDefault("maxmemory", "?");
    } catch (RedisException e) {
      return new Finding(
          "maxmemory-policy",
          Status.WARN,
          "could not read it (" + e.getMessage() + ")",
          "CONFIG GET is not allowed for this user (or the service hides it): check with your"
              + " provider that the policy is noeviction.");
    }
    String p = policy.getOrDefault("maxmemory-policy", "?");
    if (p.equals("noeviction")) {
      return Finding.ok("maxmemory-policy", p);
    }
    return new Finding(
        "maxmemory-policy",
        Status.BREAKS,
        p + " (maxmemory " + maxmemory + ")",
        "set maxmemory-policy noeviction. Under memory pressure '"
            + p
            + "' may evict a held lock key (lock keys carry a TTL, so volatile-* policies evict"
            + " them too): another client is then granted the lock while its holder still"
            + " believes it holds it, until its next renewal. Mutual exclusion at the server is"
            + " gone; only fencing tokens protect the resource.");
  }

  private static Finding persistence(Map<String, String> info) {
    boolean aof = "1".equals(info.get("aof_enabled"));
    if (aof) {
      return Finding.ok("persistence", "AOF on");
    }
    return new Finding(
        "persistence",
        Status.WARN,
        "AOF off",
        "without AOF a restart loses the locks granted since the last snapshot: their holders"
            + " learn it at their next renewal, and for up to a renewal period an old and a new"
            + " holder both believe they hold the lock (docs/guarantees.md, Redis: restarts and"
            + " failover). Tokens still increase. Turn on appendonly yes if that matters.");
  }

  private Finding replicas(Map<String, String> info) {
    int replicas;
    try {
      replicas = Integer.parseInt(info.getOrDefault("connected_slaves", "0"));
    } catch (NumberFormatException e) {
      replicas = 0;
    }
    String role = info.getOrDefault("role", "?");
    String found = "role " + role + ", " + replicas + " connected replica(s)";
    if (waitForReplicas > replicas) {
      return new Finding(
          "replicas",
          Status.WARN,
          found + ", waitForReplicas " + waitForReplicas,
          "your services wait for "
              + waitForReplicas
              + " replica(s) after each grant but only "
              + replicas
              + " are connected: every acquire fails after the wait timeout.");
    }
    if (replicas > 0 && waitForReplicas == 0) {
      return new Finding(
          "replicas",
          Status.WARN,
          found + ", waitForReplicas 0",
          "a failover to a replica can lose a grant the primary acknowledged but had not yet"
              + " replicated, and two clients briefly hold the lock. waitForReplicas(1, timeout)"
              + " narrows that gap (docs/guarantees.md, Redis: restarts and failover).");
    }
    return Finding.ok("replicas", found + ", waitForReplicas " + waitForReplicas);
  }

  private static Finding acl(RedisCommands<String, String> redis) {
    String user;
    try {
      user = redis.aclWhoami();
    } catch (RedisException e) {
      return new Finding("acl", Status.INFO, "ACL WHOAMI failed: " + e.getMessage(), "");
    }
    if (!user.equals("default")) {
      return Finding.ok("acl", "connected as '" + user + "'");
    }
    return new Finding(
        "acl",
        Status.WARN,
        "connected as 'default'",
        "any client of this server can run any command, including deleting lock keys under their"
            + " holders. Give the services a user restricted to Holdfast's keys (docs/redis.md,"
            + " the minimal ACL).");
  }

  private static Finding clock(RedisCommands<String, String> redis) {
    long before = System.currentTimeMillis();
    List<String> time;
    try {
      time = redis.time();
    } catch (RedisException e) {
      return new Finding("clock", Status.WARN, "TIME denied (" + e.getMessage() + ")", "");
    }
    long after = System.currentTimeMillis();
    long server = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    long offset = server - (before + after) / 2;
    String found = "server clock " + (offset >= 0 ? "+" : "") + offset + " ms from this host's";
    if (Math.abs(offset) > CLOCK_OFFSET_WARN_MILLIS) {
      return new Finding(
          "clock",
          Status.WARN,
          found,
          "one of the two clocks is not synchronised. Redis expires lock keys on its own clock: a"
              + " clock that is later stepped forward expires locks early, one stepped back can"
              + " keep a token from increasing. Run NTP that slews, never steps.");
    }
    return Finding.ok("clock", found);
  }

  private static Finding cluster(Map<String, String> info) {
    if ("1".equals(info.get("cluster_enabled"))) {
      return new Finding(
          "cluster",
          Status.INFO,
          "cluster mode",
          "these checks ran on the node named by --redis only: run doctor on every primary."
              + " Holdfast hash-tags each lock key with its fencing counter's slot itself.");
    }
    return Finding.ok("cluster", "standalone");
  }
}
