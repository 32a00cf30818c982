package io.holdfast.membership;

import io.holdfast.membership.internal.Validation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What a service instance says about itself when it registers: its group, its id (unique in the
 * group), where to reach it, and string metadata. Immutable; built with {@link #builder(String)},
 * which validates every value as it is set.
 *
 * <ul>
 *   <li>group and id: 1 to {@value #MAX_NAME_LENGTH} characters of {@code A-Z a-z 0-9 . _ -}, not
 *       starting with '.';
 *   <li>host: 1 to 253 characters without whitespace or control characters; default {@code
 *       localhost};
 *   <li>port: 0 (none) to 65535; default 0;
 *   <li>metadata: keys of 1 to 128 characters without control characters, not starting with {@code
 *       holdfast.} (reserved); non-null values; at most {@value #MAX_METADATA_BYTES} UTF-8 bytes of
 *       keys and values together.
 * </ul>
 */
public final class MemberInfo {
  /** The longest group or member id. */
  public static final int MAX_NAME_LENGTH = 128;

  /** The most metadata, in UTF-8 bytes of keys and values together. */
  public static final int MAX_METADATA_BYTES = 4096;

  private final String group;
  private final String id;
  private final String host;
  private final int port;
  private final Map<String, String> metadata;

  private MemberInfo(Builder b) {
    this.group = b.group;
    this.id = b.id;
    this.host = b.host;
    this.port = b.port;
    this.metadata = Collections.unmodifiableMap(new TreeMap<>(b.metadata));
  }

  /**
   * A builder for a member of {@code group}.
   *
   * @param group the group
   * @return a new builder
   */
  public static Builder builder(String group) {
    return new Builder(group);
  }

  /**
   * A builder holding this member's values, to change some.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(group).id(id).host(host).port(port).metadata(metadata);
  }

  /**
   * The group.
   *
   * @return the group
   */
  public String group() {
    return group;
  }

  /**
   * The member id, unique among the live members of the group.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Where to reach the member.
   *
   * @return the host
   */
  public String host() {
    return host;
  }

  /**
   * The member's port, 0 if none.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * The metadata, sorted by key.
   *
   * @return an immutable map
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberInfo m
        && group.equals(m.group)
        && id.equals(m.id)
        && host.equals(m.host)
        && port == m.port
        && metadata.equals(m.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(group, id, host, port, metadata);
  }

  @Override
  public String toString() {
    return group + "/" + id + "@" + host + ":" + port + metadata;
  }

  /** Builds a {@link MemberInfo}; each setter validates at once. Not thread-safe. */
  public static final class Builder {
    private final String group;
    private String id = UUID.randomUUID().toString();
    private String host = "localhost";
    private int port;
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private Builder(String group) {
      this.group = Validation.checkName(group, "group");
    }

    /**
     * Sets the id. Default: a random UUID.
     *
     * @param id the id
     * @return this builder
     */
    public Builder id(String id) {
      this.id = Validation.checkName(id, "id");
      return this;
    }

    /**
     * Sets the host.
     *
     * @param host the host
     * @return this builder
     */
    public Builder host(String host) {
      this.host = Validation.checkHost(host);
      return this;
    }

    /**
     * Sets the port.
     *
     * @param port 0 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Adds one metadata entry.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     */
    public Builder metadata(String key, String value) {
      Map<String, String> next = new LinkedHashMap<>(metadata);
      next.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      Validation.checkMetadata(next);
      metadata.put(key, value);
      return this;
    }

    /**
     * Adds metadata entries.
     *
     * @param entries the entries
     * @return this builder
     */
    public Builder metadata(Map<String, String> entries) {
      Map<String, String> next = new LinkedHashMap<>(metadata);
      next.putAll(Objects.requireNonNull(entries, "entries"));
      Validation.checkMetadata(next);
      metadata.putAll(entries);
      return this;
    }

    /**
     * Builds the member info.
     *
     * @return the immutable member info
     */
    public MemberInfo build() {
      return new MemberInfo(this);
    }
  }
}
