/**
 * A Spring Boot inventory service on Holdfast's starter: {@code POST /reserve/{sku}} takes one unit
 * under the SKU's lock and writes it with the lock's fencing token.
 */
@NullMarked
package io.holdfast.examples.spring;

import org.jspecify.annotations.NullMarked;
