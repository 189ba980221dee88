/* timeline.c — frame index <-> (stage, t).  See timeline.h for the layout. */
#include "timeline.h"

#include <math.h>

static int frames_of(double seconds, double fps)
{
    return (int)lround(seconds * fps);
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
    tl->easing = r->easing;
    tl->n_frames = tl->hold_start + n_stages * tl->frames_per_stage +
                   (n_stages > 0 ? (n_stages - 1) * tl->hold_between : 0) + tl->hold_end;
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

FramePos timeline_at(const Timeline *tl, int frame)
{
    FramePos p = {0, 0.0, 0.0, 1};
    if (frame < tl->hold_start)
        return p;
    int f = frame - tl->hold_start;
    int block = tl->frames_per_stage + tl->hold_between;
    int s = f / block, k = f % block;
    if (s >= tl->n_stages) { /* into the end hold */
        p.stage = tl->n_stages - 1;
        p.u = p.t = 1.0;
        return p;
    }
    p.stage = s;
    if (k < tl->frames_per_stage) {
        p.hold = 0;
        p.u = (double)(k + 1) / tl->frames_per_stage;
        p.t = k + 1 == tl->frames_per_stage ? 1.0 : timeline_ease(tl->easing, p.u);
    } else {
        p.u = p.t = 1.0;
    }
    return p;
}

int timeline_frame_at(const Timeline *tl, int stage, double t)
{
    int base = tl->hold_start + stage * (tl->frames_per_stage + tl->hold_between);
    if (t <= 0.0)
        return base > 0 ? base - 1 : 0;
    for (int k = 0; k < tl->frames_per_stage; k++) {
        double u = (double)(k + 1) / tl->frames_per_stage;
        if (timeline_ease(tl->easing, u) >= t - 1e-12)
            return base + k;
    }
    return base + tl->frames_per_stage - 1;
}
