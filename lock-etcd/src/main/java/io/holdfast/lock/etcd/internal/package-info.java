/**
 * jetcd plumbing shared by the etcd lock service and the etcd membership (module {@code
 * cluster-membership-etcd}): client settings, error messages, and the service lease that Holdfast
 * renews itself. <strong>Not API:</strong> public only so that both can use it.
 */
@NullMarked
package io.holdfast.lock.etcd.internal;

import org.jspecify.annotations.NullMarked;
