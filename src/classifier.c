/* classifier.c — a trained classifier shown as a segment: its hidden
 * layers warp a box around the data, the data ride along coloured by class,
 * and the readout contributes what only a classifier has: the decision
 * boundary (traced in input space, then carried through the layers like any
 * other line) and the shading of the plane by predicted class.
 *
 * Owns nothing beyond a call: what it builds belongs to the Show. */
#include "classifier.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDARY_GRID 161    /* marching-squares resolution per side */
#define SHADE_CELLS 48       /* background shading mesh, cells per side */

/* ---- the decision boundary by marching squares --------------------------- */

/* f(x) whose zero level set is where class `c` stops winning (two classes:
 * the logit, zero where p = 0.5); *rival (may be NULL) gets the best other
 * class. */
static double decision_value_rival(const Mlp *net, const double *x, int c, int *rival);

static double decision_value(const Mlp *net, const double *x, int c)
{
    return decision_value_rival(net, x, c, NULL);
}

static double decision_value_rival(const Mlp *net, const double *x, int c, int *rival)
{
    double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    mlp_forward_point(net, x, h);
    const double *hl = h + net->n_layers * LW_MAX_WIDTH;
    int in = net->widths[net->n_layers];
    double logit[LW_MAX_CLASSES];
    for (int k = 0; k < net->n_out; k++) {
        double s = net->bout[k];
        for (int j = 0; j < in; j++)
            s += net->Wout[k * in + j] * hl[j];
        logit[k] = s;
    }
    if (net->n_out == 1)
        return logit[0];
    double other = -INFINITY;
    for (int k = 0; k < net->n_out; k++)
        if (k != c && logit[k] > other) {
            other = logit[k];
            if (rival) *rival = k;
        }
    return logit[c] - other;
}

/* Edge ids: horizontal edge (i,j)-(i+1,j) = j*G+i; vertical (i,j)-(i,j+1) =
 * G*G + j*G + i.  A segment joins two edge crossings. */
typedef struct { int a, b; } Seg;

typedef struct {
    const Mlp *net;
    int cls;
} Level;

/* Appends where f crosses zero on edge `edge`: bisection on the network
 * itself, so the boundary is exact to 1e-12 of a cell, not a linear guess
 * whose error the later layers would magnify into visible zigzags. */
static int add_crossing(Polylines *b, const double *f, int G, const double *reg, int edge,
                        const Level *lv)
{
    int vert = edge >= G * G, id = edge % (G * G);
    int i = id % G, j = id / G;
    int i2 = vert ? i : i + 1, j2 = vert ? j + 1 : j;
    double dx = (reg[1] - reg[0]) / (G - 1), dy = (reg[3] - reg[2]) / (G - 1);
    double p[2] = {reg[0] + i * dx, reg[2] + j * dy}, q[2] = {reg[0] + i2 * dx, reg[2] + j2 * dy};
    double lo = 0, hi = 1, flo = f[j * G + i];
    for (int it = 0; it < 40; it++) {
        double mid = 0.5 * (lo + hi);
        double x[2] = {p[0] + mid * (q[0] - p[0]), p[1] + mid * (q[1] - p[1])};
        double fm = decision_value(lv->net, x, lv->cls);
        if ((fm >= 0) == (flo >= 0)) lo = mid; else hi = mid;
    }
    double a = 0.5 * (lo + hi);
    return polylines_add(b, p[0] + a * (q[0] - p[0]), p[1] + a * (q[1] - p[1]), 0.0);
}

/* keep: (G-1)^2 cells, or NULL for all. */
static int contour(Polylines *b, const double *f, const unsigned char *keep, int G,
                   const double *reg, const Level *lv)
{
    int n_edges = 2 * G * G, n_seg = 0;
    Seg *seg = malloc((size_t)2 * (G - 1) * (G - 1) * sizeof *seg);
    int *first = malloc((size_t)n_edges * sizeof *first), *second = malloc((size_t)n_edges * sizeof *second);
    char *used = NULL;
    int rc = -1;
    if (!seg || !first || !second) goto done;
    for (int e = 0; e < n_edges; e++) first[e] = second[e] = -1;
    for (int j = 0; j + 1 < G; j++)
        for (int i = 0; i + 1 < G; i++) {
            if (keep && !keep[j * (G - 1) + i]) continue;
            double v[4] = {f[j * G + i], f[j * G + i + 1], f[(j + 1) * G + i + 1], f[(j + 1) * G + i]};
            int e[4] = {j * G + i, G * G + j * G + i + 1, (j + 1) * G + i, G * G + j * G + i};
            int cross[4], nc = 0;
            for (int k = 0; k < 4; k++)
                if ((v[k] >= 0) != (v[(k + 1) % 4] >= 0))
                    cross[nc++] = k;
            if (nc == 2) {
                seg[n_seg++] = (Seg){e[cross[0]], e[cross[1]]};
            } else if (nc == 4) { /* saddle: decide by the centre */
                double centre = (v[0] + v[1] + v[2] + v[3]) / 4;
                int join01 = (centre >= 0) == (v[0] >= 0);
                /* centre on v0's side: v0 and v2 connect, cut off v1 and v3 */
                if (join01) {
                    seg[n_seg++] = (Seg){e[0], e[1]};
                    seg[n_seg++] = (Seg){e[2], e[3]};
                } else {
                    seg[n_seg++] = (Seg){e[3], e[0]};
                    seg[n_seg++] = (Seg){e[1], e[2]};
                }
            }
        }
    for (int s = 0; s < n_seg; s++)
        for (int k = 0; k < 2; k++) {
            int e = k ? seg[s].b : seg[s].a;
            if (first[e] < 0) first[e] = s; else second[e] = s;
        }
    used = calloc(n_seg ? n_seg : 1, 1);
    if (!used) goto done;
    for (int s0 = 0; s0 < n_seg; s0++) {
        if (used[s0]) continue;
        /* Walk back to an end of the chain (or around a loop) first. */
        int s = s0, e = seg[s0].a;
        for (int guard = 0; guard < n_seg; guard++) {
            int o = first[e] == s ? second[e] : first[e];
            if (o < 0 || o == s0) break;
            s = o;
            e = seg[s].a == e ? seg[s].b : seg[s].a;
        }
        int cur = s;
        int ent = e;
        if (polylines_begin(b)) goto done;
        for (;;) {
            if (add_crossing(b, f, G, reg, ent, lv)) goto done;
            used[cur] = 1;
            int exit_edge = seg[cur].a == ent ? seg[cur].b : seg[cur].a;
            int nxt = first[exit_edge] == cur ? second[exit_edge] : first[exit_edge];
            if (nxt < 0 || used[nxt]) {
                if (add_crossing(b, f, G, reg, exit_edge, lv)) goto done; /* the chain's end */
                break;
            }
            cur = nxt;
            ent = exit_edge;
        }
    }
    rc = 0;
done:
    free(seg);
    free(first);
    free(second);
    free(used);
    return rc;
}

static int trace_boundary(Polylines *b, const Mlp *net, const double *reg)
{
    int G = BOUNDARY_GRID;
    double *f = malloc((size_t)G * G * sizeof *f);
    int *rival = malloc((size_t)G * G * sizeof *rival);
    unsigned char *keep = malloc((size_t)(G - 1) * (G - 1));
    if (!f || !rival || !keep) {
        free(f);
        free(rival);
        free(keep);
        return -1;
    }
    int classes = net->n_out == 1 ? 1 : net->n_out;
    int rc = 0;
    for (int c = 0; c < classes && rc == 0; c++) {
        for (int j = 0; j < G; j++)
            for (int i = 0; i < G; i++) {
                double x[2] = {reg[0] + (reg[1] - reg[0]) * i / (G - 1),
                               reg[2] + (reg[3] - reg[2]) * j / (G - 1)};
                rival[j * G + i] = c + 1;
                double v = decision_value_rival(net, x, c, &rival[j * G + i]);
                f[j * G + i] = v == 0.0 ? 1e-300 : v; /* no exact zeros */
            }
        /* The boundary between classes a < b is where a stops winning and
         * also where b does: trace it once, from a's side (rival > c). */
        for (int j = 0; j + 1 < G; j++)
            for (int i = 0; i + 1 < G; i++) {
                int mine = 0;
                for (int k = 0; k < 4; k++) {
                    int at = (j + k / 2) * G + i + k % 2;
                    mine |= rival[at] > c;
                }
                keep[j * (G - 1) + i] = (unsigned char)(classes == 1 || mine);
            }
        Level lv = {net, c};
        rc = contour(b, f, keep, G, reg, &lv);
    }
    free(f);
    free(rival);
    free(keep);
    return rc;
}

/* ---- the region, the shading and the segment --------------------------- */

/* The data's box, padded by an eighth and rounded out to quarter units. */
static void default_region(const Dataset *ds, double reg[6])
{
    double b[6];
    dataset_bounds(ds, b);
    double pad = 0.12 * fmax(b[1] - b[0], fmax(b[3] - b[2], b[5] - b[4]));
    const double step = 0.25;
    for (int a = 0; a < 3; a++) {
        reg[2 * a] = a < ds->dim ? floor((b[2 * a] - pad) / step) * step : 0;
        reg[2 * a + 1] = a < ds->dim ? ceil((b[2 * a + 1] + pad) / step) * step : 0;
    }
}

static int shade_classes(Segment *seg, const Mlp *net)
{
    int S = SHADE_CELLS;
    const double *reg = seg->region;
    seg->shade_class = malloc(sizeof(int) * S * S);
    if (!seg->shade_class) return -1;
    for (int j = 0; j < S; j++)
        for (int i = 0; i < S; i++) {
            double x[2] = {reg[0] + (reg[1] - reg[0]) * (i + 0.5) / S,
                           reg[2] + (reg[3] - reg[2]) * (j + 0.5) / S};
            seg->shade_class[j * S + i] = mlp_classify_point(net, x);
        }
    seg->shade_cells = S;
    return 0;
}

static void make_title(const Mlp *net, const char *name, double accuracy, char *out, size_t n)
{
    char widths[96] = "";
    for (int i = 0; i <= net->n_layers; i++) {
        size_t len = strlen(widths);
        snprintf(widths + len, sizeof widths - len, i ? "-%d" : "%d", net->widths[i]);
    }
    if (accuracy >= 0)
        snprintf(out, n, "%s  %s  accuracy %.1f%%", name, widths, 100 * accuracy);
    else
        snprintf(out, n, "%s  %s", name, widths);
}

int classifier_segment(const Mlp *net, const Dataset *ds, const ClassifierView *v, Show *show,
                       LwError *err)
{
    Segment *seg;
    int rc = show_add_segment(show, &seg, err);
    if (rc) return rc;
    LayerStack stack = mlp_layers(net);
    rc = segment_set_layers(seg, &stack, err);
    if (!rc)
        rc = segment_add_points(seg, ds->x, ds->label, ds->n, ds->dim, ds->curve_start,
                                ds->n_curves, v->curves, 0, err);
    if (rc) return rc;
    default_region(ds, seg->region);
    if (v->has_region && ds->dim == 2)
        memcpy(seg->region, v->region, 4 * sizeof(double));
    seg->n_classes = ds->classes;
    double accuracy = net->has_readout ? mlp_accuracy(net, ds->x, ds->label, ds->n) : -1;
    make_title(net, v->name, accuracy, seg->title, sizeof seg->title);
    /* the decision boundary and shading are drawn for 2-D inputs */
    int readout = net->has_readout && ds->dim == 2;
    if (readout && v->show_boundary && trace_boundary(&seg->lines, net, seg->region) != 0)
        return lw_fail(err, LW_ERUNTIME, "out of memory tracing the decision boundary");
    if (readout && v->show_shade && shade_classes(seg, net) != 0)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the background shading");
    return LW_OK;
}
