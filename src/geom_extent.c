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
 * Anything else is evaluated in full: a projection of a wider layer (it
 * mixes the units), a page turn, element-wise steps, softplus (log1p(exp x)
 * meets x at 30 a hair lower), softmax, a morph, spreads, more than three
 * coordinates read.  Fixed points, arrows, marks and the outline are
 * evaluated as geom_content_box does; they do not grow with the data.
 *
 * Owns: the skylines, per stage and sign pattern, computed on first use. */
#include "geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PATTERNS 27          /* sigma in {-1, 0, 1}^3 */
#define COORDS 3             /* at most this many start coordinates read */

struct GeomExtent {
    const Geometry *g;
    int n_stages;
    int **sky;               /* (n_stages * PATTERNS) point indices, -1 ended; NULL: not yet */
    int *moving;             /* (n_moving) the moving points */
    int n_moving;
    int *fixed;              /* (n_fixed) the others: a scan of every point per box
                              * would cost frames x points again */
    int n_fixed;
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
    if (!e->sky || !e->moving || !e->fixed) {
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
    free(e->sky);
    free(e->moving);
    free(e->fixed);
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
    int layer = g->plan->stages[s].layer;
    for (int k = 0; k < e->n_fixed; k++) {
        int i = e->fixed[k];
        if (g->point_from[i] > layer) continue;
        double d[3];
        geom_point_display(g, s, t, seconds, i, d);
        geom_grow_box(b, R, d);
    }
    return 0;
}

void geom_extent_box(GeomExtent *e, int stage, double t, double seconds, const double *R,
                     int outline, double b[4], long long *evaluated)
{
    const Geometry *g = e->g;
    b[0] = b[2] = INFINITY;
    b[1] = b[3] = -INFINITY;
    if (skyline_box(e, stage, t, seconds, R, b, evaluated)) {
        geom_content_box(g, stage, t, seconds, R, outline, b);
        *evaluated += e->n_moving;
        return;
    }
    geom_content_box_rest(g, stage, t, seconds, R, outline, b);
    for (int k = 0; k < 4; k++) b[k] += 0.0; /* +0 for a zero edge, as geom_content_box */
}
