/* test_vae.c — the VAE / autoencoder training core (vae.h):
 *   - gradients against fourth-order central finite differences, max
 *     relative error printed and asserted < 1e-5: the reparameterisation
 *     (d loss / d mu and d logvar with eps fixed), the KL term alone, and
 *     every parameter of the whole model (autoencoder; VAE with beta 1 and
 *     0.5), and the encoder's with beta 50 and a tiny decoder (the KL path
 *     dominates the encoder's gradient);
 *   - the per-point passes against layers_forward_point, bit for bit;
 *   - determinism: two trainings (mini-batches, noise) give identical bits;
 *   - moons (400 points, latent 2, hidden 16,16 tanh, 2000 steps): the
 *     reconstruction error falls far below the untrained one, the KL is
 *     finite; the VAE's posterior means cover the latent box more than the
 *     autoencoder's codes (same sigma);
 *   - failures: mismatched config or data, divergence, an injected GSL
 *     error, each reported as itself. */
#include "gsl_fault.h"

#include "check.h"
#include "vae.h"

#include <stdlib.h>

#include <gsl/gsl_rng.h>

#define FD_H 1e-4
#define GRAD_TOL 1e-5
#define REL_FLOOR 1e-6 /* |gradient| below this is compared absolutely */

static void fill_uniform(gsl_rng *r, double *a, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        a[i] = lo + (hi - lo) * gsl_rng_uniform(r);
}

static double rel_err(double a, double b)
{
    double s = fmax(fmax(fabs(a), fabs(b)), REL_FLOOR);
    return fabs(a - b) / s;
}

/* Fourth-order central difference of f at *p (restored afterwards). */
static double fd(double (*f)(void *), void *ctx, double *p)
{
    double p0 = *p, v[4];
    const double off[4] = {-2 * FD_H, -FD_H, FD_H, 2 * FD_H};
    for (int k = 0; k < 4; k++) {
        *p = p0 + off[k];
        v[k] = f(ctx);
    }
    *p = p0;
    return (v[0] - 8 * v[1] + 8 * v[2] - v[3]) / (12 * FD_H);
}

/* ---- the reparameterisation and KL on their own ---- */

typedef struct {
    int n, L;
    double beta;
    double *enc, *eps, *R, *z; /* (n, 2L), (n, L), (n, L) or NULL, (n, L) */
} ReparamCase;

/* sum(R .* z) + beta * kl: a recon term whose d/dz is R. */
static double reparam_loss(void *ctx)
{
    ReparamCase *c = ctx;
    double kl = vae_reparam_forward(c->n, c->L, c->enc, c->eps, c->z), s = 0;
    for (int k = 0; c->R && k < c->n * c->L; k++)
        s += c->R[k] * c->z[k];
    return s + c->beta * kl;
}

static double check_reparam(gsl_rng *r, int L, double beta, int with_recon)
{
    enum { N = 4 };
    double enc[N * 2 * VAE_MAX_LATENT], eps[N * VAE_MAX_LATENT], R[N * VAE_MAX_LATENT];
    double z[N * VAE_MAX_LATENT], denc[N * 2 * VAE_MAX_LATENT];
    fill_uniform(r, enc, N * 2 * L, -1.5, 1.5);
    fill_uniform(r, eps, N * L, -2, 2);
    fill_uniform(r, R, N * L, -1, 1);
    ReparamCase c = {N, L, beta, enc, eps, with_recon ? R : NULL, z};
    vae_reparam_backward(N, L, enc, eps, c.R, beta, denc);
    double worst = 0;
    for (int k = 0; k < N * 2 * L; k++)
        worst = fmax(worst, rel_err(denc[k], fd(reparam_loss, &c, &enc[k])));
    return worst;
}

/* ---- the whole model ---- */

typedef struct {
    Vae *m;
    VaeWork *w;
    const double *x, *eps;
    int n;
    double beta;
} ModelCase;

static double model_loss(void *ctx)
{
    ModelCase *c = ctx;
    double recon, kl;
    LwError err;
    if (vae_loss_grad(c->m, c->w, c->x, c->n, c->eps, c->beta, &recon, &kl, NULL, &err))
        return NAN;
    return recon + c->beta * kl;
}

/* Max relative error of vae_loss_grad's gradient over every parameter, or
 * over the encoder's only (enc_only: with a tiny decoder its own gradients
 * are ~1e-7, below what differences of a loss of ~50 resolve; the other
 * cases check them). */
static double check_model(gsl_rng *r, int variational, int data_dim, int latent, double beta,
                          double dec_scale, int enc_only)
{
    enum { N = 6 };
    VaeConfig cfg = vae_config_default();
    cfg.n_enc_hidden = 2, cfg.enc_hidden[0] = 5, cfg.enc_hidden[1] = 4;
    cfg.n_dec_hidden = 2, cfg.dec_hidden[0] = 4, cfg.dec_hidden[1] = 5;
    cfg.variational = variational;
    cfg.latent_dim = latent;
    Vae m;
    VaeWork w;
    LwError err;
    CHECK(vae_alloc(&m, data_dim, &cfg, &err) == LW_OK);
    CHECK(vae_work_alloc(&w, &m, N, &err) == LW_OK);
    fill_uniform(r, m.params, m.n_params, -0.8, 0.8);
    size_t P_enc = layers_n_params(&m.enc);
    for (size_t k = P_enc; k < m.n_params; k++)
        m.params[k] *= dec_scale;
    double x[N * 3], eps[N * VAE_MAX_LATENT];
    fill_uniform(r, x, N * data_dim, -1.5, 1.5);
    fill_uniform(r, eps, N * latent, -2, 2);
    double *grad = calloc(m.n_params, sizeof *grad), recon, kl;
    CHECK(vae_loss_grad(&m, &w, x, N, eps, beta, &recon, &kl, grad, &err) == LW_OK);
    ModelCase c = {&m, &w, x, eps, N, beta};
    double worst = 0;
    for (size_t k = 0; k < (enc_only ? P_enc : m.n_params); k++)
        worst = fmax(worst, rel_err(grad[k], fd(model_loss, &c, &m.params[k])));
    free(grad);
    vae_work_free(&w);
    vae_free(&m);
    return worst;
}

static void test_gradients(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    double e;
    for (int L = 1; L <= VAE_MAX_LATENT; L++) {
        e = check_reparam(r, L, 0.7, 1);
        printf("  grad reparam path (recon + 0.7 KL), latent %d: max rel err %.2e\n", L, e);
        CHECK_MSG(e < GRAD_TOL, "%.3g", e);
        e = check_reparam(r, L, 3.0, 0);
        printf("  grad KL term alone (beta 3), latent %d: max rel err %.2e\n", L, e);
        CHECK_MSG(e < GRAD_TOL, "%.3g", e);
    }
    static const struct {
        const char *what;
        int variational, data_dim, latent;
        double beta, dec_scale;
        int enc_only;
    } CASES[] = {
        {"every parameter, autoencoder 2->2", 0, 2, 2, 0.0, 1.0, 0},
        {"every parameter, autoencoder 3->1", 0, 3, 1, 0.0, 1.0, 0},
        {"every parameter, VAE 2->2 beta 1", 1, 2, 2, 1.0, 1.0, 0},
        {"every parameter, VAE 1->3 beta 0.5", 1, 1, 3, 0.5, 1.0, 0},
        {"encoder parameters, VAE 2->2 beta 50, decoder x1e-3 (KL path)", 1, 2, 2, 50.0,
         1e-3, 1},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        e = check_model(r, CASES[i].variational, CASES[i].data_dim, CASES[i].latent,
                        CASES[i].beta, CASES[i].dec_scale, CASES[i].enc_only);
        printf("  grad %s: max rel err %.2e\n", CASES[i].what, e);
        CHECK_MSG(e < GRAD_TOL, "%s: %.3g", CASES[i].what, e);
    }
    gsl_rng_free(r);
}

/* ---- per point ---- */

static void test_points(void)
{
    VaeConfig cfg = vae_config_default();
    Vae m;
    LwError err;
    CHECK(vae_alloc(&m, 2, &cfg, &err) == LW_OK);
    CHECK(vae_init_random(&m, 3, &err) == LW_OK);
    CHECK(m.enc.widths[0] == 2 && m.enc.widths[3] == 4 && m.dec.widths[0] == 2 &&
          m.dec.widths[3] == 2);
    CHECK(m.enc.act[2] == ACT_IDENTITY && m.dec.act[2] == ACT_IDENTITY && m.dec.act[0] == ACT_TANH);
    CHECK(m.dec.W[0] == m.params + layers_n_params(&m.enc));
    double x[2] = {0.3, -0.7}, mu[2], lv[2], xd[2], h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    vae_encode_point(&m, x, mu, lv);
    layers_forward_point(&m.enc, x, h);
    CHECK(memcmp(mu, h + 3 * LW_MAX_WIDTH, sizeof mu) == 0);
    CHECK(memcmp(lv, h + 3 * LW_MAX_WIDTH + 2, sizeof lv) == 0);
    vae_decode_point(&m, mu, xd);
    layers_forward_point(&m.dec, mu, h);
    CHECK(memcmp(xd, h + 3 * LW_MAX_WIDTH, sizeof xd) == 0);
    vae_free(&m);
    vae_free(&m); /* a freed Vae frees again */
}

/* ---- training ---- */

static Dataset moons(void)
{
    DatasetSpec spec = {.kind = DATA_MOONS, .n_points = 400, .noise = 0.1, .seed = 1,
                        .classes = 2};
    Dataset ds = {0};
    LwError err;
    CHECK(dataset_make(&spec, &ds, &err) == LW_OK);
    return ds;
}

/* A fresh model from cfg (init seed 11) trained on ds; returns vae_train's code. */
static int fresh(Vae *m, const Dataset *ds, const VaeConfig *cfg, double *recon0,
                 VaeReport *rep, LwError *err)
{
    double kl0;
    CHECK(vae_alloc(m, ds->dim, cfg, err) == LW_OK);
    CHECK(vae_init_random(m, 11, err) == LW_OK);
    vae_evaluate(m, ds, recon0, &kl0);
    return vae_train(m, ds, cfg, rep, err);
}

static void test_determinism(const Dataset *ds)
{
    VaeConfig cfg = vae_config_default();
    cfg.steps = 300, cfg.batch = 32;
    Vae a, b;
    VaeReport ra, rb;
    double r0;
    LwError err;
    CHECK(fresh(&a, ds, &cfg, &r0, &ra, &err) == LW_OK);
    CHECK(fresh(&b, ds, &cfg, &r0, &rb, &err) == LW_OK);
    CHECK(a.n_params == b.n_params &&
          memcmp(a.params, b.params, a.n_params * sizeof *a.params) == 0);
    CHECK(ra.recon == rb.recon && ra.kl == rb.kl && ra.steps == 300);
    printf("  determinism: two VAE trainings (batch 32, 300 steps) bit-identical: %s\n",
           memcmp(a.params, b.params, a.n_params * sizeof *a.params) == 0 ? "yes" : "no");
    /* another seed draws other batches and noise */
    cfg.seed = 2;
    vae_free(&b);
    CHECK(fresh(&b, ds, &cfg, &r0, &rb, &err) == LW_OK);
    CHECK(memcmp(a.params, b.params, a.n_params * sizeof *a.params) != 0);
    vae_free(&a);
    vae_free(&b);
}

static void test_moons(const Dataset *ds)
{
    VaeConfig cfg = vae_config_default(); /* latent 2, hidden 16,16 tanh, 2000 steps */
    Vae vae, ae, one;
    VaeReport rv, ra, r1;
    double v0, a0, o0;
    LwError err;
    CHECK(cfg.beta == 0.1);
    CHECK(fresh(&vae, ds, &cfg, &v0, &rv, &err) == LW_OK);
    printf("  moons VAE (beta 0.1): recon %.4f -> %.4f, KL %.4f, %d steps, %.2f s\n", v0,
           rv.recon, rv.kl, rv.steps, rv.seconds);
    CHECK_MSG(rv.recon < 0.05 * v0, "VAE recon %g vs untrained %g", rv.recon, v0);
    CHECK(isfinite(rv.kl) && rv.kl > 0);
    /* beta 1 trains too, but the KL wins on data of this scale */
    cfg.beta = 1;
    CHECK(fresh(&one, ds, &cfg, &o0, &r1, &err) == LW_OK);
    printf("  moons VAE (beta 1): recon %.4f -> %.4f, KL %.4f, posterior sigma %.4f\n", o0,
           r1.recon, r1.kl, vae_mean_sigma(&one, ds));
    CHECK(r1.recon < 0.5 * o0 && isfinite(r1.kl) && r1.kl < rv.kl);
    cfg.variational = 0;
    CHECK(fresh(&ae, ds, &cfg, &a0, &ra, &err) == LW_OK);
    printf("  moons autoencoder: recon %.4f -> %.4f, %d steps, %.2f s\n", a0, ra.recon,
           ra.steps, ra.seconds);
    CHECK_MSG(ra.recon < 0.05 * a0, "AE recon %g vs untrained %g", ra.recon, a0);
    CHECK(ra.kl == 0);

    double sigma = vae_mean_sigma(&vae, ds);
    double cv = vae_latent_coverage(&vae, ds, 41, sigma);
    double ca = vae_latent_coverage(&ae, ds, 41, sigma);
    printf("  latent coverage (41x41 grid on [-2.5,2.5]^2, within 2 sigma, sigma %.4f = "
           "the beta-0.1 VAE's mean posterior sigma): VAE %.3f, autoencoder %.3f\n", sigma, cv,
           ca);
    CHECK_MSG(sigma > 0 && cv > ca, "sigma %g: VAE %g, autoencoder %g", sigma, cv, ca);
    CHECK(vae_latent_coverage(&vae, ds, 41, 0) == cv); /* sigma <= 0: the model's own */
    CHECK(vae_latent_coverage(&ae, ds, 0, sigma) == 0);
    CHECK(vae_latent_coverage(&ae, ds, 1, 100) == 1); /* the origin, within reach */
    vae_free(&vae);
    vae_free(&one);
    vae_free(&ae);
}

static void test_failures(const Dataset *ds)
{
    VaeConfig cfg = vae_config_default();
    Vae m = {0};
    LwError err;
    cfg.latent_dim = 4;
    CHECK(vae_alloc(&m, 2, &cfg, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "latent_dim 4 (expected 1..3)");
    cfg = vae_config_default();
    cfg.enc_hidden[1] = 17;
    CHECK(vae_alloc(&m, 2, &cfg, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "encoder: hidden width 17 (expected 1..16)");
    vae_free(&m);

    cfg = vae_config_default();
    CHECK(vae_alloc(&m, 3, &cfg, &err) == LW_OK);
    CHECK(vae_train(&m, ds, &cfg, NULL, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "model's data dimension 3 but the data are 2-D");
    vae_free(&m);
    CHECK(vae_alloc(&m, 2, &cfg, &err) == LW_OK);
    CHECK(vae_init_random(&m, 1, &err) == LW_OK);
    VaeConfig other = cfg;
    other.variational = 0;
    CHECK(vae_train(&m, ds, &other, NULL, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "config (variational 0, latent_dim 2) does not match the model "
                       "(variational 1, latent_dim 2)");

    /* a step far too large: the logvar output overflows exp */
    other = cfg;
    other.learning_rate = 1e200, other.steps = 50;
    VaeReport rep;
    CHECK(vae_train(&m, ds, &other, &rep, &err) == LW_EINPUT);
    CHECK_MSG(strncmp(err.msg, "training diverged at step ", 26) == 0 &&
                  strstr(err.msg, "lower learning_rate (now 1e+200)"), "%s", err.msg);
    printf("  divergence: %s\n", err.msg);

    /* an injected GSL failure in the decoder's backward (calls: enc fwd 3,
     * dec fwd 3, then dec bwd) */
    CHECK(vae_init_random(&m, 1, &err) == LW_OK);
    gsl_fault_arm(7);
    CHECK(vae_train(&m, ds, &cfg, NULL, &err) == LW_ERUNTIME);
    CHECK_STR(err.msg, "training step 1: decoder: GSL error: matrix/vector sizes are not "
                       "conformant (layer 3 backward)");
    gsl_fault_arm(0);
    vae_free(&m);
}

int main(void)
{
    test_gradients();
    test_points();
    Dataset ds = moons();
    test_determinism(&ds);
    test_moons(&ds);
    test_failures(&ds);
    dataset_free(&ds);
    return check_done("test_vae");
}
