/* history.c — a classifier's training as it went (see history.h).
 *
 * Owns: the snapshots and curve arrays of a History. */
#include "history.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int add_step(int *out, int n, int step)
{
    for (int i = 0; i < n; i++)
        if (out[i] == step) return n;
    if (n < HISTORY_MAX_SNAPSHOTS) out[n++] = step;
    return n;
}

static int ascending(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int history_steps(const CheckpointSpec *spec, int steps, int *out)
{
    int n = 0;
    switch (spec->mode) {
    case CHECKPOINTS_LIST:
        for (int i = 0; i < spec->n; i++)
            if (spec->steps[i] <= steps) n = add_step(out, n, spec->steps[i]);
        break;
    case CHECKPOINTS_EVERY:
        for (long s = 0; s <= steps && n < HISTORY_MAX_SNAPSHOTS - 1; s += spec->every)
            n = add_step(out, n, (int)s);
        break;
    case CHECKPOINTS_LOG: {
        /* step 0, then from a hundredth of the run to its end, evenly in log */
        n = add_step(out, n, 0);
        double lo = fmax(1.0, steps / 100.0);
        for (int k = 0; k + 1 < spec->n && steps > 0; k++) {
            double u = spec->n > 2 ? (double)k / (spec->n - 2) : 1.0;
            n = add_step(out, n, (int)lround(lo * pow(steps / lo, u)));
        }
        break;
    }
    case CHECKPOINTS_NONE:
        break;
    }
    if (n == HISTORY_MAX_SNAPSHOTS) n--; /* room for the last step */
    n = add_step(out, n, steps);
    qsort(out, (size_t)n, sizeof *out, ascending);
    return n;
}

typedef struct {
    History *h;
    const Dataset *ds;
    double l2;
    const int *keep;
    int n_keep;
    int cap;           /* of the curve arrays */
} Recorder;

static int snapshot(History *h, int step, double loss, double acc, const Mlp *m, LwError *err)
{
    int k = h->n_snapshots;
    Mlp *s = &h->snapshot[k];
    int classes = m->n_out == 1 ? 2 : m->n_out;
    int rc = mlp_alloc(s, m->n_layers + 1, m->widths, m->act, classes, err);
    if (rc) return rc;
    memcpy(s->params, m->params, m->n_params * sizeof *m->params);
    h->step[k] = step;
    h->loss[k] = loss;
    h->accuracy[k] = acc;
    h->n_snapshots++;
    return LW_OK;
}

static int on_checkpoint(void *user, int step, const Mlp *m, LwError *err)
{
    Recorder *r = user;
    History *h = r->h;
    const Dataset *ds = r->ds;
    double loss = mlp_loss_grad(m, ds->x, ds->label, ds->n, r->l2, NULL);
    double acc = mlp_accuracy(m, ds->x, ds->label, ds->n);
    if (h->n_curve < r->cap) {
        h->curve_step[h->n_curve] = step;
        h->curve_loss[h->n_curve] = loss;
        h->curve_accuracy[h->n_curve++] = acc;
    }
    for (int i = 0; i < r->n_keep; i++)
        if (r->keep[i] == step) return snapshot(h, step, loss, acc, m, err);
    return LW_OK;
}

/* Steps between two points of the curve: about HISTORY_CURVE_POINTS in all. */
static int curve_every(int steps)
{
    int every = (steps + HISTORY_CURVE_POINTS - 1) / HISTORY_CURVE_POINTS;
    return every > 0 ? every : 1;
}

/* The kept run again, from its own seed, with the recorder listening. */
static int rerun(const NetSpec *net, const TrainConfig *cfg, const TrainReport *report,
                 const Dataset *ds, Recorder *rec, Mlp *m, LwError *err)
{
    TrainConfig c;
    int rc = train_start(net, cfg, report->attempt > 0 ? report->attempt : 1, ds, m, &c, err);
    if (rc) return rc;
    TrainOptions opt = {.checkpoint = on_checkpoint, .checkpoint_user = rec,
                        .checkpoint_every = curve_every(cfg->steps),
                        .checkpoint_steps = rec->keep, .n_checkpoint_steps = rec->n_keep};
    TrainReport again;
    return train_run_with(m, ds, &c, &opt, &again, err);
}

int history_record(const NetSpec *net, const TrainConfig *cfg, const TrainReport *report,
                   const Dataset *ds, const CheckpointSpec *spec, const Mlp *trained,
                   History *h, LwError *err)
{
    memset(h, 0, sizeof *h);
    int keep[HISTORY_MAX_SNAPSHOTS];
    Recorder rec = {h, ds, cfg->l2, keep, history_steps(spec, report->steps, keep), 0};
    rec.cap = cfg->steps / curve_every(cfg->steps) + 2 + rec.n_keep;
    h->curve_step = malloc(sizeof(int) * rec.cap);
    h->curve_loss = malloc(sizeof(double) * rec.cap);
    h->curve_accuracy = malloc(sizeof(double) * rec.cap);
    if (!h->curve_step || !h->curve_loss || !h->curve_accuracy)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the training history");
    Mlp m = {0};
    int rc = rerun(net, cfg, report, ds, &rec, &m, err);
    /* the run must have repeated: its end is the network being shown */
    if (!rc && (h->n_snapshots != rec.n_keep || m.n_params != trained->n_params ||
                memcmp(m.params, trained->params, m.n_params * sizeof *m.params) ||
                memcmp(h->snapshot[h->n_snapshots - 1].params, trained->params,
                       m.n_params * sizeof *m.params)))
        rc = lw_fail(err, LW_ERUNTIME, "training again for the checkpoints did not repeat "
                     "the run (%d of %d snapshots)", h->n_snapshots, rec.n_keep);
    mlp_free(&m);
    return rc;
}

void history_free(History *h)
{
    if (!h) return;
    for (int k = 0; k < h->n_snapshots; k++)
        mlp_free(&h->snapshot[k]);
    free(h->curve_step);
    free(h->curve_loss);
    free(h->curve_accuracy);
    memset(h, 0, sizeof *h);
}
