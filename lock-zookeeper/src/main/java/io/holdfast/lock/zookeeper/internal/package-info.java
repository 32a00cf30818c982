/**
 * Curator plumbing shared by the ZooKeeper lock service and the ZooKeeper membership (module {@code
 * cluster-membership-zookeeper}). <strong>Not API:</strong> public only so that both can use it.
 */
@NullMarked
package io.holdfast.lock.zookeeper.internal;

import org.jspecify.annotations.NullMarked;
