/**
 * Machinery shared by the Holdfast lock backends: reentrancy, handles, lease bookkeeping, listener
 * dispatch, validation. <strong>Not API:</strong> public only so that backend modules can extend
 * it; it may change in any release.
 */
@NullMarked
package io.holdfast.lock.internal;

import org.jspecify.annotations.NullMarked;
