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
 * gap frames belong to no group (-1).
 *
 * A layer whose activation plays as P > 1 element-wise steps
 * (timeline_make_steps) has P parts in its activation stage instead of one:
 * each part frames_per_stage frames and hold_between, each preceded by a
 * gap of layer_gap frames, and then the result: after one more gap,
 * frames_per_stage + hold_between frames held at t = 1.  Its linear and
 * bias stages are one group and each part and the result a group of its
 * own, so every step, and what the steps make, gets its own held view.
 * Part k (0-based) shows stage time t = (k + easing(u)) / P, its last frame
 * exactly (k + 1) / P.  Groups are then numbered in order of the frames;
 * timeline_group_layer says which layer a group shows. */
#ifndef TIMELINE_H
#define TIMELINE_H

#include "lw_common.h"

/* A layer plays as three stages: linear (W), bias (b), activation. */
#define STAGES_PER_LAYER 3

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
    int part;       /* a split activation's step k (0-based) or, k = P, its result;
                       -1 elsewhere and in the gaps */
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
    const int *parts;   /* (n_layers) activation parts of each layer (borrowed), or
                           NULL: one each */
    int n_groups;       /* opening, the layers' groups, closing */
} Timeline;

void timeline_make(const TimelineConfig *c, int n_stages, Timeline *tl);
/* The same with parts[l] (>= 1) parts in layer l's activation stage; parts
 * is kept, not copied, and must outlive the timeline (NULL: one each). */
void timeline_make_steps(const TimelineConfig *c, int n_stages, const int *parts, Timeline *tl);
/* The layer group g shows: -1 for the opening hold, n_layers for the
 * closing one (without parts: g - 1). */
int timeline_group_layer(const Timeline *tl, int g);
FramePos timeline_at(const Timeline *tl, int frame);
/* The first frame showing stage s at eased time >= t (t = 0: the stage's
 * start, which is the hold before it or the end of the stage before). */
int timeline_frame_at(const Timeline *tl, int stage, double t);
double timeline_ease(Easing e, double u);
/* Lengthens the timeline to n_frames (when it is shorter) by holding the
 * result longer: a panel beside a longer one waits at its end. */
void timeline_extend(Timeline *tl, int n_frames);

#endif
