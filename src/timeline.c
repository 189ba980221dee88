/* timeline.c — frame index <-> (stage, t).  See timeline.h for the layout.
 *
 * Stages come in layers of three (linear, bias, activation); a layer's block
 * of frames is its three stages with their holds, then the gap. */
#include "timeline.h"

#include <math.h>

#define STAGES_PER_LAYER 3

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

void timeline_make(const TimelineConfig *r, int n_stages, Timeline *tl)
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
    tl->n_layers = (n_stages + STAGES_PER_LAYER - 1) / STAGES_PER_LAYER;
    tl->tail = 0;
    tl->n_frames = tl->hold_start + start_gap(tl) + n_stages * tl->frames_per_stage +
                   (n_stages > 0 ? (n_stages - 1) * tl->hold_between : 0) +
                   (tl->n_layers > 0 ? (tl->n_layers - 1) * tl->layer_gap : 0) + end_gap(tl) +
                   tl->hold_end;
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

static int stage_block(const Timeline *tl)
{
    return tl->frames_per_stage + tl->hold_between;
}

static int layer_block(const Timeline *tl)
{
    return STAGES_PER_LAYER * stage_block(tl) + tl->layer_gap;
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

FramePos timeline_at(const Timeline *tl, int frame)
{
    FramePos p = {0, 0.0, 0.0, 1, 0};
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
        p.group = f - stages_length(tl) < end_gap(tl) ? -1 : tl->n_layers + 1;
        return p;
    }
    int layer = f / layer_block(tl), k = f % layer_block(tl);
    int s = layer * STAGES_PER_LAYER + k / stage_block(tl), in_stage = k % stage_block(tl);
    p.group = layer + 1;
    if (k >= STAGES_PER_LAYER * stage_block(tl)) { /* the gap after the layer */
        s = layer * STAGES_PER_LAYER + STAGES_PER_LAYER - 1;
        in_stage = stage_block(tl);
        p.group = -1;
    }
    p.stage = s;
    if (in_stage < tl->frames_per_stage) {
        p.hold = 0;
        p.u = (double)(in_stage + 1) / tl->frames_per_stage;
        p.t = in_stage + 1 == tl->frames_per_stage ? 1.0 : timeline_ease(tl->easing, p.u);
    } else {
        p.u = p.t = 1.0;
    }
    return p;
}

int timeline_frame_at(const Timeline *tl, int stage, double t)
{
    int layer = stage / STAGES_PER_LAYER;
    int base = tl->hold_start + start_gap(tl) + layer * layer_block(tl) +
               (stage % STAGES_PER_LAYER) * stage_block(tl);
    if (t <= 0.0)
        return base > 0 ? base - 1 : 0;
    for (int k = 0; k < tl->frames_per_stage; k++) {
        double u = (double)(k + 1) / tl->frames_per_stage;
        if (timeline_ease(tl->easing, u) >= t - 1e-12)
            return base + k;
    }
    return base + tl->frames_per_stage - 1;
}
