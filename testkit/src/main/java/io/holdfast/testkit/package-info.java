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
 *   <li>{@link io.holdfast.testkit.LockServiceContract}: the abstract suite every {@code
 *       LockService} implementation passes.
 * </ul>
 */
@NullMarked
package io.holdfast.testkit;

import org.jspecify.annotations.NullMarked;
