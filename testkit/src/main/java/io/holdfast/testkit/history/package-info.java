/**
 * Recorded histories of lock clients and a checker for them, in the manner of Jepsen's lock
 * workloads: every acquire, release and protected write is recorded as it is invoked and as it
 * completes, with its fencing token and a monotonic timestamp; the checker looks for overlapping
 * grants, tokens out of order, and acknowledged writes that were lost.
 *
 * <p>Timestamps are {@link System#nanoTime()}: on Linux this is the system-wide monotonic clock, so
 * timestamps of different processes on the same machine are comparable.
 */
@NullMarked
package io.holdfast.testkit.history;

import org.jspecify.annotations.NullMarked;
