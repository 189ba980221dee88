/* render.h — the pipeline assembled: scene -> dataset -> network -> stages ->
 * geometry and camera path (all computed once) -> frames drawn on worker
 * threads -> handed in order to a sink (video, PNG files, hashes).
 *
 * A frame depends only on the Renderer and its index, never on which other
 * frames are drawn or on how many threads draw them: the same scene and
 * build give bit-identical pixels. */
#ifndef RENDER_H
#define RENDER_H

#include <signal.h>

#include "dataset.h"
#include "geom.h"
#include "mlp.h"
#include "scene.h"
#include "stage.h"
#include "timeline.h"
#include "train.h"

typedef struct {
    const Scene *scene;       /* borrowed */
    Dataset data;
    Mlp net;
    TrainReport report;
    double accuracy;          /* of the network on its data, -1 without readout */
    int swapped[LW_MAX_LAYERS]; /* units 1 and 2 of this layer swapped (det W < 0) */
    StagePlan plan;
    Timeline timeline;
    Geometry geom;
    View *views;              /* (timeline.n_frames) the camera path */
} Renderer;

/* A frame to draw: a frame of the timeline, or (stage >= 0) a moment given
 * by stage and eased time with the camera of the nearest timeline frame. */
typedef struct {
    int frame;
    int stage;
    double t;
    int tight;   /* a still: frame the camera on this moment alone */
} FrameReq;

/* Builds everything that does not change with time.  progress may be NULL. */
int renderer_create(const Scene *sc, Renderer *r, TrainProgress progress, void *user,
                    LwError *err);
/* The same without the camera path (views stays NULL): for what describes
 * the network or its geometry but draws no frame (info, dump).  The path
 * costs frames x points, the only part that grows with both. */
int renderer_create_model(const Scene *sc, Renderer *r, TrainProgress progress, void *user,
                          LwError *err);
void renderer_free(Renderer *r);

/* "L2.bias t=0.50" */
void renderer_label(const Renderer *r, FrameReq q, char *buf, size_t n);
/* The timeline frame closest to (stage, t). */
FrameReq renderer_request_at(const Renderer *r, int stage, double t);
FrameReq renderer_request_frame(const Renderer *r, int frame);

/* Receives each frame in request order on the calling thread.  `note` is
 * what the hook (if any) wrote for this frame. */
typedef int (*FrameSink)(void *user, int index, FrameReq q, int slot, const uint8_t *bgra,
                         int stride, const char *note, LwError *err);

/* Optional work done on the worker thread right after a frame is drawn, in
 * no particular order (hashing, PNG encoding, colour conversion): it may
 * write a short note (up to LW_NOTE_MAX bytes) that the sink receives with
 * the frame.  `slot` (0 .. render_slots(threads) - 1) names the buffer the
 * frame sits in; the hook and the sink of one frame see the same slot, and
 * no two frames in flight share one, so per-slot data needs no locking. */
#define LW_NOTE_MAX 160
typedef int (*FrameHook)(void *user, FrameReq q, int slot, const uint8_t *bgra, int stride,
                         char *note, LwError *err);

/* Frames in flight for a number of worker threads. */
int render_slots(int threads);

typedef struct {
    int threads;                       /* worker threads (>= 1) */
    int progress;                      /* draw a progress bar on stderr */
    volatile sig_atomic_t *stop;       /* set by a signal handler: stop soon */
    FrameHook hook;                    /* may be NULL */
    void *hook_user;
} RunOptions;

/* Draws the n requests on opt->threads workers and passes them to sink in
 * order.  At most 2 * threads frames are in flight.  Returns LW_OK, the
 * sink's error, LW_ERUNTIME for a drawing failure, or LW_EINTR. */
int render_run(const Renderer *r, const FrameReq *reqs, int n, const RunOptions *opt,
               FrameSink sink, void *user, LwError *err);

/* Draws one request into a caller-owned ARGB32 surface's pixels. */
int render_one(const Renderer *r, FrameReq q, uint8_t *bgra, int stride, LwError *err);

#endif
