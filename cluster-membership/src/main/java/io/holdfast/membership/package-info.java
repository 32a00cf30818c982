/**
 * Cluster membership: register a service instance, see its live peers, pick one, elect a leader.
 *
 * <p>Start from {@link io.holdfast.membership.Membership}; the Redis and ZooKeeper backends build
 * one ({@code RedisMembership}, {@code ZooKeeperMembership}). Null arguments are rejected with a
 * {@link java.lang.NullPointerException} naming the argument; nothing here returns {@code null}.
 */
@NullMarked
package io.holdfast.membership;

import org.jspecify.annotations.NullMarked;
