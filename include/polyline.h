/* polyline.h — a line's screen points thinned before Cairo strokes them.
 *
 * polyline_simplify drops the points that lie within POLYLINE_TOLERANCE of
 * the chord that replaces them: a straight image of a grid line (linear and
 * bias stages) becomes a few points, which is most of Cairo's stroking cost.
 * Greedy from the first point: the chord from the last point kept (the
 * anchor) grows to point j while every point between them projects onto it
 * and lies within the tolerance, and at most POLYLINE_RUN points apart; the
 * first j it fails at keeps j - 1 as the next anchor.
 *
 * That test reads every point between anchor and j for every j: about run^2
 * / 2 tests a run.  A sleeve (the slopes, seen from the anchor, that keep
 * each point so far within the tolerance, narrowed a little) answers most
 * of them with one comparison; it only ever says yes where the exact test
 * says yes (polyline.c says why), and where it cannot tell the exact test
 * decides.  So the points kept are the same doubles the plain test keeps
 * (tests/test_polyline.c holds that one and compares). */
#ifndef POLYLINE_H
#define POLYLINE_H

#define POLYLINE_TOLERANCE 0.05 /* pixels: points this close to a chord add nothing */
#define POLYLINE_RUN 64         /* longest run of points merged into one chord */

/* Thins the n points xy (x, y pairs) and their depths in place; returns the
 * new count.  The first and last points stay. */
int polyline_simplify(double *xy, double *depth, int n);

#endif
