/* test_layers.c — the training pieces on their own:
 *   - layers_backward's dX, dW and db against fourth-order central finite
 *     differences of a linear functional sum(R .* Y) for every activation,
 *     the add mode, and grad = NULL (only dX);
 *   - layers_forward_point bit for bit against the per-point loop the MLP
 *     always used (copied here as the reference), and the batch pass against it;
 *   - the cross-entropy Loss (sigmoid and softmax): its value against a naive
 *     -log p, its d/dtop and readout gradients against finite differences,
 *     and the L2 functions;
 *   - the Adam and SGD objects bit for bit against the trainer's old inline
 *     update (copied here as the reference);
 *   - the readable loss term (spread and saturation of each layer): its
 *     value against a plain recomputation of the spread, its gradients
 *     (through layers_backward_inject) against central differences for
 *     every activation, and the eigensolver against a known matrix;
 *   - failures: a batch larger than the tape, a zero width, an injected GSL
 *     error status (gsl_fault.h), an optimiser state too large to allocate. */
#include "gsl_fault.h"

#include "check.h"
#include "layers.h"
#include "loss.h"
#include "optim.h"
#include "readable.h"

#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#define NPTS 7
#define FD_H 1e-4

/* ---- helpers ---- */

static void fill_uniform(gsl_rng *r, double *a, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        a[i] = lo + (hi - lo) * gsl_rng_uniform(r);
}

/* A stack over its own slab (returned; caller frees), random weights. */
static double *make_stack(LayerStack *s, int n_widths, const int *widths, Activation a,
                          gsl_rng *r)
{
    memset(s, 0, sizeof *s);
    s->n_layers = n_widths - 1;
    for (int l = 0; l < n_widths; l++)
        s->widths[l] = widths[l];
    for (int l = 0; l < s->n_layers; l++)
        s->act[l] = a;
    size_t P = layers_n_params(s);
    double *slab = malloc(P * sizeof *slab);
    CHECK(layers_bind(s, slab) == slab + P);
    fill_uniform(r, slab, P, -0.9, 0.9);
    return slab;
}

/* A stack of s's shape over a zeroed slab (returned; caller frees). */
static double *make_grad(LayerStack *g, const LayerStack *s)
{
    *g = *s;
    size_t P = layers_n_params(s);
    double *slab = calloc(P, sizeof *slab);
    layers_bind(g, slab);
    return slab;
}

/* Signs of every pre-activation of s over n points (one char each, in pat);
 * returns 1 when one lies within 1e-3 of 0 (a relu/leaky_relu kink). */
static int kink_pattern(const LayerStack *s, const double *x, int n, char *pat)
{
    int near = 0, np = 0;
    for (int i = 0; i < n; i++) {
        double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
        layers_forward_point(s, x + (size_t)i * s->widths[0], h);
        for (int l = 0; l < s->n_layers; l++) {
            const double *in = h + l * LW_MAX_WIDTH;
            for (int j = 0; j < s->widths[l + 1]; j++) {
                double z = s->b[l][j];
                for (int k = 0; k < s->widths[l]; k++)
                    z += s->W[l][j * s->widths[l] + k] * in[k];
                near |= fabs(z) < 1e-3;
                pat[np++] = z > 0;
            }
        }
    }
    return near;
}

/* f = sum_ij R[i,j] Y[i,j] with Y = the stack's output over x (per point). */
static double functional(const LayerStack *s, const double *x, int n, const double *R)
{
    int L = s->n_layers, wout = s->widths[L];
    double f = 0;
    for (int i = 0; i < n; i++) {
        double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
        layers_forward_point(s, x + (size_t)i * s->widths[0], h);
        for (int j = 0; j < wout; j++)
            f += R[i * wout + j] * h[L * LW_MAX_WIDTH + j];
    }
    return f;
}

static double rel_err(double a, double b)
{
    return fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), 1e-8);
}

/* Fourth-order central difference of f at *v (restored afterwards); *kink
 * set when a kink lies near or inside the stencil. */
static double numeric(const LayerStack *s, double *x, int n, const double *R, double *v,
                      int *kink)
{
    static const double OFF[4] = {-2, -1, 1, 2}, COEF[4] = {1, -8, 8, -1};
    char base[NPTS * LW_MAX_LAYERS * LW_MAX_WIDTH] = {0}, pat[sizeof base] = {0};
    double keep = *v, num = 0;
    *kink = kink_pattern(s, x, n, base);
    for (int k = 0; k < 4; k++) {
        *v = keep + OFF[k] * FD_H;
        *kink |= kink_pattern(s, x, n, pat) | (memcmp(pat, base, sizeof base) != 0);
        num += COEF[k] * functional(s, x, n, R);
    }
    *v = keep;
    return num / (12 * FD_H);
}

/* ---- layers ---- */

static void test_layers_gradients(void)
{
    static const int WIDTHS[] = {2, 4, 3, 2};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int a = 0; a < ACT_COUNT; a++) {
        gsl_rng_set(r, 40 + a);
        LayerStack s, g;
        double *slab = make_stack(&s, 4, WIDTHS, (Activation)a, r);
        double *gslab = make_grad(&g, &s);
        size_t P = layers_n_params(&s);
        double x[NPTS * 2], R[NPTS * 2], dX[NPTS * 2];
        fill_uniform(r, x, NPTS * 2, -1.5, 1.5);
        fill_uniform(r, R, NPTS * 2, -1, 1);

        LayersTape t;
        LwError err = {{0}};
        const double *Y;
        CHECK(layers_tape_alloc(&t, &s, NPTS, &err) == LW_OK);
        CHECK(layers_forward(&s, &t, x, NPTS, &Y, &err) == LW_OK);
        /* the batch output agrees with the per-point pass */
        double worst_y = 0;
        for (int i = 0; i < NPTS; i++) {
            double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
            layers_forward_point(&s, x + 2 * i, h);
            for (int j = 0; j < 2; j++)
                worst_y = fmax(worst_y, fabs(h[3 * LW_MAX_WIDTH + j] - Y[i * 2 + j]));
        }
        CHECK_MSG(worst_y < 1e-14, "%s: batch vs point output differ by %.3g",
                  act_name((Activation)a), worst_y);
        CHECK(layers_backward(&s, &t, R, dX, &g, LAYERS_GRAD_SET, &err) == LW_OK);

        double worst = 0;
        int skipped = 0, checked = 0;
        for (size_t i = 0; i < P; i++) {
            int kink;
            double num = numeric(&s, x, NPTS, R, slab + i, &kink);
            if (kink) {
                skipped++;
                continue;
            }
            checked++;
            worst = fmax(worst, rel_err(gslab[i], num));
        }
        for (int i = 0; i < NPTS * 2; i++) {
            int kink;
            double num = numeric(&s, x, NPTS, R, x + i, &kink);
            if (kink) {
                skipped++;
                continue;
            }
            checked++;
            worst = fmax(worst, rel_err(dX[i], num));
        }
        printf("  layers_backward %-10s: max rel error %.2e over %d of dW, db, dX "
               "(%d skipped at kinks)\n",
               act_name((Activation)a), worst, checked, skipped);
        CHECK_MSG(worst < 1e-7, "%s: max rel error %.3g", act_name((Activation)a), worst);
        CHECK(skipped < checked / 4);

        /* add mode: a second backward adds the same gradient again */
        double *twice = malloc(P * sizeof *twice);
        memcpy(twice, gslab, P * sizeof *twice);
        CHECK(layers_backward(&s, &t, R, NULL, &g, LAYERS_GRAD_ADD, &err) == LW_OK);
        double worst_add = 0;
        for (size_t i = 0; i < P; i++)
            worst_add = fmax(worst_add, fabs(gslab[i] - 2 * twice[i]));
        CHECK_MSG(worst_add < 1e-14, "add mode off by %.3g", worst_add);
        /* grad = NULL: only dX, the same bits */
        double dX2[NPTS * 2];
        memcpy(twice, gslab, P * sizeof *twice);
        CHECK(layers_backward(&s, &t, R, dX2, NULL, LAYERS_GRAD_SET, &err) == LW_OK);
        CHECK(memcmp(dX, dX2, sizeof dX) == 0);
        CHECK(memcmp(twice, gslab, P * sizeof *twice) == 0);
        free(twice);
        layers_tape_free(&t);
        free(slab);
        free(gslab);
    }
    gsl_rng_free(r);
}

/* The per-point loop mlp_forward_point always ran, kept here as the reference. */
static void old_forward_point(const LayerStack *m, const double *x, double *h)
{
    for (int k = 0; k < m->widths[0]; k++)
        h[k] = x[k];
    for (int l = 0; l < m->n_layers; l++) {
        const double *in = h + l * LW_MAX_WIDTH;
        double *out = h + (l + 1) * LW_MAX_WIDTH;
        int win = m->widths[l], wout = m->widths[l + 1];
        for (int j = 0; j < wout; j++) {
            double z = m->b[l][j];
            for (int k = 0; k < win; k++)
                z += m->W[l][j * win + k] * in[k];
            out[j] = act_apply(m->act[l], z);
        }
    }
}

static void test_forward_point(void)
{
    static const int WIDTHS[] = {3, 5, 5, 2, 4};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    int same = 1;
    for (int a = 0; a < ACT_COUNT; a++) {
        gsl_rng_set(r, 60 + a);
        LayerStack s;
        double *slab = make_stack(&s, 5, WIDTHS, (Activation)a, r);
        for (int i = 0; i < 50; i++) {
            double x[3], h1[5 * LW_MAX_WIDTH], h2[5 * LW_MAX_WIDTH];
            fill_uniform(r, x, 3, -2, 2);
            memset(h1, 0, sizeof h1);
            memset(h2, 0, sizeof h2);
            layers_forward_point(&s, x, h1);
            old_forward_point(&s, x, h2);
            same &= memcmp(h1, h2, sizeof h1) == 0;
        }
        free(slab);
    }
    CHECK_MSG(same, "layers_forward_point differs from the old per-point loop");
    printf("  layers_forward_point: bit-identical to the old loop for every activation\n");
    gsl_rng_free(r);
}

/* ---- loss ---- */

/* Naive mean -log p(label) + 0.5 l2 |Wout|^2 from per-point logits. */
static double naive_loss(const Loss *loss, const double *top, const int *label, int n)
{
    int nin = loss->n_in, nout = loss->n_out;
    const double *W = loss->readout.W[0], *b = loss->readout.b[0];
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double z[LW_MAX_CLASSES];
        for (int k = 0; k < nout; k++) {
            z[k] = b[k];
            for (int j = 0; j < nin; j++)
                z[k] += W[k * nin + j] * top[i * nin + j];
        }
        if (nout == 1) {
            double p1 = 1 / (1 + exp(-z[0]));
            sum -= log(label[i] == 1 ? p1 : 1 - p1);
        } else {
            double den = 0;
            for (int k = 0; k < nout; k++)
                den += exp(z[k]);
            sum -= log(exp(z[label[i]]) / den);
        }
    }
    return sum / n;
}

static void test_loss(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int classes = 2; classes <= 4; classes++) {
        gsl_rng_set(r, 80 + classes);
        int nin = 3, nout = classes == 2 ? 1 : classes;
        double W[LW_MAX_CLASSES * 3], b[LW_MAX_CLASSES], top[NPTS * 3], dtop[NPTS * 3];
        double dslab[LW_MAX_CLASSES * 4];
        int label[NPTS];
        fill_uniform(r, W, (size_t)nout * nin, -1, 1);
        fill_uniform(r, b, (size_t)nout, -0.5, 0.5);
        fill_uniform(r, top, NPTS * 3, -1, 1);
        for (int i = 0; i < NPTS; i++)
            label[i] = (i * 5 + 1) % classes;
        Loss loss;
        LwError err = {{0}};
        CHECK(loss_crossentropy_alloc(&loss, nin, classes, W, b, NPTS, &err) == LW_OK);
        CHECK(loss.n_out == nout && loss.n_params == (size_t)nout * (nin + 1));
        LayerStack g = loss.readout;
        layers_bind(&g, dslab);
        LossTarget target = {.label = label};
        double value, v2;
        CHECK(loss_forward_backward(&loss, top, &target, NPTS, &value, dtop, &g, &err) ==
              LW_OK);
        CHECK_NEAR(value, naive_loss(&loss, top, label, NPTS), 1e-12);
        /* value only: the same number */
        CHECK(loss_forward_backward(&loss, top, &target, NPTS, &v2, NULL, NULL, &err) ==
              LW_OK);
        CHECK(v2 == value);

        /* finite differences over the readout's W, b and the input top */
        double *vars[LW_MAX_CLASSES * 4 + NPTS * 3], an[LW_MAX_CLASSES * 4 + NPTS * 3];
        int nv = 0;
        for (int i = 0; i < nout * nin; i++, nv++) {
            vars[nv] = W + i;
            an[nv] = g.W[0][i];
        }
        for (int i = 0; i < nout; i++, nv++) {
            vars[nv] = b + i;
            an[nv] = g.b[0][i];
        }
        for (int i = 0; i < NPTS * nin; i++, nv++) {
            vars[nv] = top + i;
            an[nv] = dtop[i];
        }
        static const double OFF[4] = {-2, -1, 1, 2}, COEF[4] = {1, -8, 8, -1};
        double worst = 0;
        for (int k = 0; k < nv; k++) {
            double keep = *vars[k], num = 0;
            for (int s = 0; s < 4; s++) {
                *vars[k] = keep + OFF[s] * FD_H;
                loss_forward_backward(&loss, top, &target, NPTS, &v2, NULL, NULL, &err);
                num += COEF[s] * v2;
            }
            *vars[k] = keep;
            worst = fmax(worst, rel_err(an[k], num / (12 * FD_H)));
        }
        printf("  cross-entropy loss, %d classes: max rel error %.2e over %d of dWout, "
               "dbout, dtop\n", classes, worst, nv);
        CHECK_MSG(worst < 1e-7, "%d classes: max rel error %.3g", classes, worst);

        /* wrong use: no labels, too many points */
        LossTarget none = {0};
        CHECK(loss_forward_backward(&loss, top, &none, NPTS, &v2, NULL, NULL, &err) ==
              LW_EINPUT);
        CHECK(loss_forward_backward(&loss, top, &target, NPTS + 1, &v2, NULL, NULL, &err) ==
              LW_EINPUT);
        loss_free(&loss);
    }
    gsl_rng_free(r);

    /* L2: one running sum in order, and its gradient l2 W */
    double A[3] = {1, -2, 0.5}, B[2] = {3, 0.25}, dA[3] = {1, 1, 1};
    double sq = loss_l2_sumsq(loss_l2_sumsq(0.0, A, 3), B, 2);
    CHECK(sq == ((((1.0 + 4.0) + 0.25) + 9.0) + 0.0625));
    loss_l2_backward(0.1, A, dA, 3);
    CHECK(dA[0] == 1 + 0.1 * 1 && dA[1] == 1 + 0.1 * -2 && dA[2] == 1 + 0.1 * 0.5);
}

/* ---- optimisers ---- */

/* The trainer's inline updates before optim.c, kept here as the reference. */
#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS 1e-8
static void old_adam(double *p, const double *grad, double *m1, double *v1, size_t P,
                     double lr, double *b1t, double *b2t)
{
    *b1t *= ADAM_BETA1;
    *b2t *= ADAM_BETA2;
    for (size_t i = 0; i < P; i++) {
        m1[i] = ADAM_BETA1 * m1[i] + (1 - ADAM_BETA1) * grad[i];
        v1[i] = ADAM_BETA2 * v1[i] + (1 - ADAM_BETA2) * grad[i] * grad[i];
        double mhat = m1[i] / (1 - *b1t), vhat = v1[i] / (1 - *b2t);
        p[i] -= lr * mhat / (sqrt(vhat) + ADAM_EPS);
    }
}

static void old_sgd(double *p, const double *grad, double *m1, size_t P, double lr,
                    double momentum)
{
    for (size_t i = 0; i < P; i++) {
        m1[i] = momentum * m1[i] + grad[i];
        p[i] -= lr * m1[i];
    }
}

static void test_optim(void)
{
    enum { P = 37, STEPS = 60 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int kind = 0; kind < 2; kind++) {
        gsl_rng_set(r, 123);
        double p_new[P], p_old[P], g[P], m1[P] = {0}, v1[P] = {0}, b1t = 1, b2t = 1;
        double lr = kind == 0 ? 0.03 : 0.1, mom = 0.9;
        fill_uniform(r, p_new, P, -1, 1);
        memcpy(p_old, p_new, sizeof p_new);
        Optim o;
        LwError err = {{0}};
        OptimConfig cfg = kind == 0 ? optim_adam(lr) : optim_sgd(lr, mom);
        CHECK(optim_alloc(&o, &cfg, P, &err) == LW_OK);
        for (int t = 0; t < STEPS; t++) {
            /* gradients that depend on the parameters, so a drift would grow */
            for (int i = 0; i < P; i++)
                g[i] = sin(3 * p_new[i] + i) + 1e-3 * gsl_rng_uniform(r);
            optim_step(&o, p_new, g);
            if (kind == 0)
                old_adam(p_old, g, m1, v1, P, lr, &b1t, &b2t);
            else
                old_sgd(p_old, g, m1, P, lr, mom);
        }
        CHECK(o.t == STEPS);
        CHECK_MSG(memcmp(p_new, p_old, sizeof p_new) == 0,
                  "%s: parameters differ from the old inline update", kind ? "sgd" : "adam");
        CHECK(memcmp(o.m, m1, sizeof m1) == 0);
        if (kind == 0)
            CHECK(memcmp(o.v, v1, sizeof v1) == 0 && o.b1t == b1t && o.b2t == b2t);
        printf("  %s: %d steps bit-identical to the old inline update\n",
               kind ? "sgd+momentum" : "adam", STEPS);
        optim_free(&o);
        optim_free(&o); /* a freed optimiser can be freed again */
    }
    gsl_rng_free(r);

    /* failures said as themselves */
    Optim o;
    LwError err = {{0}};
    OptimConfig cfg = optim_adam(0.01);
    CHECK(optim_alloc(&o, &cfg, SIZE_MAX / 4, &err) == LW_ERUNTIME);
    CHECK(strstr(err.msg, "out of memory") == err.msg);
    CHECK(o.m == NULL);
    cfg = optim_sgd(-1, 0.9);
    CHECK(optim_alloc(&o, &cfg, 4, &err) == LW_EINPUT);
    optim_free(&o);
}

/* ---- failures ---- */

static void test_failures(void)
{
    static const int WIDTHS[] = {2, 3, 2};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 9);
    LayerStack s;
    double *slab = make_stack(&s, 3, WIDTHS, ACT_TANH, r);
    LayersTape t;
    LwError err = {{0}};
    double x[2 * 4] = {0}, dY[2 * 4] = {0};
    const double *Y;
    CHECK(layers_tape_alloc(&t, &s, 4, &err) == LW_OK);

    /* more points than the tape holds */
    CHECK(layers_forward(&s, &t, x, 5, &Y, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "a batch of 5 points (the tape holds 1..4)");
    /* backward before any forward */
    CHECK(layers_backward(&s, &t, dY, NULL, NULL, LAYERS_GRAD_SET, &err) == LW_EINPUT);
    /* a wider stack than the tape was sized for */
    s.widths[1] = 4;
    CHECK(layers_forward(&s, &t, x, 4, &Y, &err) == LW_EINPUT);
    /* a zero width is refused before it reaches GSL (whose CBLAS would abort) */
    s.widths[1] = 0;
    CHECK(layers_forward(&s, &t, x, 4, &Y, &err) == LW_EINPUT);
    s.widths[1] = 3;
    /* a GSL error status (injected, see gsl_fault.h) is said as itself */
    gsl_fault_arm(2);
    int ret = layers_forward(&s, &t, x, 4, &Y, &err);
    printf("  injected GSL failure: %s\n", err.msg);
    CHECK(ret == LW_ERUNTIME);
    CHECK_STR(err.msg, "GSL error: matrix/vector sizes are not conformant (layer 2 forward)");
    CHECK(layers_forward(&s, &t, x, 4, &Y, &err) == LW_OK);
    gsl_fault_arm(1);
    CHECK(layers_backward(&s, &t, dY, NULL, NULL, LAYERS_GRAD_SET, &err) == LW_ERUNTIME);
    CHECK_STR(err.msg, "GSL error: matrix/vector sizes are not conformant (layer 2 backward)");
    /* grad = NULL and dX = NULL: the first layer makes no dgemm call at all */
    long calls = gsl_fault_calls_;
    CHECK(layers_backward(&s, &t, dY, NULL, NULL, LAYERS_GRAD_SET, &err) == LW_OK);
    CHECK(gsl_fault_calls_ == calls + 1);
    layers_tape_free(&t);
    layers_tape_free(&t);

    /* the loss names its readout */
    double Wout[3] = {1, 2, 3}, bout[1] = {0}, top[3 * 2] = {0}, value;
    int label[2] = {0, 1};
    Loss loss;
    LossTarget target = {.label = label};
    CHECK(loss_crossentropy_alloc(&loss, 3, 2, Wout, bout, 2, &err) == LW_OK);
    gsl_fault_arm(1);
    CHECK(loss_forward_backward(&loss, top, &target, 2, &value, NULL, NULL, &err) ==
          LW_ERUNTIME);
    CHECK_STR(err.msg, "readout: GSL error: matrix/vector sizes are not conformant "
                       "(layer 1 forward)");
    loss_free(&loss);
    /* impossible shapes */
    s.widths[1] = LW_MAX_WIDTH + 1;
    CHECK(layers_tape_alloc(&t, &s, 4, &err) == LW_EINPUT);
    s.widths[1] = 3;
    CHECK(layers_tape_alloc(&t, &s, 0, &err) == LW_EINPUT);
    layers_tape_free(&t);
    free(slab);
    gsl_rng_free(r);
}

/* ---- the readable loss term ---- */

#define RD_N 40

/* R over x through s, with t and rd sized for RD_N points. */
static double readable_value(const LayerStack *s, LayersTape *t, Readable *rd, const double *x)
{
    const double *Y;
    double v = NAN;
    LwError err;
    if (layers_forward(s, t, x, RD_N, &Y, &err) == LW_OK)
        readable_forward_backward(rd, s, t, 0.7, 0, &v, &err);
    return v;
}

static void test_readable(void)
{
    /* the eigensolver: a rotated diag(9, 4, 1) */
    double c = cos(0.3), sn = sin(0.3);
    double Q[9] = {c, -sn, 0, sn, c, 0, 0, 0, 1}, D[3] = {4, 9, 1}, A[9] = {0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                A[i * 3 + j] += Q[i * 3 + k] * D[k] * Q[j * 3 + k];
    double l1, l2, v1[3], v2[3];
    readable_top_two(A, 3, &l1, &l2, v1, v2);
    CHECK_NEAR(l1, 9, 1e-12);
    CHECK_NEAR(l2, 4, 1e-12);
    CHECK_NEAR(fabs(v1[0] * Q[1] + v1[1] * Q[4] + v1[2] * Q[7]), 1, 1e-12);
    /* spread of points on a line is 0, of a square's corners 1 */
    double line[8] = {0, 0, 1, 2, 2, 4, 3, 6}, square[8] = {0, 0, 1, 0, 0, 1, 1, 1};
    CHECK_NEAR(readable_spread_points(line, 4, 2), 0, 1e-7);
    CHECK_NEAR(readable_spread_points(square, 4, 2), 1, 1e-12);

    static const int WIDTHS[] = {2, 4, 3, 2};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int a = 0; a < ACT_COUNT; a++) {
        gsl_rng_set(r, 80 + a);
        LayerStack s, g;
        double *slab = make_stack(&s, 4, WIDTHS, (Activation)a, r);
        double *gslab = make_grad(&g, &s);
        size_t P = layers_n_params(&s);
        /* large weights (saturation) and nearly collinear points (collapse),
         * so both parts of the term are at work; one relu unit nearly dead */
        for (size_t i = 0; i < P; i++)
            slab[i] *= 3;
        s.b[0][0] = -4;
        double x[RD_N * 2], dY[RD_N * 2] = {0}, dX[RD_N * 2];
        for (int i = 0; i < RD_N; i++) {
            double t = -1.5 + 3.0 * i / (RD_N - 1);
            x[2 * i] = t;
            x[2 * i + 1] = 0.3 * t + 0.4 * (gsl_rng_uniform(r) - 0.5);
        }
        LayersTape t;
        Readable rd;
        LwError err = {{0}};
        const double *Y;
        CHECK(layers_tape_alloc(&t, &s, RD_N, &err) == LW_OK);
        CHECK(readable_alloc(&rd, &s, RD_N, &err) == LW_OK);
        CHECK(layers_forward(&s, &t, x, RD_N, &Y, &err) == LW_OK);
        double value;
        CHECK(readable_forward_backward(&rd, &s, &t, 0.7, 1, &value, &err) == LW_OK);
        CHECK_MSG(value > 0, "%s: the term is at work (R = %g)", act_name((Activation)a), value);
        CHECK(layers_backward_inject(&s, &t, dY, dX, &g, LAYERS_GRAD_SET, rd.dH, rd.dZ,
                                     &err) == LW_OK);
        /* central differences; a kink (relu, a hinge, the k-th point
         * changing) shows as one-sided slopes that disagree, and is skipped */
        double worst = 0;
        int checked = 0, skipped = 0;
        for (size_t i = 0; i < P + RD_N * 2; i++) {
            double *v = i < P ? slab + i : x + (i - P);
            double an = i < P ? gslab[i] : dX[i - P];
            double keep = *v, h = 1e-5, f[4];
            static const double OFF[4] = {-2, -1, 1, 2};
            for (int k = 0; k < 4; k++) {
                *v = keep + OFF[k] * h;
                f[k] = readable_value(&s, &t, &rd, x);
            }
            *v = keep;
            double f0 = readable_value(&s, &t, &rd, x);
            // fourth-order central difference; the one-sided slopes find kinks
            double num = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
            double fwd = (f[2] - f0) / h, bwd = (f0 - f[1]) / h;
            if (fabs(fwd - bwd) > 1e-3 * fmax(1.0, fabs(num))) {
                skipped++;
                continue;
            }
            checked++;
            worst = fmax(worst, fabs(an - num) / fmax(1.0, fabs(num)));
        }
        printf("  readable %-10s: R = %.4g, max error %.2e over %d of dW, db, dX "
               "(%d skipped at kinks)\n",
               act_name((Activation)a), value, worst, checked, skipped);
        CHECK_MSG(worst < 1e-5, "%s: max error %.3g", act_name((Activation)a), worst);
        CHECK(skipped < checked / 4);
        /* the term is deterministic: the same bits again */
        double *again = malloc(P * sizeof *again);
        memcpy(again, gslab, P * sizeof *again);
        double value2;
        CHECK(layers_forward(&s, &t, x, RD_N, &Y, &err) == LW_OK);
        CHECK(readable_forward_backward(&rd, &s, &t, 0.7, 1, &value2, &err) == LW_OK);
        CHECK(layers_backward_inject(&s, &t, dY, dX, &g, LAYERS_GRAD_SET, rd.dH, rd.dZ,
                                     &err) == LW_OK);
        CHECK(value2 == value && memcmp(again, gslab, P * sizeof *again) == 0);
        free(again);
        readable_free(&rd);
        layers_tape_free(&t);
        free(slab);
        free(gslab);
    }
    gsl_rng_free(r);
}

int main(void)
{
    gsl_set_error_handler_off();
    test_layers_gradients();
    test_readable();
    test_forward_point();
    test_loss();
    test_optim();
    test_failures();
    return check_done("test_layers");
}
