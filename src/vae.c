/* vae.c — a VAE / autoencoder as two LayerStacks over one slab: the
 * reparameterisation and KL term, one forward/backward over a batch, the
 * training loop (Adam, seeded mini-batches and noise), and the latent
 * coverage metric (see vae.h).
 *
 * Invariants: m->params is the only allocation a Vae owns; m->enc and m->dec
 * are layers_bind views into it, encoder first.  A VaeWork owns two tapes and
 * one buffer, sized once; vae_loss_grad allocates nothing, so a training step
 * allocates nothing.  One thread, GSL's reference BLAS and seeded mt19937
 * streams: same inputs, same bits. */
#include "vae.h"

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

#define COVER_HALF 2.5      /* the coverage grid spans [-2.5, 2.5] per axis */
/* eps gets its own stream, far from the shuffle's seed (golden-ratio step) */
#define EPS_SEED_STEP 0x9E3779B97F4A7C15ull

VaeConfig vae_config_default(void)
{
    return (VaeConfig){.n_enc_hidden = 2,
                       .enc_hidden = {16, 16},
                       .n_dec_hidden = 2,
                       .dec_hidden = {16, 16},
                       .act = ACT_TANH,
                       .latent_dim = 2,
                       .variational = 1,
                       .beta = 0.1, /* see vae.h: 1 half collapses on unit-scale data */
                       .steps = 2000,
                       .learning_rate = 0.01,
                       .batch = 0,
                       .seed = 1};
}

/* ---- the model ---- */

static int enc_out_width(const Vae *m)
{
    return m->variational ? 2 * m->latent_dim : m->latent_dim;
}

/* in -> hidden... -> out, hidden layers act, the last identity. */
static int shape_stack(LayerStack *s, int in, int n_hidden, const int *hidden, Activation act,
                       int out, const char *name, LwError *err)
{
    memset(s, 0, sizeof *s);
    if (n_hidden < 0 || n_hidden > VAE_MAX_HIDDEN)
        return lw_fail(err, LW_EINPUT, "%s: %d hidden layers (expected 0..%d)", name, n_hidden,
                       VAE_MAX_HIDDEN);
    s->n_layers = n_hidden + 1;
    s->widths[0] = in;
    for (int l = 0; l < n_hidden; l++) {
        if (hidden[l] < 1 || hidden[l] > LW_MAX_WIDTH)
            return lw_fail(err, LW_EINPUT, "%s: hidden width %d (expected 1..%d)", name,
                           hidden[l], LW_MAX_WIDTH);
        s->widths[l + 1] = hidden[l];
        s->act[l] = act;
    }
    s->widths[s->n_layers] = out;
    s->act[n_hidden] = ACT_IDENTITY;
    return LW_OK;
}

int vae_alloc(Vae *m, int data_dim, const VaeConfig *cfg, LwError *err)
{
    memset(m, 0, sizeof *m);
    if (data_dim < 1 || data_dim > 3)
        return lw_fail(err, LW_EINPUT, "data dimension %d (expected 1..3)", data_dim);
    if (cfg->latent_dim < 1 || cfg->latent_dim > VAE_MAX_LATENT)
        return lw_fail(err, LW_EINPUT, "latent_dim %d (expected 1..%d)", cfg->latent_dim,
                       VAE_MAX_LATENT);
    if ((unsigned)cfg->act >= ACT_COUNT)
        return lw_fail(err, LW_EINPUT, "unknown activation %d", (int)cfg->act);
    m->variational = cfg->variational ? 1 : 0;
    m->data_dim = data_dim;
    m->latent_dim = cfg->latent_dim;
    int ret = shape_stack(&m->enc, data_dim, cfg->n_enc_hidden, cfg->enc_hidden, cfg->act,
                          enc_out_width(m), "encoder", err);
    if (ret == LW_OK)
        ret = shape_stack(&m->dec, m->latent_dim, cfg->n_dec_hidden, cfg->dec_hidden, cfg->act,
                          data_dim, "decoder", err);
    if (ret)
        return ret;
    m->n_params = layers_n_params(&m->enc) + layers_n_params(&m->dec);
    m->params = calloc(m->n_params, sizeof *m->params);
    if (!m->params)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %zu parameters", m->n_params);
    layers_bind(&m->dec, layers_bind(&m->enc, m->params));
    return LW_OK;
}

void vae_free(Vae *m)
{
    if (!m)
        return;
    free(m->params);
    memset(m, 0, sizeof *m);
}


int vae_init_random(Vae *m, uint64_t seed, LwError *err)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a random number generator");
    gsl_rng_set(r, (unsigned long)seed);
    layers_init_random(&m->enc, r);
    layers_init_random(&m->dec, r);
    gsl_rng_free(r);
    return LW_OK;
}

/* ---- per point ---- */

void vae_encode_point(const Vae *m, const double *x, double *mu, double *logvar)
{
    double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    layers_forward_point(&m->enc, x, h);
    const double *out = h + m->enc.n_layers * LW_MAX_WIDTH; // (enc out width)
    int L = m->latent_dim;
    memcpy(mu, out, L * sizeof *mu);
    if (m->variational && logvar)
        memcpy(logvar, out + L, L * sizeof *logvar);
}

void vae_decode_point(const Vae *m, const double *z, double *x)
{
    double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    layers_forward_point(&m->dec, z, h);
    memcpy(x, h + m->dec.n_layers * LW_MAX_WIDTH, m->data_dim * sizeof *x);
}

/* ---- the reparameterisation and KL ---- */

/* KL(N(mu, exp(lv)) || N(0, 1)) of one coordinate. */
static double kl_term(double mu, double lv)
{
    return 0.5 * (mu * mu + exp(lv) - lv - 1.0);
}

double vae_reparam_forward(int n, int L, const double *enc_out, const double *eps, double *z)
{
    double kl = 0;
    for (int i = 0; i < n; i++) {
        const double *mu = enc_out + (size_t)i * 2 * L, *lv = mu + L;
        for (int j = 0; j < L; j++) {
            // z = mu + exp(lv/2) eps
            z[(size_t)i * L + j] = mu[j] + exp(0.5 * lv[j]) * eps[(size_t)i * L + j];
            kl += kl_term(mu[j], lv[j]);
        }
    }
    return kl / n;
}

void vae_reparam_backward(int n, int L, const double *enc_out, const double *eps,
                          const double *dz, double beta, double *denc)
{
    double w = beta / n; // the KL term is a mean over the batch
    for (int i = 0; i < n; i++) {
        const double *mu = enc_out + (size_t)i * 2 * L, *lv = mu + L;
        double *dmu = denc + (size_t)i * 2 * L, *dlv = dmu + L;
        for (int j = 0; j < L; j++) {
            double g = dz ? dz[(size_t)i * L + j] : 0.0;
            double s = exp(0.5 * lv[j]);
            // z = mu + exp(lv/2) eps; kl += 0.5 (mu^2 + exp(lv) - lv - 1)
            dmu[j] = g + w * mu[j];
            dlv[j] = g * eps[(size_t)i * L + j] * 0.5 * s + w * 0.5 * (s * s - 1.0);
        }
    }
}

/* ---- one forward and backward ---- */

int vae_work_alloc(VaeWork *w, const Vae *m, int cap, LwError *err)
{
    memset(w, 0, sizeof *w);
    if (cap < 1)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (expected at least 1)", cap);
    int ret = layers_tape_alloc(&w->enc_tape, &m->enc, cap, err);
    if (ret == LW_OK)
        ret = layers_tape_alloc(&w->dec_tape, &m->dec, cap, err);
    if (ret)
        return ret;
    size_t L = m->latent_dim, per_point = 2 * L + enc_out_width(m) + m->data_dim;
    w->buf = malloc((size_t)cap * per_point * sizeof *w->buf);
    if (!w->buf)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a batch of %d points", cap);
    w->cap = cap;
    w->z = w->buf;                           // (cap, L)
    w->dz = w->z + (size_t)cap * L;          // (cap, L)
    w->denc = w->dz + (size_t)cap * L;       // (cap, enc out width)
    w->dxhat = w->denc + (size_t)cap * enc_out_width(m); // (cap, data_dim)
    return LW_OK;
}

void vae_work_free(VaeWork *w)
{
    if (!w)
        return;
    layers_tape_free(&w->enc_tape);
    layers_tape_free(&w->dec_tape);
    free(w->buf);
    memset(w, 0, sizeof *w);
}

static int net_failed(LwError *err, const char *net, const LwError *inner)
{
    return lw_fail(err, LW_ERUNTIME, "%s: %s", net, inner->msg);
}

/* recon = mean_i sum_d (xhat - x)^2; dxhat = d recon / d xhat when non-NULL. */
static double recon_error(int n, int D, const double *xhat, const double *x, double *dxhat)
{
    double sum = 0;
    for (size_t k = 0; k < (size_t)n * D; k++) {
        double r = xhat[k] - x[k];
        sum += r * r;
        if (dxhat)
            dxhat[k] = 2.0 * r / n;
    }
    return sum / n;
}

int vae_loss_grad(const Vae *m, VaeWork *w, const double *x, int n, const double *eps,
                  double beta, double *recon, double *kl, double *grad, LwError *err)
{
    if (n < 1 || n > w->cap)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (the work holds 1..%d)", n, w->cap);
    if (m->variational && !eps)
        return lw_fail(err, LW_EINPUT, "a VAE's batch needs its noise eps");
    LwError inner;
    const double *enc_out, *xhat;
    if (layers_forward(&m->enc, &w->enc_tape, x, n, &enc_out, &inner))
        return net_failed(err, "encoder", &inner);
    // VAE: z = mu + exp(logvar/2) eps; autoencoder: z = code
    const double *z = enc_out;
    *kl = 0;
    if (m->variational) {
        *kl = vae_reparam_forward(n, m->latent_dim, enc_out, eps, w->z);
        z = w->z;
    }
    if (layers_forward(&m->dec, &w->dec_tape, z, n, &xhat, &inner))
        return net_failed(err, "decoder", &inner);
    *recon = recon_error(n, m->data_dim, xhat, x, grad ? w->dxhat : NULL);
    if (!grad)
        return LW_OK;

    /* gradient stacks over grad, laid out as m->params */
    LayerStack genc = m->enc, gdec = m->dec;
    layers_bind(&gdec, layers_bind(&genc, grad));
    if (layers_backward(&m->dec, &w->dec_tape, w->dxhat, w->dz, &gdec, LAYERS_GRAD_SET, &inner))
        return net_failed(err, "decoder", &inner);
    const double *denc = w->dz; // autoencoder: d loss / d code = d loss / d z
    if (m->variational) {
        vae_reparam_backward(n, m->latent_dim, enc_out, eps, w->dz, beta, w->denc);
        denc = w->denc;
    }
    if (layers_backward(&m->enc, &w->enc_tape, denc, NULL, &genc, LAYERS_GRAD_SET, &inner))
        return net_failed(err, "encoder", &inner);
    return LW_OK;
}

/* ---- training ---- */

static int check_train(const Vae *m, const Dataset *ds, const VaeConfig *cfg, LwError *err)
{
    if ((cfg->variational ? 1 : 0) != m->variational || cfg->latent_dim != m->latent_dim)
        return lw_fail(err, LW_EINPUT, "config (variational %d, latent_dim %d) does not match "
                       "the model (variational %d, latent_dim %d)", cfg->variational,
                       cfg->latent_dim, m->variational, m->latent_dim);
    if (ds->dim != m->data_dim)
        return lw_fail(err, LW_EINPUT, "model's data dimension %d but the data are %d-D",
                       m->data_dim, ds->dim);
    if (ds->n < 1)
        return lw_fail(err, LW_EINPUT, "no data points to train on");
    if (!(cfg->learning_rate > 0) || !isfinite(cfg->learning_rate) || cfg->steps < 0)
        return lw_fail(err, LW_EINPUT, "learning_rate = %g, steps = %d (expected > 0 and >= 0)",
                       cfg->learning_rate, cfg->steps);
    if (!(cfg->beta >= 0) || !isfinite(cfg->beta))
        return lw_fail(err, LW_EINPUT, "beta = %g (expected a number >= 0)", cfg->beta);
    return LW_OK;
}

static int diverged(LwError *err, int step, double loss, const VaeConfig *cfg)
{
    /* glibc may print "-nan"; users only need to know it is one */
    char buf[64];
    if (isnan(loss))
        snprintf(buf, sizeof buf, "nan");
    else
        snprintf(buf, sizeof buf, "%g", loss);
    return lw_fail(err, LW_EINPUT, "training diverged at step %d (loss = %s): lower "
                   "learning_rate (now %g)", step, buf, cfg->learning_rate);
}

/* What one training run owns, freed together. */
typedef struct {
    VaeWork work;
    Optim optim;
    Batches batches;
    gsl_rng *noise;  /* eps stream (VAE) */
    double *grad;    /* (n_params) */
    double *eps;     /* (bs, latent_dim) */
} TrainState;

static void state_free(TrainState *s)
{
    vae_work_free(&s->work);
    optim_free(&s->optim);
    batches_free(&s->batches);
    gsl_rng_free(s->noise);
    free(s->grad);
    free(s->eps);
    memset(s, 0, sizeof *s);
}

static int state_alloc(TrainState *s, const Vae *m, const Dataset *ds, const VaeConfig *cfg,
                       LwError *err)
{
    memset(s, 0, sizeof *s);
    OptimConfig ocfg = optim_adam(cfg->learning_rate);
    int ret = batches_alloc(&s->batches, ds, cfg->batch, cfg->batch <= 0 || cfg->batch >= ds->n,
                            cfg->seed, err);
    if (ret == LW_OK)
        ret = vae_work_alloc(&s->work, m, s->batches.bs, err);
    if (ret == LW_OK)
        ret = optim_alloc(&s->optim, &ocfg, m->n_params, err);
    if (ret)
        return ret;
    s->grad = calloc(m->n_params, sizeof *s->grad);
    s->eps = calloc((size_t)s->batches.bs * m->latent_dim, sizeof *s->eps);
    s->noise = gsl_rng_alloc(gsl_rng_mt19937);
    if (!s->grad || !s->eps || !s->noise)
        return lw_fail(err, LW_ERUNTIME, "out of memory for training state");
    gsl_rng_set(s->noise, (unsigned long)(cfg->seed + EPS_SEED_STEP));
    return LW_OK;
}

/* One Adam step on the next batch; the batch loss in *loss. */
static int train_step(Vae *m, TrainState *s, const VaeConfig *cfg, double *loss, LwError *err)
{
    const double *x;
    batches_next(&s->batches, &x, NULL);
    int bs = s->batches.bs;
    if (m->variational)
        for (size_t k = 0; k < (size_t)bs * m->latent_dim; k++)
            s->eps[k] = gsl_ran_gaussian_ziggurat(s->noise, 1.0);
    double recon, kl;
    int ret = vae_loss_grad(m, &s->work, x, bs, s->eps, cfg->beta, &recon, &kl, s->grad, err);
    if (ret)
        return ret;
    *loss = recon + cfg->beta * kl;
    if (isfinite(*loss))
        optim_step(&s->optim, m->params, s->grad);
    return LW_OK;
}

int vae_train(Vae *m, const Dataset *ds, const VaeConfig *cfg, VaeReport *rep, LwError *err)
{
    clock_t c0 = clock();
    gsl_set_error_handler_off();
    if (rep)
        memset(rep, 0, sizeof *rep);
    int ret = check_train(m, ds, cfg, err);
    if (ret)
        return ret;
    TrainState s;
    LwError inner;
    double loss = 0, recon = 0, kl = 0;
    if ((ret = state_alloc(&s, m, ds, cfg, err)) != LW_OK)
        goto done;
    for (int step = 1; step <= cfg->steps; step++) {
        if ((ret = train_step(m, &s, cfg, &loss, &inner)) != LW_OK) {
            ret = lw_fail(err, ret, "training step %d: %s", step, inner.msg);
            goto done;
        }
        if (!isfinite(loss)) {
            ret = diverged(err, step, loss, cfg);
            goto done;
        }
    }
    vae_evaluate(m, ds, &recon, &kl);
    /* the last step's update may itself have blown the parameters up */
    if (!isfinite(recon + cfg->beta * kl)) {
        ret = diverged(err, cfg->steps, recon + cfg->beta * kl, cfg);
        goto done;
    }
    if (rep) {
        rep->steps = cfg->steps;
        rep->recon = recon;
        rep->kl = kl;
        rep->seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
    }
done:
    state_free(&s);
    return ret;
}

/* ---- metrics ---- */

void vae_evaluate(const Vae *m, const Dataset *ds, double *recon, double *kl)
{
    double r = 0, k = 0;
    for (int i = 0; i < ds->n; i++) {
        const double *x = ds->x + (size_t)i * ds->dim;
        double mu[VAE_MAX_LATENT], lv[VAE_MAX_LATENT], xhat[3];
        vae_encode_point(m, x, mu, lv);
        vae_decode_point(m, mu, xhat);
        r += recon_error(1, m->data_dim, xhat, x, NULL);
        for (int j = 0; m->variational && j < m->latent_dim; j++)
            k += kl_term(mu[j], lv[j]);
    }
    *recon = ds->n > 0 ? r / ds->n : 0;
    *kl = ds->n > 0 ? k / ds->n : 0;
}

double vae_mean_sigma(const Vae *m, const Dataset *ds)
{
    if (!m->variational || ds->n < 1)
        return 0;
    double sum = 0;
    for (int i = 0; i < ds->n; i++) {
        double mu[VAE_MAX_LATENT], lv[VAE_MAX_LATENT];
        vae_encode_point(m, ds->x + (size_t)i * ds->dim, mu, lv);
        for (int j = 0; j < m->latent_dim; j++)
            sum += exp(0.5 * lv[j]);
    }
    return sum / ((double)ds->n * m->latent_dim);
}

/* 1 when g (L) lies within r of one of the n codes (n, L). */
static int near_a_code(const double *g, const double *codes, int n, int L, double r)
{
    for (int i = 0; i < n; i++) {
        double d2 = 0;
        for (int j = 0; j < L; j++) {
            double d = g[j] - codes[(size_t)i * L + j];
            d2 += d * d;
        }
        if (d2 <= r * r)
            return 1;
    }
    return 0;
}

double vae_latent_coverage(const Vae *m, const Dataset *ds, int grid, double sigma)
{
    int L = m->latent_dim, n = ds->n;
    if (grid < 1 || n < 1)
        return 0;
    if (sigma <= 0)
        sigma = vae_mean_sigma(m, ds);
    double *codes = malloc((size_t)n * L * sizeof *codes); // (n, L) posterior means / codes
    if (!codes)
        return NAN;
    for (int i = 0; i < n; i++)
        vae_encode_point(m, ds->x + (size_t)i * ds->dim, codes + (size_t)i * L, NULL);
    double step = grid > 1 ? 2 * COVER_HALF / (grid - 1) : 0;
    long total = 1, hit = 0;
    for (int j = 0; j < L; j++)
        total *= grid;
    for (long k = 0; k < total; k++) {
        /* k's digits in base grid are the point's indices, axis 0 fastest */
        double g[VAE_MAX_LATENT];
        long rest = k;
        for (int j = 0; j < L; j++, rest /= grid)
            g[j] = grid > 1 ? -COVER_HALF + step * (double)(rest % grid) : 0.0;
        hit += near_a_code(g, codes, n, L, 2 * sigma);
    }
    free(codes);
    return (double)hit / (double)total;
}
