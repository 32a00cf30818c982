/**
 * The PostgreSQL backend of {@link io.holdfast.membership.Membership}, over JDBC. Start with {@link
 * io.holdfast.membership.postgresql.PostgresMembership#builder(javax.sql.DataSource)}; everything
 * else in this package is internal.
 */
@NullMarked
package io.holdfast.membership.postgresql;

import org.jspecify.annotations.NullMarked;
