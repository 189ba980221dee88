/* area.h — how much the map from a segment's 2-D input to a moment of its
 * animation stretches or squashes area (pure maths: no Cairo, no I/O).
 *
 * The map so far at (stage s, time t) sends an input point x to
 * stage_eval(s, t, stage_start_state(s, x)).  Its Jacobian J (k x 2, k the
 * dimension stage s moves in) is exact, by the chain rule through the
 * stages: stage_end's Jacobian for every stage before s, then that of s's
 * motion at t, differentiated from stage.c's own formulas (the linear
 * motion's matrix, page turn included; the bias's identity; the
 * activation's blend (1-t) I + t diag(act'); a split activation's steps;
 * the readout's sigmoid or softmax).
 *
 * The area element is sqrt(det(J^T J)), the area a small patch of the input
 * sheet has now over its area in the input: |det J| when the space is a
 * plane, and in a space of 3 or more dimensions the area of the patch's
 * image on the sheet (J^T J is the sheet's metric), however the sheet
 * lies.  It is summed from J's 2 x 2 minors (Cauchy-Binet), so a sheet
 * that collapses gives 0, never a negative rounding. */
#ifndef AREA_H
#define AREA_H

#include "stage.h"

/* A Jacobian of the map so far: LW_MAX_WIDTH rows (the state's
 * coordinates, zero beyond the space's dimension), 2 columns (the input's). */
typedef double AreaJacobian[LW_MAX_WIDTH][2];

/* The Jacobian of the input itself: rows 1 and 2 the identity. */
void area_identity(AreaJacobian J);

/* From the Jacobian `in` of the map so far at the start of stage s (whose
 * state there is `start`) to the Jacobian `out` at time t in [0, 1]
 * (already eased, as stage_eval takes it); out may be in. */
void area_push(const StagePlan *plan, int s, double t, const double *start,
               const AreaJacobian in, AreaJacobian out);

/* log sqrt(det(J^T J)) over J's first `rows` rows: the log of the area
 * element (-INFINITY where the sheet collapses).  *sign (may be NULL) gets
 * the sign of det J when rows is 2 (-1: the map has turned the patch over,
 * a fold), else 0. */
double area_log_element(const AreaJacobian J, int rows, int *sign);

/* The rows of the state at (stage s, any time): the dimension it moves in. */
int area_rows(const StagePlan *plan, int s);

/* The log area element of the map so far at (stage s, time t) at the input
 * point x (2 coordinates): the whole chain from the input (for tests and
 * single points; the geometry caches the states and Jacobians at the
 * starts of stages instead). */
double area_log_at(const StagePlan *plan, int s, double t, const double x[2], int *sign);

#endif
