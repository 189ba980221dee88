/* geom.c — lines in input space, their stage states, and one frame's
 * geometry in pixels (see geom.h).
 *
 * Owns: the LineSet and state caches of a Geometry; a FrameGeom's buffers.
 * Nothing here draws: the output is coordinates for draw.c. */
#include "geom.h"

#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W LW_MAX_WIDTH
#define MAX_DEPTH 6          /* a base segment splits into at most 64 */
#define BEND_TOLERANCE 0.2   /* pixels off the chord before we split */
#define MAX_CHORD 18.0       /* pixels: longer chords are split to catch bends */
#define BOUNDARY_GRID 161    /* marching-squares resolution per side */
#define GEOM_STATE_LIMIT (2.0 * (1 << 30)) /* bytes of cached stage states */
#define SHADE_CELLS 48        /* background shading mesh, cells per side */
#define SIMPLIFY_TOLERANCE 0.05 /* pixels: points this close to a chord add nothing */
#define SIMPLIFY_RUN 64      /* longest run of points merged into one chord */

/* ---- building lines ------------------------------------------------------ */

typedef struct {
    int n_lines, cap_lines, n, cap;
    LineKind *kind;
    int *label, *start;
    double *x;
} LineBuilder;

/* Grows the per-line arrays of a line set to `cap` lines (start has one
 * more entry); on failure the old arrays stay valid and owned by the caller. */
static int grow_line_arrays(LineKind **kind, int **label, int **start, int cap)
{
    LineKind *k = realloc(*kind, cap * sizeof *k);
    if (!k) return -1;
    *kind = k;
    int *l = realloc(*label, cap * sizeof *l);
    if (!l) return -1;
    *label = l;
    int *s = realloc(*start, (cap + 1) * sizeof *s);
    if (!s) return -1;
    *start = s;
    return 0;
}

static int lb_begin(LineBuilder *b, LineKind kind)
{
    if (b->n_lines + 2 > b->cap_lines) {
        int cap = b->cap_lines ? b->cap_lines * 2 : 64;
        if (grow_line_arrays(&b->kind, &b->label, &b->start, cap)) return -1;
        b->cap_lines = cap;
    }
    b->kind[b->n_lines] = kind;
    b->label[b->n_lines] = -1;
    b->start[b->n_lines] = b->n;
    b->n_lines++;
    b->start[b->n_lines] = b->n;
    return 0;
}

/* Samples are stored with three coordinates whatever the input dimension
 * (unused ones zero), so every consumer can read them the same way. */
static int lb_add3(LineBuilder *b, double x, double y, double z)
{
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 1024;
        double *nx = realloc(b->x, (size_t)cap * 3 * sizeof *nx);
        if (!nx) return -1;
        b->x = nx;
        b->cap = cap;
    }
    b->x[3 * b->n] = x;
    b->x[3 * b->n + 1] = y;
    b->x[3 * b->n + 2] = z;
    b->n++;
    b->start[b->n_lines] = b->n;
    return 0;
}

static int lb_add(LineBuilder *b, double x, double y)
{
    return lb_add3(b, x, y, 0.0);
}

/* A straight line from p to q (3-D) in `samples` samples. */
static int lb_line3(LineBuilder *b, LineKind kind, const double *p, const double *q, int samples)
{
    if (lb_begin(b, kind)) return -1;
    for (int i = 0; i < samples; i++) {
        double s = (double)i / (samples - 1);
        if (lb_add3(b, p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1]), p[2] + s * (q[2] - p[2])))
            return -1;
    }
    return 0;
}

/* 3-D input: lines parallel to each axis through a lattice of the other two,
 * and the cube's twelve edges as the domain outline. */
static int add_grid3(LineBuilder *b, const double *reg, int lines, int samples, int grid,
                     int domain)
{
    int n = lines < 3 ? lines : 3; /* more lines clutter a 3-D view */
    for (int axis = 0; grid && axis < 3; axis++) {
        int u = (axis + 1) % 3, v = (axis + 2) % 3;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                int edge = (i == 0 || i == n - 1) && (j == 0 || j == n - 1);
                if (edge && domain) continue; /* drawn bold below */
                double p[3], q[3];
                p[u] = q[u] = reg[2 * u] + (reg[2 * u + 1] - reg[2 * u]) * i / (n - 1);
                p[v] = q[v] = reg[2 * v] + (reg[2 * v + 1] - reg[2 * v]) * j / (n - 1);
                p[axis] = reg[2 * axis];
                q[axis] = reg[2 * axis + 1];
                if (lb_line3(b, LINE_GRID, p, q, samples)) return -1;
            }
    }
    if (!domain) return 0;
    for (int axis = 0; axis < 3; axis++) {
        int u = (axis + 1) % 3, v = (axis + 2) % 3;
        for (int k = 0; k < 4; k++) {
            double p[3], q[3];
            p[u] = q[u] = reg[2 * u + (k & 1)];
            p[v] = q[v] = reg[2 * v + (k >> 1)];
            p[axis] = reg[2 * axis];
            q[axis] = reg[2 * axis + 1];
            if (lb_line3(b, LINE_DOMAIN, p, q, samples)) return -1;
        }
    }
    return 0;
}

static int lb_segment(LineBuilder *b, LineKind kind, double x0, double y0, double x1,
                      double y1, int samples)
{
    if (lb_begin(b, kind)) return -1;
    for (int i = 0; i < samples; i++) {
        double s = (double)i / (samples - 1);
        if (lb_add(b, x0 + s * (x1 - x0), y0 + s * (y1 - y0))) return -1;
    }
    return 0;
}

static int add_grid(LineBuilder *b, const double *reg, int lines, int samples, int grid,
                    int domain)
{
    for (int i = 0; grid && i < lines; i++) {
        double s = (double)i / (lines - 1);
        double x = reg[0] + s * (reg[1] - reg[0]);
        if (lb_segment(b, LINE_GRID, x, reg[2], x, reg[3], samples)) return -1;
    }
    for (int i = 0; grid && i < lines; i++) {
        double s = (double)i / (lines - 1);
        double y = reg[2] + s * (reg[3] - reg[2]);
        if (lb_segment(b, LINE_GRID, reg[0], y, reg[1], y, samples)) return -1;
    }
    if (!domain)
        return 0;
    /* The outline of the input domain, one closed line drawn bold. */
    const double c[5][2] = {{reg[0], reg[2]}, {reg[1], reg[2]}, {reg[1], reg[3]},
                            {reg[0], reg[3]}, {reg[0], reg[2]}};
    if (lb_begin(b, LINE_DOMAIN)) return -1;
    for (int side = 0; side < 4; side++)
        for (int i = side ? 1 : 0; i < samples; i++) {
            double s = (double)i / (samples - 1);
            if (lb_add(b, c[side][0] + s * (c[side + 1][0] - c[side][0]),
                       c[side][1] + s * (c[side + 1][1] - c[side][1])))
                return -1;
        }
    return 0;
}

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
    double h[(LW_MAX_LAYERS + 1) * W];
    mlp_forward_point(net, x, h);
    const double *hl = h + net->n_layers * W;
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
static int add_crossing(LineBuilder *b, const double *f, int G, const double *reg, int edge,
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
    return lb_add(b, p[0] + a * (q[0] - p[0]), p[1] + a * (q[1] - p[1]));
}

/* keep: (G-1)^2 cells, or NULL for all. */
static int contour(LineBuilder *b, const double *f, const unsigned char *keep, int G,
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
        if (lb_begin(b, LINE_BOUNDARY)) goto done;
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

static int add_boundary(LineBuilder *b, const Mlp *net, const double *reg)
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

/* ---- projections for layers wider than 3 ---------------------------------- */

/* Principal axes of a layer's data over its four states (input, after W,
 * after b, after the activation), zero-padded to the layer's n dimensions;
 * each axis signed to agree with the layer before (or its largest entry
 * positive), so the view keeps its orientation. */
static void pca_projection(const Geometry *g, int layer, const Projection3 *prev, Projection3 *pr)
{
    int d = pr->n, n = g->data->n, s0 = 3 * layer;
    double mean[W] = {0}, cov[W * W] = {0};
    /* the four stage ends, and one moment early in the linear stage, where a
     * page turn (reflection = turn) swings through the spare axis */
    double (*st)[W] = malloc(sizeof(double) * W * 5);
    for (int pass = 0; pass < 2 && st; pass++)
        for (int i = 0; i < n; i++) {
            memcpy(st[0], g->point_state + ((size_t)s0 * n + i) * W, sizeof st[0]);
            for (int k = 0; k < 3; k++) stage_end(g->plan, s0 + k, st[k], st[k + 1]);
            stage_eval(g->plan, s0, 0.15, st[0], st[4]);
            for (int k = 0; k < 5; k++)
                for (int a = 0; a < d; a++) {
                    if (pass == 0) {
                        mean[a] += st[k][a] / (5.0 * n);
                        continue;
                    }
                    for (int c = 0; c < d; c++)
                        cov[a * d + c] += (st[k][a] - mean[a]) * (st[k][c] - mean[c]);
                }
        }
    free(st);
    gsl_matrix_view cm = gsl_matrix_view_array(cov, d, d);
    gsl_vector *eval = gsl_vector_alloc(d);
    gsl_matrix *evec = gsl_matrix_alloc(d, d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
    memset(pr->B, 0, sizeof pr->B);
    if (eval && evec && ws && gsl_eigen_symmv(&cm.matrix, eval, evec, ws) == 0) {
        gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
        for (int k = 0; k < d; k++) {
            double dot = 0, big = 0;
            for (int a = 0; a < d; a++) {
                double v = gsl_matrix_get(evec, a, k);
                pr->B[k * d + a] = v;
                if (prev && prev->mode == PROJ_BASIS && k < prev->n && a < prev->n)
                    dot += v * prev->B[k * prev->n + a];
                else if (prev && a == k)
                    dot += v;
                if (fabs(v) > fabs(big)) big = v;
            }
            if ((prev && dot < 0) || (!prev && big < 0))
                for (int a = 0; a < d; a++) pr->B[k * d + a] = -pr->B[k * d + a];
        }
    } else {
        for (int k = 0; k < d; k++) pr->B[k * d + k] = 1;
    }
    gsl_vector_free(eval);
    gsl_matrix_free(evec);
    gsl_eigen_symmv_free(ws);
}

#define TOUR_SPEED 0.35 /* radians per second of the slowest turn */

/* Display coordinates of a state under one layer's projection. */
static void project(const Projection3 *pr, const double *st, double seconds, double out[3])
{
    if (pr->mode == PROJ_IDENTITY) {
        out[0] = st[0];
        out[1] = st[1];
        out[2] = st[2];
        return;
    }
    if (pr->mode == PROJ_UNITS) {
        for (int k = 0; k < 3; k++) out[k] = pr->units[k] >= 0 ? st[pr->units[k]] : 0.0;
        return;
    }
    double c[W];
    for (int k = 0; k < pr->n; k++) {
        double s = 0;
        for (int a = 0; a < pr->n; a++) s += pr->B[k * pr->n + a] * st[a];
        c[k] = s;
    }
    if (pr->tour) {
        /* Turn each shown axis k toward hidden axis 3 + (k + j) % (n - 3), at
         * incommensurate speeds, so over time every direction comes into view. */
        static const double speed[3] = {1.0, 1.41421356, 1.73205081};
        int hidden = pr->n - 3;
        for (int k = 0; k < 3 && hidden > 0; k++) {
            int h = 3 + k % hidden;
            double a = TOUR_SPEED * speed[k] * seconds, ca = cos(a), sa = sin(a);
            double x = c[k], y = c[h];
            c[k] = ca * x - sa * y;
            c[h] = sa * x + ca * y;
        }
    }
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
}

/* The linear stage of a layer blends from the previous layer's projection
 * to its own, so a change of projection never makes the picture jump. */
static void to_display(const Geometry *g, int stage, double t, double seconds, const double *st,
                       double out[3])
{
    const Stage *sg = &g->plan->stages[stage];
    int l = sg->layer;
    project(&g->proj[l], st, seconds, out);
    int blend = sg->kind == STAGE_LINEAR && t < 1.0 &&
                (g->proj[l].mode != PROJ_IDENTITY ||
                 (l > 0 && g->proj[l - 1].mode != PROJ_IDENTITY));
    if (!blend) return;
    /* the input is shown as it is: the first layer blends from it too */
    static const Projection3 input_view = {PROJ_IDENTITY, 3, 0, {0}, {0, 1, 2}};
    double prev[3];
    project(l == 0 ? &input_view : &g->proj[l - 1], st, seconds, prev);
    for (int k = 0; k < 3; k++) out[k] = (1 - t) * prev[k] + t * out[k];
}

/* ---- build and free ------------------------------------------------------- */

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

/* x: (n, stride) input points, of which the first dim coordinates count. */
static int fill_states(double *cache, const StagePlan *plan, int n_stages, int n,
                       const double *x, int stride, int dim)
{
    for (int i = 0; i < n; i++) {
        double st[W] = {0};
        for (int a = 0; a < dim; a++)
            st[a] = x[(size_t)stride * i + a];
        for (int s = 0; s < n_stages; s++) {
            memcpy(cache + ((size_t)s * n + i) * W, st, sizeof st);
            stage_end(plan, s, st, st);
        }
    }
    return 0;
}

static int build_shade(Geometry *g, const Mlp *net)
{
    int S = SHADE_CELLS, nc = (S + 1) * (S + 1);
    const double *reg = g->region;
    g->shade_class = malloc(sizeof(int) * S * S);
    double *corners = malloc(sizeof(double) * 2 * nc);
    g->shade_state = malloc(sizeof(double) * W * nc * g->n_stages);
    if (!g->shade_class || !corners || !g->shade_state) {
        free(corners);
        return -1;
    }
    for (int j = 0; j < S; j++)
        for (int i = 0; i < S; i++) {
            double x[2] = {reg[0] + (reg[1] - reg[0]) * (i + 0.5) / S,
                           reg[2] + (reg[3] - reg[2]) * (j + 0.5) / S};
            g->shade_class[j * S + i] = mlp_classify_point(net, x);
        }
    for (int j = 0; j <= S; j++)
        for (int i = 0; i <= S; i++) {
            corners[2 * (j * (S + 1) + i)] = reg[0] + (reg[1] - reg[0]) * i / S;
            corners[2 * (j * (S + 1) + i) + 1] = reg[2] + (reg[3] - reg[2]) * j / S;
        }
    fill_states(g->shade_state, g->plan, g->n_stages, nc, corners, 2, 2);
    free(corners);
    g->shade_cells = S;
    return 0;
}

int geom_build(Geometry *g, const StagePlan *plan, const Dataset *ds, const Mlp *net,
               const SceneRender *r, LwError *err)
{
    memset(g, 0, sizeof *g);
    g->plan = plan;
    g->data = ds;
    g->n_stages = plan->n_stages;
    g->adaptive = r->grid_adaptive;
    default_region(ds, g->region);
    if (r->has_region && ds->dim == 2)
        memcpy(g->region, r->region, 4 * sizeof(double));

    LineBuilder b = {0};
    int bad = 0;
    if (ds->dim == 2)
        bad = add_grid(&b, g->region, r->grid_lines, r->grid_samples, r->show_grid,
                       r->show_domain);
    else if (ds->dim == 3)
        bad = add_grid3(&b, g->region, r->grid_lines, r->grid_samples, r->show_grid,
                        r->show_domain);
    else if (r->show_domain) /* 1-D: the input line itself is the whole domain */
        bad = lb_segment(&b, LINE_DOMAIN, g->region[0], 0, g->region[1], 0, r->grid_samples);
    /* the decision boundary and shading are drawn for 2-D inputs */
    if (!bad && r->show_boundary && net->has_readout && ds->dim == 2)
        bad = add_boundary(&b, net, g->region);
    g->lines = (LineSet){b.n_lines, b.kind, b.label, b.start, b.x, 1};
    g->n_samples = b.n;
    if (bad)
        return lw_fail(err, LW_ERUNTIME, "out of memory building grid lines");

    size_t per = (size_t)g->n_stages * W * sizeof(double);
    /* every point and grid sample keeps its state at the start of every
     * stage: bound that before allocating it */
    double need = (double)per * ((double)g->n_samples + ds->n);
    if (need > GEOM_STATE_LIMIT)
        return lw_fail(err, LW_EINPUT, "%d points and %d grid samples over %d stages need "
                       "%.1f GiB of state (at most %.0f): lower points, grid_lines or "
                       "grid_samples", ds->n, g->n_samples, g->n_stages, need / (1 << 30),
                       GEOM_STATE_LIMIT / (1 << 30));
    g->sample_state = malloc(per * (g->n_samples ? g->n_samples : 1));
    g->point_state = malloc(per * (ds->n ? ds->n : 1));
    if (!g->sample_state || !g->point_state)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d samples and %d points",
                       g->n_samples, ds->n);
    fill_states(g->sample_state, plan, g->n_stages, g->n_samples, g->lines.x, 3, ds->dim);
    fill_states(g->point_state, plan, g->n_stages, ds->n, ds->x, ds->dim, ds->dim);

    if (r->show_shade && net->has_readout && ds->dim == 2 && build_shade(g, net) != 0)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the background shading");

    for (int l = 0; l < plan->net->n_layers; l++) {
        Projection3 *pr = &g->proj[l];
        pr->n = plan->stages[3 * l].dim;
        pr->mode = PROJ_IDENTITY;
        if (pr->n <= 3)
            continue;
        if (r->wide_view == WIDE_UNITS) {
            pr->mode = PROJ_UNITS;
            for (int k = 0; k < 3; k++)
                pr->units[k] = k < r->n_units && r->units[k] < pr->n ? r->units[k] : -1;
        } else {
            pr->mode = PROJ_BASIS;
            pr->tour = r->wide_view == WIDE_TOUR;
            pca_projection(g, l, l > 0 ? &g->proj[l - 1] : NULL, pr);
        }
    }
    return LW_OK;
}

void geom_free(Geometry *g)
{
    if (!g) return;
    free(g->lines.kind);
    free(g->lines.label);
    free(g->lines.start);
    free(g->lines.x);
    free(g->sample_state);
    free(g->point_state);
    free(g->shade_class);
    free(g->shade_state);
    memset(g, 0, sizeof *g);
}

void geom_point_display(const Geometry *g, int stage, double t, double seconds, int i,
                        double out[3])
{
    double st[W];
    stage_eval(g->plan, stage, t, g->point_state + ((size_t)stage * g->data->n + i) * W, st);
    to_display(g, stage, t, seconds, st, out);
}

/* ---- one frame ------------------------------------------------------------ */

static int fg_reserve(FrameGeom *fg, int n_xy, int n_lines)
{
    if (n_xy > fg->cap_xy) {
        int cap = fg->cap_xy ? fg->cap_xy : 4096;
        while (cap < n_xy) cap *= 2;
        double *p = realloc(fg->lxy, (size_t)cap * 2 * sizeof *p);
        if (!p) return -1;
        fg->lxy = p;
        fg->cap_xy = cap;
    }
    if (n_lines > fg->cap_lines) {
        int cap = n_lines + 64;
        if (grow_line_arrays(&fg->line_kind, &fg->line_label, &fg->line_start, cap)) return -1;
        fg->cap_lines = cap;
    }
    return 0;
}

typedef struct {
    const Geometry *g;
    int stage;
    double t;
    double seconds;
    const View *view;
    FrameGeom *fg;
    int n;       /* points written so far */
    int failed;
} FrameCtx;

static void sample_screen(const FrameCtx *c, const double *start_state, double *sx, double *sy)
{
    double st[W], d[3];
    stage_eval(c->g->plan, c->stage, c->t, start_state, st);
    to_display(c->g, c->stage, c->t, c->seconds, st, d);
    view_project(c->view, d, sx, sy, NULL);
}

static void put(FrameCtx *c, double x, double y)
{
    if (c->failed || fg_reserve(c->fg, c->n + 1, 0)) {
        c->failed = 1;
        return;
    }
    c->fg->lxy[2 * c->n] = x;
    c->fg->lxy[2 * c->n + 1] = y;
    c->n++;
}

/* 1 when the segment a-b and its midpoint m lie beyond the same side of the
 * frame, by a quarter of the frame: then no split can bring it into view
 * (the curve between them would have to bend back a long way), so we save
 * the work of refining what nobody sees. */
static int far_off_screen(const View *v, const double *a, const double *b, const double *m)
{
    double mx = 0.25 * v->width, my = 0.25 * v->height;
    double lo_x = -mx, hi_x = v->width + mx, lo_y = -my, hi_y = v->height + my;
    return (a[0] < lo_x && b[0] < lo_x && m[0] < lo_x) ||
           (a[0] > hi_x && b[0] > hi_x && m[0] > hi_x) ||
           (a[1] < lo_y && b[1] < lo_y && m[1] < lo_y) ||
           (a[1] > hi_y && b[1] > hi_y && m[1] > hi_y);
}

/* Emits the points after a (exclusive) up to b (inclusive), splitting where
 * the image bends. */
static void refine(FrameCtx *c, const double *xa, const double *sa, const double *xb,
                   const double *sb, int depth)
{
    if (depth < MAX_DEPTH) {
        double xm[W] = {0}, sm[2], st[W];
        for (int a = 0; a < 3; a++)
            xm[a] = 0.5 * (xa[a] + xb[a]);
        stage_start_state(c->g->plan, c->stage, xm, st);
        sample_screen(c, st, &sm[0], &sm[1]);
        double ex = sm[0] - 0.5 * (sa[0] + sb[0]), ey = sm[1] - 0.5 * (sa[1] + sb[1]);
        double cx = sb[0] - sa[0], cy = sb[1] - sa[1];
        if (!far_off_screen(c->view, sa, sb, sm) &&
            (ex * ex + ey * ey > BEND_TOLERANCE * BEND_TOLERANCE ||
             cx * cx + cy * cy > MAX_CHORD * MAX_CHORD)) {
            refine(c, xa, sa, xm, sm, depth + 1);
            refine(c, xm, sm, xb, sb, depth + 1);
            return;
        }
    }
    put(c, sb[0], sb[1]);
}

/* Far points first so near ones cover them; ties keep data order, which also
 * makes flat frames draw in data order.  A merge sort: stable and
 * deterministic, O(n log n) with the scratch half of `order`. */
static void merge_sort(int *a, int *tmp, int n, const double *depth)
{
    if (n < 2) return;
    int h = n / 2;
    merge_sort(a, tmp, h, depth);
    merge_sort(a + h, tmp, n - h, depth);
    int i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = depth[a[j]] < depth[a[i]] ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, sizeof(int) * n);
}

static void depth_order(FrameGeom *fg)
{
    int n = fg->n_points, flat = 1;
    for (int i = 0; i < n; i++) {
        fg->order[i] = i;
        if (fg->pdepth[i] != 0.0) flat = 0;
    }
    if (flat || n < 2) return;
    merge_sort(fg->order, fg->order_tmp, n, fg->pdepth);
}

/* Drops points that lie within SIMPLIFY_TOLERANCE of the chord that replaces
 * them: a straight image of a grid line (linear and bias stages) becomes a
 * few points, which is most of Cairo's stroking cost.  In place; returns the
 * new count. */
static int simplify_polyline(double *xy, int n)
{
    if (n < 3) return n;
    int out = 1, anchor = 0;
    for (int j = 2; j < n; j++) {
        double ax = xy[2 * anchor], ay = xy[2 * anchor + 1];
        double dx = xy[2 * j] - ax, dy = xy[2 * j + 1] - ay;
        double len2 = dx * dx + dy * dy;
        int ok = j - anchor <= SIMPLIFY_RUN;
        for (int k = anchor + 1; ok && k < j; k++) {
            double px = xy[2 * k] - ax, py = xy[2 * k + 1] - ay;
            double u = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
            if (u < 0 || u > 1) { ok = 0; break; }
            double cross = px * dy - py * dx;
            ok = cross * cross <= SIMPLIFY_TOLERANCE * SIMPLIFY_TOLERANCE * len2;
        }
        if (!ok) {
            anchor = j - 1;
            xy[2 * out] = xy[2 * anchor];
            xy[2 * out + 1] = xy[2 * anchor + 1];
            out++;
        }
    }
    xy[2 * out] = xy[2 * (n - 1)];
    xy[2 * out + 1] = xy[2 * (n - 1) + 1];
    return out + 1;
}

/* Simplifies the line that started at `start` and rewinds the write head. */
static void finish_line(FrameCtx *c, int start)
{
    c->n = start + simplify_polyline(c->fg->lxy + 2 * start, c->n - start);
}

int geom_frame(const Geometry *g, int stage, double t, double seconds, const View *view,
               FrameGeom *fg)
{
    const Dataset *ds = g->data;
    int n_curves = ds->n_curves;
    int n_lines = g->lines.n_lines + n_curves;
    if (fg->n_points < ds->n || !fg->px) {
        free(fg->px); free(fg->py); free(fg->pdepth);
        fg->px = malloc((ds->n + 1) * sizeof *fg->px);
        fg->py = malloc((ds->n + 1) * sizeof *fg->py);
        fg->pdepth = malloc((ds->n + 1) * sizeof *fg->pdepth);
        free(fg->order);
        free(fg->order_tmp);
        fg->order = malloc((ds->n + 1) * sizeof *fg->order);
        fg->order_tmp = malloc((ds->n + 1) * sizeof *fg->order_tmp);
        if (!fg->px || !fg->py || !fg->pdepth || !fg->order || !fg->order_tmp)
            return LW_ERUNTIME;
    }
    fg->n_points = ds->n;
    if (fg_reserve(fg, g->n_samples + ds->n, n_lines)) return LW_ERUNTIME;
    for (int i = 0; i < ds->n; i++) {
        double d[3];
        geom_point_display(g, stage, t, seconds, i, d);
        view_project(view, d, &fg->px[i], &fg->py[i], &fg->pdepth[i]);
    }
    depth_order(fg);

    FrameCtx c = {g, stage, t, seconds, view, fg, 0, 0};
    const LineSet *ls = &g->lines;
    for (int l = 0; l < ls->n_lines && !c.failed; l++) {
        fg->line_start[l] = c.n;
        fg->line_kind[l] = ls->kind[l];
        fg->line_label[l] = ls->label[l];
        double prev_s[2] = {0, 0};
        for (int j = ls->start[l]; j < ls->start[l + 1]; j++) {
            double s[2];
            const double *st = g->sample_state + ((size_t)stage * g->n_samples + j) * W;
            sample_screen(&c, st, &s[0], &s[1]);
            if (j == ls->start[l] || !g->adaptive)
                put(&c, s[0], s[1]);
            else
                refine(&c, ls->x + 3 * (j - 1), prev_s, ls->x + 3 * j, s, 0);
            prev_s[0] = s[0];
            prev_s[1] = s[1];
        }
        if (!c.failed) finish_line(&c, fg->line_start[l]);
    }
    /* Data curves: the points themselves, in order along each curve. */
    for (int k = 0; k < n_curves && !c.failed; k++) {
        int l = ls->n_lines + k;
        fg->line_start[l] = c.n;
        fg->line_kind[l] = LINE_CURVE;
        fg->line_label[l] = ds->label[ds->curve_start[k]];
        for (int i = ds->curve_start[k]; i < ds->curve_start[k + 1]; i++)
            put(&c, fg->px[i], fg->py[i]);
        if (!c.failed) finish_line(&c, fg->line_start[l]);
    }
    if (c.failed) return LW_ERUNTIME;
    if (g->shade_cells) {
        int nc = (g->shade_cells + 1) * (g->shade_cells + 1);
        if (!fg->shade_xy && !(fg->shade_xy = malloc(sizeof(double) * 2 * nc)))
            return LW_ERUNTIME;
        fg->shade_cells = g->shade_cells;
        for (int k = 0; k < nc; k++)
            sample_screen(&c, g->shade_state + ((size_t)stage * nc + k) * W, &fg->shade_xy[2 * k],
                          &fg->shade_xy[2 * k + 1]);
    }
    fg->n_lines = n_lines;
    fg->line_start[n_lines] = c.n;
    return LW_OK;
}

void geom_frame_free(FrameGeom *fg)
{
    if (!fg) return;
    free(fg->px); free(fg->py); free(fg->pdepth); free(fg->order); free(fg->order_tmp);
    free(fg->line_start); free(fg->line_kind); free(fg->line_label); free(fg->lxy);
    free(fg->shade_xy);
    memset(fg, 0, sizeof *fg);
}
