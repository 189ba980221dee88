/* geom_boundary.c — where the regions of a segment's scores meet, in every
 * space the layers pass through: the zero level set of the score margin,
 * traced by marching squares over a box of the space and refined by
 * bisection on the network itself; in a 1-D space, the thresholds; in a
 * 3-D last space, the plane of the one score.  The lines are traced once per
 * render, over the part of each space the camera shows, so the boundary
 * runs across the whole frame, not only the warped input box.
 *
 * Owns: the SpaceLines of a Geometry (freed by geom_free). */
#include "geom.h"
#include "parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDARY_GRID 241    /* marching-squares resolution per side, once per space */
#define FRAME_GRID 97        /* the same for each frame's own tracing (bisection makes it exact) */
#define MORPH_GRID 61        /* a training morph's, in every frame of it (bisection again) */
#define W LW_MAX_WIDTH

/* ---- the decision boundary by marching squares --------------------------- */

/* Where the scores are read: the plan, and the stage at whose start the
 * space's coordinates are states. */
typedef struct {
    const StagePlan *plan;
    int from;
    int cls;
    /* moving: points are where stage `from` has them at time t, not yet
     * states at its start */
    int moving;
    double t;
    /* a morph's shown space: points are states of that layer, scored by
     * the network of the moment from there on */
    int morph_space;
    const MorphNet *morph;   /* a morph's network of the moment, or NULL */
    int threads;             /* threads the grid and the crossings may use (0 or 1: this
                                one; a frame's own tracing already runs on a worker) */
} Level;

/* f(x) whose zero level set is where class `c` stops winning (one score:
 * the score itself, zero where p = 0.5); *rival (may be NULL) gets the best
 * other class. */
static double decision_value_rival(const Level *lv, const double *x2, int c, int *rival)
{
    double x[LW_MAX_WIDTH] = {0}, z[LW_MAX_CLASSES];
    x[0] = x2[0];
    x[1] = x2[1];
    if (lv->moving) {
        double y[2] = {x[0], x[1]};
        stage_invert(lv->plan, lv->from, lv->t, y, x);
    }
    if (lv->morph)
        stage_morph_net_scores(lv->morph, x, lv->morph_space, z);
    else
        stage_scores_at(lv->plan, lv->from, lv->t, x, z);
    int n = lv->plan->n_scores;
    if (n == 1)
        return z[0];
    double other = -INFINITY;
    for (int k = 0; k < n; k++)
        if (k != c && z[k] > other) {
            other = z[k];
            if (rival) *rival = k;
        }
    return z[c] - other;
}

static double decision_value(const Level *lv, const double *x, int c)
{
    return decision_value_rival(lv, x, c, NULL);
}

/* Edge ids: horizontal edge (i,j)-(i+1,j) = j*G+i; vertical (i,j)-(i,j+1) =
 * G*G + j*G + i.  A segment joins two edge crossings. */
typedef struct { int a, b; } Seg;

/* The two grid points edge `edge` joins. */
static void edge_ends(int G, const double *reg, int edge, double p[2], double q[2])
{
    int vert = edge >= G * G, id = edge % (G * G);
    int i = id % G, j = id / G;
    int i2 = vert ? i : i + 1, j2 = vert ? j + 1 : j;
    double dx = (reg[1] - reg[0]) / (G - 1), dy = (reg[3] - reg[2]) / (G - 1);
    p[0] = reg[0] + i * dx;
    p[1] = reg[2] + j * dy;
    q[0] = reg[0] + i2 * dx;
    q[1] = reg[2] + j2 * dy;
}

/* Where f crosses zero on edge `edge`, as a share of the way from its
 * first end: bisection on the network itself, so the boundary is exact to
 * 1e-12 of a cell, not a linear guess whose error the later layers would
 * magnify into visible zigzags. */
static double crossing(const double *f, int G, const double *reg, int edge, const Level *lv)
{
    double p[2], q[2];
    edge_ends(G, reg, edge, p, q);
    int id = edge % (G * G);
    double lo = 0, hi = 1, flo = f[id];
    for (int it = 0; it < 40; it++) {
        double mid = 0.5 * (lo + hi);
        double x[2] = {p[0] + mid * (q[0] - p[0]), p[1] + mid * (q[1] - p[1])};
        double fm = decision_value(lv, x, lv->cls);
        if ((fm >= 0) == (flo >= 0)) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Appends edge `edge`'s crossing, at share a of the way along it. */
static int add_crossing(Polylines *b, int G, const double *reg, int edge, double a)
{
    double p[2], q[2];
    edge_ends(G, reg, edge, p, q);
    return polylines_add(b, p[0] + a * (q[0] - p[0]), p[1] + a * (q[1] - p[1]), 0.0);
}

typedef struct {
    const double *f;
    int G;
    const double *reg;
    const Level *lv;
    const int *edges;
    double *at;      /* (2 G G) each listed edge's crossing */
} Crossings;

static void crossings_range(void *ctx, int lo, int hi)
{
    Crossings *c = ctx;
    for (int k = lo; k < hi; k++)
        c->at[c->edges[k]] = crossing(c->f, c->G, c->reg, c->edges[k], c->lv);
}

/* keep: (G-1)^2 cells, or NULL for all. */
static int contour(Polylines *b, const double *f, const unsigned char *keep, int G,
                   const double *reg, const Level *lv)
{
    int n_edges = 2 * G * G, n_seg = 0;
    Seg *seg = malloc((size_t)2 * (G - 1) * (G - 1) * sizeof *seg);
    int *first = malloc((size_t)n_edges * sizeof *first), *second = malloc((size_t)n_edges * sizeof *second);
    char *used = NULL;
    double *at = NULL;   /* (n_edges) the crossing on each edge a chain passes */
    int *listed = NULL;
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
    at = malloc((size_t)n_edges * sizeof *at);
    listed = malloc((size_t)n_edges * sizeof *listed);
    if (!used || !at || !listed) goto done;
    /* every crossing the chains pass, worked out first (over threads) */
    int n_listed = 0;
    for (int e = 0; e < n_edges; e++)
        if (first[e] >= 0) listed[n_listed++] = e;
    Crossings cr = {f, G, reg, lv, listed, at};
    parallel_for(n_listed, lv->threads, crossings_range, &cr);
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
            if (add_crossing(b, G, reg, ent, at[ent])) goto done;
            used[cur] = 1;
            int exit_edge = seg[cur].a == ent ? seg[cur].b : seg[cur].a;
            int nxt = first[exit_edge] == cur ? second[exit_edge] : first[exit_edge];
            if (nxt < 0 || used[nxt]) {
                if (add_crossing(b, G, reg, exit_edge, at[exit_edge])) goto done; /* the chain's end */
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
    free(at);
    free(listed);
    return rc;
}

typedef struct {
    const Level *lv;
    const double *reg;
    int G, c;
    double *f;
    int *rival;
} GridRows;

/* Rows lo .. hi - 1 of class c's decision values on the G x G grid. */
static void grid_rows(void *ctx, int lo, int hi)
{
    GridRows *g = ctx;
    const double *reg = g->reg;
    int G = g->G, c = g->c;
    for (int j = lo; j < hi; j++)
        for (int i = 0; i < G; i++) {
            double x[2] = {reg[0] + (reg[1] - reg[0]) * i / (G - 1),
                           reg[2] + (reg[3] - reg[2]) * j / (G - 1)};
            g->rival[j * G + i] = c + 1;
            double v = decision_value_rival(g->lv, x, c, &g->rival[j * G + i]);
            g->f[j * G + i] = v == 0.0 ? 1e-300 : v; /* no exact zeros */
        }
}

static int trace_level(Polylines *b, Level lv, const double *reg, int G)
{
    const StagePlan *plan = lv.plan;
    double *f = malloc((size_t)G * G * sizeof *f);
    int *rival = malloc((size_t)G * G * sizeof *rival);
    unsigned char *keep = malloc((size_t)(G - 1) * (G - 1));
    if (!f || !rival || !keep) {
        free(f);
        free(rival);
        free(keep);
        return -1;
    }
    int classes = plan->n_scores;
    int rc = 0;
    for (int c = 0; c < classes && rc == 0; c++) {
        GridRows rows = {&lv, reg, G, c, f, rival};
        parallel_for(G, lv.threads, grid_rows, &rows);
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
        lv.cls = c;
        rc = contour(b, f, keep, G, reg, &lv);
    }
    free(f);
    free(rival);
    free(keep);
    return rc;
}

static int trace_boundary(Polylines *b, const StagePlan *plan, int from, const double *reg,
                          int threads)
{
    Level lv = {plan, from, 0, 0, 0.0, 0, NULL, threads};
    return trace_level(b, lv, reg, BOUNDARY_GRID);
}

int geom_frame_scores(const Geometry *g, int stage, double t, const View *view, Polylines *out)
{
    const StagePlan *plan = g->plan;
    int flat = view_is_flat(view);
    int done = plan->stages[stage].kind == STAGE_ACTIVATION && t >= 1.0;
    out->n = out->n_lines = 0;
    if (!plan->n_scores || !g->n_space || !flat || done || !stage_invertible(plan, stage))
        return 0;
    double box[4];
    camera_visible_box(view, 1.05, box);
    Level lv = {plan, stage, 0, 1, t, 0, NULL, 1};
    return trace_level(out, lv, box, FRAME_GRID) ? -1 : 1;
}

int geom_morph_scores_with(const Geometry *g, int stage, double t, const View *view,
                           const MorphNet *net, Polylines *out)
{
    const StagePlan *plan = g->plan;
    out->n = out->n_lines = 0;
    if (!plan->morph.on || !plan->n_scores || !g->seg->show_scores)
        return 0;
    if (plan->widths[1] == 2 && view_is_flat(view)) {
        /* a plane seen straight down: where the scores meet across all of it */
        double box[4];
        camera_visible_box(view, 1.05, box);
        Level lv = {plan, stage, 0, 0, t, 1, net, 1};
        return trace_level(out, lv, box, MORPH_GRID) ? -1 : 2;
    }
    if (plan->widths[0] != 2) return 0;
    Level lv = {plan, stage, 0, 0, t, 0, net, 1};
    return trace_level(out, lv, g->seg->region, MORPH_GRID) ? -1 : 1;
}

int geom_morph_scores(const Geometry *g, int stage, double t, const View *view, Polylines *out)
{
    MorphNet *net = malloc(sizeof *net); /* the moment's weights, worked out once */
    if (!net) return -1;
    stage_morph_net(&g->plan->morph, stage_morph_u(stage, t), net);
    int rc = geom_morph_scores_with(g, stage, t, view, net, out);
    free(net);
    return rc;
}

/* ---- thresholds and the plane ------------------------------------------- */

#define THRESHOLD_SAMPLES 2001

/* A 1-D space: where the one score changes sign along [lo, hi], each as a
 * line of one sample (drawn as a mark). */
static int trace_thresholds(LineSet *ls, const StagePlan *plan, int from, double lo, double hi)
{
    Level lv = {plan, from, 0, 0, 0.0, 0, NULL, 1};
    double prev = 0, xp = lo;
    for (int i = 0; i < THRESHOLD_SAMPLES; i++) {
        double x = lo + (hi - lo) * i / (THRESHOLD_SAMPLES - 1), p[2] = {x, 0};
        double f = decision_value(&lv, p, 0);
        if (i > 0 && (f >= 0) != (prev >= 0)) {
            double a = xp, b = x;
            for (int it = 0; it < 60; it++) {
                double m[2] = {0.5 * (a + b), 0};
                if ((decision_value(&lv, m, 0) >= 0) == (prev >= 0)) a = m[0]; else b = m[0];
            }
            if (geom_lines_begin(ls, LINE_MARK) || polylines_add(&ls->p, 0.5 * (a + b), 0, 0))
                return -1;
        }
        prev = f;
        xp = x;
    }
    return 0;
}

/* A 3-D last space with one score: the plane w.x + b = 0 cut by the box
 * (xmin, xmax, ymin, ymax, zmin, zmax), as one closed line. */
static int trace_plane(LineSet *ls, const StagePlan *plan, const double *box)
{
    int d = plan->widths[plan->n_hidden];
    const double *w = plan->score_W, b = plan->score_b[0];
    double pts[12][3], cx = 0, cy = 0, cz = 0;
    int n = 0;
    for (int axis = 0; axis < 3 && d == 3; axis++) /* the 12 edges of the box */
        for (int k = 0; k < 4; k++) {
            int u = (axis + 1) % 3, v = (axis + 2) % 3;
            double p[3];
            p[u] = box[2 * u + (k & 1)];
            p[v] = box[2 * v + (k >> 1)];
            if (fabs(w[axis]) < 1e-12) continue;
            p[axis] = -(b + w[u] * p[u] + w[v] * p[v]) / w[axis];
            if (p[axis] < box[2 * axis] || p[axis] > box[2 * axis + 1]) continue;
            memcpy(pts[n++], p, sizeof p);
        }
    if (n < 3) return 0; /* the plane misses the box */
    for (int i = 0; i < n; i++) {
        cx += pts[i][0] / n;
        cy += pts[i][1] / n;
        cz += pts[i][2] / n;
    }
    /* order the corners by angle about the centre, in the plane */
    double e1[3] = {pts[0][0] - cx, pts[0][1] - cy, pts[0][2] - cz}, e2[3];
    e2[0] = w[1] * e1[2] - w[2] * e1[1];
    e2[1] = w[2] * e1[0] - w[0] * e1[2];
    e2[2] = w[0] * e1[1] - w[1] * e1[0];
    double ang[12];
    int order[12];
    for (int i = 0; i < n; i++) {
        double q[3] = {pts[i][0] - cx, pts[i][1] - cy, pts[i][2] - cz};
        ang[i] = atan2(q[0] * e2[0] + q[1] * e2[1] + q[2] * e2[2],
                       q[0] * e1[0] + q[1] * e1[1] + q[2] * e1[2]);
        order[i] = i;
    }
    for (int i = 1; i < n; i++) /* a handful of corners: insertion sort */
        for (int j = i; j > 0 && ang[order[j]] < ang[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    if (geom_lines_begin(ls, LINE_PLANE)) return -1;
    for (int i = 0; i <= n; i++) {
        const double *p = pts[order[i % n]];
        for (int s = 0; s < 8; s++) { /* sampled edges, so later maps may bend them */
            if (i == n && s > 0) break;
            const double *q = pts[order[(i + 1) % n]];
            double a = s / 8.0;
            if (polylines_add(&ls->p, p[0] + a * (q[0] - p[0]), p[1] + a * (q[1] - p[1]),
                              p[2] + a * (q[2] - p[2])))
                return -1;
        }
    }
    return 0;
}

/* ---- the lines of each space ------------------------------------------- */

/* The states of a space's samples at the starts of every stage from its
 * own on: its lines move with the later layers too, where a space of their
 * own has none (wider than 2, or 3-D). */
static int space_states(Geometry *g, SpaceLines *sl)
{
    const StagePlan *plan = g->plan;
    int n = sl->lines.p.n, stages = plan->n_stages - sl->base;
    if (stages <= 0 || n == 0) return 0; /* the last space: shown as it is */
    if (geom_states_alloc(&sl->state, plan, sl->base, stages, n)) return -1;
    for (int i = 0; i < n; i++) {
        double st[W] = {0};
        memcpy(st, sl->lines.p.x + 3 * i, 3 * sizeof(double));
        for (int k = 0; k < stages; k++) {
            geom_states_put(&sl->state, k, i, st);
            stage_end(plan, sl->base + k, st, st);
        }
    }
    return 0;
}

/* The box of the points in space l (the start of stage 3 l), padded. */
static void points_box(const Geometry *g, int l, double box[6])
{
    for (int a = 0; a < 3; a++) {
        box[2 * a] = INFINITY;
        box[2 * a + 1] = -INFINITY;
    }
    int s = STAGE_KIND_COUNT * l - 1;
    for (int i = 0; i < g->n_points; i++) {
        if (g->point_fixed[i]) continue;
        double st[W], start[W];
        stage_end(g->plan, s, geom_states_get(&g->point_state, s, i, start), st);
        for (int a = 0; a < 3; a++) {
            box[2 * a] = fmin(box[2 * a], st[a]);
            box[2 * a + 1] = fmax(box[2 * a + 1], st[a]);
        }
    }
    for (int a = 0; a < 3; a++) {
        double c = 0.5 * (box[2 * a] + box[2 * a + 1]), h = 0.65 * (box[2 * a + 1] - box[2 * a]);
        box[2 * a] = c - h;
        box[2 * a + 1] = c + h;
    }
}

int geom_trace_scores(Geometry *g, int l, const double box[4], LwError *err)
{
    const StagePlan *plan = g->plan;
    if (!plan->n_scores || l < 0 || l > plan->n_hidden || l > LW_MAX_LAYERS || plan->morph.on)
        return LW_OK; /* a morph traces its boundary in each frame */
    SpaceLines *sl = &g->space[l];
    sl->base = STAGE_KIND_COUNT * l;
    if (l + 1 > g->n_space) g->n_space = l + 1; /* freed by geom_free whatever happens */
    int d = plan->widths[l], rc = 0;
    if (d == 2)
        rc = trace_boundary(&sl->lines.p, plan, sl->base, box, g->cfg.threads) ||
             geom_lines_kind_all(&sl->lines, LINE_OVERLAY);
    else if (d == 1)
        rc = trace_thresholds(&sl->lines, plan, sl->base, box[0], box[1]);
    else if (d == 3 && l == plan->n_hidden && l > 0 && plan->n_scores == 1) {
        double b6[6];
        /* the points' states at the last stage's start */
        if ((rc = geom_prepare(g, STAGE_KIND_COUNT * l - 1, err))) return rc;
        points_box(g, l, b6);
        rc = trace_plane(&sl->lines, plan, b6);
    }
    if (!rc) rc = space_states(g, sl);
    if (rc) return lw_fail(err, LW_ERUNTIME, "out of memory tracing the boundary in layer %d", l);
    return LW_OK;
}
