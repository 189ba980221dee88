/* timeline.h — which stage, at which time, each frame of the video shows.
 *
 * Frames: hold_start frames on the input, then for each stage its
 * frames_per_stage frames (frame k of a stage shows u = (k+1)/n, so the last
 * frame of a stage is the completed stage), hold_between frames after every
 * stage but the last, and after every layer but the last (every third
 * stage) layer_gap frames more, in which the camera may change its view;
 * then hold_end frames on the result.  t = easing(u).
 *
 * Groups, for a camera that holds its view: the opening hold is group 0,
 * layer l (0-based) group l + 1, the closing hold group n_layers + 1; with a
 * layer_gap, the opening and closing holds are set apart by a gap too, and
 * gap frames belong to no group (-1). */
#ifndef TIMELINE_H
#define TIMELINE_H

#include "lw_common.h"

typedef enum { EASE_SMOOTHSTEP, EASE_LINEAR, EASE_SMOOTHERSTEP } Easing;

typedef struct {
    double fps;
    double stage_seconds;
    double hold_start, hold_between, hold_end; /* seconds */
    double layer_gap;      /* seconds between layers, after hold_between */
    Easing easing;
} TimelineConfig;

typedef struct {
    int stage;      /* stage index */
    double u;       /* raw progress in [0,1] */
    double t;       /* eased progress in [0,1] */
    int hold;       /* 1 in a hold */
    int group;      /* see above; -1 in a gap */
} FramePos;

typedef struct {
    int n_stages;
    int frames_per_stage;
    int hold_start, hold_between, hold_end;   /* frames */
    int layer_gap;                            /* frames */
    int n_layers;                             /* n_stages / 3, rounded up */
    int tail;                                 /* frames more on the result (timeline_extend) */
    int n_frames;
    Easing easing;
} Timeline;

void timeline_make(const TimelineConfig *c, int n_stages, Timeline *tl);
FramePos timeline_at(const Timeline *tl, int frame);
/* The first frame showing stage s at eased time >= t (t = 0: the stage's
 * start, which is the hold before it or the end of the stage before). */
int timeline_frame_at(const Timeline *tl, int stage, double t);
double timeline_ease(Easing e, double u);
/* Lengthens the timeline to n_frames (when it is shorter) by holding the
 * result longer: a panel beside a longer one waits at its end. */
void timeline_extend(Timeline *tl, int n_frames);

#endif
