/* test_gan.c — the GAN training core and the MMD metric:
 *   - both losses against a naive -log sigmoid, and their gradients against
 *     central finite differences (L_D wrt D's parameters; L_G wrt G's
 *     parameters through D), max relative error < 1e-5, for two sets of
 *     smooth activations; L_G leaves D's gradient alone;
 *   - gan_generate_point / gan_discriminate_point against layers_forward_point
 *     and the batch pass; gan_sample against prior_sample + generate;
 *   - training is bit-for-bit repeatable, and a new seed changes it;
 *   - failures: a bad config (LW_EINPUT), divergence (LW_EINPUT naming
 *     learning_rate), an injected GSL error (LW_ERUNTIME, not "diverged");
 *   - metrics_mmd2: 0 for a sample with itself, small for two samples of one
 *     distribution against large for two different ones; the median against
 *     a sort-based reference;
 *   - quality: on circles, moons and spiral a GAN with latent 2 and a
 *     Gaussian prior brings the MMD^2 between 1000 generated points and 1000
 *     fresh data points (another seed) to at most 10 % of the untrained
 *     generator's. */
#include "gsl_fault.h"

#include "check.h"
#include "gan.h"
#include "metrics.h"

#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* ---- helpers ---- */

static GanConfig small_config(Activation gact, Activation dact)
{
    GanConfig c = gan_config_default();
    c.n_gen_hidden = 2;
    c.gen_hidden[0] = 5;
    c.gen_hidden[1] = 4;
    c.n_disc_hidden = 2;
    c.disc_hidden[0] = 6;
    c.disc_hidden[1] = 3;
    c.gen_act = gact;
    c.disc_act = dact;
    c.latent_dim = 2;
    return c;
}

static void gaussian_points(double *x, int n, int dim, double shift, uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)seed);
    for (int i = 0; i < n * dim; i++)
        x[i] = gsl_ran_gaussian(r, 1.0) + shift;
    gsl_rng_free(r);
}

/* |a - b| / max(|a|, |b|, 1e-8): relative, except for gradients that are
 * round-off (below 1e-8) where it is the absolute difference scaled by 1e8 */
static double rel_err(double a, double b)
{
    double d = fmax(fmax(fabs(a), fabs(b)), 1e-8);
    return fabs(a - b) / d;
}

#define FD_H 1e-5

/* Largest relative error of grad (n) against central differences of loss(p)
 * over the parameters p (n), which it perturbs one at a time. */
typedef double (*LossFn)(const Gan *m, GanWork *w, const double *x, const double *z, int n);

static double max_grad_error(const Gan *m, GanWork *w, double *p, const double *grad,
                             size_t np, LossFn f, const double *x, const double *z, int n,
                             double *max_abs_err)
{
    double worst = 0;
    *max_abs_err = 0;
    for (size_t i = 0; i < np; i++) {
        double keep = p[i];
        p[i] = keep + FD_H;
        double lp = f(m, w, x, z, n);
        p[i] = keep - FD_H;
        double lm = f(m, w, x, z, n);
        p[i] = keep;
        double fd = (lp - lm) / (2 * FD_H);
        worst = fmax(worst, rel_err(grad[i], fd));
        *max_abs_err = fmax(*max_abs_err, fabs(grad[i] - fd));
    }
    return worst;
}

static double d_loss(const Gan *m, GanWork *w, const double *x, const double *z, int n)
{
    double l = NAN;
    gan_d_loss_grad(m, w, x, z, n, 0, &l, NULL);
    return l;
}

static double g_loss(const Gan *m, GanWork *w, const double *x, const double *z, int n)
{
    double l = NAN;
    gan_g_loss_grad(m, w, z, n, 0, &l, NULL);
    return l;
}

/* ---- losses and gradients ---- */

static double naive_log_sigmoid(double t)
{
    return log(1.0 / (1.0 + exp(-t)));
}

static void test_gradients(Activation gact, Activation dact)
{
    enum { N = 7 };
    GanConfig c = small_config(gact, dact);
    Gan m = {0};
    GanWork w = {0};
    LwError err;
    CHECK(gan_alloc(&m, &c, 2, &err) == LW_OK);
    CHECK(gan_work_alloc(&w, &m, N, &err) == LW_OK);
    gan_init_random(&m, 3);
    double x[N * 2], z[N * 2];
    gaussian_points(x, N, 2, 0.3, 11);
    gaussian_points(z, N, 2, 0.0, 12);
    size_t ng = m.n_gen_params, nd = m.n_disc_params;

    /* values against -log sigmoid from the per-point forward */
    double ld, lg, want_d = 0, want_g = 0;
    for (int i = 0; i < N; i++) {
        double fake[2];
        gan_generate_point(&m, z + 2 * i, fake);
        double lr = gan_discriminate_point(&m, x + 2 * i), lf = gan_discriminate_point(&m, fake);
        want_d += (-naive_log_sigmoid(lr) - log(1.0 - 1.0 / (1.0 + exp(-lf)))) / N;
        want_g += -naive_log_sigmoid(lf) / N;
    }
    CHECK(gan_d_loss_grad(&m, &w, x, z, N, 1, &ld, &err) == LW_OK);
    CHECK_NEAR(ld, want_d, 1e-12);
    double *dgrad = malloc(nd * sizeof *dgrad);
    memcpy(dgrad, w.gslab + ng, nd * sizeof *dgrad);

    /* L_G must leave D's gradient where L_D put it */
    CHECK(gan_g_loss_grad(&m, &w, z, N, 1, &lg, &err) == LW_OK);
    CHECK_NEAR(lg, want_g, 1e-12);
    CHECK(memcmp(dgrad, w.gslab + ng, nd * sizeof *dgrad) == 0);
    double *ggrad = malloc(ng * sizeof *ggrad);
    memcpy(ggrad, w.gslab, ng * sizeof *ggrad);

    double abs_d, abs_g;
    double ed = max_grad_error(&m, &w, m.params + ng, dgrad, nd, d_loss, x, z, N, &abs_d);
    double eg = max_grad_error(&m, &w, m.params, ggrad, ng, g_loss, x, z, N, &abs_g);
    printf("gradient check (G %s, D %s; %zu + %zu params, h = %g): L_D wrt D max rel %.2e "
           "(abs %.2e), L_G wrt G through D max rel %.2e (abs %.2e)\n",
           act_name(gact), act_name(dact), ng, nd, FD_H, ed, abs_d, eg, abs_g);
    CHECK_MSG(ed < 1e-5, "L_D gradient max relative error %.3g", ed);
    CHECK_MSG(eg < 1e-5, "L_G gradient max relative error %.3g", eg);
    free(dgrad);
    free(ggrad);
    gan_work_free(&w);
    gan_free(&m);
}

/* ---- the per-point API ---- */

static void test_points(void)
{
    enum { N = 5 };
    GanConfig c = small_config(ACT_TANH, ACT_LEAKY_RELU);
    Gan m = {0};
    GanWork w = {0};
    LwError err;
    CHECK(gan_alloc(&m, &c, 2, &err) == LW_OK);
    CHECK(gan_work_alloc(&w, &m, N, &err) == LW_OK);
    gan_init_random(&m, 5);
    CHECK(m.gen.n_layers == 3 && m.gen.widths[0] == 2 && m.gen.widths[3] == 2);
    CHECK(m.disc.n_layers == 3 && m.disc.widths[3] == 1 && m.disc.act[2] == ACT_IDENTITY);
    CHECK(m.gen.act[2] == ACT_IDENTITY && m.gen.act[0] == ACT_TANH);
    double z[N * 2], x[N * 2], h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    CHECK(prior_sample(PRIOR_GAUSSIAN, 2, N, 77, z, &err) == LW_OK);
    CHECK(gan_sample(&m, N, 77, x, &err) == LW_OK);
    const double *batch;
    CHECK(layers_forward(&m.gen, &w.gtape, z, N, &batch, &err) == LW_OK);
    for (int i = 0; i < N; i++) {
        double p[2];
        gan_generate_point(&m, z + 2 * i, p);
        layers_forward_point(&m.gen, z + 2 * i, h);
        CHECK(memcmp(p, h + 3 * LW_MAX_WIDTH, sizeof p) == 0);
        CHECK(memcmp(p, x + 2 * i, sizeof p) == 0);
        CHECK_NEAR(p[0], batch[2 * i], 1e-12);
        CHECK_NEAR(p[1], batch[2 * i + 1], 1e-12);
        layers_forward_point(&m.disc, p, h);
        CHECK(gan_discriminate_point(&m, p) == h[3 * LW_MAX_WIDTH]);
    }
    gan_work_free(&w);
    gan_free(&m);
}

/* ---- training ---- */

static int make_data(DatasetKind kind, int n, uint64_t seed, Dataset *ds)
{
    DatasetSpec sp = {.kind = kind, .n_points = n, .noise = -1, .seed = seed, .turns = 1.25,
                      .factor = 0.5};
    LwError err;
    int ret = dataset_make(&sp, ds, &err);
    if (ret)
        fprintf(stderr, "dataset: %s\n", err.msg);
    return ret;
}

/* Trains a fresh model from cfg on ds; params copied to out (caller frees). */
static int train_copy(const Dataset *ds, const GanConfig *c, double **out, LwError *err)
{
    Gan m = {0};
    int ret = gan_alloc(&m, c, ds->dim, err);
    if (!ret) {
        gan_init_random(&m, c->seed);
        ret = gan_train(&m, ds, c, NULL, err);
    }
    size_t np = m.n_gen_params + m.n_disc_params;
    *out = malloc(np * sizeof **out);
    memcpy(*out, m.params, np * sizeof **out);
    gan_free(&m);
    return ret;
}

static void test_determinism(void)
{
    Dataset ds = {0};
    CHECK(make_data(DATA_MOONS, 400, 7, &ds) == LW_OK);
    GanConfig c = gan_config_default();
    c.steps = 300;
    c.d_steps = 2;
    double *a, *b, *d;
    LwError err;
    Gan probe = {0};
    CHECK(gan_alloc(&probe, &c, 2, &err) == LW_OK);
    size_t np = probe.n_gen_params + probe.n_disc_params;
    gan_free(&probe);
    CHECK(train_copy(&ds, &c, &a, &err) == LW_OK);
    CHECK(train_copy(&ds, &c, &b, &err) == LW_OK);
    c.seed = 2;
    CHECK(train_copy(&ds, &c, &d, &err) == LW_OK);
    CHECK_MSG(memcmp(a, b, np * sizeof *a) == 0, "two trainings differ");
    CHECK_MSG(memcmp(a, d, np * sizeof *a) != 0, "another seed gave the same parameters");
    printf("determinism: %zu parameters bit-identical over two 300-step trainings\n", np);
    free(a);
    free(b);
    free(d);
    dataset_free(&ds);
}

static void test_failures(void)
{
    Dataset ds = {0};
    CHECK(make_data(DATA_MOONS, 200, 7, &ds) == LW_OK);
    GanConfig c = gan_config_default();
    Gan m = {0};
    LwError err;

    c.latent_dim = 4;
    CHECK(gan_alloc(&m, &c, 2, &err) == LW_EINPUT);
    CHECK(strstr(err.msg, "latent_dim = 4") != NULL);
    gan_free(&m);
    c = gan_config_default();
    c.gen_hidden[1] = LW_MAX_WIDTH + 1;
    CHECK(gan_alloc(&m, &c, 2, &err) == LW_EINPUT);
    CHECK(strstr(err.msg, "generator") != NULL);
    gan_free(&m);

    c = gan_config_default();
    CHECK(gan_alloc(&m, &c, 2, &err) == LW_OK);
    gan_init_random(&m, 1);
    c.batch = ds.n + 1;
    CHECK(gan_train(&m, &ds, &c, NULL, &err) == LW_EINPUT);
    CHECK(strstr(err.msg, "batch") != NULL);
    c = gan_config_default();
    c.d_learning_rate = 0;
    CHECK(gan_train(&m, &ds, &c, NULL, &err) == LW_EINPUT);

    /* Adam moves each parameter by up to lr per step: 1e5 passes 1e6 in steps */
    c = gan_config_default();
    c.g_learning_rate = c.d_learning_rate = 1e5;
    c.steps = 100;
    CHECK(gan_train(&m, &ds, &c, NULL, &err) == LW_EINPUT);
    CHECK_MSG(strstr(err.msg, "training diverged at step") && strstr(err.msg, "learning_rate"),
              "%s", err.msg);
    printf("divergence: %s\n", err.msg);

    /* a GSL failure in step 3 is said as itself.  Each step with 4-layer G
     * and D makes 34 dgemm calls: the D step 4 (G fwd) + 4 (D fwd) + 7 (D
     * bwd: dW per layer, din above the first), the G step 4 + 4 + 4 (D bwd:
     * din only) + 7 (G bwd); call 75 is in step 3's D step */
    gan_init_random(&m, 1);
    c = gan_config_default();
    c.steps = 10;
    gsl_fault_arm(75);
    int ret = gan_train(&m, &ds, &c, NULL, &err);
    gsl_fault_arm(0);
    CHECK(ret == LW_ERUNTIME);
    CHECK_MSG(strstr(err.msg, "gan training step 3:") && strstr(err.msg, "GSL error") &&
                  !strstr(err.msg, "diverged"),
              "%s", err.msg);
    printf("GSL failure: %s\n", err.msg);
    gan_free(&m);
    dataset_free(&ds);
}

/* ---- MMD ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the median by sorting every pairwise distance */
static double naive_median(const double *p, int N, int dim)
{
    size_t np = (size_t)N * (N - 1) / 2, k = 0;
    double *d = malloc(np * sizeof *d);
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            double s = 0;
            for (int a = 0; a < dim; a++)
                s += (p[i * dim + a] - p[j * dim + a]) * (p[i * dim + a] - p[j * dim + a]);
            d[k++] = sqrt(s);
        }
    qsort(d, np, sizeof *d, cmp_double);
    double med = np % 2 ? d[np / 2] : 0.5 * (d[np / 2 - 1] + d[np / 2]);
    free(d);
    return med;
}

static void test_mmd(void)
{
    enum { N = 500 };
    static double a[N * 2], b[N * 2], far[N * 2];
    gaussian_points(a, N, 2, 0.0, 1);
    gaussian_points(b, N, 2, 0.0, 2);
    gaussian_points(far, N, 2, 1.0, 3);

    double self = metrics_mmd2(a, N, a, N, 2);
    double same = metrics_mmd2(a, N, b, N, 2);
    double diff = metrics_mmd2(a, N, far, N, 2);
    printf("mmd2: sample with itself %.3g, two samples of N(0, I) %.5f, N(0, I) vs "
           "N(1, I) %.5f\n", self, same, diff);
    CHECK(fabs(self) < 1e-12);
    CHECK(same > 0 && same < 0.01);
    CHECK(diff > 0.1);
    CHECK(same < 0.05 * diff);
    CHECK(metrics_mmd2(a, N, b, N, 2) == same); /* deterministic */
    CHECK_NEAR(metrics_mmd2(b, N, a, N, 2), same, 1e-12);

    /* the median: 6 + 5 points (55 pairs, odd) and 6 + 6 (66 pairs, even) */
    for (int m = 5; m <= 6; m++) {
        double pool[12 * 2];
        memcpy(pool, a, 6 * 2 * sizeof *pool);
        memcpy(pool + 12, b, m * 2 * sizeof *pool);
        CHECK(metrics_median_distance(a, 6, b, m, 2) == naive_median(pool, 6 + m, 2));
    }
    /* a bandwidth by hand on two points each: k = exp(-d^2 / 2) with sigma 1 */
    double x2[] = {0, 0, 1, 0}, y2[] = {0, 1, 1, 1};
    double kxx = (2 + 2 * exp(-0.5)) / 4, kyy = kxx;
    double kxy = (2 * exp(-0.5) + 2 * exp(-1.0)) / 4;
    CHECK_NEAR(metrics_mmd2_sigma(x2, 2, y2, 2, 2, 1.0), kxx + kyy - 2 * kxy, 1e-15);
    /* all points equal: no bandwidth, no discrepancy */
    double same_pt[] = {1, 1, 1, 1};
    CHECK(metrics_mmd2(same_pt, 2, same_pt, 2, 2) == 0.0);
}

/* ---- quality ---- */

static void test_quality(DatasetKind kind)
{
    enum { N = 1000 };
    Dataset ds = {0}, fresh = {0};
    CHECK(make_data(kind, N, 7, &ds) == LW_OK);
    CHECK(make_data(kind, N, 8, &fresh) == LW_OK); /* held-out data to compare with */
    GanConfig c = gan_config_default();
    Gan m = {0};
    LwError err;
    GanReport rep;
    static double x[N * 2];
    CHECK(gan_alloc(&m, &c, 2, &err) == LW_OK);
    gan_init_random(&m, c.seed);
    CHECK(gan_sample(&m, N, 99, x, &err) == LW_OK);
    double before = metrics_mmd2(x, N, fresh.x, N, 2);
    int ret = gan_train(&m, &ds, &c, &rep, &err);
    CHECK_MSG(ret == LW_OK, "%s", err.msg);
    CHECK(gan_sample(&m, N, 99, x, &err) == LW_OK);
    double after = metrics_mmd2(x, N, fresh.x, N, 2);
    double floor = metrics_mmd2(ds.x, N, fresh.x, N, 2);
    printf("quality %-7s: mmd2 untrained %.5f, trained %.5f, ratio %.4f (data vs data %.1e); "
           "d_loss %.3f g_loss %.3f; %d steps in %.2f s\n",
           dataset_kind_name(kind), before, after, after / before, floor, rep.d_loss,
           rep.g_loss, rep.steps, rep.seconds);
    CHECK_MSG(after <= 0.1 * before, "%s: trained mmd2 %.5f > 10%% of untrained %.5f",
              dataset_kind_name(kind), after, before);
    gan_free(&m);
    dataset_free(&ds);
    dataset_free(&fresh);
}

int main(void)
{
    test_gradients(ACT_TANH, ACT_TANH);
    test_gradients(ACT_SOFTPLUS, ACT_SIGMOID);
    test_points();
    test_determinism();
    test_failures();
    test_mmd();
    test_quality(DATA_CIRCLES);
    test_quality(DATA_MOONS);
    test_quality(DATA_SPIRAL);
    return check_done("test_gan");
}
