package io.holdfast.lock.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.holdfast.testkit.SharedRegister;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An administrator's jetcd client for tests: reads and deletes keys behind the services' backs. */
final class EtcdTesting {
  private EtcdTesting() {}

  static Client client(List<String> endpoints) {
    return Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** The keys under a prefix, lowest create revision first. */
  static List<KeyValue> queue(Client admin, String prefix) {
    try {
      return admin
          .getKVClient()
          .get(
              bytes(prefix),
              GetOption.builder()
                  .isPrefix(true)
                  .withSortField(GetOption.SortTarget.CREATE)
                  .withSortOrder(GetOption.SortOrder.ASCEND)
                  .build())
          .get(10, TimeUnit.SECONDS)
          .getKvs();
    } catch (Exception e) {
      throw new IllegalStateException("could not list " + prefix, e);
    }
  }

  /** Deletes the lock's holder key (the lowest create revision), as an operator would. */
  static void breakLease(Client admin, String name) {
    String prefix =
        EtcdLockService.DEFAULT_NAMESPACE
            + "locks/"
            + name.replace("%", "%25").replace("/", "%2F")
            + "/";
    List<KeyValue> q = queue(admin, prefix);
    if (!q.isEmpty()) {
      try {
        admin.getKVClient().delete(q.get(0).getKey()).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("could not break the lease of " + name, e);
      }
    }
  }

  static SharedRegister register(Client admin, String key) {
    ByteSequence k = bytes("/holdfast-test/registers/" + key);
    return new SharedRegister() {
      @Override
      public long read() {
        try {
          List<KeyValue> kvs = admin.getKVClient().get(k).get(10, TimeUnit.SECONDS).getKvs();
          return kvs.isEmpty()
              ? 0
              : Long.parseLong(kvs.get(0).getValue().toString(StandardCharsets.UTF_8));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public void write(long value) {
        try {
          admin.getKVClient().put(k, bytes(Long.toString(value))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }
}
