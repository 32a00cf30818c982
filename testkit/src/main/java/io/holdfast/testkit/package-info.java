/**
 * Test support for Holdfast and its users: real servers and the contract suites.
 *
 * <ul>
 *   <li>{@link io.holdfast.testkit.RedisServers}: a real Redis for a test — an address from the
 *       environment ({@code HOLDFAST_REDIS_URI}), else a Testcontainers {@code redis:7} when a
 *       Docker engine is reachable, else a local {@code redis-server} process.
 *   <li>{@link io.holdfast.testkit.ZooKeeperServers}: a real ZooKeeper — an address from the
 *       environment ({@code HOLDFAST_ZOOKEEPER_CONNECT}), else a Testcontainers {@code
 *       zookeeper:3.9} when a Docker engine is reachable, else a server inside the JVM; and a real
 *       in-JVM ensemble ({@link io.holdfast.testkit.ZooKeeperEnsemble}) for leader-kill tests.
 *   <li>{@link io.holdfast.testkit.HoldfastRedis} and {@link
 *       io.holdfast.testkit.HoldfastZooKeeper}: the same servers injected into a JUnit 5 test's
 *       parameters or fields, in one line.
 *   <li>{@link io.holdfast.testkit.LockServiceContract} and {@link
 *       io.holdfast.testkit.MembershipContract}: the abstract suites every {@code LockService} and
 *       {@code Membership} implementation passes.
 * </ul>
 *
 * <p>The servers' own INFO logging (ZooKeeper, Curator, Testcontainers) is turned down to WARN
 * where the user configured no level; {@code HOLDFAST_TESTKIT_SERVER_LOGS=show} keeps it. See
 * docs/testing.md.
 */
@NullMarked
package io.holdfast.testkit;

import org.jspecify.annotations.NullMarked;
