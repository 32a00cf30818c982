/**
 * The etcd backend of {@link io.holdfast.lock.LockService}: start from {@link
 * io.holdfast.lock.etcd.EtcdLockService}. Every other type in this package is an implementation
 * detail. Null arguments are rejected with a {@link NullPointerException} naming the argument.
 */
@NullMarked
package io.holdfast.lock.etcd;

import org.jspecify.annotations.NullMarked;
