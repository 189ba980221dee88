/* gan_history.c — a GAN's training as it went (see gan_history.h).
 *
 * Owns: the snapshots and curve arrays of a GanHistory. */
#include "gan_history.h"

#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EARLY_POINTS 24  /* curve points below the first multiple of its spacing */

typedef struct {
    GanHistory *h;
    const int *keep;
    int n_keep;
    int cap;           /* of the curve arrays */
} Recorder;

static int on_checkpoint(void *user, int step, const Gan *m, double dl, double gl, LwError *err)
{
    Recorder *r = user;
    GanHistory *h = r->h;
    if (h->n_curve < r->cap) {
        h->curve_step[h->n_curve] = step;
        h->curve_d_loss[h->n_curve] = dl;
        h->curve_g_loss[h->n_curve++] = gl;
    }
    for (int i = 0; i < r->n_keep; i++) {
        if (r->keep[i] != step) continue;
        int k = h->n_snapshots;
        int rc = gan_copy(&h->snapshot[k], m, err);
        if (rc) return rc;
        h->step[k] = step;
        h->d_loss[k] = dl;
        h->g_loss[k] = gl;
        h->mmd2[k] = NAN;
        h->n_snapshots++;
    }
    return LW_OK;
}

/* Steps between two points of the curve: about HISTORY_CURVE_POINTS in all. */
static int curve_every(int steps)
{
    int every = (steps + HISTORY_CURVE_POINTS - 1) / HISTORY_CURVE_POINTS;
    return every > 0 ? every : 1;
}

static int same_params(const Gan *a, const Gan *b)
{
    size_t n = a->n_gen_params + a->n_disc_params;
    return n == b->n_gen_params + b->n_disc_params &&
           !memcmp(a->params, b->params, n * sizeof *a->params);
}

/* The steps the curve hears besides every curve_every-th: the kept ones,
 * and EARLY_POINTS spaced in log below the first multiple, where the
 * inset's log axis gives the first steps most of its width.  Returns how
 * many are in listen. */
static int listen_steps(const int *keep, int n_keep, int every, int *listen)
{
    int n = 0;
    for (int i = 0; i < n_keep; i++) listen[n++] = keep[i];
    for (int j = 1; j <= EARLY_POINTS && every > 1; j++) {
        int s = (int)lround(pow(every, (double)j / (EARLY_POINTS + 1)));
        if (s >= 1 && s < every && (n == n_keep || listen[n - 1] != s)) listen[n++] = s;
    }
    return n;
}

int gan_history_record(const GanConfig *cfg, const Dataset *ds, const CheckpointSpec *spec,
                       const Gan *trained, GanHistory *h, LwError *err)
{
    memset(h, 0, sizeof *h);
    int keep[HISTORY_MAX_SNAPSHOTS], listen[HISTORY_MAX_SNAPSHOTS + EARLY_POINTS];
    int every = curve_every(cfg->steps);
    Recorder rec = {h, keep, history_steps(spec, cfg->steps, keep), 0};
    int n_listen = listen_steps(keep, rec.n_keep, every, listen);
    rec.cap = cfg->steps / every + 2 + n_listen;
    h->curve_step = malloc(sizeof(int) * rec.cap);
    h->curve_d_loss = malloc(sizeof(double) * rec.cap);
    h->curve_g_loss = malloc(sizeof(double) * rec.cap);
    if (!h->curve_step || !h->curve_d_loss || !h->curve_g_loss)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the training history");
    Gan m = {0};
    int rc = gan_alloc(&m, cfg, ds->dim, err);
    if (!rc) {
        gan_init_random(&m, cfg->seed);
        GanTrainOptions opt = {on_checkpoint, &rec, every, listen, n_listen};
        GanReport again;
        rc = gan_train_with(&m, ds, cfg, &opt, &again, err);
    }
    /* the run must have repeated: its end is the model being shown */
    if (!rc && (h->n_snapshots != rec.n_keep || !same_params(&m, trained) ||
                !same_params(&h->snapshot[h->n_snapshots - 1], trained)))
        rc = lw_fail(err, LW_ERUNTIME, "training the gan again for the checkpoints did not "
                     "repeat the run (%d of %d snapshots)", h->n_snapshots, rec.n_keep);
    gan_free(&m);
    return rc;
}

const Gan *gan_history_at(const GanHistory *h, int k)
{
    return k >= 0 && k < h->n_snapshots ? &h->snapshot[k] : NULL;
}

int gan_history_measure(GanHistory *h, const Dataset *ds, int n, uint64_t seed, int n_data,
                        LwError *err)
{
    int d = ds->dim, nd = ds->n < n_data ? ds->n : n_data;
    double *x = malloc(sizeof(double) * (size_t)n * d);
    if (!x) return lw_fail(err, LW_ERUNTIME, "out of memory for %d samples", n);
    int rc = LW_OK;
    for (int k = 0; !rc && k < h->n_snapshots; k++) {
        rc = gan_sample(&h->snapshot[k], n, seed, x, err);
        if (!rc) h->mmd2[k] = metrics_mmd2(x, n, ds->x, nd, d);
    }
    free(x);
    return rc;
}

int gan_generator_push(const Gan *m, const double *x, int n, double *push, LwError *err)
{
    if (n < 1) return lw_fail(err, LW_EINPUT, "%d points (expected at least 1)", n);
    GanWork w = {0};
    int rc = gan_work_alloc(&w, m, (n + 1) / 2, err);
    if (!rc) rc = gan_point_grad(m, &w, x, n, push, err);
    for (int i = 0; !rc && i < n * m->data_dim; i++) push[i] = -push[i];
    gan_work_free(&w);
    return rc;
}

#define ARROW_SHARE 0.06     /* a long push is drawn this share of the data's extent ... */
#define ARROW_QUANTILE 0.95  /* ... "long": this order statistic of all pushes */
#define ARROW_CAP 2.0        /* and none longer than this many times that */
#define ARROW_EVERY 2        /* an arrow on every second point */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

ArrowLength gan_arrow_length(double *len, int n, double extent)
{
    ArrowLength al = {0, 0, ARROW_EVERY};
    if (n < 1) return al;
    qsort(len, (size_t)n, sizeof *len, by_value);
    double q = len[(int)(ARROW_QUANTILE * (n - 1))];
    if (q > 0) {
        al.scale = ARROW_SHARE * extent / q;
        al.cap = ARROW_CAP * ARROW_SHARE * extent;
    }
    return al;
}

int gan_segment_arrows(Segment *seg, int set, const Gan *g, const ArrowLength *al, LwError *err)
{
    if (set < 0 || set >= seg->n_sets)
        return lw_fail(err, LW_EINPUT, "no point set %d to give arrows", set);
    const PointSet *ps = &seg->sets[set];
    int gen = seg->tag == 'G', n = ps->n, d = g->data_dim;
    if (ps->dim != (gen ? g->latent_dim : d))
        return lw_fail(err, LW_EINPUT, "a set of %d-D points is not the %s's", ps->dim,
                       gen ? "generator's codes" : "discriminator's points");
    double *x = malloc(sizeof(double) * (size_t)(n ? n : 1) * d);
    double *v = malloc(sizeof(double) * (size_t)(n ? n : 1) * d);
    int rc = x && v ? LW_OK : lw_fail(err, LW_ERUNTIME, "out of memory for %d arrows", n);
    for (int i = 0; !rc && i < n; i++) {
        if (gen) gan_generate_point(g, ps->x + (size_t)i * ps->dim, x + (size_t)i * d);
        else memcpy(x + (size_t)i * d, ps->x + (size_t)i * d, sizeof(double) * d);
    }
    if (!rc && n) rc = gan_generator_push(g, x, n, v, err);
    for (int i = 0; !rc && i < n; i++) {
        double *a = v + (size_t)i * d, len = 0, scale = i % (al->every > 0 ? al->every : 1)
                                                            ? 0.0 : al->scale;
        for (int k = 0; k < d; k++) {
            a[k] *= scale;
            len += a[k] * a[k];
        }
        double f = sqrt(len) > al->cap ? al->cap / sqrt(len) : 1.0;
        for (int k = 0; k < d && f < 1.0; k++) a[k] *= f;
    }
    if (!rc) rc = segment_set_arrows(seg, set, v, d, gen ? ARROWS_OUTPUT : ARROWS_INPUT, err);
    if (!rc) {
        seg->sets[set].arrow_scale = al->scale;
        seg->sets[set].arrow_cap = al->cap;
    }
    free(x);
    free(v);
    return rc;
}

int gan_segment_shade(Segment *seg, const Gan *g, int S, int real_colour, int fake_colour,
                      LwError *err)
{
    int gen = seg->tag == 'G', in = gen ? g->latent_dim : g->data_dim;
    if (in != 2 || S < 2 || S > 256)
        return lw_fail(err, LW_EINPUT, "D's verdict shades a 2-D region in 2 to 256 cells, not "
                       "%d-D in %d", in, S);
    int *cls = malloc(sizeof(int) * S * S);
    if (!cls) return lw_fail(err, LW_ERUNTIME, "out of memory for %d cells", S * S);
    const double *reg = seg->region;
    for (int j = 0; j < S; j++)
        for (int i = 0; i < S; i++) {
            double p[2] = {reg[0] + (reg[1] - reg[0]) * (i + 0.5) / S,
                           reg[2] + (reg[3] - reg[2]) * (j + 0.5) / S}, x[3];
            if (gen) gan_generate_point(g, p, x);
            cls[j * S + i] = gan_discriminate_point(g, gen ? x : p) > 0 ? real_colour
                                                                         : fake_colour;
        }
    free(seg->shade_class);
    seg->shade_class = cls;
    seg->shade_cells = S;
    snprintf(seg->shade_name[0], sizeof seg->shade_name[0], "D: real");
    snprintf(seg->shade_name[1], sizeof seg->shade_name[1], "D: generated");
    seg->shade_colour[0] = real_colour;
    seg->shade_colour[1] = fake_colour;
    return LW_OK;
}

void gan_history_free(GanHistory *h)
{
    if (!h) return;
    for (int k = 0; k < h->n_snapshots; k++) gan_free(&h->snapshot[k]);
    free(h->curve_step);
    free(h->curve_d_loss);
    free(h->curve_g_loss);
    memset(h, 0, sizeof *h);
}
