/* geom_arrows.c — arrows on points (PointSet.arrow: a GAN generator's push
 * on its samples) in the Geometry and in a frame's pixels.
 *
 * An input-space arrow's tip is a point of the stack's input space, moved
 * through the stages like every point, so the arrow bends and stretches
 * with the space; an output-space arrow is a displacement in the last
 * space's display axes (units 1 and 2 swapped where the drawing swapped
 * the last layer's), added to the point there and faded in through the
 * stack's last stage, like the spreads.
 *
 * Owns: the Geometry's arrow arrays (freed by geom_arrows_free) and the
 * FrameGeom's arrow buffer (freed with it). */
#include "geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W LW_MAX_WIDTH

enum { NONE, TIP_MOVES, LAST_SPACE };

static int any_arrows(const Segment *seg)
{
    for (int k = 0; k < seg->n_sets; k++)
        if (seg->sets[k].arrow) return 1;
    return 0;
}

/* Each tip (the point plus its arrow) at the start of the first stage;
 * geom_arrows_extend moves it on. */
static void fill_tips(Geometry *g, const PointSet *ps, int i0)
{
    for (int i = 0; i < ps->n; i++) {
        double st[W] = {0};
        for (int a = 0; a < ps->dim && a < W; a++)
            st[a] = ps->x[(size_t)ps->dim * i + a] + ps->arrow[(size_t)ps->arrow_dim * i + a];
        geom_states_put(&g->arrow_state, 0, i0 + i, st);
    }
}

/* What a set's arrows are: none, tips that move, last-space displacements. */
static int set_kind(const Geometry *g, const PointSet *ps)
{
    int last_ok = g->plan->widths[g->plan->n_hidden] <= 3;
    return !ps->arrow ? NONE
           : ps->arrow_space == ARROWS_INPUT ? (ps->fixed ? NONE : TIP_MOVES)
           : last_ok ? LAST_SPACE : NONE;
}

/* Every tip of a set whose tips move (a zero arrow's too: its tip is its
 * point), as fill_tips put them. */
void geom_arrows_extend(Geometry *g, int from, int to)
{
    if (!g->arrow_kind) return;
    int i0 = 0;
    for (int k = 0; k < g->seg->n_sets; k++) {
        const PointSet *ps = &g->seg->sets[k];
        if (set_kind(g, ps) == TIP_MOVES)
            geom_states_extend(&g->arrow_state, g->plan, stage_end, from, to, i0, ps->n, NULL, 0);
        i0 += ps->n;
    }
}

/* A last-space arrow in the display axes of that space. */
static void fill_last(Geometry *g, const PointSet *ps, int i0)
{
    int L = g->plan->n_hidden, swap = L > 0 && g->plan->swapped[L - 1];
    for (int i = 0; i < ps->n; i++)
        for (int a = 0; a < ps->arrow_dim && a < 3; a++) {
            int shown = swap && a < 2 ? 1 - a : a;
            g->arrow_out[3 * (size_t)(i0 + i) + shown] = ps->arrow[(size_t)ps->arrow_dim * i + a];
        }
}

int geom_arrows_build(Geometry *g)
{
    const Segment *seg = g->seg;
    if (!any_arrows(seg)) return 0;
    size_t n = (size_t)(g->n_points ? g->n_points : 1);
    g->arrow_kind = calloc(n, 1);
    g->arrow_out = calloc(3 * n, sizeof(double));
    if (!g->arrow_kind || !g->arrow_out ||
        geom_states_alloc(&g->arrow_state, g->plan, 0, g->n_stages, (int)n))
        return -1;
    int i0 = 0;
    for (int k = 0; k < seg->n_sets; k++) {
        const PointSet *ps = &seg->sets[k];
        int kind = set_kind(g, ps);
        for (int i = 0; i < ps->n; i++) {
            const double *v = ps->arrow ? ps->arrow + (size_t)ps->arrow_dim * i : NULL;
            int nonzero = 0;
            for (int a = 0; v && a < ps->arrow_dim; a++) nonzero |= v[a] != 0;
            g->arrow_kind[i0 + i] = nonzero ? (unsigned char)kind : NONE;
        }
        if (kind == TIP_MOVES) fill_tips(g, ps, i0);
        if (kind == LAST_SPACE) fill_last(g, ps, i0);
        i0 += ps->n;
    }
    return 0;
}

void geom_arrows_free(Geometry *g)
{
    free(g->arrow_kind);
    geom_states_free(&g->arrow_state);
    free(g->arrow_out);
    g->arrow_kind = NULL;
    g->arrow_out = NULL;
}

/* How much of point i's arrow the frame at (stage, t) shows, 0 to 1. */
static double arrow_share(const Geometry *g, int i, int stage, double t)
{
    if (!g->arrow_kind || g->arrow_kind[i] == NONE) return 0;
    if (g->arrow_kind[i] == TIP_MOVES || g->plan->morph.on) return 1;
    int last = stage_index(g->plan->n_hidden - 1, STAGE_ACTIVATION);
    return stage == last && t > 0 ? fmin(t, 1.0) : 0.0;
}

/* The set point i belongs to. */
static const PointSet *set_of(const Geometry *g, int i)
{
    int k = 0;
    while (k + 1 < g->seg->n_sets && i >= g->seg->sets[k].n) i -= g->seg->sets[k++].n;
    return &g->seg->sets[k];
}

/* A training morph's arrow: the push of the frame's network at the point
 * (its display coordinates d are its state in the shown space, at most 3
 * units, shown as they are), scaled and capped as the builder said. */
static void morph_tip(const Geometry *g, int stage, double t, int i, const double *d,
                      double out[3])
{
    const PointSet *ps = set_of(g, i);
    double h[W] = {0}, push[W], len = 0;
    memcpy(h, d, 3 * sizeof(double));
    stage_morph_push(&g->plan->morph, stage_morph_u(stage, t), h, push);
    for (int a = 0; a < 3; a++) {
        push[a] *= ps->arrow_scale;
        len += push[a] * push[a];
    }
    double f = sqrt(len) > ps->arrow_cap && ps->arrow_cap > 0 ? ps->arrow_cap / sqrt(len) : 1.0;
    for (int a = 0; a < 3; a++) out[a] = d[a] + f * push[a];
}

/* The tip of point i's arrow in display coordinates, the point's own
 * display coordinates in d. */
static void tip_display(const Geometry *g, int stage, double t, double seconds, int i,
                        const double *d, double out[3])
{
    if (g->arrow_kind[i] == TIP_MOVES) {
        double st[W], start[W];
        stage_eval(g->plan, stage, t, geom_states_get(&g->arrow_state, stage, i, start), st);
        geom_to_display(g, stage, t, seconds, st, out);
        return;
    }
    if (g->plan->morph.on) {
        morph_tip(g, stage, t, i, d, out);
        return;
    }
    for (int a = 0; a < 3; a++) out[a] = d[a] + g->arrow_out[3 * (size_t)i + a];
}

void geom_arrows_grow_box(const Geometry *g, int stage, double t, double seconds,
                          const double *R, double b[4])
{
    if (!g->arrow_kind) return;
    int layer = g->plan->stages[stage].layer, last = g->plan->n_hidden - 1;
    for (int i = 0; i < g->n_points; i++) {
        int kind = g->arrow_kind[i];
        /* the last layer's view holds the arrows that appear at its end */
        if (kind == NONE || (kind == LAST_SPACE && layer != last)) continue;
        double d[3], tip[3];
        geom_point_display(g, stage, t, seconds, i, d);
        tip_display(g, stage, t, seconds, i, d, tip);
        geom_grow_box(b, R, tip);
    }
}

int geom_arrows_frame(const Geometry *g, int stage, double t, double seconds, const View *view,
                      FrameGeom *fg)
{
    fg->n_arrows = 0;
    if (!g->arrow_kind) return 0;
    if (fg->cap_arrows < g->n_points) {
        double *a = realloc(fg->axy, sizeof(double) * 5 * (size_t)g->n_points);
        if (!a) return -1;
        fg->axy = a;
        fg->cap_arrows = g->n_points;
    }
    for (int k = 0; k < g->n_points; k++) {
        int i = fg->order[k]; /* as the points: far to near */
        double share = arrow_share(g, i, stage, t);
        if (share <= 0) continue;
        double d[3], tip[3], *a = fg->axy + 5 * (size_t)fg->n_arrows++;
        geom_point_display(g, stage, t, seconds, i, d);
        tip_display(g, stage, t, seconds, i, d, tip);
        view_project(view, d, &a[0], &a[1], NULL);
        view_project(view, tip, &a[2], &a[3], NULL);
        a[4] = share;
    }
    return 0;
}
