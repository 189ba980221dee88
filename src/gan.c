/* gan.c — a GAN's two LayerStacks, its two losses and their gradients, and
 * deterministic alternating Adam training (see gan.h for the losses).
 *
 * Invariants: a Gan owns one slab (G's parameters, then D's) and gen, disc
 * are views into it; a GanWork owns the tapes and buffers of every loss
 * evaluation, sized once for a most-points cap, so a training step allocates
 * nothing.  gan_train owns its work, optimisers, random generators and batch
 * buffers and frees them before it returns.
 *
 * Determinism: one thread, GSL's reference BLAS, fixed loop orders, and two
 * mt19937 streams seeded from cfg->seed (the data shuffle, the latent codes),
 * so the same model, data and config give bit-identical parameters. */
#include "gan.h"

#include "batches.h"

#include "optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define WEIGHT_LIMIT 1e6 /* a parameter beyond this means training blew up */

GanConfig gan_config_default(void)
{
    /* tuned on circles, moons and spiral (tests/test_gan.c): D learns twice
     * as fast as G, so G chases a discriminator that keeps up */
    return (GanConfig){.n_gen_hidden = 3,
                       .gen_hidden = {16, 16, 16},
                       .n_disc_hidden = 3,
                       .disc_hidden = {16, 16, 16},
                       .gen_act = ACT_LEAKY_RELU,
                       .disc_act = ACT_LEAKY_RELU,
                       .latent_dim = 2,
                       .prior = PRIOR_GAUSSIAN,
                       .steps = 4000,
                       .d_steps = 1,
                       .g_learning_rate = 5e-4,
                       .d_learning_rate = 1e-3,
                       .beta1 = 0.5,
                       .batch = 64,
                       .seed = 1};
}

/* ---- the model ---- */

/* A stack in -> hidden... -> out with act in the hidden layers, identity last. */
static int shape_stack(LayerStack *s, int in, int n_hidden, const int *hidden, Activation act,
                       int out, const char *who, LwError *err)
{
    memset(s, 0, sizeof *s);
    if (n_hidden < 0 || n_hidden > LW_MAX_LAYERS - 1)
        return lw_fail(err, LW_EINPUT, "%s: %d hidden layers (expected 0..%d)", who, n_hidden,
                       LW_MAX_LAYERS - 1);
    if ((int)act < 0 || act >= ACT_COUNT)
        return lw_fail(err, LW_EINPUT, "%s: unknown activation %d", who, (int)act);
    s->n_layers = n_hidden + 1;
    s->widths[0] = in;
    for (int l = 0; l < n_hidden; l++) {
        if (hidden[l] < 1 || hidden[l] > LW_MAX_WIDTH)
            return lw_fail(err, LW_EINPUT, "%s: hidden layer %d has width %d (expected 1..%d)",
                           who, l + 1, hidden[l], LW_MAX_WIDTH);
        s->widths[l + 1] = hidden[l];
        s->act[l] = act;
    }
    s->widths[s->n_layers] = out;
    s->act[n_hidden] = ACT_IDENTITY;
    return LW_OK;
}

int gan_alloc(Gan *m, const GanConfig *cfg, int data_dim, LwError *err)
{
    memset(m, 0, sizeof *m);
    if (cfg->latent_dim < 1 || cfg->latent_dim > GAN_MAX_LATENT)
        return lw_fail(err, LW_EINPUT, "latent_dim = %d (expected 1..%d)", cfg->latent_dim,
                       GAN_MAX_LATENT);
    if (data_dim < 1 || data_dim > 3)
        return lw_fail(err, LW_EINPUT, "data of dimension %d (expected 1..3)", data_dim);
    if (cfg->prior != PRIOR_GAUSSIAN && cfg->prior != PRIOR_UNIFORM)
        return lw_fail(err, LW_EINPUT, "unknown prior %d", (int)cfg->prior);
    int ret = shape_stack(&m->gen, cfg->latent_dim, cfg->n_gen_hidden, cfg->gen_hidden,
                          cfg->gen_act, data_dim, "generator", err);
    if (!ret)
        ret = shape_stack(&m->disc, data_dim, cfg->n_disc_hidden, cfg->disc_hidden,
                          cfg->disc_act, 1, "discriminator", err);
    if (ret)
        return ret;
    m->latent_dim = cfg->latent_dim;
    m->data_dim = data_dim;
    m->prior = cfg->prior;
    m->n_gen_params = layers_n_params(&m->gen);
    m->n_disc_params = layers_n_params(&m->disc);
    m->params = calloc(m->n_gen_params + m->n_disc_params, sizeof *m->params);
    if (!m->params)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %zu parameters",
                       m->n_gen_params + m->n_disc_params);
    layers_bind(&m->disc, layers_bind(&m->gen, m->params));
    return LW_OK;
}

void gan_free(Gan *m)
{
    if (!m)
        return;
    free(m->params);
    memset(m, 0, sizeof *m);
}

int gan_copy(Gan *dst, const Gan *src, LwError *err)
{
    size_t n = src->n_gen_params + src->n_disc_params;
    *dst = *src;
    dst->params = malloc((n ? n : 1) * sizeof *dst->params);
    if (!dst->params) {
        memset(dst, 0, sizeof *dst);
        return lw_fail(err, LW_ERUNTIME, "out of memory for a copy of %zu parameters", n);
    }
    memcpy(dst->params, src->params, n * sizeof *dst->params);
    layers_bind(&dst->disc, layers_bind(&dst->gen, dst->params));
    return LW_OK;
}


void gan_init_random(Gan *m, uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    memset(m->params, 0, (m->n_gen_params + m->n_disc_params) * sizeof *m->params);
    /* gsl_rng_alloc only fails when out of memory; zero weights stay valid */
    if (!r)
        return;
    gsl_rng_set(r, (unsigned long)seed);
    layers_init_random(&m->gen, r);
    layers_init_random(&m->disc, r);
    gsl_rng_free(r);
}

/* ---- one point ---- */

void gan_generate_point(const Gan *m, const double *z, double *x)
{
    double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    layers_forward_point(&m->gen, z, h);
    memcpy(x, h + m->gen.n_layers * LW_MAX_WIDTH, m->data_dim * sizeof *x);
}

double gan_discriminate_point(const Gan *m, const double *x)
{
    double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    layers_forward_point(&m->disc, x, h);
    return h[m->disc.n_layers * LW_MAX_WIDTH];
}

int gan_sample(const Gan *m, int n, uint64_t seed, double *x, LwError *err)
{
    if (n < 1)
        return lw_fail(err, LW_EINPUT, "%d samples (expected at least 1)", n);
    double *z = malloc((size_t)n * m->latent_dim * sizeof *z); // (n, latent_dim)
    if (!z)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d latent codes", n);
    int ret = prior_sample(m->prior, m->latent_dim, n, seed, z, err);
    for (int i = 0; ret == LW_OK && i < n; i++)
        gan_generate_point(m, z + (size_t)i * m->latent_dim, x + (size_t)i * m->data_dim);
    free(z);
    return ret;
}

/* ---- scratch ---- */

int gan_work_alloc(GanWork *w, const Gan *m, int cap, LwError *err)
{
    memset(w, 0, sizeof *w);
    if (cap < 1 || cap > LW_MAX_POINTS)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (expected 1..%d)", cap,
                       LW_MAX_POINTS);
    int ret = layers_tape_alloc(&w->gtape, &m->gen, cap, err);
    if (!ret)
        ret = layers_tape_alloc(&w->dtape, &m->disc, 2 * cap, err);
    if (ret)
        return ret;
    w->xd = malloc((size_t)2 * cap * m->data_dim * sizeof *w->xd);
    w->dlogit = malloc((size_t)2 * cap * sizeof *w->dlogit);
    w->dx = malloc((size_t)cap * m->data_dim * sizeof *w->dx);
    w->gslab = calloc(m->n_gen_params + m->n_disc_params, sizeof *w->gslab);
    if (!w->xd || !w->dlogit || !w->dx || !w->gslab)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a GAN batch of %d points", cap);
    w->ggrad = m->gen;
    w->dgrad = m->disc;
    layers_bind(&w->dgrad, layers_bind(&w->ggrad, w->gslab));
    w->cap = cap;
    return LW_OK;
}

void gan_work_free(GanWork *w)
{
    if (!w)
        return;
    layers_tape_free(&w->gtape);
    layers_tape_free(&w->dtape);
    free(w->xd);
    free(w->dlogit);
    free(w->dx);
    free(w->gslab);
    memset(w, 0, sizeof *w);
}

/* ---- the losses ---- */

/* log(1 + e^t) without exp of a large positive number */
static double softplus(double t)
{
    return fmax(t, 0.0) + log1p(exp(-fabs(t)));
}

static double sigmoid(double t)
{
    return t >= 0 ? 1.0 / (1.0 + exp(-t)) : exp(t) / (1.0 + exp(t));
}

static int check_batch(const GanWork *w, int n, LwError *err)
{
    if (!w->gslab)
        return lw_fail(err, LW_EINPUT, "GAN work not allocated");
    if (n < 1 || n > w->cap)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (the work holds 1..%d)", n,
                       w->cap);
    return LW_OK;
}

int gan_d_loss_grad(const Gan *m, GanWork *w, const double *x, const double *z, int n,
                    int want_grad, double *loss, LwError *err)
{
    int ret = check_batch(w, n, err), dim = m->data_dim;
    if (ret)
        return ret;
    const double *fake, *logit; // (n, dim), (2n, 1)
    if ((ret = layers_forward(&m->gen, &w->gtape, z, n, &fake, err)))
        return ret;
    /* real and fake through D in one pass: rows [0, n) real, [n, 2n) fake */
    memcpy(w->xd, x, (size_t)n * dim * sizeof *w->xd);
    memcpy(w->xd + (size_t)n * dim, fake, (size_t)n * dim * sizeof *w->xd);
    if ((ret = layers_forward(&m->disc, &w->dtape, w->xd, 2 * n, &logit, err)))
        return ret;
    double lreal = 0, lfake = 0;
    for (int i = 0; i < n; i++) {
        // L_D = mean softplus(-l_real) + mean softplus(l_fake)
        lreal += softplus(-logit[i]);
        lfake += softplus(logit[n + i]);
        // d softplus(-l)/dl = sigmoid(l) - 1; d softplus(l)/dl = sigmoid(l)
        w->dlogit[i] = (sigmoid(logit[i]) - 1.0) / n;
        w->dlogit[n + i] = sigmoid(logit[n + i]) / n;
    }
    *loss = lreal / n + lfake / n;
    if (!want_grad)
        return LW_OK;
    return layers_backward(&m->disc, &w->dtape, w->dlogit, NULL, &w->dgrad, LAYERS_GRAD_SET,
                           err);
}

int gan_g_loss_grad(const Gan *m, GanWork *w, const double *z, int n, int want_grad,
                    double *loss, LwError *err)
{
    int ret = check_batch(w, n, err);
    if (ret)
        return ret;
    const double *fake, *logit; // (n, data_dim) a view into gtape, (n, 1)
    if ((ret = layers_forward(&m->gen, &w->gtape, z, n, &fake, err)) ||
        (ret = layers_forward(&m->disc, &w->dtape, fake, n, &logit, err)))
        return ret;
    double l = 0;
    for (int i = 0; i < n; i++) {
        // L_G = mean softplus(-l)  =>  dl = (sigmoid(l) - 1) / n
        l += softplus(-logit[i]);
        w->dlogit[i] = (sigmoid(logit[i]) - 1.0) / n;
    }
    *loss = l / n;
    if (!want_grad)
        return LW_OK;
    // logit = D(fake): d/dfake through D, D's own gradient not taken (grad NULL)
    if ((ret = layers_backward(&m->disc, &w->dtape, w->dlogit, w->dx, NULL, LAYERS_GRAD_SET,
                               err)))
        return ret;
    // fake = G(z)
    return layers_backward(&m->gen, &w->gtape, w->dx, NULL, &w->ggrad, LAYERS_GRAD_SET, err);
}

int gan_point_grad(const Gan *m, GanWork *w, const double *x, int n, double *dx, LwError *err)
{
    if (!w->gslab)
        return lw_fail(err, LW_EINPUT, "GAN work not allocated");
    if (n < 1 || n > 2 * w->cap)
        return lw_fail(err, LW_EINPUT, "%d points (the work holds 1..%d)", n, 2 * w->cap);
    const double *logit; // (n, 1)
    int ret = layers_forward(&m->disc, &w->dtape, x, n, &logit, err);
    if (ret)
        return ret;
    // each point's own softplus(-l): d/dl = sigmoid(l) - 1, not divided by n
    for (int i = 0; i < n; i++)
        w->dlogit[i] = sigmoid(logit[i]) - 1.0;
    // logit = D(x): d/dx through D, D's own gradient not taken (grad NULL)
    return layers_backward(&m->disc, &w->dtape, w->dlogit, dx, NULL, LAYERS_GRAD_SET, err);
}

/* ---- training ---- */

/* What each step reads: real mini-batches from a seeded shuffle, codes from
 * a second seeded stream, and the fixed evaluation batch.  Owns all of it. */
typedef struct {
    const Dataset *ds;
    int bs;             /* batch size */
    Batches real;       /* this step's real points */
    const double *xb;   /* (bs, dim) into real's buffer */
    double *zb;         /* (bs, latent_dim) this step's codes */
    gsl_rng *code_rng;
    int n_eval;
    double *x_eval;     /* (n_eval, dim) */
    double *z_eval;     /* (n_eval, latent_dim) */
} Streams;

static void streams_free(Streams *s)
{
    batches_free(&s->real);
    free(s->zb);
    free(s->x_eval);
    free(s->z_eval);
    gsl_rng_free(s->code_rng);
    memset(s, 0, sizeof *s);
}

static int streams_alloc(Streams *s, const Gan *m, const Dataset *ds, const GanConfig *cfg,
                         LwError *err)
{
    int n = ds->n, dim = ds->dim, lat = m->latent_dim;
    memset(s, 0, sizeof *s);
    s->ds = ds;
    s->bs = cfg->batch;
    s->n_eval = n < GAN_EVAL_POINTS ? n : GAN_EVAL_POINTS;
    int rc = batches_alloc(&s->real, ds, s->bs, 0, cfg->seed, err);
    if (rc)
        return rc;
    s->zb = malloc((size_t)s->bs * lat * sizeof *s->zb);
    s->x_eval = malloc((size_t)s->n_eval * dim * sizeof *s->x_eval);
    s->z_eval = malloc((size_t)s->n_eval * lat * sizeof *s->z_eval);
    s->code_rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s->zb || !s->x_eval || !s->z_eval || !s->code_rng)
        return lw_fail(err, LW_ERUNTIME, "out of memory for GAN training batches");
    gsl_rng_set(s->code_rng, (unsigned long)(cfg->seed + 1));
    /* evenly strided, so the evaluation batch spans every class and curve */
    for (int i = 0; i < s->n_eval; i++)
        memcpy(s->x_eval + (size_t)i * dim, ds->x + (size_t)((long)i * n / s->n_eval) * dim,
               dim * sizeof *s->x_eval);
    return prior_sample(m->prior, lat, s->n_eval, cfg->seed + 2, s->z_eval, err);
}

/* The next bs real points (s->xb), from the seeded shuffle. */
static void next_real(Streams *s)
{
    batches_next(&s->real, &s->xb, NULL);
}

/* The next bs codes into s->zb, from the training's own stream of codes. */
static void next_codes(Streams *s, Prior p, int latent_dim)
{
    prior_sample_rng(p, latent_dim, s->bs, s->code_rng, s->zb);
}

static int check_train(const Gan *m, const Dataset *ds, const GanConfig *cfg, LwError *err)
{
    if (!m->params)
        return lw_fail(err, LW_EINPUT, "GAN not allocated");
    if (ds->dim != m->data_dim)
        return lw_fail(err, LW_EINPUT, "the generator makes %d-D points but the data are %d-D",
                       m->data_dim, ds->dim);
    if (cfg->latent_dim != m->latent_dim || cfg->prior != m->prior)
        return lw_fail(err, LW_EINPUT, "config's latent_dim %d / prior %s do not match the "
                       "model's %d / %s", cfg->latent_dim, prior_name(cfg->prior),
                       m->latent_dim, prior_name(m->prior));
    if (ds->n < 1)
        return lw_fail(err, LW_EINPUT, "no data points to train on");
    if (cfg->batch < 1 || cfg->batch > ds->n)
        return lw_fail(err, LW_EINPUT, "batch = %d (expected 1..%d, the data points)",
                       cfg->batch, ds->n);
    if (cfg->steps < 0 || cfg->d_steps < 1)
        return lw_fail(err, LW_EINPUT, "steps = %d, d_steps = %d (expected >= 0 and >= 1)",
                       cfg->steps, cfg->d_steps);
    if (!(cfg->beta1 >= 0 && cfg->beta1 < 1))
        return lw_fail(err, LW_EINPUT, "beta1 = %g (expected 0 <= beta1 < 1)", cfg->beta1);
    return LW_OK;
}

static int diverged(LwError *err, int step, double dl, double gl, const char *what,
                    const GanConfig *cfg)
{
    char a[64], b[64];
    return lw_fail(err, LW_EINPUT,
                   "training diverged at step %d (d_loss = %s, g_loss = %s%s): lower "
                   "learning_rate (now d %g, g %g)",
                   step, lw_num_text(dl, a, sizeof a), lw_num_text(gl, b, sizeof b), what,
                   cfg->d_learning_rate, cfg->g_learning_rate);
}

/* One generator step and its d_steps discriminator steps; losses of the last
 * of each in *dl, *gl.  Returns LW_OK, or a GSL failure as LW_ERUNTIME, or
 * divergence as LW_EINPUT. */
static int train_step(Gan *m, GanWork *w, Streams *s, Optim *dopt, Optim *gopt,
                      const GanConfig *cfg, int step, double *dl, double *gl, LwError *err)
{
    LwError inner;
    double *dparams = m->params + m->n_gen_params, *dgrad = w->gslab + m->n_gen_params;
    for (int k = 0; k < cfg->d_steps; k++) {
        next_real(s);
        next_codes(s, m->prior, m->latent_dim);
        if (gan_d_loss_grad(m, w, s->xb, s->zb, s->bs, 1, dl, &inner))
            return lw_fail(err, LW_ERUNTIME, "gan training step %d: %s", step, inner.msg);
        if (!isfinite(*dl))
            return diverged(err, step, *dl, *gl, "", cfg);
        optim_step(dopt, dparams, dgrad);
    }
    next_codes(s, m->prior, m->latent_dim);
    if (gan_g_loss_grad(m, w, s->zb, s->bs, 1, gl, &inner))
        return lw_fail(err, LW_ERUNTIME, "gan training step %d: %s", step, inner.msg);
    if (!isfinite(*gl))
        return diverged(err, step, *dl, *gl, "", cfg);
    optim_step(gopt, m->params, w->gslab);
    if (lw_max_abs(m->params, m->n_gen_params + m->n_disc_params) > WEIGHT_LIMIT)
        return diverged(err, step, *dl, *gl, ", a parameter beyond 1e6", cfg);
    return LW_OK;
}

/* L_D and L_G of m on the fixed evaluation batch. */
static int eval_losses(const Gan *m, GanWork *w, const Streams *s, double *dl, double *gl,
                       LwError *err)
{
    return gan_d_loss_grad(m, w, s->x_eval, s->z_eval, s->n_eval, 0, dl, err) ||
                   gan_g_loss_grad(m, w, s->z_eval, s->n_eval, 0, gl, err)
               ? LW_ERUNTIME
               : LW_OK;
}

static int wants_checkpoint(const GanTrainOptions *opt, int step)
{
    if (!opt || !opt->checkpoint)
        return 0;
    if (opt->every > 0 && step % opt->every == 0)
        return 1;
    for (int i = 0; i < opt->n_steps; i++)
        if (opt->steps[i] == step)
            return 1;
    return 0;
}

/* Calls the checkpoint at the steps asked for, with the evaluation batch's
 * losses; the evaluation writes only the work's scratch, which every step
 * fills afresh, so training goes on bit for bit as without it. */
static int checkpoint(const GanTrainOptions *opt, const Gan *m, GanWork *w, const Streams *s,
                      int step, LwError *err)
{
    if (!wants_checkpoint(opt, step))
        return LW_OK;
    LwError inner;
    double dl, gl;
    if (eval_losses(m, w, s, &dl, &gl, &inner))
        return lw_fail(err, LW_ERUNTIME, "gan training step %d: %s", step, inner.msg);
    snprintf(inner.msg, sizeof inner.msg, "the checkpoint callback failed");
    int ret = opt->checkpoint(opt->user, step, m, dl, gl, &inner);
    if (ret == LW_OK)
        return LW_OK;
    return lw_fail(err, ret < 0 ? ret : LW_ERUNTIME, "gan training step %d: %s", step, inner.msg);
}

int gan_train(Gan *m, const Dataset *ds, const GanConfig *cfg, GanReport *rep, LwError *err)
{
    return gan_train_with(m, ds, cfg, NULL, rep, err);
}

int gan_train_with(Gan *m, const Dataset *ds, const GanConfig *cfg, const GanTrainOptions *opt,
                   GanReport *rep, LwError *err)
{
    clock_t c0 = clock();
    gsl_set_error_handler_off();
    if (rep)
        memset(rep, 0, sizeof *rep);
    int ret = check_train(m, ds, cfg, err);
    if (ret)
        return ret;
    GanWork w = {0};
    Streams s = {0};
    Optim dopt = {0}, gopt = {0};
    OptimConfig dcfg = optim_adam(cfg->d_learning_rate), gcfg = optim_adam(cfg->g_learning_rate);
    dcfg.beta1 = gcfg.beta1 = cfg->beta1;
    int cap = cfg->batch > GAN_EVAL_POINTS ? cfg->batch : GAN_EVAL_POINTS;
    if ((ret = optim_alloc(&dopt, &dcfg, m->n_disc_params, err)) ||
        (ret = optim_alloc(&gopt, &gcfg, m->n_gen_params, err)) ||
        (ret = gan_work_alloc(&w, m, cap, err)) || (ret = streams_alloc(&s, m, ds, cfg, err)))
        goto fail;
    double dl = NAN, gl = NAN;
    if ((ret = checkpoint(opt, m, &w, &s, 0, err)))
        goto fail;
    for (int step = 1; step <= cfg->steps; step++)
        if ((ret = train_step(m, &w, &s, &dopt, &gopt, cfg, step, &dl, &gl, err)) ||
            (ret = checkpoint(opt, m, &w, &s, step, err)))
            goto fail;
    LwError inner;
    if (eval_losses(m, &w, &s, &dl, &gl, &inner)) {
        ret = lw_fail(err, LW_ERUNTIME, "gan final loss: %s", inner.msg);
        goto fail;
    }
    if (!isfinite(dl) || !isfinite(gl)) {
        ret = diverged(err, cfg->steps, dl, gl, "", cfg);
        goto fail;
    }
    if (rep) {
        rep->steps = cfg->steps;
        rep->d_loss = dl;
        rep->g_loss = gl;
        rep->seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
    }
fail:
    gan_work_free(&w);
    streams_free(&s);
    optim_free(&dopt);
    optim_free(&gopt);
    return ret;
}
