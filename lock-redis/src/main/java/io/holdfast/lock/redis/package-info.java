/**
 * The Redis backend of {@link io.holdfast.lock.LockService}, built on Lettuce. Start with {@link
 * io.holdfast.lock.redis.RedisLockService#builder(io.lettuce.core.RedisURI)}; everything else in
 * this package is internal.
 */
@NullMarked
package io.holdfast.lock.redis;

import org.jspecify.annotations.NullMarked;
