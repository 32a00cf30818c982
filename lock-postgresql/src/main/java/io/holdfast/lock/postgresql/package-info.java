/**
 * The PostgreSQL backend of {@link io.holdfast.lock.LockService}, over JDBC. Start with {@link
 * io.holdfast.lock.postgresql.PostgresLockService#builder(javax.sql.DataSource)}; everything else
 * in this package is internal.
 */
@NullMarked
package io.holdfast.lock.postgresql;

import org.jspecify.annotations.NullMarked;
