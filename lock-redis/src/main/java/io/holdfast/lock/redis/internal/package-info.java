/**
 * Lettuce plumbing shared by the Redis lock service and the Redis membership (module {@code
 * cluster-membership-redis}). <strong>Not API:</strong> public only so that both can use it.
 */
@NullMarked
package io.holdfast.lock.redis.internal;

import org.jspecify.annotations.NullMarked;
