/**
 * Distributed locks with leases and fencing tokens.
 *
 * <p>Start from {@link io.holdfast.lock.LockService}: a backend module (Redis, ZooKeeper) or {@link
 * io.holdfast.lock.InMemoryLockService} builds one. Every method of every type in this package
 * rejects {@code null} arguments with a {@link java.lang.NullPointerException} naming the argument;
 * nothing here returns {@code null}.
 */
@NullMarked
package io.holdfast.lock;

import org.jspecify.annotations.NullMarked;
