/**
 * Spring Boot auto-configuration for Holdfast: a {@code LockService} and a {@code Membership} bean
 * over Redis or ZooKeeper, configured from {@code holdfast.*} properties. Each bean backs off when
 * the application defines its own.
 */
@NullMarked
package io.holdfast.spring.boot;

import org.jspecify.annotations.NullMarked;
