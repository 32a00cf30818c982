/**
 * JMH benchmarks of Holdfast's lock services against the raw Redis round-trip floor, Redisson and
 * Curator, all against the same servers in the same run. {@link
 * io.holdfast.benchmarks.BenchmarkRun} runs everything and writes the results and {@code
 * docs/performance.md}.
 */
@NullMarked
package io.holdfast.benchmarks;

import org.jspecify.annotations.NullMarked;
