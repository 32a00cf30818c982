/**
 * Cluster membership over ZooKeeper. Start with {@link
 * io.holdfast.membership.zookeeper.ZooKeeperMembership#builder(String)}; everything else in this
 * package is internal. Null arguments are rejected with a {@link NullPointerException} naming the
 * argument.
 */
@NullMarked
package io.holdfast.membership.zookeeper;

import org.jspecify.annotations.NullMarked;
