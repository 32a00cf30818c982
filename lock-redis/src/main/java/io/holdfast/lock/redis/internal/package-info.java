/**
 * Lettuce plumbing shared by the Redis lock service and Redis membership. <strong>Not
 * API:</strong> public only so that both packages can use it.
 */
@NullMarked
package io.holdfast.lock.redis.internal;

import org.jspecify.annotations.NullMarked;
