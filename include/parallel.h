/* parallel.h — work over [0, n) shared out over threads, for the steps that
 * run once per render before any frame is drawn (states, projections,
 * content boxes, boundaries) and would otherwise leave all but one core idle.
 *
 * The range is cut into `threads` contiguous parts, one per thread; the
 * calling thread runs the first, and any part whose thread cannot start.  A
 * part must write only its own results and read only what no part writes:
 * each number is then computed by the same operations in the same order
 * whatever the count, so the results are the same for any -j. */
#ifndef PARALLEL_H
#define PARALLEL_H

#define PARALLEL_MAX_THREADS 16

typedef void (*ParallelFn)(void *ctx, int lo, int hi);

/* fn(ctx, lo, hi) over parts of [0, n); threads < 2 (or n too small to
 * share): fn(ctx, 0, n) here. */
void parallel_for(int n, int threads, ParallelFn fn, void *ctx);

#endif
