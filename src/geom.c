/* geom.c — the state of every point, grid sample and shading corner at the
 * start of every stage of a segment, and one frame's geometry in pixels
 * (see geom.h).
 *
 * Owns: the state caches of a Geometry; a FrameGeom's buffers.
 * Nothing here draws: the output is coordinates for draw.c. */
#include "geom.h"
#include "parallel.h"

#include "area.h"
#include "polyline.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W LW_MAX_WIDTH
#define MAX_DEPTH 6          /* a base segment splits into at most 64 */
#define BEND_TOLERANCE 0.2   /* pixels off the chord before we split */
#define MAX_CHORD 18.0       /* pixels: longer chords are split to catch bends */
#define GEOM_STATE_LIMIT (2.0 * (1 << 30)) /* bytes of cached stage states */

/* ---- state caches ---------------------------------------------------------- */

/* The coordinates a state at the start of stage s can have: the stage's
 * input width (stage_end zeroes the rest); a morph's stages all start from
 * the input point, and a tip moved by stage_end holds the shown layer's. */
static int start_width(const StagePlan *plan, int s)
{
    int w = plan->stages[s].dim_in;
    return plan->morph.on && plan->widths[0] > w ? plan->widths[0] : w;
}

int geom_states_alloc_widths(StateCache *c, const int *width, int n_blocks, int n, int full)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->n_blocks = n_blocks;
    c->full = full;
    for (int b = 0; b < n_blocks; b++) {
        c->width[b] = width[b];
        c->at[b + 1] = c->at[b] + (size_t)n * width[b];
    }
    c->x = malloc(sizeof(double) * (c->at[n_blocks] ? c->at[n_blocks] : 1));
    return c->x ? 0 : -1;
}

int geom_states_alloc(StateCache *c, const StagePlan *plan, int first, int count, int n)
{
    int width[GEOM_MAX_BLOCKS];
    for (int b = 0; b < count; b++) width[b] = start_width(plan, first + b);
    return geom_states_alloc_widths(c, width, count, n, W);
}

void geom_states_free(StateCache *c)
{
    free(c->x);
    memset(c, 0, sizeof *c);
}

void geom_states_put(StateCache *c, int b, int i, const double *st)
{
    int w = c->width[b];
#ifndef NDEBUG
    for (int a = w; a < c->full; a++) assert(st[a] == 0.0); /* nothing dropped */
#endif
    memcpy(c->x + c->at[b] + (size_t)i * w, st, sizeof(double) * w);
}

const double *geom_states_get(const StateCache *c, int b, int i, double *buf)
{
    int w = c->width[b];
    memcpy(buf, c->x + c->at[b] + (size_t)i * w, sizeof(double) * w);
    memset(buf + w, 0, sizeof(double) * (c->full - w));
    return buf;
}

size_t geom_states_bytes(const StateCache *c)
{
    return c->x ? sizeof(double) * c->at[c->n_blocks] : 0;
}

size_t geom_state_bytes(const Geometry *g)
{
    size_t n = geom_states_bytes(&g->sample_state) + geom_states_bytes(&g->point_state) +
               geom_states_bytes(&g->arrow_state) + geom_states_bytes(&g->mark_state) +
               geom_states_bytes(&g->shade_state) + geom_states_bytes(&g->area_corner_state) +
               geom_states_bytes(&g->area_centre_state) +
               geom_states_bytes(&g->area_centre_jac);
    for (int l = 0; l < g->n_space; l++) n += geom_states_bytes(&g->space[l].state);
    return n;
}

/* ---- build and free ------------------------------------------------------- */

/* x: (n, stride) input points, of which the first dim coordinates count:
 * things i0 .. i0 + n - 1 of the cache's first block (geom_states_extend
 * moves them on through the stages). */
static void first_states(StateCache *cache, int n, const double *x, int stride, int dim, int i0)
{
    for (int i = 0; i < n; i++) {
        double st[W] = {0};
        for (int a = 0; a < dim; a++)
            st[a] = x[(size_t)stride * i + a];
        geom_states_put(cache, 0, i0 + i, st);
    }
}

void geom_states_extend(StateCache *c, const StagePlan *plan, GeomStageMove move, int from,
                        int to, int i0, int n, const unsigned char *which, int value)
{
    if (from < 1) from = 1;
    for (int i = i0; i < i0 + n && from <= to; i++) {
        if (which && which[i] != value) continue;
        /* the state as put: its coordinates beyond the block's width are
         * zero, as they were when it was put */
        double st[W * 2];
        geom_states_get(c, from - 1, i, st);
        for (int s = from; s <= to; s++) {
            move(plan, s - 1, st, st);
            geom_states_put(c, s, i, st);
        }
    }
}

/* The points of an n x n lattice over the region's first two axes, at
 * fractions (i + at) / S of the box (at 0: the corners of S x S cells, n =
 * S + 1; at 0.5: their centres, n = S), row by row; (n^2, 2). */
static double *mesh_points(const double *reg, int S, int n, double at)
{
    double *x = malloc(sizeof(double) * 2 * n * n);
    if (!x) return NULL;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            x[2 * (j * n + i)] = reg[0] + (reg[1] - reg[0]) * (i + at) / S;
            x[2 * (j * n + i) + 1] = reg[2] + (reg[3] - reg[2]) * (j + at) / S;
        }
    return x;
}

static int build_shade(Geometry *g)
{
    int S = g->seg->shade_cells, nc = (S + 1) * (S + 1);
    double *corners = mesh_points(g->seg->region, S, S + 1, 0.0);
    if (!corners || geom_states_alloc(&g->shade_state, g->plan, 0, g->n_stages, nc)) {
        free(corners);
        return -1;
    }
    first_states(&g->shade_state, nc, corners, 2, 2, 0);
    free(corners);
    g->shade_cells = S;
    return 0;
}

/* The area mesh: corners moved like any point; at each cell's centre the
 * state and the Jacobian of the map so far at the start of every layer
 * (its linear stage), so a frame pushes each through at most its layer's
 * three stages: a third of the memory of a cache per stage, for a finer
 * mesh. */
static int build_area(Geometry *g, int S)
{
    int nc = (S + 1) * (S + 1), n = S * S, n_layers = g->plan->n_layers;
    double *corners = mesh_points(g->seg->region, S, S + 1, 0.0);
    double *centres = mesh_points(g->seg->region, S, S, 0.5);
    /* a layer's states start its linear stage; a Jacobian has a row per coordinate */
    int width[LW_MAX_LAYERS], jac_width[LW_MAX_LAYERS];
    for (int l = 0; l < n_layers; l++) {
        width[l] = start_width(g->plan, stage_index(l, STAGE_LINEAR));
        jac_width[l] = 2 * width[l];
    }
    if (!corners || !centres ||
        geom_states_alloc_widths(&g->area_corner_state, width, n_layers, nc, W) ||
        geom_states_alloc_widths(&g->area_centre_state, width, n_layers, n, W) ||
        geom_states_alloc_widths(&g->area_centre_jac, jac_width, n_layers, n, 2 * W)) {
        free(corners);
        free(centres);
        return -1;
    }
    for (int k = 0; k < nc; k++) {
        double st[W] = {corners[2 * k], corners[2 * k + 1]};
        for (int s = 0; s < g->n_stages; s++) {
            int l = g->plan->stages[s].layer;
            if (s == stage_index(l, STAGE_LINEAR))
                geom_states_put(&g->area_corner_state, l, k, st);
            stage_end(g->plan, s, st, st);
        }
    }
    for (int k = 0; k < n; k++) {
        double st[W] = {centres[2 * k], centres[2 * k + 1]};
        AreaJacobian J;
        area_identity(J);
        for (int s = 0; s < g->n_stages; s++) {
            int l = g->plan->stages[s].layer;
            if (s == stage_index(l, STAGE_LINEAR)) {
                geom_states_put(&g->area_centre_state, l, k, st);
                geom_states_put(&g->area_centre_jac, l, k, &J[0][0]);
            }
            area_push(g->plan, s, 1.0, st, J, J);
            stage_end(g->plan, s, st, st);
        }
    }
    free(corners);
    free(centres);
    g->area_cells = S;
    return 0;
}

/* The marked codes' states, moved like points. */
static int build_marks(Geometry *g)
{
    int n = g->seg->n_marks;
    if (!n) return 0;
    double x[SHOW_MAX_MARKS * 3];
    for (int i = 0; i < n; i++) memcpy(x + 3 * i, g->seg->marks[i].x, sizeof(double) * 3);
    if (geom_states_alloc(&g->mark_state, g->plan, 0, g->n_stages, n)) return -1;
    first_states(&g->mark_state, n, x, 3, g->plan->widths[0], 0);
    g->n_marks = n;
    return 0;
}

/* A fixed shuffle of the points (a seeded Fisher-Yates: the same for every
 * frame and run), the order flat frames draw them in: data come class by
 * class, and drawn in that order the last class would cover the others. */
static int interleave_points(Geometry *g)
{
    int n = g->n_points, k = 0;
    g->point_order = malloc(sizeof(int) * (n ? n : 1));
    if (!g->point_order) return -1;
    /* a fixed reference goes first, under what moves (generated samples over
     * the real data they imitate) */
    for (int i = 0; i < n; i++)
        if (g->point_fixed[i]) g->point_order[k++] = i;
    int *moving = g->point_order + k, m = 0;
    for (int i = 0; i < n; i++)
        if (!g->point_fixed[i]) moving[m++] = i;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = m - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int j = (int)(x % (uint64_t)(i + 1)), t = moving[i];
        moving[i] = moving[j];
        moving[j] = t;
    }
    return 0;
}

/* Every point of every set, set after set: labels, how each is drawn, and
 * (fixed points) where it stays. */
static int build_points(Geometry *g)
{
    const Segment *seg = g->seg;
    int n = segment_point_count(seg), any_fixed = 0;
    g->n_points = n;
    for (int k = 0; k < seg->n_sets; k++) any_fixed |= seg->sets[k].fixed;
    g->point_label = malloc(sizeof(int) * (n ? n : 1));
    g->point_fixed = malloc(n ? n : 1);
    g->point_from = malloc(sizeof(int) * (n ? n : 1));
    g->point_disc = malloc(n ? n : 1);
    if (any_fixed && !(g->point_fixed_at = calloc((size_t)3 * n, sizeof(double))))
        return -1;
    if (!g->point_label || !g->point_fixed || !g->point_from || !g->point_disc ||
        geom_states_alloc(&g->point_state, g->plan, 0, g->n_stages, n))
        return -1;
    int i0 = 0;
    for (int k = 0; k < seg->n_sets; k++) {
        const PointSet *ps = &seg->sets[k];
        memcpy(g->point_label + i0, ps->label, sizeof(int) * ps->n);
        memset(g->point_fixed + i0, ps->fixed, ps->n);
        for (int i = 0; i < ps->n; i++) g->point_from[i0 + i] = ps->fixed ? ps->from_layer : 0;
        memset(g->point_disc + i0, !ps->as_curves, ps->n);
        i0 += ps->n;
    }
    if (interleave_points(g)) return -1;
    /* moving points: their states; fixed ones: where they stay, once */
    i0 = 0;
    for (int k = 0; k < seg->n_sets; k++) {
        const PointSet *ps = &seg->sets[k];
        if (!ps->fixed) {
            first_states(&g->point_state, ps->n, ps->x, ps->dim, ps->dim, i0);
        } else {
            for (int i = 0; i < ps->n; i++)
                for (int a = 0; a < ps->dim && a < 3; a++)
                    g->point_fixed_at[3 * (size_t)(i0 + i) + a] = ps->x[(size_t)ps->dim * i + a];
        }
        i0 += ps->n;
    }
    return 0;
}

/* The semi-axes of every point's spread, in the display axes of the last
 * space (shown as it is: the spreads' sets come from stacks that end in at
 * most 3 units), swapped where the drawing swapped the last layer's units. */
static int build_spread(Geometry *g)
{
    const Segment *seg = g->seg;
    int any = 0, L = g->plan->n_hidden, i0 = 0;
    for (int k = 0; k < seg->n_sets; k++) any |= seg->sets[k].sigma != NULL;
    if (!any || L < 1 || g->plan->widths[L] > 3) return 0;
    g->point_spread = calloc((size_t)(g->n_points ? g->n_points : 1) * 3, sizeof(double));
    if (!g->point_spread) return -1;
    g->spread_dim = g->plan->widths[L];
    int swap = g->plan->swapped[L - 1];
    for (int k = 0; k < seg->n_sets; k++) {
        const PointSet *ps = &seg->sets[k];
        for (int i = 0; ps->sigma && i < ps->n; i++)
            for (int a = 0; a < ps->sigma_dim && a < 3; a++) {
                int shown = swap && a < 2 ? 1 - a : a;
                g->point_spread[3 * (size_t)(i0 + i) + shown] =
                    ps->sigma_k * ps->sigma[(size_t)i * ps->sigma_dim + a];
            }
        i0 += ps->n;
    }
    return 0;
}

int geom_build(Geometry *g, const Segment *seg, const StagePlan *plan, const GeomConfig *cfg,
               LwError *err)
{
    int rc = geom_build_lazy(g, seg, plan, cfg, err);
    return rc ? rc : geom_prepare(g, g->n_stages - 1, err);
}

int geom_build_lazy(Geometry *g, const Segment *seg, const StagePlan *plan,
                    const GeomConfig *cfg, LwError *err)
{
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    g->plan = plan;
    g->seg = seg;
    g->n_stages = plan->n_stages;
    g->adaptive = cfg->grid_adaptive;
    int dim = plan->widths[0];
    if (geom_grid_lines(&g->lines, seg->region, dim, cfg, seg->grid_at, seg->n_grid_at) ||
        geom_lines_append(&g->lines, &seg->lines, LINE_OVERLAY) ||
        geom_path_lines(&g->lines, seg->paths, seg->n_paths, cfg->grid_samples))
        return lw_fail(err, LW_ERUNTIME, "out of memory building grid lines");
    g->n_samples = g->lines.p.n;

    size_t per = 0; /* bytes of one thing's states, every stage's at its width */
    for (int s = 0; s < g->n_stages; s++) per += sizeof(double) * start_width(plan, s);
    int n_points = segment_point_count(seg);
    /* every point and grid sample keeps its state at the start of every
     * stage: bound that before allocating it */
    double need = (double)per * ((double)g->n_samples + n_points);
    if (need > GEOM_STATE_LIMIT)
        return lw_fail(err, LW_EINPUT, "%d points and %d grid samples over %d stages need "
                       "%.1f GiB of state (at most %.0f): lower points, grid_lines or "
                       "grid_samples", n_points, g->n_samples, g->n_stages, need / (1 << 30),
                       GEOM_STATE_LIMIT / (1 << 30));
    if (geom_states_alloc(&g->sample_state, plan, 0, g->n_stages, g->n_samples) ||
        build_points(g) || build_spread(g) || geom_arrows_build(g))
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d samples and %d points",
                       g->n_samples, n_points);
    first_states(&g->sample_state, g->n_samples, g->lines.p.x, 3, dim, 0);

    if (seg->shade_cells > 0 && build_shade(g) != 0)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the background shading");
    /* area needs a 2-D input sheet: a line or a solid has no area element */
    if (cfg->area_cells > 0 && dim == 2 && build_area(g, cfg->area_cells) != 0)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the area shading");
    if (build_marks(g))
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d marked codes", seg->n_marks);
    g->states_ready = g->n_stages > 0;
    return LW_OK;
}

/* The blocks after the ready ones up to `last`: each thing's state moved
 * on from the block before, in the order and with the functions of one
 * pass through all stages, so the numbers do not depend on how far earlier
 * requests reached. */
typedef struct {
    const Geometry *g;
    StateCache *cache;
    const unsigned char *which; /* NULL: every thing; else those with which[i] == 0 */
    int from, last;
} ExtendJob;

static void extend_part(void *ctx, int lo, int hi)
{
    const ExtendJob *j = ctx;
    geom_states_extend(j->cache, j->g->plan, stage_next_start, j->from, j->last, lo, hi - lo,
                       j->which, 0);
}

/* One cache's blocks from .. last; each thing on its own, so over threads. */
static void extend_cache(Geometry *g, StateCache *c, const unsigned char *which, int from,
                         int last)
{
    ExtendJob job = {g, c, which, from, last};
    parallel_for(c->n, g->cfg.threads, extend_part, &job);
}

static void extend_caches(Geometry *g, int last)
{
    int from = g->states_ready;
    if (last < from) return;
    extend_cache(g, &g->sample_state, NULL, from, last);
    extend_cache(g, &g->point_state, g->point_fixed, from, last);
    extend_cache(g, &g->mark_state, NULL, from, last);
    extend_cache(g, &g->shade_state, NULL, from, last);
    geom_arrows_extend(g, from, last);
    g->blocks_filled += last - from + 1;
    g->states_ready = last + 1;
}

int geom_prepare(Geometry *g, int stage, LwError *err)
{
    if (stage >= g->n_stages) stage = g->n_stages - 1;
    if (stage < 0) return LW_OK;
    int layer = g->plan->stages[stage].layer;
    /* a layer's projection reads its stages' ends: the next layer's start */
    int last = stage_index(layer + 1, STAGE_LINEAR);
    extend_caches(g, last < g->n_stages ? last : g->n_stages - 1);
    for (; g->proj_ready <= layer; g->proj_ready++) {
        int rc = geom_projection(g, g->proj_ready, err);
        if (rc) return rc;
    }
    return LW_OK;
}

int geom_ready(const Geometry *g, int stage)
{
    return stage >= 0 && stage < g->states_ready && g->plan->stages[stage].layer < g->proj_ready;
}

void geom_free(Geometry *g)
{
    if (!g) return;
    geom_lines_free(&g->lines);
    geom_states_free(&g->sample_state);
    free(g->point_label);
    free(g->point_order);
    free(g->point_fixed);
    free(g->point_from);
    free(g->point_disc);
    geom_states_free(&g->point_state);
    free(g->point_fixed_at);
    free(g->point_spread);
    geom_arrows_free(g);
    geom_states_free(&g->shade_state);
    geom_states_free(&g->area_corner_state);
    geom_states_free(&g->area_centre_state);
    geom_states_free(&g->area_centre_jac);
    geom_states_free(&g->mark_state);
    for (int l = 0; l < g->n_space; l++) {
        geom_lines_free(&g->space[l].lines);
        geom_states_free(&g->space[l].state);
    }
    memset(g, 0, sizeof *g);
}

/* Whether a state mid-stage can be a blend to the stage's end, because
 * that end is the next stage's start and already cached. */
static int blends_to_cached_end(const Geometry *g, int stage, double t)
{
    return t > 0.0 && t < 1.0 && stage + 1 < g->states_ready && stage_is_blend(g->plan, stage);
}

/* The state at (stage, t) of a thing whose state at the stage's start is
 * start and, when cached, at its end is end (else NULL): a blend to the end
 * is not an activation or W x per thing, and it is the same doubles (the
 * ends agree, and past the stage's dim both are the cache's +0).  It blends
 * the stage's dim coordinates only (blending all sixteen for a 2-wide
 * network was 5 % of a hash's instructions). */
static void state_at(const Geometry *g, int stage, double t, const double *start,
                     const double *end, double *out)
{
    if (end)
        stage_blend(g->plan->stages[stage].dim, t, start, end, out);
    else
        stage_eval(g->plan, stage, t, start, out);
}

void geom_point_display(const Geometry *g, int stage, double t, double seconds, int i,
                        double out[3])
{
    if (g->point_fixed[i]) {
        memcpy(out, g->point_fixed_at + 3 * (size_t)i, 3 * sizeof(double));
        return;
    }
    double st[W], start[W], end[W];
    geom_states_get(&g->point_state, stage, i, start);
    const double *cached = blends_to_cached_end(g, stage, t)
                               ? geom_states_get(&g->point_state, stage + 1, i, end)
                               : NULL;
    state_at(g, stage, t, start, cached, st);
    geom_to_display(g, stage, t, seconds, st, out);
}

/* Display coordinates of marked code i at (stage, t). */
static void mark_display(const Geometry *g, int stage, double t, double seconds, int i,
                         double out[3])
{
    double st[W], start[W];
    stage_eval(g->plan, stage, t, geom_states_get(&g->mark_state, stage, i, start), st);
    geom_to_display(g, stage, t, seconds, st, out);
}

void geom_grow_box(double *b, const double *R, const double *d)
{
    double x = R[0] * d[0] + R[1] * d[1] + R[2] * d[2];
    double y = R[3] * d[0] + R[4] * d[1] + R[5] * d[2];
    b[0] = fmin(b[0], x);
    b[1] = fmax(b[1], x);
    b[2] = fmin(b[2], y);
    b[3] = fmax(b[3], y);
}

/* A point's spread: the corners of its box (they hold the ellipse or
 * ellipsoid whatever the turn R). */
static void grow_spread(double *b, const double *R, const double *d, const double *s)
{
    for (int c = 0; c < 8; c++) {
        double e[3];
        for (int a = 0; a < 3; a++) e[a] = d[a] + (c >> a & 1 ? s[a] : -s[a]);
        geom_grow_box(b, R, e);
    }
}

void geom_content_box(const Geometry *g, int stage, double t, double seconds, const double *R,
                      int outline, double b[4])
{
    b[0] = b[2] = INFINITY;
    b[1] = b[3] = -INFINITY;
    int layer = g->plan->stages[stage].layer;
    /* the last layer's view holds the spreads that appear at its end */
    int spreads = g->point_spread && layer == g->plan->n_hidden - 1;
    for (int i = 0; i < g->n_points; i++) {
        if (g->point_from[i] > layer) continue; /* not shown yet */
        double d[3];
        geom_point_display(g, stage, t, seconds, i, d);
        geom_grow_box(b, R, d);
        if (spreads) grow_spread(b, R, d, g->point_spread + 3 * (size_t)i);
    }
    geom_content_box_rest(g, stage, t, seconds, R, outline, b);
    /* a zero edge is +0 whichever zero the last point to reach it had, so a
     * box over just the points that can hold an edge (geom_extent.c) is
     * the same four doubles */
    for (int k = 0; k < 4; k++) b[k] += 0.0;
}

void geom_content_box_rest(const Geometry *g, int stage, double t, double seconds,
                           const double *R, int outline, double b[4])
{
    int layer = g->plan->stages[stage].layer;
    geom_arrows_grow_box(g, stage, t, seconds, R, b);
    for (int i = 0; i < g->n_marks; i++) {
        double d[3];
        mark_display(g, stage, t, seconds, i, d);
        geom_grow_box(b, R, d);
    }
    /* the whole layer's view holds the reference that appears in it */
    const Polylines *ref = &g->seg->reference;
    for (int j = 0; outline && layer >= g->seg->reference_from && j < ref->n; j++)
        geom_grow_box(b, R, ref->x + 3 * j);
    const LineSet *ls = &g->lines;
    for (int l = 0; outline && l < ls->p.n_lines; l++) {
        if (ls->kind[l] != LINE_DOMAIN) continue;
        for (int j = ls->p.start[l]; j < ls->p.start[l + 1]; j++) {
            double st[W], d[3], start[W];
            stage_eval(g->plan, stage, t, geom_states_get(&g->sample_state, stage, j, start), st);
            geom_to_display(g, stage, t, seconds, st, d);
            geom_grow_box(b, R, d);
        }
    }
}

void geom_point_start_state(const Geometry *g, int s, int i, double *out)
{
    geom_states_get(&g->point_state, s, i, out);
}

void geom_point_end_state(const Geometry *g, int s, int i, double *out)
{
    double start[W] = {0};
    if (g->point_fixed[i]) /* its state is where it stays */
        memcpy(start, g->point_fixed_at + 3 * (size_t)i, 3 * sizeof(double));
    else
        geom_states_get(&g->point_state, s, i, start);
    stage_end(g->plan, s, start, out);
}

/* ---- one frame ------------------------------------------------------------ */

/* Grows the per-line arrays of a frame to `cap` lines (start has one more
 * entry); on failure the old arrays stay valid and owned by the frame. */
static int grow_frame_lines(FrameGeom *fg, int cap)
{
    LineKind *k = realloc(fg->line_kind, cap * sizeof *k);
    if (!k) return -1;
    fg->line_kind = k;
    int *l = realloc(fg->line_label, cap * sizeof *l);
    if (!l) return -1;
    fg->line_label = l;
    int *s = realloc(fg->line_start, (cap + 1) * sizeof *s);
    if (!s) return -1;
    fg->line_start = s;
    return 0;
}

static int fg_reserve(FrameGeom *fg, int n_xy, int n_lines)
{
    if (n_xy > fg->cap_xy) {
        int cap = fg->cap_xy ? fg->cap_xy : 4096;
        while (cap < n_xy) cap *= 2;
        double *p = realloc(fg->lxy, (size_t)cap * 2 * sizeof *p);
        if (!p) return -1;
        fg->lxy = p;
        double *d = realloc(fg->ldepth, (size_t)cap * sizeof *d);
        if (!d) return -1;
        fg->ldepth = d;
        fg->cap_xy = cap;
    }
    /* line_start always has its end entry, even for a frame of no lines */
    if (n_lines > fg->cap_lines || !fg->line_start) {
        int cap = n_lines + 64;
        if (grow_frame_lines(fg, cap)) return -1;
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
    /* the lines being drawn: their coordinates are states at the start of
     * stage `base` (grid lines: 0); or (placed) already where the frame shows
     * them, not moved by the frame's stage */
    int base;
    int placed;
    const MorphNet *morph;  /* a training morph's network of the frame, or NULL */
} FrameCtx;

/* s: pixel x, y and depth (larger = nearer) of a sample. */
static void sample_screen(const FrameCtx *c, const double *start_state, double s[3])
{
    double st[W], d[3];
    if (c->placed)
        memcpy(st, start_state, sizeof st);
    else if (c->morph) /* the same numbers as stage_eval, the weights worked out once */
        stage_morph_net_eval(c->morph, start_state, st);
    else
        stage_eval(c->g->plan, c->stage, c->t, start_state, st);
    geom_to_display(c->g, c->stage, c->t, c->seconds, st, d);
    view_project(c->view, d, &s[0], &s[1], &s[2]);
}

/* The same for a sample whose state at the end of the frame's stage is
 * cached (end, or NULL), as state_at. */
static void sample_screen_to(const FrameCtx *c, const double *start_state, const double *end,
                             double s[3])
{
    if (!end) {
        sample_screen(c, start_state, s);
        return;
    }
    double st[W], d[3];
    state_at(c->g, c->stage, c->t, start_state, end, st);
    geom_to_display(c->g, c->stage, c->t, c->seconds, st, d);
    view_project(c->view, d, &s[0], &s[1], &s[2]);
}

/* A point x of the lines' own space (3 coordinates) as a state at the start
 * of the frame's stage. */
static void line_state(const FrameCtx *c, const double *x, double *st)
{
    memset(st, 0, sizeof(double) * W);
    memcpy(st, x, 3 * sizeof(double));
    for (int k = c->base; !c->placed && k < c->stage; k++)
        stage_next_start(c->g->plan, k, st, st);
}

static void put(FrameCtx *c, const double s[3])
{
    /* room for the point is the rule (fg_reserve doubles it); the call only
     * when it is not */
    if (c->failed || (c->n >= c->fg->cap_xy && fg_reserve(c->fg, c->n + 1, 0))) {
        c->failed = 1;
        return;
    }
    c->fg->lxy[2 * c->n] = s[0];
    c->fg->lxy[2 * c->n + 1] = s[1];
    c->fg->ldepth[c->n] = s[2];
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
        double xm[W] = {0}, sm[3], st[W];
        for (int a = 0; a < 3; a++)
            xm[a] = 0.5 * (xa[a] + xb[a]);
        line_state(c, xm, st);
        sample_screen(c, st, sm);
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
    put(c, sb);
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

/* Far points first; at equal depth (every point of a flat frame) in the
 * geometry's interleaved order, so no class is drawn over another wholesale. */
static void depth_order(FrameGeom *fg, const int *interleave)
{
    int n = fg->n_points, flat = 1;
    for (int i = 0; i < n; i++) {
        fg->order[i] = interleave[i];
        if (fg->pdepth[i] != 0.0) flat = 0;
    }
    if (flat || n < 2) return;
    merge_sort(fg->order, fg->order_tmp, n, fg->pdepth);
}

/* Simplifies the line that started at `start` and rewinds the write head. */
static void finish_line(FrameCtx *c, int start)
{
    c->n = start + polyline_simplify(c->fg->lxy + 2 * start, c->fg->ldepth + start,
                                     c->n - start);
}

/* Once the readout has turned the space so that x1 is the score, the
 * boundary is the vertical x1 = c: c = -(1 - t) b while the bias shifts it
 * to 0, then (1 - t) 0 + t sigmoid(0) while the sigmoid squashes x1; the
 * halves fade in with the shift. */
static void readout_halves(const Geometry *g, int stage, double t, const View *view,
                           FrameGeom *fg)
{
    const StagePlan *plan = g->plan;
    const Stage *st = &plan->stages[stage];
    int flat = view_is_flat(view);
    fg->half_alpha = 0;
    if (!plan->readout || plan->n_scores != 1 || st->layer != plan->n_layers - 1 ||
        st->kind == STAGE_LINEAR || !flat || !g->seg->show_scores)
        return;
    double c = st->kind == STAGE_BIAS ? -(1 - t) * plan->score_b[0] : 0.5 * t;
    double p[3] = {c, 0, 0}, y, depth;
    view_project(view, p, &fg->half_x, &y, &depth);
    fg->half_alpha = st->kind == STAGE_BIAS ? t : 1.0;
}

static int reserve_points(FrameGeom *fg, int n)
{
    if (n <= fg->cap_points && fg->px) return 0;
    free(fg->px); free(fg->py); free(fg->pdepth); free(fg->order); free(fg->order_tmp);
    fg->px = malloc((n + 1) * sizeof *fg->px);
    fg->py = malloc((n + 1) * sizeof *fg->py);
    fg->pdepth = malloc((n + 1) * sizeof *fg->pdepth);
    fg->order = malloc((n + 1) * sizeof *fg->order);
    fg->order_tmp = malloc((n + 1) * sizeof *fg->order_tmp);
    fg->cap_points = n;
    if (!fg->px || !fg->py || !fg->pdepth || !fg->order || !fg->order_tmp) {
        fg->cap_points = 0;
        return -1;
    }
    return 0;
}

static int curve_count(const Segment *seg)
{
    int n = 0;
    for (int k = 0; k < seg->n_sets; k++)
        if (seg->sets[k].as_curves) n += seg->sets[k].n_curves;
    return n;
}

/* Appends the lines of ls, whose samples' states at the start of the
 * frame's stage are block `block` of `states` (NULL: for placed lines the
 * samples themselves). */
static void draw_line_set(FrameCtx *c, const LineSet *ls, const StateCache *states, int block)
{
    FrameGeom *fg = c->fg;
    /* mid-stage, a blend to the stage's end, when that is cached too */
    int ends = states && !c->placed && !c->morph && block + 1 < states->n_blocks &&
               blends_to_cached_end(c->g, c->stage, c->t);
    for (int k = 0; k < ls->p.n_lines && !c->failed; k++) {
        int l = fg->n_lines++;
        fg->line_start[l] = c->n;
        fg->line_kind[l] = ls->kind ? ls->kind[k] : LINE_OVERLAY;
        fg->line_label[l] = -1;
        double prev_s[3] = {0, 0, 0};
        for (int j = ls->p.start[k]; j < ls->p.start[k + 1]; j++) {
            double s[3], st[W] = {0}, end[W];
            if (states)
                geom_states_get(states, block, j, st);
            else
                memcpy(st, ls->p.x + 3 * j, 3 * sizeof(double));
            sample_screen_to(c, st, ends ? geom_states_get(states, block + 1, j, end) : NULL, s);
            if (j == ls->p.start[k] || !c->g->adaptive)
                put(c, s);
            else
                refine(c, ls->p.x + 3 * (j - 1), prev_s, ls->p.x + 3 * j, s, 0);
            memcpy(prev_s, s, sizeof prev_s);
        }
        if (!c->failed) finish_line(c, fg->line_start[l]);
    }
}

static void moving_lines(FrameCtx *c)
{
    const Geometry *g = c->g;
    c->base = 0;
    c->placed = 0;
    draw_line_set(c, &g->lines, &g->sample_state, c->stage);
}

/* Where the score regions meet: during layer l's stages the lines of space
 * l move with the layer; once its last stage is done, space l + 1's lines,
 * traced there, show as they are (they reach further across the frame). */
/* Lines traced for this frame in display coordinates, to pixels. */
static void frame_traced_lines(FrameCtx *c, const Polylines *p)
{
    FrameGeom *fg = c->fg;
    if (fg_reserve(fg, c->n, fg->n_lines + p->n_lines + curve_count(c->g->seg) + 1)) {
        c->failed = 1;
        return;
    }
    for (int k = 0; k < p->n_lines && !c->failed; k++) {
        int l = fg->n_lines++;
        fg->line_start[l] = c->n;
        fg->line_kind[l] = LINE_OVERLAY;
        fg->line_label[l] = -1;
        for (int j = p->start[k]; j < p->start[k + 1]; j++) {
            double s[3];
            view_project(c->view, p->x + 3 * j, &s[0], &s[1], &s[2]);
            put(c, s);
        }
        if (!c->failed) finish_line(c, fg->line_start[l]);
    }
}

/* A training morph's boundary: traced for this frame's network in the
 * input space, where every stage of a morph starts, and moved as the grid
 * is (refined on screen the same way). */
static void morph_score_lines(FrameCtx *c)
{
    Polylines *p = &c->fg->score_scratch;
    int traced = geom_morph_scores_with(c->g, c->stage, c->t, c->view, c->morph, p);
    if (traced == 2) { /* across the whole plane, where the frame shows it */
        frame_traced_lines(c, p);
        return;
    }
    if (traced < 0 ||
        fg_reserve(c->fg, c->n, c->fg->n_lines + p->n_lines + curve_count(c->g->seg) + 1)) {
        c->failed = 1;
        return;
    }
    LineSet ls = {*p, NULL, 0};
    c->base = c->stage;
    c->placed = 0;
    draw_line_set(c, &ls, NULL, 0);
}

static void score_lines(FrameCtx *c)
{
    const Geometry *g = c->g;
    if (g->plan->morph.on) {
        morph_score_lines(c);
        return;
    }
    int traced = geom_frame_scores(g, c->stage, c->t, c->view, &c->fg->score_scratch);
    if (traced < 0) {
        c->failed = 1;
        return;
    }
    if (traced) {
        frame_traced_lines(c, &c->fg->score_scratch);
        return;
    }
    const Stage *st = &g->plan->stages[c->stage];
    int l = st->layer;
    int done = st->kind == STAGE_ACTIVATION && c->t >= 1.0;
    if (done && l + 1 < g->n_space && g->space[l + 1].lines.p.n_lines) {
        c->base = g->space[l + 1].base;
        c->placed = 1;
        draw_line_set(c, &g->space[l + 1].lines, NULL, 0);
        return;
    }
    /* the newest space up to this layer that has lines of its own */
    int k = l < g->n_space ? l : g->n_space - 1;
    while (k >= 0 && !g->space[k].state.x) k--;
    if (k >= 0) {
        const SpaceLines *sl = &g->space[k];
        c->base = sl->base;
        c->placed = 0;
        draw_line_set(c, &sl->lines, &sl->state, c->stage - sl->base);
    }
    c->placed = 0;
}

static int score_line_count(const Geometry *g)
{
    int n = 0;
    for (int l = 0; l < g->n_space; l++) n += g->space[l].lines.p.n_lines;
    return n;
}

/* Curves through the points themselves, in order along each curve. */
static void point_curves(FrameCtx *c)
{
    const Segment *seg = c->g->seg;
    FrameGeom *fg = c->fg;
    int l = fg->n_lines, i0 = 0;
    for (int k = 0; k < seg->n_sets; k++) {
        const PointSet *ps = &seg->sets[k];
        for (int cv = 0; ps->as_curves && cv < ps->n_curves && !c->failed; cv++, l++) {
            fg->line_start[l] = c->n;
            fg->line_kind[l] = LINE_CURVE;
            fg->line_label[l] = ps->label[ps->curve_start[cv]];
            for (int i = ps->curve_start[cv]; i < ps->curve_start[cv + 1]; i++)
                put(c, (double[3]){fg->px[i0 + i], fg->py[i0 + i], fg->pdepth[i0 + i]});
            if (!c->failed) finish_line(c, fg->line_start[l]);
        }
        i0 += ps->n;
    }
    fg->n_lines = l;
}

static int mark_pixels(const Geometry *g, int stage, double t, double seconds,
                       const View *view, FrameGeom *fg)
{
    fg->n_marks = g->n_marks;
    fg->marks = g->seg->marks;
    if (!g->n_marks) return 0;
    double *xy = realloc(fg->mark_xy, sizeof(double) * 2 * g->n_marks);
    if (!xy) return -1;
    fg->mark_xy = xy;
    for (int i = 0; i < g->n_marks; i++) {
        double d[3], depth;
        mark_display(g, stage, t, seconds, i, d);
        view_project(view, d, &xy[2 * i], &xy[2 * i + 1], &depth);
    }
    return 0;
}

/* Before its layer's linear stage has reached the space the reference
 * belongs to, the space on screen is another (often a wider one's
 * projection), where it would mean nothing. */
int geom_reference_shown(const Geometry *g, int stage, double t)
{
    int from = stage_index(g->seg->reference_from, STAGE_LINEAR);
    return g->seg->reference.n_lines && (stage > from || (stage == from && t >= 1.0));
}

/* The stack's last stage (its activation): the spreads belong to the last space. */
double geom_spreads_shown(const Geometry *g, int stage, double t)
{
    int last = stage_index(g->plan->n_hidden - 1, STAGE_ACTIVATION);
    return g->point_spread && stage == last && t > 0 ? fmin(t, 1.0) : 0.0;
}

/* The segment's fixed reference: display coordinates, so only projected. */
static void reference_lines(FrameCtx *c)
{
    const Polylines *ref = &c->g->seg->reference;
    FrameGeom *fg = c->fg;
    if (!geom_reference_shown(c->g, c->stage, c->t)) return;
    if (fg_reserve(fg, c->n, fg->n_lines + ref->n_lines + 1)) {
        c->failed = 1;
        return;
    }
    for (int k = 0; k < ref->n_lines && !c->failed; k++) {
        int l = fg->n_lines++;
        fg->line_start[l] = c->n;
        fg->line_kind[l] = LINE_REFERENCE;
        fg->line_label[l] = -1;
        for (int j = ref->start[k]; j < ref->start[k + 1]; j++) {
            double s[3];
            view_project(c->view, ref->x + 3 * j, &s[0], &s[1], &s[2]);
            put(c, s);
        }
    }
}

/* ---- spreads: a closed polygon in pixels about each point ---- */

#define BAR_HALF 10.0  /* px at 720p: half the thickness of a spread along a line: a
                          band above and below the points, darker where more overlap */
#define BLOB_EDGE 5.0  /* px: about this long, each edge of an ellipse's polygon */

static int blob_reserve(FrameGeom *fg, int n_blobs, int n_xy)
{
    if (n_blobs + 1 > fg->cap_blobs) {
        int cap = fg->cap_blobs ? 2 * fg->cap_blobs : 256;
        while (cap < n_blobs + 1) cap *= 2;
        int *s = realloc(fg->blob_start, (size_t)(cap + 1) * sizeof *s);
        if (!s) return -1;
        fg->blob_start = s;
        int *l = realloc(fg->blob_label, (size_t)cap * sizeof *l);
        if (!l) return -1;
        fg->blob_label = l;
        fg->cap_blobs = cap;
    }
    if (n_xy > fg->cap_bxy) {
        int cap = fg->cap_bxy ? 2 * fg->cap_bxy : 4096;
        while (cap < n_xy) cap *= 2;
        double *x = realloc(fg->bxy, (size_t)cap * 2 * sizeof *x);
        if (!x) return -1;
        fg->bxy = x;
        fg->cap_bxy = cap;
    }
    return 0;
}

/* The polygon of one spread about pixel p0, given J: the pixel offsets of
 * its semi-axes (column a the image of the point moved by its semi-axis
 * along display axis a).  The image of the unit ball under J is the ellipse
 * whose axes are the eigenvectors of J J^T with the square roots of its
 * eigenvalues as half-lengths: the ellipse on a plane seen from any angle,
 * and the outline of an ellipsoid seen orthographically (under perspective,
 * the same to first order about the point).  One axis (a line): a bar of
 * BAR_HALF across, a thin ellipse would hide its ends.  Returns the number
 * of vertices written to xy (at most 64). */
static int spread_polygon(const double *p0, double J[2][3], int dim, double half, double *xy)
{
    if (dim == 1) {
        double ux = J[0][0], uy = J[1][0], len = hypot(ux, uy);
        double nx = len > 0 ? -uy / len * half : 0, ny = len > 0 ? ux / len * half : half;
        static const int sign[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
        for (int k = 0; k < 4; k++) {
            xy[2 * k] = p0[0] + sign[k][0] * ux + sign[k][1] * nx;
            xy[2 * k + 1] = p0[1] + sign[k][0] * uy + sign[k][1] * ny;
        }
        return 4;
    }
    double a = 0, b = 0, c = 0; /* J J^T = [a b; b c] */
    for (int k = 0; k < dim; k++) {
        a += J[0][k] * J[0][k];
        b += J[0][k] * J[1][k];
        c += J[1][k] * J[1][k];
    }
    double mid = 0.5 * (a + c), rad = hypot(0.5 * (a - c), b);
    double r1 = sqrt(mid + rad), r2 = sqrt(fmax(mid - rad, 0.0)), phi = 0.5 * atan2(2 * b, a - c);
    r2 = fmax(r2, 0.5); /* seen edge-on: still a sliver */
    int n = (int)ceil(2 * M_PI * r1 / BLOB_EDGE);
    n = n < 12 ? 12 : n > 64 ? 64 : n;
    double cp = cos(phi), sp = sin(phi);
    for (int k = 0; k < n; k++) {
        double th = 2 * M_PI * k / n, u = r1 * cos(th), v = r2 * sin(th);
        xy[2 * k] = p0[0] + u * cp - v * sp;
        xy[2 * k + 1] = p0[1] + u * sp + v * cp;
    }
    return n;
}

/* Each point's spread, faded in through the stack's last stage. */
static int spread_blobs(FrameCtx *c)
{
    const Geometry *g = c->g;
    FrameGeom *fg = c->fg;
    fg->n_blobs = 0;
    fg->blob_alpha = geom_spreads_shown(g, c->stage, c->t);
    if (fg->blob_alpha <= 0) return 0;
    fg->blob_dim = g->spread_dim;
    double half = BAR_HALF * c->view->height / 720.0;
    int n = 0;
    if (blob_reserve(fg, 0, 0)) return -1;
    fg->blob_start[0] = 0;
    for (int k = 0; k < g->n_points; k++) {
        int i = fg->order[k]; /* as the points: far to near, classes interleaved */
        const double *s = g->point_spread + 3 * (size_t)i;
        if (s[0] == 0 && s[1] == 0 && s[2] == 0) continue;
        double d[3], p0[3], J[2][3] = {{0}};
        geom_point_display(g, c->stage, c->t, c->seconds, i, d);
        view_project(c->view, d, &p0[0], &p0[1], &p0[2]);
        for (int a = 0; a < g->spread_dim; a++) {
            double e[3] = {d[0], d[1], d[2]}, q[3];
            e[a] += s[a];
            view_project(c->view, e, &q[0], &q[1], &q[2]);
            J[0][a] = q[0] - p0[0];
            J[1][a] = q[1] - p0[1];
        }
        if (blob_reserve(fg, fg->n_blobs + 1, n + 64)) return -1;
        n += spread_polygon(p0, J, g->spread_dim, half, fg->bxy + 2 * n);
        fg->blob_label[fg->n_blobs] = g->point_label[i];
        fg->blob_start[++fg->n_blobs] = n;
    }
    return 0;
}

/* A training morph's network changes in every frame: each cell gets the
 * class the network of the frame's moment gives its centre. */
static int morph_classes(FrameCtx *c)
{
    const Geometry *g = c->g;
    const double *reg = g->seg->region;
    int S = g->shade_cells;
    int *cls = realloc(c->fg->morph_class, sizeof(int) * S * S);
    if (!cls) return -1;
    c->fg->morph_class = cls;
    for (int j = 0; j < S; j++)
        for (int i = 0; i < S; i++) {
            double x[W] = {0}, z[LW_MAX_CLASSES];
            x[0] = reg[0] + (reg[1] - reg[0]) * (i + 0.5) / S;
            x[1] = reg[2] + (reg[3] - reg[2]) * (j + 0.5) / S;
            stage_morph_net_scores(c->morph, x, 0, z);
            int k = stage_scores_class(z, g->plan->n_scores);
            /* a verdict's two tints (real where the score is positive) */
            cls[j * S + i] = g->seg->shade_name[0][0] ? g->seg->shade_colour[k ? 0 : 1] : k;
        }
    c->fg->shade_class = cls;
    return 0;
}

static int shade_corners(FrameCtx *c)
{
    const Geometry *g = c->g;
    FrameGeom *fg = c->fg;
    fg->shade_cells = g->shade_cells;
    fg->shade_class = g->seg->shade_class;
    if (!g->shade_cells) return 0;
    if (g->plan->morph.on && morph_classes(c)) return -1;
    int nc = (g->shade_cells + 1) * (g->shade_cells + 1);
    double *xy = realloc(fg->shade_xy, sizeof(double) * 2 * nc);
    if (!xy) return -1;
    fg->shade_xy = xy;
    c->placed = 0; /* moved by the frame's stage, whatever lines came before */
    for (int k = 0; k < nc; k++) {
        double p[3], st[W];
        sample_screen(c, geom_states_get(&g->shade_state, c->stage, k, st), p);
        xy[2 * k] = p[0];
        xy[2 * k + 1] = p[1];
    }
    return 0;
}

/* The area mesh's corners in pixels: each state cached at its layer's
 * start, moved through the layer's stages before the frame's, then by the
 * frame's own (never placed, whatever lines came before). */
static int area_corners(FrameCtx *c, int layer)
{
    const Geometry *g = c->g;
    int nc = (g->area_cells + 1) * (g->area_cells + 1);
    double *xy = realloc(c->fg->area_xy, sizeof(double) * 2 * nc);
    if (!xy) return -1;
    c->fg->area_xy = xy;
    c->placed = 0;
    for (int k = 0; k < nc; k++) {
        double st[W], p[3];
        geom_states_get(&g->area_corner_state, layer, k, st);
        for (int s = stage_index(layer, STAGE_LINEAR); s < c->stage; s++)
            stage_end(g->plan, s, st, st);
        sample_screen(c, st, p);
        xy[2 * k] = p[0];
        xy[2 * k + 1] = p[1];
    }
    return 0;
}

/* Per cell the log area element of the map so far and the sign of det J:
 * the centre's state and Jacobian cached at its layer's start, pushed
 * through the layer's stages before the frame's, then the frame's own to
 * its t. */
static int area_values(FrameCtx *c, int layer)
{
    const Geometry *g = c->g;
    FrameGeom *fg = c->fg;
    int n = g->area_cells * g->area_cells, rows = area_rows(g->plan, c->stage);
    double *lg = realloc(fg->area_log, sizeof(double) * n);
    if (!lg) return -1;
    fg->area_log = lg;
    signed char *sg = realloc(fg->area_sign, (size_t)n);
    if (!sg) return -1;
    fg->area_sign = sg;
    for (int k = 0; k < n; k++) {
        AreaJacobian J;
        double st[W];
        int sign;
        geom_states_get(&g->area_centre_state, layer, k, st);
        geom_states_get(&g->area_centre_jac, layer, k, &J[0][0]);
        for (int s = stage_index(layer, STAGE_LINEAR); s < c->stage; s++) {
            area_push(g->plan, s, 1.0, st, J, J);
            stage_end(g->plan, s, st, st);
        }
        area_push(g->plan, c->stage, c->t, st, J, J);
        lg[k] = area_log_element(J, rows, &sign);
        sg[k] = (signed char)sign;
    }
    return 0;
}

static int area_mesh(FrameCtx *c)
{
    c->fg->area_cells = c->g->area_cells;
    if (!c->g->area_cells) return 0;
    int layer = c->g->plan->stages[c->stage].layer;
    return area_corners(c, layer) || area_values(c, layer) ? -1 : 0;
}

int geom_frame(const Geometry *g, int stage, double t, double seconds, const View *view,
               FrameGeom *fg)
{
    int n = g->n_points;
    int n_lines = g->lines.p.n_lines + curve_count(g->seg) + score_line_count(g);
    if (reserve_points(fg, n) || fg_reserve(fg, g->n_samples + n, n_lines))
        return LW_ERUNTIME;
    fg->n_points = n;
    fg->label = g->point_label;
    fg->disc = g->point_disc;
    int layer = g->plan->stages[stage].layer;
    for (int i = 0; i < n; i++) {
        double d[3];
        geom_point_display(g, stage, t, seconds, i, d);
        view_project(view, d, &fg->px[i], &fg->py[i], &fg->pdepth[i]);
        if (g->point_from[i] > layer) /* not shown yet: far off the frame, never drawn */
            fg->px[i] = fg->py[i] = -1e9;
    }
    depth_order(fg, g->point_order);

    readout_halves(g, stage, t, view, fg);
    FrameCtx c = {g, stage, t, seconds, view, fg, 0, 0, 0, 0, NULL};
    MorphNet *morph = NULL;
    if (g->plan->morph.on) {
        if (!(morph = malloc(sizeof *morph))) return LW_ERUNTIME;
        stage_morph_net(&g->plan->morph, stage_morph_u(stage, t), morph);
        c.morph = morph;
    }
    fg->n_lines = 0;
    moving_lines(&c);
    score_lines(&c);
    point_curves(&c);
    reference_lines(&c);
    int failed = c.failed || shade_corners(&c) || area_mesh(&c) || spread_blobs(&c) ||
                 geom_arrows_frame(g, stage, t, seconds, view, fg) ||
                 mark_pixels(g, stage, t, seconds, view, fg);
    free(morph);
    if (failed) return LW_ERUNTIME;
    fg->line_start[fg->n_lines] = c.n;
    return LW_OK;
}

void geom_frame_free(FrameGeom *fg)
{
    if (!fg) return;
    free(fg->px); free(fg->py); free(fg->pdepth); free(fg->order); free(fg->order_tmp);
    free(fg->line_start); free(fg->line_kind); free(fg->line_label); free(fg->lxy);
    free(fg->ldepth);
    polylines_free(&fg->score_scratch);
    free(fg->shade_xy);
    free(fg->morph_class);
    free(fg->area_xy); free(fg->area_log); free(fg->area_sign);
    free(fg->mark_xy);
    free(fg->blob_start); free(fg->blob_label); free(fg->bxy);
    free(fg->axy);
    memset(fg, 0, sizeof *fg);
}
