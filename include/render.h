/* render.h — a Show drawn: per segment, stages and geometry; over the whole
 * show, the timeline and the camera path (all computed once); then frames
 * drawn on worker threads and handed in order to a sink (video, PNG files,
 * hashes).  The renderer takes a Show and a RenderConfig; it knows nothing
 * of scenes, datasets or what kind of network a segment came from.
 *
 * A frame depends only on the Renderer and its index, never on which other
 * frames are drawn or on how many threads draw them: the same show and
 * build give bit-identical pixels. */
#ifndef RENDER_H
#define RENDER_H

#include <signal.h>

#include "camera.h"
#include "geom.h"
#include "show.h"
#include "stage.h"
#include "style.h"
#include "timeline.h"

/* How each activation stage plays: one blend, or its element-wise steps. */
typedef enum { STEPS_NONE, STEPS_HADAMARD } ActivationSteps;

/* How a show is rendered (the scene's [render] and [style] sections). */
typedef struct {
    Style style;              /* frame size, colours, what is drawn */
    TimelineConfig timeline;  /* fps, stage and hold durations, easing */
    CameraConfig camera;
    GeomConfig geom;
    Interpolation interpolation;
    Reflection reflection;
    int show_readout;         /* a segment with scores ends with its readout as one more layer */
    ActivationSteps activation_steps; /* hadamard: each activation as its element-wise steps */
    int n_worked;             /* a point worked through those steps: its coordinates in
                                 every split layer's pre-activation space (0: none) */
    double worked[LW_MAX_WIDTH];
} RenderConfig;

/* One segment of the show as it is drawn. */
typedef struct {
    const Segment *seg;       /* borrowed */
    StagePlan plan;
    Geometry geom;
    int first_stage;          /* its first stage in the whole show */
    int first_layer;          /* its first layer in the whole show */
    char tag;                 /* its network's letter (the segment's tag; 'L' for none) */
    int net_first_layer;      /* its first layer within its network: the layers of
                                 earlier segments with the same tag come before */
    int spaces_traced;        /* its spaces 0 .. spaces_traced - 1 have their boundary
                                 traced (or have none to trace) */
    GeomExtent *extent;       /* the points that can hold a content box's edge; owned */
} SegmentRender;

/* What renderer_create builds.  RENDER_PLANS: stage plans and the timeline
 * alone, for what describes the show but draws no frame (info, dump).
 * RENDER_WHOLE_PATH: geometry and the camera path over every frame.
 * RENDER_ON_REQUEST: geometry; each frame's view and each boundary only
 * when renderer_prepare is asked for a frame that needs them, so a still
 * or a few frames of a long video cost what they need.  The views fitted
 * either way are the same numbers. */
typedef enum { RENDER_PLANS, RENDER_WHOLE_PATH, RENDER_ON_REQUEST } RenderMode;

struct RenderPanels;

typedef struct Renderer {
    const Show *show;         /* borrowed: the show, or with panels the first panel's part */
    const RenderConfig *cfg;  /* borrowed: what this renderer draws with (with panels, a
                                 copy whose width is its panel's share of the frame) */
    const Style *frame;       /* the whole frame's style: its size for buffers and sinks */
    int n_segments;
    SegmentRender *segs;      /* (n_segments) owned */
    int n_stages;             /* of all segments */
    int n_layers;             /* of all segments */
    int *parts;               /* (n_layers) activation parts per layer, the timeline's; owned */
    Timeline timeline;
    RenderMode mode;
    View *views;              /* (timeline.n_frames) the camera path, or NULL */
    unsigned char *view_ready; /* (timeline.n_frames) 1 where views holds the frame's view */
    long long camera_samples; /* content boxes evaluated for the camera path so far (a
                                 hold repeating the frame before reuses its box) */
    long long box_points;     /* moving points moved through their stage for those boxes
                                 (geom_extent.c: only those that can hold an edge) */
    int box_every_point;      /* 1: those boxes move every point (the reference the
                                 reduced boxes equal bit for bit; tests set it) */
    double *yaw;              /* (timeline.n_frames) turn of the camera's yaw, degrees, or NULL */
    /* Two panels (show_panel_count = 2): this renderer draws the left one;
     * panels holds the right one's renderer, both panels' configs and the
     * views of the show they draw.  The two timelines have one length (the
     * shorter holds its end), so frame f of each is drawn side by side. */
    struct RenderPanels *panels; /* owned, or NULL */
} Renderer;

/* A frame to draw: a frame of the timeline, or (stage >= 0) a moment given
 * by stage and eased time with the camera of the nearest timeline frame. */
typedef struct {
    int frame;
    int stage;
    double t;
    int tight;   /* a still: frame the camera on this moment alone */
} FrameReq;

/* Builds everything that does not change with time (what of it, mode
 * says): stage plans and geometry per segment, the timeline over all of
 * them and the camera path; with two panels, all of it per panel.  The path
 * costs frames x points, the only part that grows with both: RENDER_PLANS
 * builds no geometry and no path, RENDER_ON_REQUEST leaves the path to
 * renderer_prepare.  show and cfg must outlive the renderer.  LW_EINPUT
 * when the show asks for too much (frames, state memory), LW_ERUNTIME when
 * the machine fails. */
int renderer_create(const Show *show, const RenderConfig *cfg, RenderMode mode, Renderer *r,
                    LwError *err);
/* RENDER_ON_REQUEST: fits the views of the frames reqs draw (a tight still
 * needs none) and traces the boundaries they show, with the views of the
 * frames those are traced over; what an earlier call did stays.  Call it
 * before render_run/render_one on those requests.  Other modes: nothing. */
int renderer_prepare(Renderer *r, const FrameReq *reqs, int n, LwError *err);
void renderer_free(Renderer *r);

/* The renderer of the panel drawn to the right of r's, or NULL. */
const Renderer *renderer_beside(const Renderer *r);

/* The segment that draws global stage s, and s's index within it. */
const SegmentRender *renderer_segment(const Renderer *r, int stage, int *local);

/* What the captions of frame q say (caption.c). */
struct Caption;
void render_caption(const Renderer *r, FrameReq q, struct Caption *c);

/* An element-wise step as a map of x, for captions and titles: "e\xcb\xa3",
 * "x + 1" (caption.c). */
void render_step_formula(HadamardOp op, char *out, size_t n);

/* The moment's network letter and layer within that network, its stage
 * and eased time: "L2.bias t=0.50" (a classifier), "G2.bias t=0.50",
 * "D1.linear t=0.00"; a step of a split activation "L2.activation.3 t=0.50"
 * (the step's own time). */
void renderer_label(const Renderer *r, FrameReq q, char *buf, size_t n);

/* Layers of the network with letter `tag` ('L', 'G', 'D', 'E'), counted
 * over the segments with that tag in show order; 0 when the show has none. */
int renderer_network_layers(const Renderer *r, char tag);
/* The show's layer (0-based, counted over every segment, as stage_index
 * takes it) that is layer `number` (1-based) of network `tag`; -1 when that
 * network has no such layer. */
int renderer_network_layer(const Renderer *r, char tag, int number);
/* The moment `layer` (1-based over the show) : `name` : t names: name is a
 * stage (linear, bias, activation: t is the stage's time) or a step of a
 * split activation, activation.K (1-based) or its name (exp: the first step
 * of that name), t the step's own time.  -1 when there is no such moment. */
int renderer_moment(const Renderer *r, int layer, const char *name, double t, FrameReq *q);
/* The worked point through split activation stage `stage`: states[0] the
 * point as a pre-activation, states[k + 1] after step k; returns the number
 * of steps (0: no worked point, or the stage is no split activation). */
int renderer_worked_states(const Renderer *r, int stage, double states[][LW_MAX_WIDTH]);
/* Where worked point's state is at (stage, t) in display coordinates:
 * 1 when stage is a split activation and there is a worked point, else 0. */
int renderer_worked_display(const Renderer *r, int stage, double t, double seconds,
                            double out[3]);
/* A still of layer (0-based) before its split activation and after each of
 * its steps: up to STAGE_MAX_STEPS + 1 tight requests and their titles
 * ("after exp"); returns how many (0: the layer's activation is not split). */
int renderer_step_stills(const Renderer *r, int layer, FrameReq *q, char titles[][64]);
/* The timeline frame closest to (stage, t). */
FrameReq renderer_request_at(const Renderer *r, int stage, double t);
FrameReq renderer_request_frame(const Renderer *r, int frame);

/* Receives each frame in request order on the calling thread.  `note` is
 * what the hook (if any) wrote for this frame; `bgra` is NULL under
 * RunOptions.hook_takes_pixels. */
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

/* Frames in flight for a number of worker threads, by default. */
int render_slots(int threads);

typedef struct {
    int threads;                       /* worker threads (>= 1) */
    int progress;                      /* draw a progress bar on stderr */
    volatile sig_atomic_t *stop;       /* set by a signal handler: stop soon */
    FrameHook hook;                    /* may be NULL */
    void *hook_user;
    /* 1: a request that draws the very picture of the one before it (a hold)
     * is not drawn again: the sink gets that frame's slot, pixels and note
     * (the hook does not run for it).  For sinks that need nothing else: a
     * video, hashes; not files named by frame. */
    int repeat_pixels;
    /* 1 (with a hook): the hook keeps all the sink needs in its slot's own
     * data (a converted video frame, a hash in the note), so the sink gets
     * no pixels (bgra NULL, stride 0) and the pixels are drawn into one
     * surface per worker, reused as soon as the hook returns: frames in
     * flight cost the hook's per-slot data, not a surface each. */
    int hook_takes_pixels;
    /* frames in flight, each with a slot of its own; 0: render_slots(threads) */
    int slots;
    /* 1: the sink feeds an encoder with threads of its own (a video): the
     * workers run as SCHED_BATCH, so they do not preempt the encoder's
     * threads and drawing fills the time those leave idle, banking frames
     * ahead in the free slots */
    int behind_encoder;
} RunOptions;

/* Draws the n requests on opt->threads workers and passes them to sink in
 * order.  At most opt->slots (by default 2 * threads) frames are in
 * flight.  Returns LW_OK, the sink's error, LW_ERUNTIME for a drawing
 * failure, or LW_EINTR. */
int render_run(const Renderer *r, const FrameReq *reqs, int n, const RunOptions *opt,
               FrameSink sink, void *user, LwError *err);

/* Draws one request into a caller-owned ARGB32 surface's pixels. */
int render_one(const Renderer *r, FrameReq q, uint8_t *bgra, int stride, LwError *err);

#endif
