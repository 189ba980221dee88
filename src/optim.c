/* optim.c — Adam and SGD with momentum as objects that own their state.
 *
 * Invariant: o->m (and for Adam o->v, right after it) is one calloc of
 * n (or 2n) doubles owned by o.  The update expressions are written exactly
 * as the trainer always wrote them (same operations, same order), so trained
 * weights stay bit-identical. */
#include "optim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

OptimConfig optim_adam(double learning_rate)
{
    return (OptimConfig){.kind = OPTIM_ADAM,
                         .learning_rate = learning_rate,
                         .beta1 = OPTIM_ADAM_BETA1,
                         .beta2 = OPTIM_ADAM_BETA2,
                         .eps = OPTIM_ADAM_EPS};
}

OptimConfig optim_sgd(double learning_rate, double momentum)
{
    return (OptimConfig){.kind = OPTIM_SGD, .learning_rate = learning_rate,
                         .momentum = momentum};
}

int optim_alloc(Optim *o, const OptimConfig *cfg, size_t n, LwError *err)
{
    memset(o, 0, sizeof *o);
    if (!(cfg->learning_rate > 0) || !isfinite(cfg->learning_rate))
        return lw_fail(err, LW_EINPUT, "learning rate %g (expected a number > 0)",
                       cfg->learning_rate);
    if (cfg->kind != OPTIM_ADAM && cfg->kind != OPTIM_SGD)
        return lw_fail(err, LW_EINPUT, "unknown optimiser %d", (int)cfg->kind);
    size_t slots = cfg->kind == OPTIM_ADAM ? 2 : 1;
    /* calloc checks n * size itself; slots * n must not wrap first */
    double *state = n <= SIZE_MAX / slots / sizeof(double)
                        ? calloc(slots * (n > 0 ? n : 1), sizeof *state)
                        : NULL;
    if (!state)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the optimiser's state of %zu "
                       "parameters", n);
    o->cfg = *cfg;
    o->n = n;
    o->b1t = 1.0;
    o->b2t = 1.0;
    o->m = state;
    o->v = cfg->kind == OPTIM_ADAM ? state + n : NULL;
    return LW_OK;
}

void optim_free(Optim *o)
{
    if (!o)
        return;
    free(o->m);
    memset(o, 0, sizeof *o);
}

static void adam_step(Optim *o, double *p, const double *g)
{
    const double b1 = o->cfg.beta1, b2 = o->cfg.beta2, lr = o->cfg.learning_rate;
    double *m1 = o->m, *v1 = o->v;
    o->b1t *= b1;
    o->b2t *= b2;
    for (size_t i = 0; i < o->n; i++) {
        m1[i] = b1 * m1[i] + (1 - b1) * g[i];
        v1[i] = b2 * v1[i] + (1 - b2) * g[i] * g[i];
        double mhat = m1[i] / (1 - o->b1t), vhat = v1[i] / (1 - o->b2t);
        p[i] -= lr * mhat / (sqrt(vhat) + o->cfg.eps);
    }
}

static void sgd_step(Optim *o, double *p, const double *g)
{
    const double mu = o->cfg.momentum, lr = o->cfg.learning_rate;
    double *v = o->m;
    for (size_t i = 0; i < o->n; i++) {
        v[i] = mu * v[i] + g[i];
        p[i] -= lr * v[i];
    }
}

void optim_step(Optim *o, double *params, const double *grad)
{
    o->t++;
    if (o->cfg.kind == OPTIM_ADAM)
        adam_step(o, params, grad);
    else
        sgd_step(o, params, grad);
}
