/* train.c — fits an Mlp to a Dataset: Adam or SGD with momentum, full batch or
 * mini-batches in a seeded shuffle, L2 on the weights, early stop at a target
 * accuracy, and a clear error when training diverges.
 *
 * Determinism: given the same network, data and TrainConfig, every step does
 * the same arithmetic in the same order (one thread, GSL's reference BLAS, the
 * shuffle from an mt19937 seeded with cfg->seed), so two runs end with
 * bit-identical weights.  train_run owns only its scratch (optimiser state,
 * batch buffers), freed before it returns. */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS 1e-8
#define ACCURACY_EVERY 50   /* steps between early-stop checks */
#define PROGRESS_EVERY 100  /* steps between progress callbacks */
#define WEIGHT_LIMIT 1e6    /* a weight beyond this means training blew up */
/* A loss this many times the first step's means training blew up even when
 * it stays finite: tanh saturates and the stable cross-entropy never
 * overflows, so a far too large step gives a confidently wrong network (loss
 * in the hundreds) rather than NaN.  Cross-entropy starts near log(classes),
 * and no useful run climbs 50 times above it. */
#define LOSS_BLOWUP 50.0

static const char *num_text(double v, char *buf, size_t size)
{
    /* glibc prints NaN as "-nan" for some NaNs; users only need to know it is one */
    if (isnan(v))
        return "nan";
    if (isinf(v))
        return v > 0 ? "inf" : "-inf";
    snprintf(buf, size, "%g", v);
    return buf;
}

static int diverged(LwError *err, int step, double loss, const TrainConfig *cfg)
{
    char buf[64];
    return lw_fail(err, LW_EINPUT,
                   "training diverged at step %d (loss = %s): lower [train] learning_rate "
                   "(now %g)",
                   step, num_text(loss, buf, sizeof buf), cfg->learning_rate);
}

static double max_abs(const double *a, size_t n)
{
    double mx = 0;
    for (size_t i = 0; i < n; i++) {
        double v = fabs(a[i]);
        /* a NaN weight fails every comparison; report it as infinitely large */
        if (!(v <= mx))
            mx = isnan(v) ? INFINITY : v;
    }
    return mx;
}

int train_run(Mlp *m, const Dataset *ds, const TrainConfig *cfg, TrainProgress progress,
              void *user, TrainReport *report, LwError *err)
{
    clock_t c0 = clock();
    gsl_set_error_handler_off();
    if (report)
        memset(report, 0, sizeof *report);
    if (m->n_out == 0)
        return lw_fail(err, LW_EINPUT, "cannot train a network without a readout");
    if ((m->n_out == 1 ? 2 : m->n_out) != ds->classes)
        return lw_fail(err, LW_EINPUT, "network has %d outputs but the dataset has %d classes",
                       m->n_out, ds->classes);
    if (m->widths[0] != ds->dim)
        return lw_fail(err, LW_EINPUT, "network input width %d but the data are %d-D",
                       m->widths[0], ds->dim);
    if (!(cfg->learning_rate > 0) || !isfinite(cfg->learning_rate) || cfg->steps < 0)
        return lw_fail(err, LW_EINPUT, "[train] learning_rate = %g, steps = %d (expected > 0 "
                       "and >= 0)", cfg->learning_rate, cfg->steps);

    int n = ds->n, dim = ds->dim;
    int full = cfg->batch <= 0 || cfg->batch >= n;
    int bs = full ? n : cfg->batch;
    size_t P = m->n_params;
    int ret = LW_OK, step = 0;
    double loss = 0;
    MlpWork work = {0};
    gsl_rng *rng = NULL;
    /* grad, Adam's m and v (or SGD's velocity in m1) */
    double *grad = calloc(3 * P, sizeof *grad);
    double *m1 = grad ? grad + P : NULL, *v1 = grad ? grad + 2 * P : NULL;
    double *xb = NULL;
    int *lb = NULL, *perm = NULL;
    if (!grad) {
        ret = lw_fail(err, LW_ERUNTIME, "out of memory for the optimiser");
        goto fail;
    }
    if ((ret = mlp_work_alloc(&work, m, n, err)) != LW_OK)
        goto fail;
    if (!full) {
        xb = malloc((size_t)bs * dim * sizeof *xb);
        lb = malloc((size_t)bs * sizeof *lb);
        perm = malloc((size_t)n * sizeof *perm);
        rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (!xb || !lb || !perm || !rng) {
            ret = lw_fail(err, LW_ERUNTIME, "out of memory for mini-batches");
            goto fail;
        }
        gsl_rng_set(rng, (unsigned long)cfg->seed);
        for (int i = 0; i < n; i++)
            perm[i] = i;
    }

    int pos = n; /* next index into perm; n forces a shuffle before the first batch */
    double b1t = 1.0, b2t = 1.0, first_loss = 0;
    for (step = 1; step <= cfg->steps; step++) {
        const double *x = ds->x;
        const int *label = ds->label;
        if (!full) {
            /* a new epoch when the rest of the permutation cannot fill a batch,
             * so every batch has the same size and the same weight */
            if (pos + bs > n) {
                gsl_ran_shuffle(rng, perm, (size_t)n, sizeof *perm);
                pos = 0;
            }
            for (int i = 0; i < bs; i++) {
                int k = perm[pos + i];
                memcpy(xb + (size_t)i * dim, ds->x + (size_t)k * dim, dim * sizeof *xb);
                lb[i] = ds->label[k];
            }
            pos += bs;
            x = xb;
            label = lb;
        }
        loss = mlp_loss_grad_work(m, &work, x, label, bs, cfg->l2, grad);
        if (step == 1)
            first_loss = loss;
        if (!isfinite(loss) || loss > LOSS_BLOWUP * first_loss) {
            ret = diverged(err, step, loss, cfg);
            goto fail;
        }
        double *p = m->params;
        if (cfg->optimizer == OPT_ADAM) {
            b1t *= ADAM_BETA1;
            b2t *= ADAM_BETA2;
            for (size_t i = 0; i < P; i++) {
                m1[i] = ADAM_BETA1 * m1[i] + (1 - ADAM_BETA1) * grad[i];
                v1[i] = ADAM_BETA2 * v1[i] + (1 - ADAM_BETA2) * grad[i] * grad[i];
                double mhat = m1[i] / (1 - b1t), vhat = v1[i] / (1 - b2t);
                p[i] -= cfg->learning_rate * mhat / (sqrt(vhat) + ADAM_EPS);
            }
        } else {
            for (size_t i = 0; i < P; i++) {
                m1[i] = cfg->momentum * m1[i] + grad[i];
                p[i] -= cfg->learning_rate * m1[i];
            }
        }
        double big = max_abs(p, P);
        if (big > WEIGHT_LIMIT) {
            char buf[64];
            ret = lw_fail(err, LW_EINPUT,
                          "training diverged at step %d (a weight reached %s): lower [train] "
                          "learning_rate (now %g)",
                          step, num_text(big, buf, sizeof buf), cfg->learning_rate);
            goto fail;
        }
        int check = cfg->target_accuracy > 0 && step % ACCURACY_EVERY == 0;
        int tell = progress && step % PROGRESS_EVERY == 0;
        if (check || tell) {
            double acc = mlp_accuracy(m, ds->x, ds->label, n);
            if (tell)
                progress(user, step, cfg->steps, loss, acc);
            if (check && acc >= cfg->target_accuracy)
                break;
        }
    }
    if (step > cfg->steps)
        step = cfg->steps;

    loss = mlp_loss_grad_work(m, &work, ds->x, ds->label, n, cfg->l2, NULL);
    if (!isfinite(loss)) {
        ret = diverged(err, step, loss, cfg);
        goto fail;
    }
    if (report) {
        report->steps = step;
        report->loss = loss;
        report->accuracy = mlp_accuracy(m, ds->x, ds->label, n);
        report->seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
    }
fail:
    free(grad);
    free(xb);
    free(lb);
    free(perm);
    gsl_rng_free(rng);
    mlp_work_free(&work);
    return ret;
}

static void widths_text(const int *w, int n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, i ? ",%d" : "%d", w[i]);
}

/* The weights file must describe the scene's network: same widths and
 * activations, and a readout (if any) for the dataset's classes. */
static int check_loaded(const NetSpec *net, const Dataset *ds, const Mlp *m, LwError *err)
{
    const char *path = net->weights_path;
    int same = m->n_layers + 1 == net->n_widths;
    for (int l = 0; same && l < net->n_widths; l++)
        same = m->widths[l] == net->widths[l];
    if (!same) {
        char a[256], b[256];
        widths_text(m->widths, m->n_layers + 1, a, sizeof a);
        widths_text(net->widths, net->n_widths, b, sizeof b);
        return lw_fail(err, LW_EINPUT, "%s: widths %s do not match the scene's widths %s",
                       path, a, b);
    }
    for (int l = 0; l < m->n_layers; l++)
        if (m->act[l] != net->act[l])
            return lw_fail(err, LW_EINPUT,
                           "%s: hidden layer %d is %s but the scene says activation %s", path,
                           l + 1, act_name(m->act[l]), act_name(net->act[l]));
    if (m->n_out > 0 && (m->n_out == 1 ? 2 : m->n_out) != ds->classes)
        return lw_fail(err, LW_EINPUT, "%s: readout is for %d classes but the dataset has %d",
                       path, m->n_out == 1 ? 2 : m->n_out, ds->classes);
    return LW_OK;
}

int train_network(const NetSpec *net, const TrainConfig *cfg, const char *scene_path,
                  const Dataset *ds, Mlp *m, TrainProgress progress, void *user,
                  TrainReport *report, LwError *err)
{
    int ret;
    if (report)
        memset(report, 0, sizeof *report);
    if (net->has_weights && net->weights_path[0]) {
        if ((ret = mlp_load(m, net->weights_path, err)) != LW_OK)
            return ret;
        if ((ret = check_loaded(net, ds, m, err)) != LW_OK) {
            mlp_free(m);
            return ret;
        }
        return LW_OK;
    }
    if (net->has_weights) {
        /* weights written in the scene; without a readout the network only
         * warps space (n_out = 0) and nothing can be classified */
        int classes = 0;
        if (net->has_readout) {
            classes = net->n_out == 1 ? 2 : net->n_out;
            if (classes != ds->classes)
                return lw_fail(err, LW_EINPUT,
                               "%s: Wout has %d row%s but the dataset has %d classes "
                               "(Wout needs %d: one for two classes, else one per class)",
                               scene_path, net->n_out, net->n_out == 1 ? "" : "s", ds->classes,
                               ds->classes == 2 ? 1 : ds->classes);
        }
        if ((ret = mlp_alloc(m, net->n_widths, net->widths, net->act, classes, err)) != LW_OK)
            return ret;
        for (int l = 0; l < m->n_layers; l++) {
            memcpy(m->W[l], net->W[l], (size_t)m->widths[l + 1] * m->widths[l] * sizeof(double));
            memcpy(m->b[l], net->b[l], (size_t)m->widths[l + 1] * sizeof(double));
        }
        if (m->n_out > 0) {
            memcpy(m->Wout, net->Wout,
                   (size_t)m->n_out * m->widths[m->n_layers] * sizeof(double));
            memcpy(m->bout, net->bout, (size_t)m->n_out * sizeof(double));
        }
        return LW_OK;
    }
    if ((ret = mlp_alloc(m, net->n_widths, net->widths, net->act, ds->classes, err)) != LW_OK)
        return ret;
    mlp_init_random(m, cfg->seed);
    ret = train_run(m, ds, cfg, progress, user, report, err);
    if (ret != LW_OK)
        mlp_free(m);
    return ret;
}
