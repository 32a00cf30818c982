/** Lock workloads run as separate processes, recording their histories for the checker. */
@NullMarked
package io.holdfast.reliability;

import org.jspecify.annotations.NullMarked;
