/**
 * How long to wait after failures in a row ({@link dev.sekisho.backoff.Backoff}): one value shared by every part that
 * spaces out repeats, so that they all grow, cap and validate the same way.
 */
package dev.sekisho.backoff;
