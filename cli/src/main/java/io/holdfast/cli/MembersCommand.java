package io.holdfast.cli;

import io.holdfast.membership.Member;
import io.holdfast.membership.Membership;
import io.holdfast.membership.MembershipListener;
import io.holdfast.membership.Subscription;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code holdfast members list|watch GROUP} and {@code holdfast leader GROUP}. */
@Command(
    name = "members",
    description = "The members of a group: list them, or watch them come and go.",
    mixinStandardHelpOptions = true,
    subcommands = {MembersCommand.ListMembers.class, MembersCommand.Watch.class})
final class MembersCommand {
  static final List<String> HEADER =
      List.of("GROUP", "ID", "ADDRESS", "JOINED AT", "LEADER EPOCH", "METADATA");

  static Map<String, Object> json(Member m) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("group", m.group());
    j.put("id", m.id());
    j.put("host", m.host());
    j.put("port", m.port());
    j.put("joinedAt", m.joinedAt().toString());
    j.put("leaderEpoch", m.leaderEpoch());
    j.put("metadata", new LinkedHashMap<>(m.metadata()));
    return j;
  }

  static List<String> row(Member m) {
    return List.of(
        m.group(),
        m.id(),
        m.host() + ":" + m.port(),
        m.joinedAt().toString(),
        m.leaderEpoch() == 0 ? "-" : Long.toString(m.leaderEpoch()),
        m.metadata().isEmpty() ? "-" : m.metadata().toString());
  }

  /** The member that advertises the highest leader epoch. */
  static Optional<Member> leader(List<Member> members) {
    return members.stream()
        .filter(m -> m.leaderEpoch() > 0)
        .max(Comparator.comparingLong(Member::leaderEpoch));
  }

  /** {@code members list [GROUP]}: one group, or every group when none is named. */
  @Command(
      name = "list",
      description = "List the live members of GROUP (of every group if GROUP is left out).",
      mixinStandardHelpOptions = true)
  static final class ListMembers extends BackendCommand {
    @Parameters(paramLabel = "GROUP", arity = "0..1", description = "the group")
    String group = "";

    @Override
    int run(PrintWriter out) {
      List<Member> all = new ArrayList<>();
      try (Membership membership = connection.membership()) {
        List<String> groups = group.isEmpty() ? membership.groups() : List.of(group);
        for (String g : groups) {
          all.addAll(membership.members(g));
        }
      }
      if (json) {
        List<Object> list = new ArrayList<>();
        all.forEach(m -> list.add(json(m)));
        out.println(Output.json(list));
      } else {
        List<List<String>> rows = new ArrayList<>();
        all.forEach(m -> rows.add(row(m)));
        Output.table(out, HEADER, rows);
      }
      return ExitCodes.OK;
    }
  }

  /** {@code members watch GROUP}: events until Ctrl-C. */
  @Command(
      name = "watch",
      description = "Print GROUP's members, then each join, update and leave, until Ctrl-C.",
      mixinStandardHelpOptions = true)
  static final class Watch extends BackendCommand {
    @Parameters(paramLabel = "GROUP", description = "the group")
    String group = "";

    @Override
    int run(PrintWriter out) throws InterruptedException {
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "holdfast-watch-stop"));
      try (Membership membership = connection.membership();
          Subscription s = membership.watch(group, printer(out))) {
        stop.await();
      }
      return ExitCodes.OK;
    }

    private MembershipListener printer(PrintWriter out) {
      return new MembershipListener() {
        @Override
        public void snapshot(List<Member> members) {
          for (Member m : members) {
            print("member", m);
          }
        }

        @Override
        public void joined(Member member) {
          print("joined", member);
        }

        @Override
        public void updated(Member before, Member after) {
          print("updated", after);
        }

        @Override
        public void left(Member member) {
          print("left", member);
        }

        private void print(String event, Member m) {
          if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("event", event);
            j.put("member", json(m));
            out.println(Output.json(j));
          } else {
            out.println(
                java.time.Instant.now()
                    + "  "
                    + event
                    + "  "
                    + String.join("  ", row(m).subList(1, row(m).size())));
          }
          out.flush();
        }
      };
    }
  }

  /** {@code leader GROUP}. */
  @Command(
      name = "leader",
      description = "Show GROUP's current leader and its epoch (exit 1 if none).",
      mixinStandardHelpOptions = true)
  static final class Leader extends BackendCommand {
    @Parameters(paramLabel = "GROUP", description = "the group")
    String group = "";

    @Override
    int run(PrintWriter out) {
      Optional<Member> leader;
      try (Membership membership = connection.membership()) {
        leader = leader(membership.members(group));
      }
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("group", group);
        j.put("leader", leader.map(MembersCommand::json).orElse(null));
        out.println(Output.json(j));
      } else if (leader.isEmpty()) {
        out.println("'" + group + "' has no leader");
      } else {
        Output.table(out, HEADER, List.of(row(leader.get())));
      }
      return leader.isPresent() ? ExitCodes.OK : ExitCodes.NO;
    }
  }
}
