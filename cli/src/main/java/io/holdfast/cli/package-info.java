/**
 * The {@code holdfast} command line: inspect and force-release locks, list and watch members, show
 * leaders, measure acquire/release latency and check server settings that break lock safety.
 */
@NullMarked
package io.holdfast.cli;

import org.jspecify.annotations.NullMarked;
