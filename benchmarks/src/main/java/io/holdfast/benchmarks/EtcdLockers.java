package io.holdfast.benchmarks;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.holdfast.lock.etcd.EtcdLockService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The lockers measured against etcd, each on a jetcd client of its own (Holdfast's is the one its
 * builder opens), all against the same server.
 */
final class EtcdLockers {
  /** Every jetcd call is bounded: a benchmark must fail, not hang, if the server goes away. */
  private static final long TIMEOUT_SECONDS = 30;

  private EtcdLockers() {}

  static Locker create(String impl, String endpoints) {
    String[] urls = endpoints.split(",");
    return switch (impl) {
      case "floor" -> new Floor(client(urls));
      // A long command timeout, as for the other backends: a loaded machine may stall the
      // server for seconds; speed is what is measured, not timeouts.
      case "holdfast" ->
          new Locker.Holdfast(
              EtcdLockService.builder(urls).commandTimeout(Duration.ofSeconds(30)).build());
      case "jetcd" -> new JetcdLock(client(urls));
      default -> throw new IllegalArgumentException("unknown etcd implementation " + impl);
    };
  }

  private static Client client(String[] urls) {
    return Client.builder().endpoints(urls).build();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /**
   * The least any safe etcd lock can do per cycle: one transaction that puts the key if it does not
   * exist (attached to a lease granted once, so a crashed holder's key would go), and one
   * transaction that deletes it if it is still ours (compared on its create revision). No fencing
   * token handed out, no queue, no renewal (the lease outlives a trial); when the lock is taken it
   * asks again at once (polling), which makes it a reference for the contended case, not a usable
   * lock.
   */
  static final class Floor implements Locker {
    private final Client client;
    private final KV kv;
    private final long lease;
    private final ByteSequence value = bytes("floor");

    private record FloorHeld(ByteSequence key, long revision) {}

    Floor(Client client) {
      this.client = client;
      this.kv = client.getKVClient();
      try {
        this.lease =
            client.getLeaseClient().grant(600).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getID();
      } catch (Exception e) {
        client.close();
        throw new IllegalStateException("could not grant the floor's lease", e);
      }
    }

    @Override
    public Object lock(String name) throws Exception {
      ByteSequence key = bytes("/bench-floor/" + name);
      while (true) {
        TxnResponse r =
            kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, value, PutOption.builder().withLeaseId(lease).build()))
                .commit()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r.isSucceeded()) {
          return new FloorHeld(key, r.getHeader().getRevision());
        }
        Thread.onSpinWait();
      }
    }

    @Override
    public void unlock(Object held) throws Exception {
      FloorHeld h = (FloorHeld) held;
      TxnResponse r =
          kv.txn()
              .If(new Cmp(h.key(), Cmp.Op.EQUAL, CmpTarget.createRevision(h.revision())))
              .Then(Op.delete(h.key(), DeleteOption.DEFAULT))
              .commit()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!r.isSucceeded()) {
        throw new IllegalStateException("the floor lost " + h.key() + " before releasing it");
      }
    }

    @Override
    public void close() {
      try {
        client.getLeaseClient().revoke(lease).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        // it expires by itself
      } finally {
        client.close();
      }
    }
  }

  /**
   * jetcd's own {@code Lock} client the way its users write it: grant a lease, {@code lock(name,
   * lease)} (etcd's lock service, which waits on the server), {@code unlock(key)}. The lease (10 s)
   * is left to expire, as in jetcd's examples; nothing keeps it alive, so a section longer than its
   * TTL would lose the lock unnoticed.
   */
  static final class JetcdLock implements Locker {
    private final Client client;

    JetcdLock(Client client) {
      this.client = client;
    }

    @Override
    public Object lock(String name) throws Exception {
      long lease = client.getLeaseClient().grant(10).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getID();
      return client
          .getLockClient()
          .lock(bytes("/bench-jetcd/" + name), lease)
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .getKey();
    }

    @Override
    public void unlock(Object held) throws Exception {
      client.getLockClient().unlock((ByteSequence) held).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
