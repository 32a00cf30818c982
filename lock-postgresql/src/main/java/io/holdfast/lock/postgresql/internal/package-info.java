/**
 * JDBC plumbing shared by the PostgreSQL lock service and the PostgreSQL membership (module {@code
 * cluster-membership-postgresql}). <strong>Not API:</strong> public only so that both can use it.
 */
@NullMarked
package io.holdfast.lock.postgresql.internal;

import org.jspecify.annotations.NullMarked;
