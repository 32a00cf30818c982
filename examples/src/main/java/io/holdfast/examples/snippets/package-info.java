/**
 * The Java code shown in {@code docs/*.md}, compiled so that it cannot drift. Each region between
 * {@code // tag::name[]} and {@code // end::name[]} is copied verbatim into a page; {@code
 * DocsCodeBlocksTest} checks that every {@code java} block of the docs appears in this module. Code
 * that is itself a test (docs/testing.md) lives in the same package under src/test, and runs.
 */
@NullMarked
package io.holdfast.examples.snippets;

import org.jspecify.annotations.NullMarked;
