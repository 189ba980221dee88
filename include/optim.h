/* optim.h — optimisers as objects: Adam and SGD with momentum over a slab of
 * n parameters and a gradient slab of the same layout.  The optimiser owns
 * its state (moments, velocity, step count); the parameters and gradients
 * belong to the caller.  Same inputs give bit-identical updates. */
#ifndef OPTIM_H
#define OPTIM_H

#include "lw_common.h"

#define OPTIM_ADAM_BETA1 0.9
#define OPTIM_ADAM_BETA2 0.999
#define OPTIM_ADAM_EPS 1e-8

typedef enum { OPTIM_ADAM, OPTIM_SGD } OptimKind;

typedef struct {
    OptimKind kind;
    double learning_rate;
    double momentum;            /* SGD: v = momentum v + g (0 = plain SGD) */
    double beta1, beta2, eps;   /* Adam */
} OptimConfig;

/* Adam with the usual betas (0.9, 0.999) and eps (1e-8). */
OptimConfig optim_adam(double learning_rate);
/* SGD with momentum. */
OptimConfig optim_sgd(double learning_rate, double momentum);

typedef struct {
    OptimConfig cfg;
    size_t n;       /* parameters */
    int t;          /* steps taken */
    double b1t;     /* Adam: beta1^t, beta2^t (products kept across steps) */
    double b2t;
    double *m;      /* (n) Adam's first moment, or SGD's velocity; owned */
    double *v;      /* (n) Adam's second moment, NULL for SGD; in m's allocation */
} Optim;

/* State (zeroed moments) for n parameters.  LW_EINPUT for a learning rate
 * that is not finite and > 0 or an unknown kind, LW_ERUNTIME when out of
 * memory.  o is overwritten; free it with optim_free on any result. */
int optim_alloc(Optim *o, const OptimConfig *cfg, size_t n, LwError *err);
void optim_free(Optim *o);

/* One update of params (n) from grad (n):
 *   Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *         p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 *   SGD:  m = momentum m + g; p -= lr m */
void optim_step(Optim *o, double *params, const double *grad);

#endif
