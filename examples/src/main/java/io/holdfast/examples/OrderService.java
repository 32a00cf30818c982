package io.holdfast.examples;

import io.holdfast.lock.LockHandle;
import io.holdfast.lock.LockService;
import io.holdfast.membership.LeaderElection;
import io.holdfast.membership.LeadershipListener;
import io.holdfast.membership.MemberInfo;
import io.holdfast.membership.Membership;
import io.holdfast.membership.Registration;
import io.holdfast.testkit.JvmProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One order-service instance of the demo, in its own JVM. It registers in the {@code order-service}
 * group, joins the leader election, and takes orders on several threads until every SKU is sold
 * out: each order is a stock decrement under the SKU's lock, written with the lock's fencing token.
 * It reports to the coordinator on standard output, and takes commands on standard input: {@code
 * GO} (start selling, once every instance is up), {@code HOLD <sku>} (take the SKU's lock, read the
 * stock, print {@code HOLDING} and wait), {@code WRITE} (write the decrement prepared under {@code
 * HOLD}), and {@code STOP} (leave the group and exit, after the stock is sold out).
 *
 * <p>Args: backend-kind backend-address instance-id threads sku,sku,...
 */
public final class OrderService {
  private OrderService() {}

  /**
   * Runs the instance.
   *
   * @param args see the class comment
   * @throws Exception if it cannot run
   */
  public static void main(String[] args) throws Exception {
    DemoBackend backend = DemoBackend.parse(args[0], args[1]);
    String id = args[2];
    int threads = Integer.parseInt(args[3]);
    List<String> skus = List.of(args[4].split(","));
    AtomicLong accepted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong stale = new AtomicLong();
    AtomicBoolean soldOut = new AtomicBoolean();
    try (LockService locks = backend.locks();
        Membership membership = backend.membership();
        FencedStock stock = backend.stock()) {
      // tag::register[]
      Registration me =
          membership.register(
              MemberInfo.builder("order-service")
                  .id(id)
                  .host("127.0.0.1")
                  .port(9000 + Math.floorMod(id.hashCode(), 1000))
                  .metadata("pid", Long.toString(ProcessHandle.current().pid()))
                  .metadata("threads", Integer.toString(threads))
                  .build());
      // end::register[]
      LeaderElection election = membership.election(me);
      election.addListener(
          new LeadershipListener() {
            @Override
            public void gained(long epoch) {
              System.out.println("LEADER " + epoch);
            }
          });
      java.io.BufferedReader commands =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
      java.util.concurrent.BlockingQueue<String> stdin =
          new java.util.concurrent.LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  String line;
                  while ((line = commands.readLine()) != null) {
                    stdin.add(line);
                  }
                } catch (java.io.IOException e) {
                  // the coordinator is gone
                }
                stdin.add("STOP");
              },
              "commands");
      reader.setDaemon(true);
      reader.start();
      System.out.println(JvmProcess.READY);
      // Start selling only when every instance is up, or the first one would sell everything.
      while (!"GO".equals(stdin.take())) {
        // ignore anything else until then
      }
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread w =
            new Thread(
                () -> takeOrders(locks, stock, skus, accepted, refused, stale, soldOut),
                id + "-orders-" + t);
        w.start();
        workers.add(w);
      }
      while (true) {
        report(accepted, refused, stale, election);
        String command = stdin.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (command == null) {
          continue;
        }
        if (command.startsWith("HOLD ")) {
          holdThenWrite(locks, stock, command.substring(5), stdin, stale);
        } else if (command.equals("STOP")) {
          break;
        }
      }
      soldOut.set(true);
      for (Thread w : workers) {
        w.join();
      }
      report(accepted, refused, stale, election);
      election.close();
      me.close();
    }
    System.out.println("DONE");
  }

  /**
   * Takes a SKU's lock and prepares a decrement, then waits for the coordinator's WRITE — the
   * coordinator freezes this JVM in between, past the lease, as a long GC pause would. The write
   * then carries a stale token and the store refuses it.
   */
  private static void holdThenWrite(
      LockService locks,
      FencedStock stock,
      String sku,
      java.util.concurrent.BlockingQueue<String> stdin,
      AtomicLong stale)
      throws InterruptedException {
    try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(30))) {
      lock.onLost(h -> System.out.println("LOST " + h.name() + " token " + h.fencingToken()));
      long left = stock.read(sku, lock.fencingToken());
      System.out.println("HOLDING " + sku + " " + lock.fencingToken() + " " + left);
      String next = stdin.take();
      if (!next.equals("WRITE")) {
        return;
      }
      if (left <= 0) {
        System.out.println("WROTE skipped: no stock held=" + lock.isHeld());
        return;
      }
      boolean accepted = stock.write(sku, left - 1, lock.fencingToken());
      if (!accepted) {
        stale.incrementAndGet();
      }
      System.out.println(
          "WROTE " + (accepted ? "accepted" : "rejected") + " held=" + lock.isHeld());
    }
  }

  private static void report(
      AtomicLong accepted, AtomicLong refused, AtomicLong stale, LeaderElection election) {
    System.out.println(
        "STAT "
            + accepted.get()
            + " "
            + refused.get()
            + " "
            + stale.get()
            + " "
            + (election.isLeader() ? election.epoch() : 0));
  }

  private static void takeOrders(
      LockService locks,
      FencedStock stock,
      List<String> skus,
      AtomicLong accepted,
      AtomicLong refused,
      AtomicLong stale,
      AtomicBoolean soldOut) {
    while (!soldOut.get()) {
      String sku = skus.get(ThreadLocalRandom.current().nextInt(skus.size()));
      try (LockHandle lock = locks.acquire("sku:" + sku, Duration.ofSeconds(30))) {
        long left = stock.read(sku, lock.fencingToken());
        if (left < 0) {
          stale.incrementAndGet(); // a newer holder has been here: this grant is stale
        } else if (left == 0) {
          refused.incrementAndGet();
          if (stock.total(skus) <= 0) {
            soldOut.set(true);
          }
        } else if (stock.write(sku, left - 1, lock.fencingToken())) {
          accepted.incrementAndGet();
        } else {
          // This process was paused past its lease and a newer holder wrote meanwhile: the store
          // refused the stale write. The order is not taken; nothing is oversold.
          stale.incrementAndGet();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // e.g. the backend was unreachable while frozen; try the next order
        System.out.println("ERROR " + e);
      }
    }
  }
}
