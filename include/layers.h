/* layers.h — a stack of dense layers h_l = act_l(W_l h_{l-1} + b_l), forward
 * and backward over a batch, with no loss attached: a loss (or another
 * network) can sit above it, and another network below it (layers_backward
 * hands back d/dX).  The MLP's hidden layers, a classifier's readout, and
 * later a GAN's generator or a VAE's decoder are all LayerStacks.
 *
 * A LayerStack owns nothing: W and b are views into someone else's slab (the
 * Mlp's params, or a gradient slab of the same layout). */
#ifndef LAYERS_H
#define LAYERS_H

#include "lw_common.h"

typedef struct {
    int n_layers;                   /* 0..LW_MAX_LAYERS */
    int widths[LW_MAX_LAYERS + 1];  /* widths[0] = input width, widths[n_layers] = output */
    Activation act[LW_MAX_LAYERS];
    double *W[LW_MAX_LAYERS];       /* views: (widths[l+1], widths[l]) row-major */
    double *b[LW_MAX_LAYERS];       /* (widths[l+1]) */
} LayerStack;

/* What the backward pass needs from the forward pass, sized once for up to
 * cap points and a stack's shape, reused every step.  All arrays are views
 * into buf, which the tape owns. */
typedef struct {
    int cap;                        /* most points per pass */
    int n_layers;                   /* shape the tape was sized for */
    int widths[LW_MAX_LAYERS + 1];
    int n;                          /* points in the last forward (0 = none yet) */
    const double *x;                /* the last forward's input (n, widths[0]), borrowed */
    double *Z[LW_MAX_LAYERS];       /* (n, widths[l+1]) pre-activations */
    double *H[LW_MAX_LAYERS];       /* (n, widths[l+1]) activations; H[L-1] = output */
    double *dH;                     /* (n, max width) scratch: d/d activations flowing down */
    double *dZ;                     /* (n, max width) scratch: d/d pre-activations */
    double *buf;                    /* owned */
} LayersTape;

/* How layers_backward stores parameter gradients. */
typedef enum {
    LAYERS_GRAD_SET, /* dW, db = this batch's gradient */
    LAYERS_GRAD_ADD  /* dW, db += this batch's gradient (several losses or batches) */
} LayersGradMode;

/* Sizes t for batches of up to cap points of s's shape (widths 1..LW_MAX_WIDTH).
 * LW_EINPUT for an impossible shape or cap < 1, LW_ERUNTIME when out of
 * memory.  Turns GSL's aborting error handler off (we check its codes).
 * t is overwritten; free it with layers_tape_free on any result. */
int layers_tape_alloc(LayersTape *t, const LayerStack *s, int cap, LwError *err);
void layers_tape_free(LayersTape *t);

/* Forward over n points x (n, widths[0]): Z and H of every layer kept in t,
 * the output (n, widths[L]) in *out (a view into t, or x itself when
 * n_layers == 0).  x must stay valid until layers_backward.  s must fit the
 * tape (same n_layers, no width larger than the tape's).  LW_EINPUT when n is
 * not in 1..t->cap or s does not fit; LW_ERUNTIME "GSL error: ... (layer l
 * forward)" when a BLAS call fails. */
int layers_forward(const LayerStack *s, LayersTape *t, const double *x, int n,
                   const double **out, LwError *err);

/* Backward of the last layers_forward on t (same s).  dY (n, widths[L]) =
 * d loss / d output in (not modified unless it is t->dH).  dX (n, widths[0])
 * = d loss / d x written when non-NULL.  grad, a stack of s's shape over a
 * gradient slab, gets dW (widths[l+1], widths[l]) and db (widths[l+1])
 * written or added to (mode) when non-NULL.  Return codes as layers_forward. */
int layers_backward(const LayerStack *s, LayersTape *t, const double *dY, double *dX,
                    const LayerStack *grad, LayersGradMode mode, LwError *err);

/* layers_backward with gradients that enter along the way (a loss on the
 * hidden layers themselves, such as readable.h's): dH_in[l] (n, widths[l+1])
 * is added to d loss / d H[l] and dZ_in[l] to d loss / d Z[l] after the
 * activation's derivative.  Either array may be NULL (nothing enters);
 * with both NULL this is layers_backward, bit for bit. */
int layers_backward_inject(const LayerStack *s, LayersTape *t, const double *dY, double *dX,
                           const LayerStack *grad, LayersGradMode mode,
                           double *const *dH_in, double *const *dZ_in, LwError *err);

/* One point, plain loops (what the renderer evaluates): the activations of
 * every layer written to h, layer l at h + l*LW_MAX_WIDTH (layer 0 = x), so h
 * holds at least (n_layers + 1) * LW_MAX_WIDTH doubles. */
void layers_forward_point(const LayerStack *s, const double *x, double *h);
/* One point through layer l alone: in (widths[l]) to out (widths[l + 1]),
 * the very loop layers_forward_point runs for that layer. */
void layers_forward_layer(const LayerStack *s, int l, const double *in, double *out);
/* The widest of widths[0..n_layers], the input's included. */
int layers_max_width(const LayerStack *s);

/* Random weights from r (a seeded gsl_rng): Glorot uniform, or He for relu
 * units (they pass on half the variance) with a small positive bias so they
 * start alive.  The generative models' initialisation. */
void layers_init_random(LayerStack *s, void *gsl_rng);

/* Parameters of s: sum over layers of widths[l+1] * (widths[l] + 1). */
size_t layers_n_params(const LayerStack *s);
/* Points s->W and s->b at consecutive blocks of slab, laid out W1 b1 W2 b2 ...
 * (the Mlp's layout), and returns the first double after them. */
double *layers_bind(LayerStack *s, double *slab);

#endif
