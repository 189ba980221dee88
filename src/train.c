/* train.c — fits an Mlp to a Dataset: Adam or SGD with momentum, full batch or
 * mini-batches in a seeded shuffle, L2 on the weights, early stop at a target
 * accuracy, and a clear error when training diverges.
 *
 * Determinism: given the same network, data and TrainConfig, every step does
 * the same arithmetic in the same order (one thread, GSL's reference BLAS, the
 * shuffle from an mt19937 seeded with cfg->seed), so two runs end with
 * bit-identical weights.  train_run owns only its scratch (the gradient slab,
 * the optimiser object, batch buffers), freed before it returns.
 *
 * A step: the loss and gradient from the MLP's LayerStack + Loss
 * (mlp_loss_grad_checked), one optim_step, then the divergence checks, the
 * checkpoint, the progress report and the early stop.  Divergence (a
 * non-finite or blown-up loss or weight) is LW_EINPUT with advice; a failure
 * of the machinery is LW_ERUNTIME naming what failed. */
#include "train.h"

#include "batches.h"

#include "optim.h"
#include "readable.h"
#include "weights_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define ACCURACY_EVERY 50   /* steps between early-stop checks */
#define PROGRESS_EVERY 100  /* steps between progress callbacks */
#define WEIGHT_LIMIT 1e6    /* a weight beyond this means training blew up */
/* A loss this many times the first step's means training blew up even when
 * it stays finite: tanh saturates and the stable cross-entropy never
 * overflows, so a far too large step gives a confidently wrong network (loss
 * in the hundreds) rather than NaN.  Cross-entropy starts near log(classes),
 * and no useful run climbs 50 times above it. */
#define LOSS_BLOWUP 50.0

static int diverged(LwError *err, int step, double loss, const TrainConfig *cfg)
{
    char buf[64];
    return lw_fail(err, LW_EINPUT,
                   "training diverged at step %d (loss = %s): lower [train] learning_rate "
                   "(now %g)",
                   step, lw_num_text(loss, buf, sizeof buf), cfg->learning_rate);
}

static int check_inputs(const Mlp *m, const Dataset *ds, const TrainConfig *cfg, LwError *err)
{
    if (m->n_out == 0)
        return lw_fail(err, LW_EINPUT, "cannot train a network without a readout");
    if ((m->n_out == 1 ? 2 : m->n_out) != ds->classes)
        return lw_fail(err, LW_EINPUT, "network has %d outputs but the dataset has %d classes",
                       m->n_out, ds->classes);
    if (m->widths[0] != ds->dim)
        return lw_fail(err, LW_EINPUT, "network input width %d but the data are %d-D",
                       m->widths[0], ds->dim);
    if (ds->n < 1)
        return lw_fail(err, LW_EINPUT, "no data points to train on");
    if (!(cfg->learning_rate > 0) || !isfinite(cfg->learning_rate) || cfg->steps < 0)
        return lw_fail(err, LW_EINPUT, "[train] learning_rate = %g, steps = %d (expected > 0 "
                       "and >= 0)", cfg->learning_rate, cfg->steps);
    return LW_OK;
}

static int wants_checkpoint(const TrainOptions *opt, int step)
{
    if (!opt->checkpoint)
        return 0;
    if (opt->checkpoint_every > 0 && step > 0 && step % opt->checkpoint_every == 0)
        return 1;
    for (int i = 0; i < opt->n_checkpoint_steps; i++)
        if (opt->checkpoint_steps[i] == step)
            return 1;
    return 0;
}

/* Calls the checkpoint if step is one of those asked for; its failure is
 * passed up with its own code and message. */
static int checkpoint(const TrainOptions *opt, int step, const Mlp *m, LwError *err)
{
    if (!wants_checkpoint(opt, step))
        return LW_OK;
    LwError inner;
    snprintf(inner.msg, sizeof inner.msg, "the checkpoint callback failed");
    int ret = opt->checkpoint(opt->checkpoint_user, step, m, &inner);
    if (ret == LW_OK)
        return LW_OK;
    return lw_fail(err, ret < 0 ? ret : LW_ERUNTIME, "training step %d: %s", step, inner.msg);
}

/* A failure of the loss/gradient machinery, said as itself (not as divergence). */
static int step_failed(LwError *err, int step, const LwError *inner)
{
    if (step > 0)
        return lw_fail(err, LW_ERUNTIME, "training step %d: %s", step, inner->msg);
    return lw_fail(err, LW_ERUNTIME, "final loss after training: %s", inner->msg);
}

static OptimConfig optim_config(const TrainConfig *cfg)
{
    return cfg->optimizer == OPT_ADAM ? optim_adam(cfg->learning_rate)
                                      : optim_sgd(cfg->learning_rate, cfg->momentum);
}

int train_run(Mlp *m, const Dataset *ds, const TrainConfig *cfg, TrainProgress progress,
              void *user, TrainReport *report, LwError *err)
{
    TrainOptions opt = {.progress = progress, .progress_user = user};
    return train_run_with(m, ds, cfg, &opt, report, err);
}

int train_run_with(Mlp *m, const Dataset *ds, const TrainConfig *cfg,
                   const TrainOptions *options, TrainReport *report, LwError *err)
{
    clock_t c0 = clock();
    gsl_set_error_handler_off();
    if (report)
        memset(report, 0, sizeof *report);
    int ret = check_inputs(m, ds, cfg, err);
    if (ret)
        return ret;
    TrainOptions opt = options ? *options : (TrainOptions){0};

    int n = ds->n, step = 0;
    size_t P = m->n_params;
    double loss = 0, first_loss = 0;
    LwError inner;
    MlpWork work = {0};
    Optim optim = {0};
    Batches batches = {0};
    Readable readable = {0};
    Readable *rd = cfg->readable > 0 ? &readable : NULL;
    OptimConfig ocfg = optim_config(cfg);
    double *grad = calloc(P, sizeof *grad); // (P) same layout as m->params
    if (!grad) {
        ret = lw_fail(err, LW_ERUNTIME, "out of memory for the gradient");
        goto fail;
    }
    if ((ret = optim_alloc(&optim, &ocfg, P, err)) != LW_OK ||
        (ret = mlp_work_alloc(&work, m, n, err)) != LW_OK ||
        (ret = batches_alloc(&batches, ds, cfg->batch, cfg->batch <= 0 || cfg->batch >= ds->n,
                             cfg->seed, err)) != LW_OK)
        goto fail;
    if (rd) {
        LayerStack s = mlp_layers(m);
        if ((ret = readable_alloc(rd, &s, n, err)) != LW_OK)
            goto fail;
    }
    if ((ret = checkpoint(&opt, 0, m, err)) != LW_OK)
        goto fail;

    for (step = 1; step <= cfg->steps; step++) {
        const double *x;
        const int *label;
        batches_next(&batches, &x, &label);
        ret = mlp_loss_grad_readable(m, &work, rd, cfg->readable, x, label, batches.bs,
                                     cfg->l2, grad, &loss, &inner);
        if (ret) {
            ret = step_failed(err, step, &inner);
            goto fail;
        }
        if (step == 1)
            first_loss = loss;
        if (!isfinite(loss) || loss > LOSS_BLOWUP * first_loss) {
            ret = diverged(err, step, loss, cfg);
            goto fail;
        }
        optim_step(&optim, m->params, grad);
        double big = lw_max_abs(m->params, P);
        if (big > WEIGHT_LIMIT) {
            char buf[64];
            ret = lw_fail(err, LW_EINPUT,
                          "training diverged at step %d (a weight reached %s): lower [train] "
                          "learning_rate (now %g)",
                          step, lw_num_text(big, buf, sizeof buf), cfg->learning_rate);
            goto fail;
        }
        if ((ret = checkpoint(&opt, step, m, err)) != LW_OK)
            goto fail;
        int check = cfg->target_accuracy > 0 && step % ACCURACY_EVERY == 0;
        int tell = opt.progress && step % PROGRESS_EVERY == 0;
        if (check || tell) {
            double acc = mlp_accuracy(m, ds->x, ds->label, n);
            if (tell)
                opt.progress(opt.progress_user, step, cfg->steps, loss, acc);
            if (check && acc >= cfg->target_accuracy)
                break;
        }
    }
    if (step > cfg->steps)
        step = cfg->steps;

    ret = mlp_loss_grad_readable(m, &work, rd, cfg->readable, ds->x, ds->label, n, cfg->l2,
                                 NULL, &loss, &inner);
    if (ret) {
        ret = step_failed(err, 0, &inner);
        goto fail;
    }
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
    optim_free(&optim);
    mlp_work_free(&work);
    batches_free(&batches);
    readable_free(&readable);
    return ret;
}

int train_spread(const Mlp *m, const Dataset *ds, double *spread, LwError *err)
{
    int L = m->n_layers, n = ds->n;
    if (n < 1 || L == 0) {
        for (int l = 0; l < L; l++)
            spread[l] = 0;
        return LW_OK;
    }
    LayerStack s = mlp_layers(m);
    int wide = layers_max_width(&s);
    /* layer by layer, all points at once: only one layer's states and the
     * next are held (two n x widest buffers, not every layer's: 410 MB for
     * 200 000 points through sixteen 16-wide layers), and each point's
     * states are the same doubles as mlp_forward_point's */
    double *prev = malloc((size_t)n * wide * sizeof *prev);
    double *cur = malloc((size_t)n * wide * sizeof *cur);
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return lw_fail(err, LW_ERUNTIME, "out of memory for the states of %d points", n);
    }
    for (int l = 0; l < L; l++) {
        int win = m->widths[l], wout = m->widths[l + 1];
        for (int i = 0; i < n; i++) {
            const double *in = l == 0 ? ds->x + (size_t)i * ds->dim : prev + (size_t)i * win;
            layers_forward_layer(&s, l, in, cur + (size_t)i * wout);
        }
        spread[l] = readable_spread_points(cur, n, wout);
        double *t = prev;
        prev = cur;
        cur = t;
    }
    free(prev);
    free(cur);
    return LW_OK;
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

/* The smallest spread over the layers of m on ds (1 without layers). */
static int min_spread(const Mlp *m, const Dataset *ds, double *out, LwError *err)
{
    double spread[LW_MAX_LAYERS];
    int ret = train_spread(m, ds, spread, err);
    *out = 1.0;
    for (int l = 0; ret == LW_OK && l < m->n_layers; l++)
        if (spread[l] < *out)
            *out = spread[l];
    return ret;
}

uint64_t train_attempt_seed(const TrainConfig *cfg, int attempt)
{
    /* seeds far apart in mt19937's seed space: the golden-ratio step */
    return cfg->seed + (uint64_t)(attempt - 1) * 0x9E3779B97F4A7C15ull;
}

int train_start(const NetSpec *net, const TrainConfig *cfg, int attempt, const Dataset *ds,
                Mlp *m, TrainConfig *run, LwError *err)
{
    int ret = mlp_alloc(m, net->n_widths, net->widths, net->act, ds->classes, err);
    if (ret) return ret;
    *run = *cfg;
    run->seed = train_attempt_seed(cfg, attempt);
    mlp_init_random(m, run->seed);
    return LW_OK;
}

/* Deterministic restarts.  A small network started from one random point
 * can settle where a unit is dead or a fold never forms (xor through 2-wide
 * layers, circles through relu); the same network from another start
 * usually does not.  Such a run is stuck, not unpolished: it ends far below
 * the goal.  So when the first run (the scene's own seed) ends below
 * TRAIN_GOOD_ACCURACY (or the lower target_accuracy the scene asks for) or
 * with a layer spread below TRAIN_GOOD_SPREAD, train again from seeds derived from
 * the scene's seed, up to TRAIN_ATTEMPTS runs in all, stopping at the first
 * good one, and keep the best: highest accuracy, then largest smallest
 * spread (the earlier run on a tie).  Everything depends only on the scene,
 * so the weights stay bit-identical from run to run.  m and *rep hold the
 * first run's result on entry and the kept run's on return; rep->attempt
 * says which run was kept, rep->seconds counts them all. */
static int restarts(const NetSpec *net, const TrainConfig *cfg, const Dataset *ds, Mlp *m,
                    TrainProgress progress, void *user, TrainReport *rep, LwError *err)
{
    double want = cfg->target_accuracy > 0 ? cfg->target_accuracy : TRAIN_GOOD_ACCURACY;
    double spread;
    int ret = min_spread(m, ds, &spread, err);
    double seconds = rep->seconds;
    rep->attempt = 1;
    for (int k = 1; ret == LW_OK && k < TRAIN_ATTEMPTS; k++) {
        if (rep->accuracy >= want && spread >= TRAIN_GOOD_SPREAD)
            break;
        Mlp t = {0};
        TrainReport r;
        TrainConfig c;
        LwError inner;
        if ((ret = train_start(net, cfg, k + 1, ds, &t, &c, err)))
            break;
        /* a restart that diverges is not kept; the first run stands */
        if (train_run(&t, ds, &c, progress, user, &r, &inner) != LW_OK) {
            mlp_free(&t);
            continue;
        }
        seconds += r.seconds;
        double s;
        if ((ret = min_spread(&t, ds, &s, err)) == LW_OK &&
            (r.accuracy > rep->accuracy || (r.accuracy == rep->accuracy && s > spread))) {
            mlp_free(m);
            *m = t;
            t = (Mlp){0};
            *rep = r;
            rep->attempt = k + 1;
            spread = s;
        }
        mlp_free(&t);
    }
    rep->seconds = seconds;
    return ret;
}

int train_network(const NetSpec *net, const TrainConfig *cfg, const char *scene_path,
                  const Dataset *ds, Mlp *m, TrainProgress progress, void *user,
                  TrainReport *report, LwError *err)
{
    int ret;
    if (report)
        memset(report, 0, sizeof *report);
    if (net->has_weights && net->weights_path[0]) {
        if ((ret = weights_load(m, net, ds->classes, net->weights_path, err)) != LW_OK)
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
    TrainConfig c;
    if ((ret = train_start(net, cfg, 1, ds, m, &c, err)) != LW_OK)
        return ret;
    TrainReport rep;
    ret = train_run(m, ds, &c, progress, user, &rep, err);
    /* restarts get a training out of a bad start; with no steps nothing
     * trains, and the network shown is the scene's seed's, as asked (six
     * untrained passes over every point would change only which start) */
    if (ret == LW_OK && cfg->readable > 0 && cfg->steps > 0)
        ret = restarts(net, cfg, ds, m, progress, user, &rep, err);
    if (ret != LW_OK) {
        mlp_free(m);
        return ret;
    }
    if (report)
        *report = rep;
    return LW_OK;
}
