/* show.c — segments and their point sets and lines (see show.h).
 *
 * Owns: every array of every segment of a Show. */
#include "show.h"

#include <stdlib.h>
#include <string.h>

int show_add_segment(Show *show, Segment **seg, LwError *err)
{
    Segment *s = realloc(show->segments, (size_t)(show->n_segments + 1) * sizeof *s);
    if (!s) return lw_fail(err, LW_ERUNTIME, "out of memory for a segment");
    show->segments = s;
    *seg = &s[show->n_segments++];
    memset(*seg, 0, sizeof **seg);
    (*seg)->generated_colour = -1;
    return LW_OK;
}

int show_take(Show *show, Show *src, int panel, LwError *err)
{
    if (!src->n_segments) return LW_OK;
    size_t n = (size_t)(show->n_segments + src->n_segments);
    Segment *s = realloc(show->segments, n * sizeof *s);
    if (!s) return lw_fail(err, LW_ERUNTIME, "out of memory for a panel");
    show->segments = s;
    for (int i = 0; i < src->n_segments; i++) {
        s[show->n_segments] = src->segments[i];
        s[show->n_segments++].panel = panel;
    }
    free(src->segments);
    memset(src, 0, sizeof *src);
    return LW_OK;
}

int show_panel_count(const Show *show)
{
    int seen[SHOW_MAX_PANELS] = {0};
    for (int i = 0; i < show->n_segments; i++)
        seen[show->segments[i].panel] = 1;
    return seen[0] && seen[1] ? 2 : 1;
}

static void segment_free(Segment *seg)
{
    free(seg->params);
    for (int k = 0; k < seg->n_sets; k++) {
        free(seg->sets[k].x);
        free(seg->sets[k].label);
        free(seg->sets[k].curve_start);
        free(seg->sets[k].sigma);
        free(seg->sets[k].arrow);
    }
    polylines_free(&seg->lines);
    polylines_free(&seg->reference);
    free(seg->score_W);
    free(seg->score_b);
    free(seg->shade_class);
    free(seg->curve.step);
    free(seg->curve.loss);
    free(seg->curve.accuracy);
    free(seg->morph_params);
    free(seg->morph_score_W);
    free(seg->morph_score_b);
    memset(seg, 0, sizeof *seg);
}

int segment_set_curve(Segment *seg, const int *step, const double *loss, const double *accuracy,
                      int n, LwError *err)
{
    TrainCurve c = {.n = n, .step = malloc(sizeof(int) * (n ? n : 1)),
                    .loss = malloc(sizeof(double) * (n ? n : 1)),
                    .accuracy = malloc(sizeof(double) * (n ? n : 1))};
    if (!c.step || !c.loss || !c.accuracy) {
        free(c.step);
        free(c.loss);
        free(c.accuracy);
        return lw_fail(err, LW_ERUNTIME, "out of memory for a training curve");
    }
    memcpy(c.step, step, sizeof(int) * n);
    memcpy(c.loss, loss, sizeof(double) * n);
    memcpy(c.accuracy, accuracy, sizeof(double) * n);
    free(seg->curve.step);
    free(seg->curve.loss);
    free(seg->curve.accuracy);
    seg->curve = c;
    return LW_OK;
}

void show_free(Show *show)
{
    if (!show) return;
    for (int i = 0; i < show->n_segments; i++)
        segment_free(&show->segments[i]);
    free(show->segments);
    memset(show, 0, sizeof *show);
}

/* Copies net's shape into *dst with W and b in a new slab, which replaces
 * *params. */
static int copy_stack(LayerStack *dst, double **params, const LayerStack *net, LwError *err)
{
    size_t total = 0;
    for (int l = 0; l < net->n_layers; l++)
        total += (size_t)net->widths[l + 1] * (net->widths[l] + 1);
    double *p = malloc((total ? total : 1) * sizeof *p);
    if (!p) return lw_fail(err, LW_ERUNTIME, "out of memory for a layer stack");
    free(*params);
    *params = p;
    *dst = *net;
    for (int l = 0; l < net->n_layers; l++) {
        size_t nw = (size_t)net->widths[l + 1] * net->widths[l];
        memcpy(p, net->W[l], nw * sizeof *p);
        dst->W[l] = p;
        p += nw;
        memcpy(p, net->b[l], (size_t)net->widths[l + 1] * sizeof *p);
        dst->b[l] = p;
        p += net->widths[l + 1];
    }
    return LW_OK;
}

int segment_set_layers(Segment *seg, const LayerStack *net, LwError *err)
{
    return copy_stack(&seg->net, &seg->params, net, err);
}

static int same_shape(const LayerStack *a, const LayerStack *b)
{
    if (a->n_layers != b->n_layers) return 0;
    for (int l = 0; l < a->n_layers; l++)
        if (a->widths[l] != b->widths[l] || a->act[l] != b->act[l]) return 0;
    return a->widths[a->n_layers] == b->widths[b->n_layers];
}

int segment_set_morph(Segment *seg, const LayerStack *to, const double *score_W,
                      const double *score_b, int layer, int step, LwError *err)
{
    if (!same_shape(&seg->net, to))
        return lw_fail(err, LW_EINPUT, "a training morph joins two networks of one shape");
    if (layer < 1 || layer > to->n_layers)
        return lw_fail(err, LW_EINPUT, "no hidden layer %d to show (1 to %d)", layer,
                       to->n_layers);
    int k = seg->n_scores, d = to->widths[to->n_layers];
    double *W = malloc(sizeof(double) * (k > 0 ? (size_t)k * d : 1));
    double *b = malloc(sizeof(double) * (k ? k : 1));
    int rc = W && b ? copy_stack(&seg->morph_to, &seg->morph_params, to, err)
                    : lw_fail(err, LW_ERUNTIME, "out of memory for a training morph");
    if (rc) {
        free(W);
        free(b);
        return rc;
    }
    if (k) {
        memcpy(W, score_W, sizeof(double) * k * d);
        memcpy(b, score_b, sizeof(double) * k);
    }
    free(seg->morph_score_W);
    free(seg->morph_score_b);
    seg->morph_score_W = W;
    seg->morph_score_b = b;
    seg->morph_layer = layer;
    seg->morph_step = step;
    return LW_OK;
}

static void *copy_of(const void *src, size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (p && bytes) memcpy(p, src, bytes);
    return p;
}

int segment_add_points(Segment *seg, const double *x, const int *label, int n, int dim,
                       const int *curve_start, int n_curves, int as_curves, int fixed,
                       LwError *err)
{
    if (seg->n_sets == SHOW_MAX_SETS)
        return lw_fail(err, LW_EINPUT, "a segment carries at most %d point sets", SHOW_MAX_SETS);
    PointSet *ps = &seg->sets[seg->n_sets];
    memset(ps, 0, sizeof *ps);
    ps->x = copy_of(x, (size_t)n * dim * sizeof *x);
    ps->label = copy_of(label, (size_t)n * sizeof *label);
    ps->curve_start = curve_start ? copy_of(curve_start, (size_t)(n_curves + 1) * sizeof(int))
                                  : NULL;
    if (!ps->x || !ps->label || (curve_start && !ps->curve_start)) {
        free(ps->x);
        free(ps->label);
        free(ps->curve_start);
        memset(ps, 0, sizeof *ps);
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d points", n);
    }
    ps->n = n;
    ps->dim = dim;
    ps->n_curves = curve_start ? n_curves : 0;
    ps->as_curves = as_curves && ps->n_curves > 0;
    ps->fixed = fixed;
    seg->n_sets++;
    return LW_OK;
}

int segment_set_spread(Segment *seg, int set, const double *sigma, int sigma_dim, double k,
                       LwError *err)
{
    int out = seg->net.widths[seg->net.n_layers];
    if (set < 0 || set >= seg->n_sets)
        return lw_fail(err, LW_EINPUT, "no point set %d to give a spread", set);
    if (sigma_dim != out)
        return lw_fail(err, LW_EINPUT, "a spread of %d axes in a last space of %d", sigma_dim,
                       out);
    PointSet *ps = &seg->sets[set];
    double *s = copy_of(sigma, sizeof(double) * (size_t)ps->n * sigma_dim);
    if (!s) return lw_fail(err, LW_ERUNTIME, "out of memory for %d spreads", ps->n);
    free(ps->sigma);
    ps->sigma = s;
    ps->sigma_dim = sigma_dim;
    ps->sigma_k = k;
    return LW_OK;
}

int segment_set_arrows(Segment *seg, int set, const double *v, int dim, int space, LwError *err)
{
    int in = seg->net.widths[0], out = seg->net.widths[seg->net.n_layers];
    if (set < 0 || set >= seg->n_sets)
        return lw_fail(err, LW_EINPUT, "no point set %d to give arrows", set);
    PointSet *ps = &seg->sets[set];
    int fits = space == ARROWS_INPUT ? dim == in && !ps->fixed
                                     : space == ARROWS_OUTPUT && dim == out && out <= 3;
    if (!fits)
        return lw_fail(err, LW_EINPUT, "arrows of %d axes do not fit a %s set of %d -> %d "
                       "units (%s space)", dim, ps->fixed ? "fixed" : "moving", in, out,
                       space == ARROWS_INPUT ? "input" : "output");
    double *a = copy_of(v, sizeof(double) * (size_t)ps->n * dim);
    if (!a) return lw_fail(err, LW_ERUNTIME, "out of memory for %d arrows", ps->n);
    free(ps->arrow);
    ps->arrow = a;
    ps->arrow_dim = dim;
    ps->arrow_space = space;
    return LW_OK;
}

int segment_set_scores(Segment *seg, const double *W, const double *b, int n_scores,
                       LwError *err)
{
    int d = seg->net.widths[seg->net.n_layers];
    if (n_scores < 1 || n_scores > LW_MAX_CLASSES)
        return lw_fail(err, LW_EINPUT, "%d scores (expected 1 to %d)", n_scores, LW_MAX_CLASSES);
    double *w = copy_of(W, sizeof(double) * n_scores * d), *c = copy_of(b, sizeof(double) * n_scores);
    if (!w || !c) {
        free(w);
        free(c);
        return lw_fail(err, LW_ERUNTIME, "out of memory for the scores");
    }
    free(seg->score_W);
    free(seg->score_b);
    seg->score_W = w;
    seg->score_b = c;
    seg->n_scores = n_scores;
    return LW_OK;
}

int segment_point_count(const Segment *seg)
{
    int n = 0;
    for (int k = 0; k < seg->n_sets; k++) n += seg->sets[k].n;
    return n;
}

int polylines_begin(Polylines *p)
{
    if (p->n_lines + 2 > p->cap_lines) {
        int cap = p->cap_lines ? p->cap_lines * 2 : 64;
        int *s = realloc(p->start, (size_t)(cap + 1) * sizeof *s);
        if (!s) return -1;
        p->start = s;
        p->cap_lines = cap;
    }
    p->start[p->n_lines] = p->n;
    p->n_lines++;
    p->start[p->n_lines] = p->n;
    return 0;
}

int polylines_add(Polylines *p, double x, double y, double z)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 1024;
        double *nx = realloc(p->x, (size_t)cap * 3 * sizeof *nx);
        if (!nx) return -1;
        p->x = nx;
        p->cap = cap;
    }
    p->x[3 * p->n] = x;
    p->x[3 * p->n + 1] = y;
    p->x[3 * p->n + 2] = z;
    p->n++;
    p->start[p->n_lines] = p->n;
    return 0;
}

void polylines_free(Polylines *p)
{
    if (!p) return;
    free(p->start);
    free(p->x);
    memset(p, 0, sizeof *p);
}
