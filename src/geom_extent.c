/* geom_extent.c — a frame's content box from just the points that can hold
 * its edges: the same doubles as geom_content_box, at a cost that follows
 * the number of frames boxed, not frames x points.
 *
 * Why it is exact.  For a frame at (stage, t) seen through R, a point's
 * screen coordinate (x or y) is a floating-point expression in the point's
 * state at the start of the stage.  When that expression is a tree of
 * monotone operations in which every start coordinate p_k enters once —
 * products by constants of a fixed sign, sums, an activation that is
 * non-decreasing — the computed coordinate is itself monotone in each p_k,
 * in the direction sigma_k (+1 up, -1 down, 0 not read): rounding to
 * nearest is monotone.  Then a point q that another point v dominates
 * (sigma_k v_k >= sigma_k q_k for every k) cannot show a larger computed
 * coordinate than v, so the largest is held by a point of the skyline: the
 * points no other point dominates.  The box is the same four doubles (a
 * zero edge is +0 in both).  The expressions (stage.c, geom_project.c, geom_grow_box):
 *   - bias, and an activation played as one blend: out_k = (1-t) p_k +
 *     t f(p_k), f = p_k + b_k or act (tanh, sigmoid, relu, leaky relu,
 *     identity; the readout's sigmoid of x1) — element-wise and
 *     non-decreasing; shown as it is (an identity projection) the screen
 *     coordinate R_0 d_0 + R_1 d_1 + R_2 d_2 reads each p_k once, through
 *     d_k: sigma_k = sign R_k, whatever the camera's turn;
 *   - the linear stage, polar without a page turn: d = M(t) p, the same
 *     matrix for every point; straight: (1-t) p_a + t (W p)_a, monotone
 *     when W_aa >= 0; its end W p and its start p: with the camera straight
 *     down (R's row a holds its one non-zero entry on the diagonal, > 0) the
 *     screen's axis a is d_a alone: sigma = the signs of row a.
 * Where there is no such tree (a projection of a wider layer mixes the
 * units; a page turn; softplus, whose log1p(exp x) meets x at 30 a hair
 * lower; more than three coordinates read) the box comes from cells.
 *
 * Cells.  In every single move (a linear stage at any t, a bias, an
 * activation played as one blend, the ends of any stage) a point's screen
 * coordinate is, in exact arithmetic, a linear function of its start and
 * end states: x = a . p + c . q, p the state at the start of the stage, q at
 * its end (the next stage's start, cached), the same a and c for every
 * point (the display is linear in the state: a projection, a tour's turn, a
 * blend of two views, the camera's R).  The moving points are put in cells
 * of CELL neighbours (in the order of a Z curve through the input, so a
 * cell's states stay close in every layer); over a cell, a . p + c . q is at
 * most the sum of each term's larger end on the cell's coordinate ranges.
 * Computed in floating point, x and that bound are each within ROUNDING_BAND
 * of their exact values: the band is 1e-8 of the largest |p|_1 + |q|_1 (as
 * scaled by the motion's matrix), where the rounding of a hundred
 * operations on numbers of that size is some 1e-14 of it.  A cell whose
 * bound, widened by twice the band, stays below an edge already reached by
 * an evaluated point holds no point that reaches it: its points are not
 * moved.  The cells that may are evaluated in full, so the box is again the
 * same four doubles.  A measured check on the first cell moved per box
 * falls back to every point if the linear model is ever off by more than a
 * thousandth of the band (a display that is not linear in the state).
 * Anything else is evaluated in full: element-wise steps, softmax, a
 * morph, spreads, states that are not finite, the last stage's motion (its
 * end is not cached).  Fixed points, arrows, marks and the outline are
 * evaluated as geom_content_box does; they do not grow with the data.
 *
 * Owns: the skylines, per stage and sign pattern, and the cells' ranges,
 * per stage, computed on first use. */
#include "geom.h"
#include "parallel.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PATTERNS 27          /* sigma in {-1, 0, 1}^3 */
#define COORDS 3             /* at most this many start coordinates read */
#define CELL 64              /* points per cell: a box's bounds cost cells x width */
#define ROUNDING_BAND 1e-8   /* of a point's |p|_1 + |q|_1: see the banner */
#define MODEL_CHECK 1e-3     /* of the band: the linear model's measured error */

/* One stage's start states over the cells: each cell's least and greatest
 * value of each coordinate, and the largest |p|_1 of a point. */
typedef struct {
    double *lo, *hi;         /* (n_cells, width) */
    int width;
    double scale;
} CellRanges;

struct GeomExtent {
    const Geometry *g;
    int n_stages;
    int **sky;               /* (n_stages * PATTERNS) point indices, -1 ended; NULL: not yet */
    int *moving;             /* (n_moving) the moving points */
    int n_moving;
    int *fixed;              /* (n_fixed) the others: a scan of every point per box
                              * would cost frames x points again */
    int n_fixed;
    int *order;              /* (n_moving) the moving points, cell after cell; NULL: not yet */
    int n_cells;
    CellRanges **ranges;     /* (n_stages) NULL: not yet */
    unsigned char *no_cells; /* (n_stages) 1: the ranges cannot serve (not finite, no memory,
                                the model measured off) */
    double *bound;           /* (4 n_cells) a box's bounds per cell, reused */
};

GeomExtent *geom_extent_create(const Geometry *g)
{
    GeomExtent *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->g = g;
    e->n_stages = g->n_stages;
    int n = g->n_points ? g->n_points : 1;
    e->sky = calloc((size_t)g->n_stages * PATTERNS + 1, sizeof *e->sky);
    e->moving = malloc(sizeof(int) * n);
    e->fixed = malloc(sizeof(int) * n);
    e->ranges = calloc((size_t)g->n_stages + 1, sizeof *e->ranges);
    e->no_cells = calloc((size_t)g->n_stages + 1, 1);
    if (!e->sky || !e->moving || !e->fixed || !e->ranges || !e->no_cells) {
        geom_extent_free(e);
        return NULL;
    }
    for (int i = 0; i < g->n_points; i++) {
        if (g->point_fixed[i]) e->fixed[e->n_fixed++] = i;
        else e->moving[e->n_moving++] = i;
    }
    return e;
}

void geom_extent_free(GeomExtent *e)
{
    if (!e) return;
    for (int k = 0; e->sky && k < e->n_stages * PATTERNS; k++) free(e->sky[k]);
    for (int k = 0; e->ranges && k < e->n_stages; k++)
        if (e->ranges[k]) {
            free(e->ranges[k]->lo);
            free(e->ranges[k]->hi);
            free(e->ranges[k]);
        }
    free(e->sky);
    free(e->moving);
    free(e->fixed);
    free(e->order);
    free(e->ranges);
    free(e->no_cells);
    free(e->bound);
    free(e);
}

static int sign_of(double v)
{
    return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/* 1 when act as computed never decreases (see the banner: not softplus). */
static int monotone_act(Activation a)
{
    return a == ACT_TANH || a == ACT_SIGMOID || a == ACT_RELU || a == ACT_LEAKY_RELU ||
           a == ACT_IDENTITY;
}

/* 1 when R's row a reads display axis a alone, scaled up: the camera
 * straight down. */
static int axis_aligned(const double *R, int a)
{
    for (int k = 0; k < 3; k++)
        if (k == a ? !(R[3 * a + k] > 0) : R[3 * a + k] != 0) return 0;
    return 1;
}

/* The sign pattern of the linear stage's screen axis a at t (0 < t < 1 or
 * an end), or -1 when its expression is not a monotone tree. */
static int linear_pattern(const StagePlan *plan, int s, double t, int a, int sigma[COORDS])
{
    const Stage *st = &plan->stages[s];
    const LinearMotion *lm = &plan->motion[st->layer];
    int in = plan->widths[st->layer], out = plan->widths[st->layer + 1];
    memset(sigma, 0, sizeof(int) * COORDS);
    if (t <= 0.0) { /* the start itself */
        sigma[a] = 1;
        return 0;
    }
    const double *Wl = plan->W[st->layer];
    if (t >= 1.0 || !lm->polar) {
        if (in > COORDS) return -1;
        for (int j = 0; a < out && j < in; j++) sigma[j] = sign_of(Wl[a * in + j]);
        if (t >= 1.0 || a >= in) return 0;
        /* (1 - t) p_a + t (W p)_a: p_a twice, both up only when W_aa >= 0 */
        if (a < out && Wl[a * in + a] < 0) return -1;
        sigma[a] = 1;
        return 0;
    }
    if (lm->flip || lm->n > COORDS) return -1;
    double M[LW_MAX_WIDTH * LW_MAX_WIDTH];
    stage_linear_matrix(plan, st->layer, t, M); /* the very entries linear_eval multiplies by */
    for (int j = 0; a < lm->n && j < lm->n; j++) sigma[j] = sign_of(M[a * lm->n + j]);
    return 0;
}

/* The sign pattern of screen axis a (0: x, 1: y) for the points at
 * (stage, t) through R, or -1 when the box must be evaluated in full. */
static int axis_pattern(const Geometry *g, int s, double t, const double *R, int a,
                        int sigma[COORDS])
{
    const StagePlan *plan = g->plan;
    const Stage *st = &plan->stages[s];
    int l = st->layer;
    if (plan->morph.on || g->proj[l].mode != PROJ_IDENTITY) return -1;
    if (g->point_spread && l == plan->n_hidden - 1) return -1;
    if (st->kind == STAGE_LINEAR) {
        if (l > 0 && g->proj[l - 1].mode != PROJ_IDENTITY) return -1; /* a blend of views */
        if (!axis_aligned(R, a)) return -1;
        return linear_pattern(plan, s, t, a, sigma);
    }
    if (st->kind == STAGE_ACTIVATION) {
        int readout = plan->readout && l == plan->n_layers - 1;
        if (stage_step_count(plan, s) > 1) return -1;
        if (readout ? plan->n_scores != 1 : !monotone_act(plan->act[l])) return -1;
    }
    for (int k = 0; k < COORDS; k++) sigma[k] = sign_of(R[3 * a + k]);
    return 0;
}

static int pattern_index(const int sigma[COORDS])
{
    return (sigma[0] + 1) * 9 + (sigma[1] + 1) * 3 + (sigma[2] + 1);
}

/* 1 when v dominates q under sigma (never when either has a NaN where
 * sigma reads). */
static int dominates(const double *v, const double *q, const int sigma[COORDS])
{
    for (int k = 0; k < COORDS; k++)
        if (sigma[k] && !(sigma[k] > 0 ? v[k] >= q[k] : v[k] <= q[k])) return 0;
    return 1;
}

/* The skyline of the moving points' start states of stage s under sigma,
 * in the order of the points: a window of the points not dominated so far;
 * each point is dropped when one in the window dominates it, else it
 * joins the window and drops those it dominates.  The window stays the
 * size of a skyline (a handful: one point for a single coordinate).  NULL
 * when out of memory. */
static int *skyline(const GeomExtent *e, int s, const int sigma[COORDS])
{
    const Geometry *g = e->g;
    int n = e->n_moving, m = 0;
    double (*p)[COORDS] = malloc(sizeof(double) * COORDS * (n ? n : 1));
    int *kept = malloc(sizeof(int) * (n + 1));
    if (!p || !kept) {
        free(p);
        free(kept);
        return NULL;
    }
    for (int j = 0; j < n; j++) {
        double st[LW_MAX_WIDTH];
        geom_point_start_state(g, s, e->moving[j], st);
        memcpy(p[j], st, sizeof p[j]);
        int beaten = 0;
        for (int c = 0; c < m && !beaten; c++) beaten = dominates(p[kept[c]], p[j], sigma);
        if (beaten) continue;
        int w = 0;
        for (int c = 0; c < m; c++)
            if (!dominates(p[j], p[kept[c]], sigma)) kept[w++] = kept[c];
        kept[w] = j;
        m = w + 1;
    }
    for (int c = 0; c < m; c++) kept[c] = e->moving[kept[c]];
    kept[m] = -1;
    free(p);
    int *fit = realloc(kept, sizeof(int) * (m + 1)); /* a skyline, not n points */
    return fit ? fit : kept;
}

/* The skyline for (s, sigma), computed on first use. */
static const int *skyline_at(GeomExtent *e, int s, const int sigma[COORDS])
{
    int **slot = &e->sky[s * PATTERNS + pattern_index(sigma)];
    if (!*slot) *slot = skyline(e, s, sigma);
    return *slot;
}

/* The fixed points shown at stage s grow the box: there are few. */
static void grow_fixed(const GeomExtent *e, int s, double t, double seconds, const double *R,
                       double b[4])
{
    const Geometry *g = e->g;
    int layer = g->plan->stages[s].layer;
    for (int k = 0; k < e->n_fixed; k++) {
        int i = e->fixed[k];
        if (g->point_from[i] > layer) continue;
        double d[3];
        geom_point_display(g, s, t, seconds, i, d);
        geom_grow_box(b, R, d);
    }
}

/* The points' part of the box from the skylines of the four edges; -1 when
 * it must be evaluated in full. */
static int skyline_box(GeomExtent *e, int s, double t, double seconds, const double *R,
                       double b[4], long long *evaluated)
{
    const Geometry *g = e->g;
    const int *lists[4];
    for (int a = 0; a < 2; a++) {
        int sigma[COORDS], neg[COORDS];
        if (axis_pattern(g, s, t, R, a, sigma)) return -1;
        for (int k = 0; k < COORDS; k++) neg[k] = -sigma[k];
        if (!(lists[2 * a] = skyline_at(e, s, neg)) || !(lists[2 * a + 1] = skyline_at(e, s, sigma)))
            return -1;
    }
    for (int k = 0; k < 4; k++)
        for (const int *i = lists[k]; *i >= 0; i++) {
            double d[3];
            geom_point_display(g, s, t, seconds, *i, d);
            geom_grow_box(b, R, d);
            ++*evaluated;
        }
    grow_fixed(e, s, t, seconds, R, b);
    return 0;
}

/* ---- cells ------------------------------------------------------------------ */

/* Bits of v's place in [lo, hi], 16 of them, spread to the even bits. */
static uint32_t spread_bits(double v, double lo, double hi)
{
    double u = hi > lo ? (v - lo) / (hi - lo) : 0.0;
    uint32_t q = u > 0.0 ? (u < 1.0 ? (uint32_t)(u * 65535.0) : 65535u) : 0u; /* NaN: 0 */
    q = (q | q << 8) & 0x00ff00ffu;
    q = (q | q << 4) & 0x0f0f0f0fu;
    q = (q | q << 2) & 0x33333333u;
    q = (q | q << 1) & 0x55555555u;
    return q;
}

typedef struct {
    uint32_t key;
    int point;
} ZPoint;

static int by_key(const void *a, const void *b)
{
    const ZPoint *p = a, *q = b;
    if (p->key != q->key) return p->key < q->key ? -1 : 1;
    return (p->point > q->point) - (p->point < q->point);
}

/* The moving points in the order of a Z curve through their inputs (the
 * first two coordinates): neighbours share a cell.  The order only decides
 * how few points a box moves, never the box.  -1 when out of memory. */
static int cell_order(GeomExtent *e)
{
    const StateCache *c = &e->g->point_state;
    int n = e->n_moving, w = c->width[0];
    ZPoint *z = malloc(sizeof *z * (n ? n : 1));
    e->order = malloc(sizeof(int) * (n ? n : 1));
    e->n_cells = (n + CELL - 1) / CELL;
    e->bound = malloc(sizeof(double) * 4 * (e->n_cells ? e->n_cells : 1));
    if (!z || !e->order || !e->bound) {
        free(z);
        free(e->order);
        e->order = NULL;
        return -1;
    }
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int j = 0; j < n; j++)
        for (int k = 0; k < 2 && k < w; k++) {
            double v = c->x[c->at[0] + (size_t)e->moving[j] * w + k];
            lo[k] = fmin(lo[k], v);
            hi[k] = fmax(hi[k], v);
        }
    for (int j = 0; j < n; j++) {
        const double *p = c->x + c->at[0] + (size_t)e->moving[j] * w;
        z[j].point = e->moving[j];
        z[j].key = spread_bits(p[0], lo[0], hi[0]) |
                   (w > 1 ? spread_bits(p[1], lo[1], hi[1]) << 1 : 0u);
    }
    qsort(z, n, sizeof *z, by_key);
    for (int j = 0; j < n; j++) e->order[j] = z[j].point;
    free(z);
    return 0;
}

typedef struct {
    const GeomExtent *e;
    int s;
    CellRanges *r;
    double *size;      /* (n_cells) each cell's largest |p|_1; NaN: a state not finite */
} RangeJob;

/* Cells lo .. hi - 1 of the job's stage: a cell is written by one part. */
static void ranges_part(void *ctx, int lo, int hi)
{
    RangeJob *job = ctx;
    const GeomExtent *e = job->e;
    const StateCache *c = &e->g->point_state;
    CellRanges *r = job->r;
    int w = r->width, s = job->s;
    for (int cell = lo; cell < hi; cell++) {
        double *cl = r->lo + (size_t)cell * w, *ch = r->hi + (size_t)cell * w, big = 0;
        for (int k = 0; k < w; k++) {
            cl[k] = INFINITY;
            ch[k] = -INFINITY;
        }
        int end = (cell + 1) * CELL < e->n_moving ? (cell + 1) * CELL : e->n_moving;
        for (int j = cell * CELL; j < end; j++) {
            const double *p = c->x + c->at[s] + (size_t)e->order[j] * w;
            /* the cell's points lie anywhere in memory: ask for one ahead */
            if (j + 8 < end) __builtin_prefetch(c->x + c->at[s] + (size_t)e->order[j + 8] * w);
            double size = 0;
            for (int k = 0; k < w; k++) {
                cl[k] = p[k] < cl[k] ? p[k] : cl[k];
                ch[k] = p[k] > ch[k] ? p[k] : ch[k];
                size += fabs(p[k]);
            }
            /* a coordinate not finite makes the size inf or NaN */
            big = isfinite(size) && isfinite(big) ? (size > big ? size : big) : NAN;
        }
        job->size[cell] = big;
    }
}

/* Stage s's start states over the cells; NULL when they cannot serve (a
 * state not finite, or no memory).  s must be built (states_ready). */
static CellRanges *cell_ranges(const GeomExtent *e, int s)
{
    const StateCache *c = &e->g->point_state;
    int w = c->width[s], nc = e->n_cells;
    CellRanges *r = calloc(1, sizeof *r);
    double *size = malloc(sizeof(double) * (nc ? nc : 1));
    if (r) {
        r->width = w;
        r->lo = malloc(sizeof(double) * (size_t)nc * (w ? w : 1));
        r->hi = malloc(sizeof(double) * (size_t)nc * (w ? w : 1));
    }
    int ok = r && size && r->lo && r->hi;
    if (ok) {
        RangeJob job = {e, s, r, size};
        parallel_for(nc, e->g->cfg.threads, ranges_part, &job);
        for (int cell = 0; cell < nc; cell++) {
            ok = ok && isfinite(size[cell]);
            r->scale = fmax(r->scale, size[cell]);
        }
    }
    free(size);
    if (!ok && r) {
        free(r->lo);
        free(r->hi);
        free(r);
        r = NULL;
    }
    return r;
}

/* The ranges of stage s, computed on first use; NULL when they cannot
 * serve. */
static const CellRanges *ranges_at(GeomExtent *e, int s)
{
    if (e->no_cells[s]) return NULL;
    if (!e->order && cell_order(e)) {
        e->no_cells[s] = 1;
        return NULL;
    }
    if (!e->ranges[s] && !(e->ranges[s] = cell_ranges(e, s))) e->no_cells[s] = 1;
    return e->ranges[s];
}

/* The screen coordinates (x: row 0, y: row 1 of R) of a state at (s, t):
 * how geom_grow_box reads the display geom_to_display gives. */
static void screen_of_state(const Geometry *g, int s, double t, double seconds, const double *R,
                            const double *st, double xy[2])
{
    double d[3];
    geom_to_display(g, s, t, seconds, st, d);
    xy[0] = R[0] * d[0] + R[1] * d[1] + R[2] * d[2];
    xy[1] = R[3] * d[0] + R[4] * d[1] + R[5] * d[2];
}

/* The linear model of (s, t): screen axis a is sum_k start[a][k] p_k +
 * end[a][k] q_k, with *reads: 1 the start p, 2 the end q, 3 both; *gain
 * bounds |state|_1 at t by gain times |p|_1 + |q|_1 (the motion's largest
 * column sum; 1 for a blend).  -1 when the stage's motion at t is not a
 * linear function of p and q (see the banner). */
static int linear_model(const Geometry *g, int s, double t, double seconds, const double *R,
                        double start[2][LW_MAX_WIDTH], double end[2][LW_MAX_WIDTH], int *reads, double *gain)
{
    const StagePlan *plan = g->plan;
    const Stage *st = &plan->stages[s];
    int moving = t > 0.0 && t < 1.0;
    if (plan->morph.on) return -1;
    if (g->point_spread && st->layer == plan->n_hidden - 1) return -1;
    if (t > 0.0 && s + 1 >= g->states_ready) return -1; /* the end is not cached */
    int linear = st->kind == STAGE_LINEAR && moving;
    if (moving && !linear && !stage_is_blend(plan, s)) return -1;
    /* the weights of p and q in the state at t */
    double at_start = linear || t <= 0.0 ? 1.0 : t >= 1.0 ? 0.0 : 1.0 - t;
    double at_end = linear || t <= 0.0 ? 0.0 : t >= 1.0 ? 1.0 : t;
    *reads = (at_start != 0.0) | (at_end != 0.0) << 1;
    *gain = 1.0;
    for (int k = 0; k < LW_MAX_WIDTH; k++) {
        double unit[LW_MAX_WIDTH] = {0}, xy[2], moved[LW_MAX_WIDTH];
        unit[k] = 1.0;
        if (linear) { /* the motion's column k, then the display */
            stage_eval(plan, s, t, unit, moved);
            double col = 0;
            for (int a = 0; a < LW_MAX_WIDTH; a++) col += fabs(moved[a]);
            *gain = fmax(*gain, col);
            screen_of_state(g, s, t, seconds, R, moved, xy);
        } else {
            screen_of_state(g, s, t, seconds, R, unit, xy);
        }
        for (int a = 0; a < 2; a++) {
            start[a][k] = at_start * xy[a];
            end[a][k] = at_end * xy[a];
        }
    }
    return 0;
}

/* The greatest (up) or least of sum_k a_k v_k over a cell's ranges. */
static double range_bound(const CellRanges *r, int cell, const double *a, int up)
{
    const double *lo = r->lo + (size_t)cell * r->width, *hi = r->hi + (size_t)cell * r->width;
    double s = 0;
    for (int k = 0; k < r->width; k++)
        s += (a[k] >= 0) == (up != 0) ? a[k] * hi[k] : a[k] * lo[k];
    return s;
}

/* Moves a cell's points to their screen places and grows b; 1 when the
 * linear model misses one of them by more than `off`. */
static int move_cell(GeomExtent *e, int cell, int s, double t, double seconds, const double *R,
                     const CellRanges *rs, const CellRanges *re, double start[2][LW_MAX_WIDTH],
                     double end[2][LW_MAX_WIDTH], double off, double b[4], long long *evaluated)
{
    const Geometry *g = e->g;
    const StateCache *c = &g->point_state;
    int missed = 0, last = (cell + 1) * CELL < e->n_moving ? (cell + 1) * CELL : e->n_moving;
    for (int j = cell * CELL; j < last; j++) {
        int i = e->order[j];
        double d[3];
        geom_point_display(g, s, t, seconds, i, d);
        geom_grow_box(b, R, d);
        ++*evaluated;
        if (off < 0) continue;
        double xy[2] = {R[0] * d[0] + R[1] * d[1] + R[2] * d[2],
                        R[3] * d[0] + R[4] * d[1] + R[5] * d[2]};
        for (int a = 0; a < 2; a++) {
            double model = 0;
            for (int k = 0; rs && k < rs->width; k++)
                model += start[a][k] * c->x[c->at[s] + (size_t)i * rs->width + k];
            for (int k = 0; re && k < re->width; k++)
                model += end[a][k] * c->x[c->at[s + 1] + (size_t)i * re->width + k];
            missed |= !(fabs(model - xy[a]) <= off);
        }
    }
    return missed;
}

/* The points' part of the box from the cells that can hold an edge; -1
 * when it must be evaluated in full. */
static int cell_box(GeomExtent *e, int s, double t, double seconds, const double *R, double b[4],
                    long long *evaluated)
{
    const Geometry *g = e->g;
    double start[2][LW_MAX_WIDTH], end[2][LW_MAX_WIDTH], gain;
    int reads;
    if (e->n_moving == 0 || linear_model(g, s, t, seconds, R, start, end, &reads, &gain))
        return -1;
    const CellRanges *rs = reads & 1 ? ranges_at(e, s) : NULL;
    const CellRanges *re = reads & 2 ? ranges_at(e, s + 1) : NULL;
    if ((reads & 1 && !rs) || (reads & 2 && !re)) return -1;
    double band = ROUNDING_BAND * gain * ((rs ? rs->scale : 0) + (re ? re->scale : 0));
    /* each cell's bounds: x up, x down, y up, y down */
    double *bd = e->bound;
    for (int cell = 0; cell < e->n_cells; cell++)
        for (int side = 0; side < 4; side++) {
            int a = side / 2, up = side % 2 == 0;
            double v = 0;
            if (rs) v += range_bound(rs, cell, start[a], up);
            if (re) v += range_bound(re, cell, end[a], up);
            bd[4 * cell + side] = v;
        }
    /* first the cell that bounds each edge furthest out, the first moved
     * checked against the model; then every cell that may pass an edge */
    int first[4] = {0, 0, 0, 0};
    for (int cell = 1; cell < e->n_cells; cell++)
        for (int side = 0; side < 4; side++) {
            double v = bd[4 * cell + side], best = bd[4 * first[side] + side];
            if (side % 2 == 0 ? v > best : v < best) first[side] = cell;
        }
    for (int side = 0; side < 4; side++) {
        int cell = first[side], again = 0;
        for (int k = 0; k < side; k++) again |= first[k] == cell;
        if (again) continue;
        double off = side == 0 ? MODEL_CHECK * band : -1;
        if (move_cell(e, cell, s, t, seconds, R, rs, re, start, end, off, b, evaluated)) {
            e->no_cells[s] = 1; /* never again for this stage: every point */
            return -1;
        }
    }
    for (int cell = 0; cell < e->n_cells; cell++) {
        const double *v = bd + 4 * cell;
        int moved = 0;
        for (int side = 0; side < 4; side++) moved |= first[side] == cell;
        if (moved) continue;
        /* below every edge by more than twice the band (a NaN moves it) */
        if (v[0] + 2 * band < b[1] && v[1] - 2 * band > b[0] && v[2] + 2 * band < b[3] &&
            v[3] - 2 * band > b[2])
            continue;
        move_cell(e, cell, s, t, seconds, R, rs, re, start, end, -1, b, evaluated);
    }
    grow_fixed(e, s, t, seconds, R, b);
    return 0;
}

void geom_extent_box(GeomExtent *e, int stage, double t, double seconds, const double *R,
                     int outline, double b[4], long long *evaluated)
{
    const Geometry *g = e->g;
    b[0] = b[2] = INFINITY;
    b[1] = b[3] = -INFINITY;
    if (skyline_box(e, stage, t, seconds, R, b, evaluated) &&
        cell_box(e, stage, t, seconds, R, b, evaluated)) {
        geom_content_box(g, stage, t, seconds, R, outline, b);
        *evaluated += e->n_moving;
        return;
    }
    geom_content_box_rest(g, stage, t, seconds, R, outline, b);
    for (int k = 0; k < 4; k++) b[k] += 0.0; /* +0 for a zero edge, as geom_content_box */
}
