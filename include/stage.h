/* stage.h — each hidden layer h = act(W x + b) as three stages, and the
 * motion within each (pure maths: no Cairo, no I/O).
 *
 *   linear      x      -> W x        (in the embedding R^max(in,out))
 *   bias        W x    -> W x + b
 *   activation  W x + b -> act(W x + b)
 *
 * A state is a vector of LW_MAX_WIDTH doubles, zero beyond its width, so a
 * change of width is an embedding with zeros and every stage is a continuous
 * motion in one space.  At t = 1 the stages of a layer give its output
 * (the same products, summed in the same order as mlp_forward_point, which
 * adds the bias first: equal to within rounding).
 *
 * The plan keeps its own copy of the weights as they are drawn, so the model
 * is never edited: with reflection = swap (Olah's fix for det W < 0) the copy
 * has units 1 and 2 of that layer swapped (rows of W and b, and the next
 * layer's columns), an equivalent network, and `swapped` says so. */
#ifndef STAGE_H
#define STAGE_H

#include "layers.h"

typedef enum { INTERP_POLAR, INTERP_STRAIGHT } Interpolation;
/* A layer with det W < 0 is shown as a page turn through one more axis
 * (turn), or its first two units are swapped, Olah's fix, giving an
 * equivalent network whose W has det > 0 (swap, captioned); auto: swap,
 * which keeps the picture whole (a page turn is seen edge-on halfway). */
typedef enum { REFLECT_AUTO, REFLECT_TURN, REFLECT_SWAP } Reflection;

typedef enum { STAGE_LINEAR, STAGE_BIAS, STAGE_ACTIVATION, STAGE_KIND_COUNT } StageKind;

/* The element-wise (Hadamard) operations an activation splits into
 * (activation_steps = hadamard): sigmoid = negate, exp, plus1, reciprocal;
 * tanh = times2, the sigmoid's four, times2, minus1 (tanh x = 2 s(2x) - 1);
 * softplus = exp, plus1, log; relu and leaky_relu one step; identity none. */
typedef enum {
    HOP_NEGATE, HOP_EXP, HOP_PLUS1, HOP_RECIPROCAL, HOP_TIMES2, HOP_MINUS1, HOP_LOG,
    HOP_RELU, HOP_LEAKY_RELU, HOP_COUNT
} HadamardOp;
#define STAGE_MAX_STEPS 8
/* exp is held at this (about e^690.8) so every state stays finite: a
 * point's later steps and the camera never meet an infinity */
#define STAGE_EXP_CAP 1e300

/* The index of (0-based layer, kind) among a stack's stages. */
static inline int stage_index(int layer, StageKind kind)
{
    return STAGE_KIND_COUNT * layer + (int)kind;
}

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

/* A training morph (training = morph): a network whose weights move in a
 * straight line from one checkpoint (`from`, index 0) to the next (`to`,
 * index 1) as its three stages play, u = (stage + t) / 3 of the way; the
 * plan's one layer is the output space of hidden layer `layer`.  A morph's
 * states are input points: every stage starts from x itself, and
 * stage_eval gives the network at u's forward pass of x, so each frame is a
 * real network's picture and the ends are the checkpoints' own. */
typedef struct {
    int on;
    int layer;                    /* 1-based hidden layer shown */
    int n_hidden;                 /* the whole network's hidden layers */
    int widths[LW_MAX_LAYERS + 1];
    Activation act[LW_MAX_LAYERS];
    double W[2][LW_MAX_LAYERS][LW_MAX_WIDTH * LW_MAX_WIDTH];
    double b[2][LW_MAX_LAYERS][LW_MAX_WIDTH];
    int n_scores;                 /* the readout, 0: none */
    double score_W[2][LW_MAX_CLASSES * LW_MAX_WIDTH];
    double score_b[2][LW_MAX_CLASSES];
} MorphPlan;

typedef struct {
    int n_layers;                 /* the stack's layers, and the readout when shown */
    int n_hidden;                 /* the stack's own layers */
    int readout;                  /* 1: the last layer is the readout (stage_plan_set_scores) */
    int widths[LW_MAX_LAYERS + 1];
    Activation act[LW_MAX_LAYERS];
    double W[LW_MAX_LAYERS][LW_MAX_WIDTH * LW_MAX_WIDTH]; /* as drawn, (widths[l+1], widths[l]) */
    double b[LW_MAX_LAYERS][LW_MAX_WIDTH];
    int swapped[LW_MAX_LAYERS]; /* units 1 and 2 of this layer swapped (det W < 0) */
    int n_scores;               /* scores read off the last hidden space, 0: none */
    double score_W[LW_MAX_CLASSES * LW_MAX_WIDTH]; /* (n_scores, widths[n_hidden]), as drawn */
    double score_b[LW_MAX_CLASSES];
    int n_stages;
    Stage stages[STAGE_KIND_COUNT * LW_MAX_LAYERS];
    Interpolation interp;
    LinearMotion motion[LW_MAX_LAYERS];
    /* the activation of layer l as n_steps[l] element-wise steps, played one
     * after the other within its stage (0: one blend, as without steps) */
    int n_steps[LW_MAX_LAYERS];
    HadamardOp steps[LW_MAX_LAYERS][STAGE_MAX_STEPS];
    MorphPlan morph;              /* morph.on: a training morph, see MorphPlan */
} StagePlan;

/* Splits net into stages and prepares the linear motions; with polar motion
 * and reflection swap (auto: for layers of 3 units) a layer with det W < 0
 * is drawn with units 1 and 2 swapped.  net is copied, not kept. */
int stage_plan_make(const LayerStack *net, Interpolation interp, Reflection reflection,
                    StagePlan *plan, LwError *err);

/* A morph's network at one moment u, its weights worked out once: for
 * work that evaluates one moment many times (tracing its boundary). */
typedef struct {
    int layer, n_hidden, n_scores;
    int widths[LW_MAX_LAYERS + 1];
    Activation act[LW_MAX_LAYERS];
    double W[LW_MAX_LAYERS][LW_MAX_WIDTH * LW_MAX_WIDTH];
    double b[LW_MAX_LAYERS][LW_MAX_WIDTH];
    double score_W[LW_MAX_CLASSES * LW_MAX_WIDTH];
    double score_b[LW_MAX_CLASSES];
} MorphNet;

/* The morph's network at u: each weight (1 - u) w0 + u w1, as
 * stage_morph_eval computes it, so both give the same numbers. */
void stage_morph_net(const MorphPlan *m, double u, MorphNet *net);
/* Its state of the shown layer for an input x (out: LW_MAX_WIDTH), the
 * same numbers stage_eval gives at that moment. */
void stage_morph_net_eval(const MorphNet *net, const double *x, double *out);
/* Its scores for an input x, or (from_shown) for a state of the shown
 * layer's space. */
void stage_morph_net_scores(const MorphNet *net, const double *x, int from_shown,
                            double *scores);
/* A training morph from `from` to `to` (one shape; scores (n_scores, the
 * last width) W and b of each, or none) showing hidden layer `layer`, whose
 * width must be at most 3: three stages of one layer, u running from 0 to 1
 * over them.  LW_EINPUT otherwise. */
int stage_plan_make_morph(const LayerStack *from, const LayerStack *to, const double *from_W,
                          const double *from_b, const double *to_W, const double *to_b,
                          int n_scores, int layer, StagePlan *plan, LwError *err);
/* How far a morph's weights have gone at (stage s, t): (s + t) / 3. */
double stage_morph_u(int s, double t);
/* The morph's network at u, from input x: the state of the shown layer
 * (out, LW_MAX_WIDTH) and, when scores is not NULL, its scores. */
void stage_morph_eval(const MorphPlan *m, double u, const double *x, double *out,
                      double *scores);
/* Where a GAN generator's loss moves a point h of the shown (data) space
 * at u, when the layers after it and the readout are the discriminator:
 * push = -d softplus(-D(h)) / dh = sigmoid(-D(h)) grad D(h), exact by the
 * chain rule (n_scores must be 1). */
void stage_morph_push(const MorphPlan *m, double u, const double *h, double *push);
/* The class scores pick, as a classifier decides: one score, class 1 when
 * it is positive; several, the first highest. */
int stage_scores_class(const double *scores, int n_scores);
/* The scores of the morph's network at u for a state h of the shown
 * layer's space: the layers after it, then the readout. */
void stage_morph_scores_from(const MorphPlan *m, double u, const double *h, double *scores);
/* Scores read off the stack's last space by a linear map (a classifier's
 * readout: the logit for two classes, k logits for more): regions of the
 * highest score are told apart in every space.  W (n_scores, widths of the
 * last space) and b are the model's; the plan keeps them as drawn.  With
 * show_readout (and a last space of at most 3 units or several scores) the
 * readout is appended as one more layer: turned so the score is x1, shifted
 * by b, squashed into probabilities. */
int stage_plan_set_scores(StagePlan *plan, const double *W, const double *b, int n_scores,
                          int show_readout, LwError *err);
/* The scores of a point x given as a state at the start of stage from_stage:
 * the rest of the stack, then the readout map (inside a readout layer, read
 * off the state itself). */
void stage_scores(const StagePlan *plan, int from_stage, const double *x, double *scores);
/* The same for a state at time t of stage s: for a morph, the network at
 * that moment from input x; otherwise stage_scores (t is not used). */
void stage_scores_at(const StagePlan *plan, int s, double t, const double *x, double *scores);
/* The state the stage after s starts from, given the state s starts from:
 * stage_end, but a morph's next stage starts from the input itself. */
void stage_next_start(const StagePlan *plan, int s, const double *start, double *out);

/* Splits the activation of every hidden layer (not the readout) into its
 * element-wise steps (see HadamardOp).  Within the activation stage, step k
 * (0-based) of n plays over t in [k/n, (k+1)/n] as the straight blend from
 * its input to its output, coordinate by coordinate; stage_end stays the
 * activation itself, which the composed steps equal to within rounding. */
void stage_plan_split_activations(StagePlan *plan);
/* Steps of stage s: n_steps of its layer for a split activation, else 0. */
int stage_step_count(const StagePlan *plan, int s);
/* Which step of stage s shows at stage time t, and (tau) its own time in
 * [0, 1]: t in (k/n, (k+1)/n] is step k, so the moment a step ends belongs
 * to it (t = 0: step 0 at tau 0).  0 and tau = t for a stage without steps. */
int stage_step_at(const StagePlan *plan, int s, double t, double *tau);
/* The stage time of step k at its own time tau (the inverse of the above). */
double stage_step_time(const StagePlan *plan, int s, int k, double tau);
/* One step's exact map on the first dim coordinates (others set to 0). */
void stage_step_apply(HadamardOp op, int dim, const double *in, double *out);
/* The states of stage s's split activation from `start`: states[0] = start,
 * states[k + 1] after step k; returns the number of steps n (states has
 * n + 1 rows of LW_MAX_WIDTH). */
int stage_step_states(const StagePlan *plan, int s, const double *start,
                      double states[][LW_MAX_WIDTH]);
/* "negate", "exp", "plus1", "reciprocal", "times2", "minus1", "log",
 * "relu", "leaky_relu" */
const char *stage_step_name(HadamardOp op);
/* Parses those names; -1 when unknown. */
int stage_step_parse(const char *name, HadamardOp *out);

/* 1 when stage s moves a plane by a map stage_invert can undo at every t < 1
 * (any stage of a 2-unit space but a page turn, a softmax or an activation
 * in steps: negate and reciprocal fold the plane on their way). */
int stage_invertible(const StagePlan *plan, int s);
/* The state at the start of stage s that is at y (2 coordinates, others 0)
 * at time t < 1; x gets LW_MAX_WIDTH entries.  Only for stage_invertible. */
void stage_invert(const StagePlan *plan, int s, double t, const double *y, double *x);

/* State at time t in [0,1] (already eased) of stage s, from `start`, the
 * state at the beginning of that stage.  t = 1 is exactly stage_end. */
void stage_eval(const StagePlan *plan, int s, double t, const double *start, double *out);
/* 1 when stage_eval of stage s at 0 < t < 1 is stage_blend of the start and
 * stage_end of it (a bias, an activation played whole, the readout's
 * squash, a straight linear motion; not a polar one, steps or a morph):
 * whoever holds the end already (the next stage's start, cached) may blend
 * without computing it. */
int stage_is_blend(const StagePlan *plan, int s);
/* (1 - t) start + t end, coordinate by coordinate, as stage_eval computes
 * it: the first n coordinates, and +0 past them to LW_MAX_WIDTH (the same
 * doubles as blending every coordinate when start and end are +0 past n, as
 * states are past their stage's dim). */
void stage_blend(int n, double t, const double *start, const double *end, double *out);
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
