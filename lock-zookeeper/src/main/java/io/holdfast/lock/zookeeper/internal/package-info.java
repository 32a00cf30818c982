/**
 * Curator plumbing shared by the ZooKeeper lock service and ZooKeeper membership. <strong>Not
 * API:</strong> public only so that both packages can use it.
 */
@NullMarked
package io.holdfast.lock.zookeeper.internal;

import org.jspecify.annotations.NullMarked;
