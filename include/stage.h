/* stage.h — each hidden layer h = act(W x + b) as three stages, and the
 * motion within each (pure maths: no Cairo, no I/O).
 *
 *   linear      x      -> W x        (in the embedding R^max(in,out))
 *   bias        W x    -> W x + b
 *   activation  W x + b -> act(W x + b)
 *
 * A state is a vector of LW_MAX_WIDTH doubles, zero beyond its width, so a
 * change of width is an embedding with zeros and every stage is a continuous
 * motion in one space.  At t = 1 every stage gives exactly the network's
 * forward pass (same operations in the same order as mlp_forward_point). */
#ifndef STAGE_H
#define STAGE_H

#include "mlp.h"
#include "scene.h"

typedef enum { STAGE_LINEAR, STAGE_BIAS, STAGE_ACTIVATION, STAGE_KIND_COUNT } StageKind;

typedef struct {
    int layer;        /* 0-based hidden layer */
    StageKind kind;
    int dim_in;       /* width of the state at the start */
    int dim_out;      /* width at the end */
    int dim;          /* the space it moves in: max(dim_in, dim_out) */
} Stage;

/* How the linear stage of one layer moves (INTERP_POLAR): M(t) = Q(t) S(t)
 * with M = W embedded square, Q orthogonal turned by t of its angle, S the
 * symmetric stretch blended from I.  flip: det W < 0, so a reflection
 * (across `mirror`) is shown as its own first half of the stage. */
typedef struct {
    int polar;                          /* 0: straight blend (1-t)I + tM */
    int n;                              /* size of M */
    double S[LW_MAX_WIDTH * LW_MAX_WIDTH];
    double Q[LW_MAX_WIDTH * LW_MAX_WIDTH];
    double angle;                       /* 2-D: rotation angle of Q */
    double axis[3];                     /* 3-D: rotation axis of Q */
    int flip;                           /* det M < 0: a reflection first */
    double mirror[LW_MAX_WIDTH];        /* unit normal of the mirror */
} LinearMotion;

typedef struct {
    const Mlp *net;       /* borrowed */
    int n_stages;
    Stage stages[3 * LW_MAX_LAYERS];
    Interpolation interp;
    LinearMotion motion[LW_MAX_LAYERS];
} StagePlan;

/* Splits net into stages and prepares the linear motions. */
int stage_plan_make(const Mlp *net, Interpolation interp, StagePlan *plan, LwError *err);

/* State at time t in [0,1] (already eased) of stage s, from `start`, the
 * state at the beginning of that stage.  t = 1 is exactly stage_end. */
void stage_eval(const StagePlan *plan, int s, double t, const double *start, double *out);
/* State at the end of stage s: W x, x + b, or act(x). */
void stage_end(const StagePlan *plan, int s, const double *start, double *out);
/* State at the beginning of stage s of an input point x (dim widths[0]). */
void stage_start_state(const StagePlan *plan, int s, const double *x, double *out);
/* The matrix the linear stage of `layer` applies at time t (n x n, row-major);
 * for tests of the motion (determinants, endpoints). */
void stage_linear_matrix(const StagePlan *plan, int layer, double t, double *M);

/* How 3-D the view of stage s at time t should be, in [0,1]: 0 for a
 * plane, 1 for a 3-D layer, blending where the width changes. */
double stage_depth_weight(const StagePlan *plan, int s, double t);

/* "linear", "bias", "activation" */
const char *stage_kind_name(StageKind k);
/* Parses those names (and "input" as -1 with *is_input = 1). */
int stage_kind_parse(const char *name, StageKind *out);

#endif
