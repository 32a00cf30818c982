/**
 * Membership over etcd: start from {@link io.holdfast.membership.etcd.EtcdMembership}. Every other
 * type in this package is an implementation detail. Null arguments are rejected with a {@link
 * NullPointerException} naming the argument.
 */
@NullMarked
package io.holdfast.membership.etcd;

import org.jspecify.annotations.NullMarked;
