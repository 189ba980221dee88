/* test_mlp.c — the MLP's analytic gradient against central finite differences
 * for every activation and both readouts (with L2 on), agreement of the batch
 * forward pass with the per-point one, a bit-exact save/load round trip, and
 * mlp_load's file:line errors. */
#include "check.h"
#include "mlp.h"

#include <stdlib.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#define NPTS 9

/* Points and labels drawn once per network from their own seed, so the
 * check does not depend on any dataset generator. */
static void make_points(double *x, int *label, int n, int classes, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (int i = 0; i < n; i++) {
        x[2 * i] = 2.0 * gsl_rng_uniform(r) - 1.0;
        x[2 * i + 1] = 2.0 * gsl_rng_uniform(r) - 1.0;
        label[i] = i % classes;
    }
    gsl_rng_free(r);
}

/* Signs of every relu/leaky_relu pre-activation over the points, packed in
 * pattern (one char each); returns 1 if one lies within 1e-4 of the kink. */
static int kink_pattern(const Mlp *m, const double *x, int n, char *pattern)
{
    int near = 0, np = 0;
    for (int i = 0; i < n; i++) {
        double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
        mlp_forward_point(m, x + 2 * i, h);
        for (int l = 0; l < m->n_layers; l++) {
            if (m->act[l] != ACT_RELU && m->act[l] != ACT_LEAKY_RELU)
                continue;
            const double *in = h + l * LW_MAX_WIDTH;
            for (int j = 0; j < m->widths[l + 1]; j++) {
                double z = m->b[l][j];
                for (int k = 0; k < m->widths[l]; k++)
                    z += m->W[l][j * m->widths[l] + k] * in[k];
                near |= fabs(z) < 1e-4;
                pattern[np++] = z > 0;
            }
        }
    }
    return near;
}

/* Max relative error |a - n| / max(|a|, |n|, 1e-8) of the analytic gradient a
 * against a numeric one n over all parameters.  n is the fourth-order central
 * difference (f(-2h) - 8f(-h) + 8f(h) - f(2h)) / 12h with h = 1e-4: a plain
 * central difference at h = 1e-5 has roundoff near 1e-16/1e-5 = 1e-11, which is
 * already 1e-6 of a gradient component of 1e-5 (a softmax bias can be that
 * small by chance); here roundoff is ~1e-12 and truncation ~h^4 = 1e-16.
 * A coordinate is skipped (counted in *skipped) when a relu/leaky_relu
 * pre-activation is within 1e-4 of 0 or changes sign over the stencil. */
static double grad_check(Mlp *m, const double *x, const int *label, int n, double l2,
                         int *skipped)
{
    const double h = 1e-4;
    static const double OFF[4] = {-2, -1, 1, 2}, COEF[4] = {1, -8, 8, -1};
    double *g = calloc(m->n_params, sizeof *g);
    char base[NPTS * LW_MAX_LAYERS * LW_MAX_WIDTH] = {0}, pat[sizeof base] = {0};
    mlp_loss_grad(m, x, label, n, l2, g);
    double worst = 0;
    *skipped = 0;
    for (size_t i = 0; i < m->n_params; i++) {
        double keep = m->params[i], num = 0;
        int kink = kink_pattern(m, x, n, base);
        for (int s = 0; s < 4; s++) {
            m->params[i] = keep + OFF[s] * h;
            kink |= kink_pattern(m, x, n, pat) | (memcmp(pat, base, sizeof base) != 0);
            num += COEF[s] * mlp_loss_grad(m, x, label, n, l2, NULL);
        }
        m->params[i] = keep;
        if (kink) {
            (*skipped)++;
            continue;
        }
        num /= 12 * h;
        double rel = fabs(num - g[i]) / fmax(fmax(fabs(num), fabs(g[i])), 1e-8);
        if (rel > worst)
            worst = rel;
        if (getenv("GC_DEBUG") && rel > 1e-8)
            fprintf(stderr, "param %zu: analytic %.12g numeric %.12g\n", i, g[i], num);
    }
    free(g);
    return worst;
}

static void test_gradients(void)
{
    static const int WIDTHS[] = {2, 3, 2, 3};
    for (int classes = 2; classes <= 3; classes++)
        for (int a = 0; a < ACT_COUNT; a++) {
            Activation act[3] = {(Activation)a, (Activation)a, (Activation)a};
            Mlp m = {0};
            LwError err = {{0}};
            CHECK(mlp_alloc(&m, 4, WIDTHS, act, classes, &err) == LW_OK);
            mlp_init_random(&m, 11 + a);
            /* biases away from 0 so they matter in the check (none exactly 0:
             * a relu unit fed only by dead units would sit on its kink) */
            for (int l = 0; l < m.n_layers; l++)
                for (int j = 0; j < m.widths[l + 1]; j++)
                    m.b[l][j] = 0.1 * (j + 1) - 0.15 * l + 0.02;
            for (int j = 0; j < m.n_out; j++)
                m.bout[j] = 0.05 * j;
            double x[2 * NPTS];
            int label[NPTS];
            make_points(x, label, NPTS, classes, 100 + a);
            int skipped;
            double worst = grad_check(&m, x, label, NPTS, 0.01, &skipped);
            printf("  gradient check %-10s %s: max rel error %.2e over %zu params "
                   "(%d skipped at kinks)\n",
                   act_name(act[0]), classes == 2 ? "sigmoid" : "softmax", worst, m.n_params,
                   skipped);
            CHECK_MSG(worst < 1e-6, "%s, %d classes: max rel error %.3g", act_name(act[0]),
                      classes, worst);
            CHECK(skipped < (int)m.n_params / 4);
            mlp_free(&m);
        }
}

/* The loss from the batch (GSL) pass must agree with one assembled from the
 * per-point pass the renderer uses. */
static void test_batch_matches_point(void)
{
    static const int WIDTHS[] = {2, 4, 3};
    Activation act[2] = {ACT_TANH, ACT_SOFTPLUS};
    Mlp m = {0};
    CHECK(mlp_alloc(&m, 3, WIDTHS, act, 3, NULL) == LW_OK);
    mlp_init_random(&m, 5);
    double x[2 * NPTS];
    int label[NPTS];
    make_points(x, label, NPTS, 3, 7);
    double ref = 0;
    for (int i = 0; i < NPTS; i++) {
        double p[LW_MAX_CLASSES];
        mlp_predict_point(&m, x + 2 * i, p);
        ref -= log(p[label[i]]);
    }
    ref /= NPTS;
    CHECK_NEAR(mlp_loss_grad(&m, x, label, NPTS, 0.0, NULL), ref, 1e-12);
    mlp_free(&m);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_save_load(void)
{
    static const int WIDTHS[] = {2, 3, 2};
    Activation act[2] = {ACT_TANH, ACT_LEAKY_RELU};
    char path[] = "/tmp/test_mlp_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    for (int classes = 2; classes <= 4; classes += 2) {
        Mlp m = {0}, back = {0};
        LwError err = {{0}};
        CHECK(mlp_alloc(&m, 3, WIDTHS, act, classes, &err) == LW_OK);
        mlp_init_random(&m, 3);
        m.b[0][1] = 1.0 / 3.0; /* a value that needs all 17 digits */
        CHECK(mlp_save(&m, path, &err) == LW_OK);
        int ret = mlp_load(&back, path, &err);
        CHECK_MSG(ret == LW_OK, "%s", err.msg);
        if (ret == LW_OK) {
            CHECK(back.n_params == m.n_params && back.n_out == m.n_out);
            CHECK(back.act[1] == ACT_LEAKY_RELU);
            CHECK(memcmp(back.params, m.params, m.n_params * sizeof(double)) == 0);
        }
        mlp_free(&m);
        mlp_free(&back);
    }

    /* malformed files: each gives LW_EINPUT and names file:line */
    static const struct {
        const char *text, *msg;
    } BAD[] = {
        {"layerwarp-weights 3\n", ":1: weights format version 3 (expected 1)"},
        {"layerwarp-weights 2\n",
         ":1: weights format version 2, a generative model's (a classifier's is version 1)"},
        {"layerwarp-weights 2\nmodel gan\n",
         ":2: weights for model = gan, not a classifier's (whose file is 'layerwarp-weights 1')"},
        {"layerwarp-weights 1\nwidths 2 2\nactivations tanh\nclasses 2\nW1\n1 2\nb1\n0 0\n",
         ":7: W1 has 1 row (expected 2), found 'b1'"},
        {"layerwarp-weights 1\nwidths 2 2\nactivations tanh\nclasses 0\nW1\n1 2\n3 4\n5 6\n",
         ":8: W1 has more than 2 rows"},
        {"hello\n", ":1: not a layerwarp weights file (expected 'layerwarp-weights 1')"},
        {"layerwarp-weights 1\nwidths 2 x\n", ":2: bad width 'x' (expected 1..16)"},
        {"layerwarp-weights 1\nwidths 2 2\nactivations relu6\n",
         ":3: unknown activation 'relu6' (expected tanh, sigmoid, relu, leaky_relu, "
         "softplus, identity)"},
        {"layerwarp-weights 1\nwidths 2 2\nactivations tanh\nclasses 2\nW1\n1 2\n3\n",
         ":7: row 2 of W1 has 1 number (expected 2)"},
        {"layerwarp-weights 1\n# comment\nwidths 2 2\nactivations tanh\nclasses 2\nW1\n1 2\n"
         "3 4\nb1\n0 zz\n",
         ":10: bad number 'zz' in b1"},
        {"layerwarp-weights 1\nwidths 2 2\nactivations tanh\nclasses 2\nW1\n1 2\n3 4\nb1\n0 0\n",
         ":9: unexpected end of file (expected Wout)"},
        {"layerwarp-weights 1\nwidths 2 2\nactivations tanh\nclasses 0\nW1\n1 2\n3 4\nb1\n0 0\n"
         "extra\n",
         ":10: unexpected 'extra' after the last matrix"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        write_file(path, BAD[i].text);
        Mlp m = {0};
        LwError err = {{0}};
        char want[1200];
        snprintf(want, sizeof want, "%s%s", path, BAD[i].msg);
        CHECK(mlp_load(&m, path, &err) == LW_EINPUT);
        CHECK_STR(err.msg, want);
        CHECK(m.params == NULL);
    }
    unlink(path);
    Mlp m = {0};
    LwError err = {{0}};
    CHECK(mlp_load(&m, "/nonexistent/w.txt", &err) == LW_EINPUT);
    CHECK_STR(err.msg, "/nonexistent/w.txt: No such file or directory");
}

int main(void)
{
    gsl_set_error_handler_off();
    test_gradients();
    test_batch_matches_point();
    test_save_load();
    return check_done("test_mlp");
}
