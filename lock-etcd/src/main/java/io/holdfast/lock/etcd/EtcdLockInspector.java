package io.holdfast.lock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.holdfast.lock.LockBackendException;
import io.holdfast.lock.LockInfo;
import io.holdfast.lock.LockPage;
import io.holdfast.lock.etcd.internal.EtcdSupport;
import io.holdfast.lock.internal.AbstractLockInspector;
import io.holdfast.lock.internal.AbstractLockService;
import io.holdfast.lock.internal.Inspection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * The etcd inspector. A lock's holder is the key with the lowest create revision under the lock's
 * prefix: that revision is the fencing token, its etcd lease (hex) the owner id, the lease's TTL
 * the lease left, and the other keys are the waiters. Listing reads key names only, in key order,
 * with a limit per range request, keyset-paged past the last name seen. A force-release deletes the
 * holder's key if its create revision is still the one read: the next key in the queue is granted
 * the lock with a larger revision, and the old holder's next renewal finds its key gone.
 */
final class EtcdLockInspector extends AbstractLockInspector {
  private static final int KEYS_PER_RANGE = 1000;

  private final Client client;
  private final String root;
  private final BiFunction<String, Throwable, String> describe;
  private final Duration commandTimeout;

  EtcdLockInspector(
      AbstractLockService service,
      Client client,
      String root,
      BiFunction<String, Throwable, String> describe,
      Duration commandTimeout) {
    super(service, "etcd");
    this.client = client;
    this.root = root;
    this.describe = describe;
    this.commandTimeout = commandTimeout;
  }

  private <T> CompletableFuture<T> bounded(String what, CompletableFuture<T> call) {
    return EtcdSupport.bounded(call, commandTimeout)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    new LockBackendException(describe.apply(what, e), EtcdSupport.unwrap(e))));
  }

  private String prefixOf(String name) {
    return root + EtcdSupport.segment(name) + "/";
  }

  /** The smallest key after every key starting with {@code prefix}. */
  private static ByteSequence prefixEnd(String prefix) {
    byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != (byte) 0xff) {
        byte[] end = Arrays.copyOf(b, i + 1);
        end[i]++;
        return ByteSequence.from(end);
      }
    }
    return ByteSequence.from(new byte[] {0}); // every key: etcd's "to the end"
  }

  @Override
  protected CompletableFuture<LockInfo> doInspect(String name) {
    String what = "inspecting '" + name + "'";
    return head(name, what)
        .thenCompose(
            r -> {
              if (r.getKvs().isEmpty()) {
                return CompletableFuture.completedFuture(LockInfo.free(name));
              }
              KeyValue head = r.getKvs().get(0);
              int waiters = (int) Math.min(Integer.MAX_VALUE, r.getCount() - 1);
              return bounded(
                      what,
                      client.getLeaseClient().timeToLive(head.getLease(), LeaseOption.DEFAULT))
                  .thenApply(
                      ttl ->
                          LockInfo.held(
                              name,
                              Long.toHexString(head.getLease()),
                              head.getCreateRevision(),
                              null,
                              ttl.getTTL() >= 0 ? Duration.ofSeconds(ttl.getTTL()) : null,
                              waiters));
            });
  }

  /** The first key of the lock's queue (by create revision), with the count of all its keys. */
  private CompletableFuture<GetResponse> head(String name, String what) {
    return bounded(
        what,
        client
            .getKVClient()
            .get(
                EtcdSupport.bytes(prefixOf(name)),
                GetOption.builder()
                    .isPrefix(true)
                    .withSortField(GetOption.SortTarget.CREATE)
                    .withSortOrder(GetOption.SortOrder.ASCEND)
                    .withLimit(1)
                    .build()));
  }

  @Override
  protected CompletableFuture<LockInfo> doForceRelease(String name) {
    String what = "force-releasing '" + name + "'";
    return doInspect(name)
        .thenCompose(
            info -> {
              if (!info.isHeld()) {
                return CompletableFuture.completedFuture(info);
              }
              return head(name, what)
                  .thenCompose(
                      r -> {
                        if (r.getKvs().isEmpty()
                            || r.getKvs().get(0).getCreateRevision() != info.fencingToken()) {
                          return CompletableFuture.completedFuture(LockInfo.free(name));
                        }
                        ByteSequence key = r.getKvs().get(0).getKey();
                        return bounded(
                                what,
                                client
                                    .getKVClient()
                                    .txn()
                                    .If(
                                        new Cmp(
                                            key,
                                            Cmp.Op.EQUAL,
                                            CmpTarget.createRevision(info.fencingToken())))
                                    .Then(Op.delete(key, DeleteOption.DEFAULT))
                                    .commit())
                            .thenApply(t -> t.isSucceeded() ? info : LockInfo.free(name));
                      });
            });
  }

  @Override
  protected CompletableFuture<LockPage> doList(String prefix, int pageSize, String cursor) {
    String from = root + EtcdSupport.segment(prefix);
    if (!cursor.isEmpty() && !cursor.startsWith(EtcdSupport.segment(prefix))) {
      return CompletableFuture.failedFuture(Inspection.badCursor(cursor));
    }
    // Past every key of the cursor's name: its keys are "<segment>/...", and '0' follows '/'.
    String start = cursor.isEmpty() ? from : root + cursor + "0";
    return page(start, prefixEnd(from), pageSize, new ArrayList<>(), "listing locks");
  }

  private CompletableFuture<LockPage> page(
      String start, ByteSequence end, int pageSize, List<LockInfo> page, String what) {
    return bounded(
            what,
            client
                .getKVClient()
                .get(
                    EtcdSupport.bytes(start),
                    GetOption.builder()
                        .withRange(end)
                        .withKeysOnly(true)
                        .withLimit(KEYS_PER_RANGE)
                        .build()))
        .thenCompose(
            r -> {
              Set<String> segments = new LinkedHashSet<>();
              for (KeyValue kv : r.getKvs()) {
                String key = kv.getKey().toString(StandardCharsets.UTF_8);
                int slash = key.indexOf('/', root.length());
                if (slash > root.length()) {
                  segments.add(key.substring(root.length(), slash));
                }
              }
              List<String> names = new ArrayList<>(segments);
              return fill(names, 0, pageSize, page)
                  .thenCompose(
                      filled -> {
                        if (filled >= 0) {
                          boolean more = filled + 1 < names.size() || r.isMore();
                          return CompletableFuture.completedFuture(
                              new LockPage(page, more ? names.get(filled) : null));
                        }
                        if (!r.isMore() || names.isEmpty()) {
                          return CompletableFuture.completedFuture(new LockPage(page, null));
                        }
                        return page(
                            root + names.get(names.size() - 1) + "0", end, pageSize, page, what);
                      });
            });
  }

  /**
   * Inspects the named locks from {@code from}, adding the held ones to the page; completes with
   * the index of the name that filled the page, or -1 if the names ran out first.
   */
  private CompletableFuture<Integer> fill(
      List<String> segments, int from, int pageSize, List<LockInfo> page) {
    int to = Math.min(segments.size(), from + pageSize - page.size());
    if (from >= to) {
      return CompletableFuture.completedFuture(-1);
    }
    List<CompletableFuture<LockInfo>> reads = new ArrayList<>();
    for (String s : segments.subList(from, to)) {
      reads.add(doInspect(EtcdSupport.unsegment(s)));
    }
    return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0]))
        .thenCompose(
            done -> {
              for (int i = 0; i < reads.size(); i++) {
                LockInfo info = reads.get(i).join();
                if (info.isHeld()) {
                  page.add(info);
                  if (page.size() == pageSize) {
                    return CompletableFuture.completedFuture(from + i);
                  }
                }
              }
              return fill(segments, to, pageSize, page);
            });
  }
}
