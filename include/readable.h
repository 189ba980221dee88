/* readable.h — keeping the pictures readable while a network learns, and
 * measuring whether they are.
 *
 * The spread of a point set is sigma2 / sigma1, the second largest over the
 * largest singular value of the centred points: 1 for a round cloud, 0 when
 * every point lies on one line.  A layer whose spread falls near 0 is drawn
 * as a sliver with one class painted over the other.
 *
 * The readable loss is a term of the training loss, R = weight * sum over
 * hidden layers l of (S_l + T_l), that acts on each layer's activations
 * H_l (n, w) and pre-activations Z_l (n, w) as the forward pass left them:
 *
 *   S_l  spread: with C = Hc^T Hc / n the covariance of the centred
 *        activations and lambda1 >= lambda2 its two largest eigenvalues,
 *        r = (lambda2 + eps) / (lambda1 + eps) is the spread squared and
 *        S = max(0, log(READABLE_SPREAD^2) - log r)^2.  Zero while the layer
 *        is spread at least READABLE_SPREAD; a barrier that steepens as the
 *        data fall onto a line.  (Width 1: no term.)
 *   T_l  saturation: the mean over points of sum over units of
 *        max(0, u)^2, where u measures how far z sits in the flat part of
 *        the activation: |z| - 2 for tanh, |z| - 4 for sigmoid (the same
 *        slope, sigmoid(z) = (1 + tanh(z/2)) / 2), -z - 4 for softplus.
 *        For relu and leaky_relu a unit is dead when (almost) every point is
 *        on its flat side: per unit, max(0, -z_k)^2 with z_k its k-th
 *        largest pre-activation, k = ceil(READABLE_LIVE * n), so at least
 *        that share of the points stays on the live side.
 *
 * Gradients are exact (the eigenvalue derivative d lambda_k = v_k^T dC v_k
 * for a simple eigenvalue; test_layers checks them against finite
 * differences).  Same inputs give bit-identical results: plain loops and a
 * cyclic Jacobi eigensolver, no threads, no allocation per call. */
#ifndef READABLE_H
#define READABLE_H

#include "layers.h"

#define READABLE_SPREAD 0.3   /* the spread below which S_l starts to push */
#define READABLE_LIVE 0.1     /* share of points every relu unit keeps on its live side */
#define READABLE_DEFAULT 0.1  /* [train] readable when the scene says nothing */

/* The two largest eigenvalues (l1 >= l2) of a symmetric w x w matrix A
 * (row-major, 1 <= w <= LW_MAX_WIDTH) and, when v1/v2 are non-NULL, their
 * unit eigenvectors (w each).  For w == 1, l2 = 0. */
void readable_top_two(const double *A, int w, double *l1, double *l2, double *v1, double *v2);

/* Spread sigma2 / sigma1 of n points (n, w) row-major: sqrt(lambda2 /
 * lambda1) of their covariance; 0 when all points coincide, 1 for w == 1 (a
 * 1-wide layer is a line by design, it cannot collapse further). */
double readable_spread_points(const double *H, int n, int w);

/* The loss term's scratch for stacks of one shape and up to cap points. */
typedef struct {
    int cap;
    int n_layers;
    int widths[LW_MAX_LAYERS + 1];
    double *dH[LW_MAX_LAYERS];   /* (cap, widths[l+1]) d R / d H[l] */
    double *dZ[LW_MAX_LAYERS];   /* (cap, widths[l+1]) d R / d Z[l] (beside H's path) */
    double *col, *sel;           /* (cap) scratch: one unit's pre-activations */
    double *buf;                 /* owned */
} Readable;

/* Sizes r for s's shape and cap points.  LW_EINPUT for an impossible shape,
 * LW_ERUNTIME when out of memory.  r is overwritten; free it with
 * readable_free on any result. */
int readable_alloc(Readable *r, const LayerStack *s, int cap, LwError *err);
void readable_free(Readable *r);

/* R (see above) over the last forward pass held in t (t->n points through
 * s), times weight, into *value.  When grad is non-zero also fills r->dH and
 * r->dZ with weight * dS/dH and weight * dT/dZ, ready for
 * layers_backward_inject.  LW_EINPUT when t was not sized like r. */
int readable_forward_backward(Readable *r, const LayerStack *s, const LayersTape *t,
                              double weight, int grad, double *value, LwError *err);

#endif
