package io.holdfast.cli;

import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockInspector;
import io.holdfast.lock.LockPage;
import io.holdfast.lock.LockService;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code holdfast locks list|show|release}: the inspector on the command line. */
@Command(
    name = "locks",
    description = "Who holds which lock; force-release a stuck one.",
    mixinStandardHelpOptions = true,
    subcommands = {
      LocksCommand.ListLocks.class,
      LocksCommand.Show.class,
      LocksCommand.Release.class
    })
final class LocksCommand {

  static Map<String, Object> json(LockInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", i.name());
    m.put("held", i.isHeld());
    if (i.isHeld()) {
      m.put("owner", i.ownerId().orElse(""));
      m.put("fencingToken", i.fencingToken());
      i.grantedAt().ifPresent(t -> m.put("grantedAt", t.toString()));
      i.leaseLeft().ifPresent(d -> m.put("leaseLeftMillis", d.toMillis()));
      i.waiters().ifPresent(w -> m.put("waiters", w));
    }
    return m;
  }

  static List<String> row(LockInfo i) {
    return List.of(
        i.name(),
        i.ownerId().orElse("-"),
        Long.toString(i.fencingToken()),
        i.grantedAt().map(Object::toString).orElse("-"),
        Output.human(i.leaseLeft().orElse(null)),
        i.waiters().isPresent() ? Integer.toString(i.waiters().getAsInt()) : "-");
  }

  static final List<String> HEADER =
      List.of("NAME", "OWNER", "TOKEN", "GRANTED AT", "LEASE LEFT", "WAITERS");

  /** {@code locks list}. */
  @Command(
      name = "list",
      description = "List the held locks, by name prefix, page by page (SCAN on Redis).",
      mixinStandardHelpOptions = true)
  static final class ListLocks extends BackendCommand {
    @Option(names = "--prefix", description = "only locks whose name starts with this")
    String namePrefix = "";

    @Option(names = "--page-size", description = "locks read per request (default 100)")
    int pageSize = 100;

    @Option(names = "--limit", description = "stop after this many locks (default: all)")
    int limit = Integer.MAX_VALUE;

    @Override
    int run(PrintWriter out) {
      List<LockInfo> all = new ArrayList<>();
      try (LockService locks = connection.locks()) {
        LockInspector inspector = locks.inspector();
        String cursor = LockPage.FIRST;
        while (cursor != null && all.size() < limit) {
          LockPage page = inspector.list(namePrefix, pageSize, cursor);
          all.addAll(page.locks());
          cursor = page.nextCursor().orElse(null);
        }
      }
      List<LockInfo> shown = all.size() > limit ? all.subList(0, limit) : all;
      if (json) {
        List<Object> list = new ArrayList<>();
        shown.forEach(i -> list.add(json(i)));
        out.println(Output.json(list));
      } else {
        List<List<String>> rows = new ArrayList<>();
        shown.forEach(i -> rows.add(row(i)));
        Output.table(out, HEADER, rows);
        out.println(shown.size() + (shown.size() == 1 ? " lock held" : " locks held"));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code locks show NAME}. */
  @Command(
      name = "show",
      description = "Show one lock: holder, fencing token, grant time, lease left, waiters.",
      mixinStandardHelpOptions = true)
  static final class Show extends BackendCommand {
    @Parameters(paramLabel = "NAME", description = "the lock name")
    String name = "";

    @Override
    int run(PrintWriter out) {
      LockInfo info;
      try (LockService locks = connection.locks()) {
        info = locks.inspector().inspect(name);
      }
      if (json) {
        out.println(Output.json(json(info)));
      } else if (!info.isHeld()) {
        out.println("'" + name + "' is free");
      } else {
        Output.table(out, HEADER, List.of(row(info)));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code locks release NAME --force}. */
  @Command(
      name = "release",
      description =
          "Take a lock away from its holder (fenced: the next grant's token is larger; the holder"
              + " is told at its next renewal). Needs --force.",
      mixinStandardHelpOptions = true)
  static final class Release extends BackendCommand {
    @Parameters(paramLabel = "NAME", description = "the lock name")
    String name = "";

    @Option(names = "--force", description = "yes, take it away from its holder")
    boolean force;

    @Override
    int run(PrintWriter out) {
      if (!force) {
        throw new IllegalArgumentException(
            "releasing a lock someone else holds needs --force: its holder may still be working"
                + " (it learns of the loss at its next renewal; only the fencing token protects"
                + " the resource meanwhile)");
      }
      Optional<LockInfo> released;
      try (LockService locks = connection.locks()) {
        released = locks.inspector().forceRelease(name);
      }
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("released", released.isPresent());
        released.ifPresent(i -> m.put("lock", json(i)));
        out.println(Output.json(m));
      } else if (released.isEmpty()) {
        out.println("'" + name + "' was not held; nothing released");
      } else {
        LockInfo i = released.get();
        out.println(
            "released '"
                + name
                + "' from "
                + i.ownerId().orElse("?")
                + " (fencing token "
                + i.fencingToken()
                + "); the next grant gets a larger token");
      }
      return released.isPresent() ? ExitCodes.OK : ExitCodes.NO;
    }
  }
}
