package io.holdfast.membership.internal;

import io.holdfast.membership.Member;
import io.holdfast.membership.MemberInfo;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The stored form of a member: {@link Properties} text (the JDK's escaping), versioned.
 *
 * <pre>
 * format=holdfast-member/1
 * group=inventory
 * id=7f3c...
 * host=10.0.0.7
 * port=8080
 * leaderEpoch=0
 * meta.zone=eu-1
 * </pre>
 *
 * The join time is not part of the payload: each backend takes it from its server (ZooKeeper's node
 * creation time, Redis's {@code TIME}). Readers ignore keys they do not know, so later versions can
 * add fields; a different {@code format} is rejected.
 */
public final class MemberCodec {
  /** The current format tag. */
  public static final String FORMAT = "holdfast-member/1";

  private MemberCodec() {}

  /**
   * Encodes a member's info and advertised epoch.
   *
   * @param info the info
   * @param leaderEpoch the advertised epoch
   * @return the payload
   */
  public static String encode(MemberInfo info, long leaderEpoch) {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("group", info.group());
    p.setProperty("id", info.id());
    p.setProperty("host", info.host());
    p.setProperty("port", Integer.toString(info.port()));
    p.setProperty("leaderEpoch", Long.toString(leaderEpoch));
    for (Map.Entry<String, String> e : info.metadata().entrySet()) {
      p.setProperty("meta." + e.getKey(), e.getValue());
    }
    StringWriter out = new StringWriter();
    try {
      p.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Properties.store writes a date comment first; drop it so equal members encode equally.
    StringBuilder text = new StringBuilder();
    out.toString()
        .lines()
        .filter(l -> !l.startsWith("#"))
        .sorted()
        .forEach(l -> text.append(l).append('\n'));
    return text.toString();
  }

  /**
   * Decodes a payload.
   *
   * @param payload the stored text
   * @param joinedAt the join time from the backend
   * @return the member
   * @throws IllegalArgumentException if the payload is not a {@value #FORMAT} member
   */
  public static Member decode(String payload, Instant joinedAt) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(payload));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw new IllegalArgumentException(
          "not a " + FORMAT + " member payload (format=" + p.getProperty("format") + ")");
    }
    Map<String, String> meta = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("meta.")) {
        meta.put(k.substring("meta.".length()), p.getProperty(k));
      }
    }
    MemberInfo info =
        MemberInfo.builder(p.getProperty("group"))
            .id(p.getProperty("id"))
            .host(p.getProperty("host"))
            .port(Integer.parseInt(p.getProperty("port")))
            .metadata(meta)
            .build();
    return Members.create(info, joinedAt, Long.parseLong(p.getProperty("leaderEpoch", "0")));
  }
}
