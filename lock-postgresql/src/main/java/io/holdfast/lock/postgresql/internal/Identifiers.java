package io.holdfast.lock.postgresql.internal;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Names of the tables, sequences and channels a service uses. */
public final class Identifiers {
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  /** The longest table prefix: PostgreSQL identifiers have 63 bytes, suffixes need the rest. */
  public static final int MAX_PREFIX = 40;

  private Identifiers() {}

  /**
   * Checks a table prefix.
   *
   * @param prefix the prefix
   * @param what the option's name, for messages
   * @return the prefix
   */
  public static String checkPrefix(String prefix, String what) {
    Objects.requireNonNull(prefix, what);
    if (prefix.isEmpty() || prefix.length() > MAX_PREFIX || !NAME.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          what
              + " must be 1 to "
              + MAX_PREFIX
              + " characters of a-z, 0-9 and _, not starting with a digit, was '"
              + prefix
              + "'");
    }
    return prefix;
  }

  /**
   * Checks a schema name.
   *
   * @param schema the schema
   * @return the schema
   */
  public static String checkSchema(String schema) {
    Objects.requireNonNull(schema, "schema");
    if (schema.isEmpty() || schema.length() > 63 || !NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema must be 1 to 63 characters of a-z, 0-9 and _, not starting with a digit, was '"
              + schema
              + "'");
    }
    return schema;
  }

  /**
   * A quoted identifier.
   *
   * @param name a checked name
   * @return {@code "name"}
   */
  public static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * A quoted, optionally schema-qualified name.
   *
   * @param schema the schema, or {@code null} for the search path
   * @param name the object's name
   * @return the qualified name
   */
  public static String qualified(@Nullable String schema, String name) {
    return schema == null ? quote(name) : quote(schema) + "." + quote(name);
  }
}
