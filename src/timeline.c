/* timeline.c — frame index <-> (stage, t).  See timeline.h for the layout.
 *
 * Stages come in layers of three (linear, bias, activation); a layer's block
 * of frames is its three stages with their holds, then the gap.  An
 * activation in P > 1 steps has P parts, each after a gap of its own, so
 * the layer's block is longer and has 1 + P groups; with no parts (or one
 * each) every number below is what it was without them. */
#include "timeline.h"

#include <math.h>

#define STAGE_ACT_INDEX 2 /* the activation, a layer's last stage */

static int frames_of(double seconds, double fps)
{
    return (int)lround(seconds * fps);
}

/* With a gap between layers, the opening hold and the closing hold are
 * groups of their own too, each with a gap beside it. */
static int start_gap(const Timeline *tl)
{
    return tl->hold_start > 0 ? tl->layer_gap : 0;
}

static int end_gap(const Timeline *tl)
{
    return tl->hold_end > 0 ? tl->layer_gap : 0;
}

static int stage_block(const Timeline *tl)
{
    return tl->frames_per_stage + tl->hold_between;
}

static int parts_of(const Timeline *tl, int layer)
{
    return tl->parts && layer >= 0 && layer < tl->n_layers && tl->parts[layer] > 1
               ? tl->parts[layer] : 1;
}

/* A part: the gap before it (a zoom to its own view), its frames, its hold. */
static int part_block(const Timeline *tl)
{
    return tl->layer_gap + stage_block(tl);
}

/* Linear and bias, the activation (one stage block, or P parts and the
 * result), the gap. */
static int layer_block(const Timeline *tl, int layer)
{
    int P = parts_of(tl, layer);
    int act = P > 1 ? (P + 1) * part_block(tl) : stage_block(tl);
    return (STAGES_PER_LAYER - 1) * stage_block(tl) + act + tl->layer_gap;
}

static int layer_groups(const Timeline *tl, int layer)
{
    int P = parts_of(tl, layer);
    return P > 1 ? 2 + P : 1;
}

void timeline_make(const TimelineConfig *r, int n_stages, Timeline *tl)
{
    timeline_make_steps(r, n_stages, NULL, tl);
}

void timeline_make_steps(const TimelineConfig *r, int n_stages, const int *parts, Timeline *tl)
{
    tl->n_stages = n_stages;
    tl->frames_per_stage = frames_of(r->stage_seconds, r->fps);
    if (tl->frames_per_stage < 1)
        tl->frames_per_stage = 1;
    tl->hold_start = frames_of(r->hold_start, r->fps);
    tl->hold_between = frames_of(r->hold_between, r->fps);
    tl->hold_end = frames_of(r->hold_end, r->fps);
    tl->layer_gap = frames_of(r->layer_gap, r->fps);
    tl->easing = r->easing;
    tl->parts = parts;
    tl->n_layers = (n_stages + STAGES_PER_LAYER - 1) / STAGES_PER_LAYER;
    tl->tail = 0;
    /* every layer's block, less the last one's closing hold and gap */
    int stages = 0;
    tl->n_groups = 2;
    for (int l = 0; l < tl->n_layers; l++) {
        stages += layer_block(tl, l);
        tl->n_groups += layer_groups(tl, l);
    }
    if (tl->n_layers > 0)
        stages -= tl->layer_gap + tl->hold_between;
    tl->n_frames = tl->hold_start + start_gap(tl) + stages + end_gap(tl) + tl->hold_end;
}

int timeline_group_layer(const Timeline *tl, int g)
{
    int next = 1;
    for (int l = 0; l < tl->n_layers; l++) {
        next += layer_groups(tl, l);
        if (g < next) return g <= 0 ? -1 : l;
    }
    return g <= 0 ? -1 : tl->n_layers;
}

double timeline_ease(Easing e, double u)
{
    switch (e) {
    case EASE_LINEAR: return u;
    case EASE_SMOOTHERSTEP: return u * u * u * (u * (u * 6 - 15) + 10);
    case EASE_SMOOTHSTEP:
    default: return u * u * (3 - 2 * u);
    }
}

/* The frames of the stages: from the first frame of stage 0 to the last
 * frame of the last stage. */
static int stages_length(const Timeline *tl)
{
    return tl->n_frames - tl->hold_start - start_gap(tl) - end_gap(tl) - tl->hold_end - tl->tail;
}

void timeline_extend(Timeline *tl, int n_frames)
{
    if (n_frames <= tl->n_frames) return;
    tl->tail += n_frames - tl->n_frames;
    tl->n_frames = n_frames;
}

/* Frame in_stage (0-based) of a stage block, as a part k of P: moving for
 * frames_per_stage frames (the last one exactly done), then held. */
static void stage_moment(const Timeline *tl, int in_stage, int k, int P, FramePos *p)
{
    if (in_stage < tl->frames_per_stage) {
        p->hold = 0;
        double u = (double)(in_stage + 1) / tl->frames_per_stage;
        double e = in_stage + 1 == tl->frames_per_stage ? 1.0 : timeline_ease(tl->easing, u);
        p->u = P > 1 ? (k + u) / P : u;
        p->t = P > 1 ? (k + e) / P : e;
    } else {
        p->u = p->t = P > 1 ? (double)(k + 1) / P : 1.0;
    }
}

/* Frame k of a layer's activation when it plays in P > 1 parts and then
 * holds the result (part P). */
static void parts_moment(const Timeline *tl, int layer, int k, int group, FramePos *p)
{
    int P = parts_of(tl, layer), j = k / part_block(tl), r = k % part_block(tl);
    int act = layer * STAGES_PER_LAYER + STAGE_ACT_INDEX;
    p->stage = act;
    if (j > P) { /* the gap after the layer */
        p->u = p->t = 1.0;
        p->group = -1;
    } else if (r < tl->layer_gap) { /* the zoom into part j's view: part j - 1 done */
        p->stage = j == 0 ? act - 1 : act;
        p->u = p->t = j == 0 ? 1.0 : (double)j / P;
        p->group = -1;
    } else if (j == P) { /* the result, held */
        p->u = p->t = 1.0;
        p->group = group + 1 + P;
        p->part = P;
    } else {
        p->group = group + 1 + j;
        p->part = j;
        stage_moment(tl, r - tl->layer_gap, j, P, p);
    }
}

FramePos timeline_at(const Timeline *tl, int frame)
{
    FramePos p = {0, 0.0, 0.0, 1, 0, -1};
    int f = frame - tl->hold_start;
    if (f < 0) /* the opening hold: group 0 */
        return p;
    if (f < start_gap(tl)) {
        p.group = -1;
        return p;
    }
    f -= start_gap(tl);
    if (f >= stages_length(tl)) { /* the gap before the end hold, then the end hold */
        p.stage = tl->n_stages - 1;
        p.u = p.t = 1.0;
        p.group = f - stages_length(tl) < end_gap(tl) ? -1 : tl->n_groups - 1;
        return p;
    }
    int layer = 0, group = 1;
    while (layer + 1 < tl->n_layers && f >= layer_block(tl, layer)) {
        f -= layer_block(tl, layer);
        group += layer_groups(tl, layer);
        layer++;
    }
    int k = f, sb = stage_block(tl), first = (STAGES_PER_LAYER - 1) * sb;
    if (parts_of(tl, layer) > 1 && k >= first) {
        parts_moment(tl, layer, k - first, group, &p);
        return p;
    }
    int s = layer * STAGES_PER_LAYER + k / sb, in_stage = k % sb;
    p.group = group;
    if (k >= STAGES_PER_LAYER * sb) { /* the gap after the layer */
        s = layer * STAGES_PER_LAYER + STAGES_PER_LAYER - 1;
        in_stage = sb;
        p.group = -1;
    }
    p.stage = s;
    stage_moment(tl, in_stage, 0, 1, &p);
    return p;
}

int timeline_frame_at(const Timeline *tl, int stage, double t)
{
    int layer = stage / STAGES_PER_LAYER, kind = stage % STAGES_PER_LAYER;
    int base = tl->hold_start + start_gap(tl) + kind * stage_block(tl);
    for (int l = 0; l < layer; l++)
        base += layer_block(tl, l);
    int P = kind == STAGE_ACT_INDEX ? parts_of(tl, layer) : 1;
    if (t <= 0.0)
        return base > 0 ? base - 1 : 0;
    if (P > 1) { /* the part that ends at or after t, and t within it */
        double x = t * P, r = nearbyint(x);
        int j = fabs(x - r) < 1e-9 && r >= 1 ? (int)r - 1 : (int)floor(x);
        if (j > P - 1) j = P - 1;
        t = x - j;
        base += j * part_block(tl) + tl->layer_gap;
    }
    for (int k = 0; k < tl->frames_per_stage; k++) {
        double u = (double)(k + 1) / tl->frames_per_stage;
        if (timeline_ease(tl->easing, u) >= t - 1e-12)
            return base + k;
    }
    return base + tl->frames_per_stage - 1;
}
