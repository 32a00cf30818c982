/**
 * Cluster membership over Redis. Start with {@link
 * io.holdfast.membership.redis.RedisMembership#builder(io.lettuce.core.RedisURI)}; everything else
 * in this package is internal.
 */
@NullMarked
package io.holdfast.membership.redis;

import org.jspecify.annotations.NullMarked;
