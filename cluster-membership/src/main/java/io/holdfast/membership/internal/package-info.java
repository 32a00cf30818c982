/**
 * Machinery shared by the membership backends: validation, the member payload format, group
 * tracking with ordered listener delivery, views, and leader election over a lock service.
 * <strong>Not API:</strong> public only so that backend modules can use it.
 */
@NullMarked
package io.holdfast.membership.internal;

import org.jspecify.annotations.NullMarked;
