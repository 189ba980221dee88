/* render.c — builds a Renderer once, then draws frames on worker threads and
 * hands them to a sink in order.
 *
 * Threads: workers claim the next request under a mutex, draw into their
 * slot's own surface (one cairo_t and FrameGeom per worker, reused), and mark
 * the slot ready; the calling thread waits for slot k, gives it to the sink,
 * frees it.  A request is claimed only when its slot is free, so at most
 * RunOptions.slots (2 * threads by default) frames exist at once whatever
 * the video length. */
#define _GNU_SOURCE /* SCHED_BATCH */
#include "render.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cairo.h>

#include "draw.h"

/* ---- set-up ---------------------------------------------------------------- */

const SegmentRender *renderer_segment(const Renderer *r, int stage, int *local)
{
    int k = 0;
    while (k + 1 < r->n_segments && stage >= r->segs[k + 1].first_stage) k++;
    if (local) *local = stage - r->segs[k].first_stage;
    return &r->segs[k];
}

/* Wall time of a frame: the 3-D camera orbits with it, holds included. */
static double frame_seconds(const Renderer *r, int frame)
{
    return frame / r->cfg->timeline.fps;
}

/* Time of the motion alone, from the stage and its eased time: a tour of a
 * wide layer turns with it and so holds still in the holds. */
static double motion_seconds(const Renderer *r, int stage, double t)
{
    return r->cfg->timeline.stage_seconds * (stage + t);
}

/* Box in camera coordinates at (stage, t) seen through R: the points and,
 * for the held view, the outline of the input box, so the whole box stays
 * in view. */
static void content_box(const Renderer *r, int stage, double t, double seconds, const double *R,
                        int step, double *b)
{
    int s;
    const SegmentRender *sr = renderer_segment(r, stage, &s);
    /* an element-wise step frames the data alone: exp takes the outline of
     * the input box to e^|z| of its corners, far beyond the data */
    int outline = r->cfg->camera.view == VIEW_AUTO && !step;
    geom_content_box(&sr->geom, s, t, seconds, R, outline, b);
    double d[3];
    if (renderer_worked_display(r, stage, t, seconds, d)) /* the marked point stays in view */
        geom_grow_box(b, R, d);
}

/* content_box for the camera path: the same doubles, from the points that
 * can hold an edge (geom_extent.c) unless r->box_every_point; counts the
 * points it moves in r->box_points. */
static void path_box(Renderer *r, int stage, double t, double seconds, const double *R, int step,
                     double *b)
{
    int s;
    SegmentRender *sr = &r->segs[renderer_segment(r, stage, &s) - r->segs];
    int outline = r->cfg->camera.view == VIEW_AUTO && !step;
    if (r->box_every_point) {
        geom_content_box(&sr->geom, s, t, seconds, R, outline, b);
        for (int i = 0; i < sr->geom.n_points; i++) r->box_points += !sr->geom.point_fixed[i];
    } else {
        geom_extent_box(sr->extent, s, t, seconds, R, outline, b, &r->box_points);
    }
    double d[3];
    if (renderer_worked_display(r, stage, t, seconds, d)) geom_grow_box(b, R, d);
}

static double depth_weight(const Renderer *r, int stage, double t)
{
    int s;
    const SegmentRender *sr = renderer_segment(r, stage, &s);
    return stage_depth_weight(&sr->plan, s, t);
}

/* 1 when frame p shows an element-wise step of a split activation (not the
 * result it holds after the last step, nor a gap). */
static int frame_in_step(const Renderer *r, FramePos p)
{
    int s;
    const SegmentRender *sr = renderer_segment(r, p.stage, &s);
    return p.part >= 0 && p.part < stage_step_count(&sr->plan, s);
}

/* The same for a still at (stage, t): strictly inside the steps. */
static int still_in_step(const Renderer *r, int stage, double t)
{
    int s;
    const SegmentRender *sr = renderer_segment(r, stage, &s);
    return stage_step_count(&sr->plan, s) > 1 && t > 0.0 && t < 1.0;
}

static int fit(const Renderer *r, int n, const double *boxes, const double *rot,
               const int *group, const unsigned char *per_axis, View *views)
{
    const RenderConfig *c = r->cfg;
    double content[4];
    draw_content_rect(&c->style, content);
    return camera_fit_path(&c->camera, c->timeline.fps, c->style.width, c->style.height, n,
                           boxes, rot, group, per_axis, content, views);
}

/* The view of a still: fitted to this moment only, no smoothing. */
static int tight_view(const Renderer *r, FrameReq q, View *v)
{
    double R[9], box[4];
    camera_rotation(&r->cfg->camera, depth_weight(r, q.stage, q.t), frame_seconds(r, q.frame),
                    r->yaw ? r->yaw[q.frame] : 0.0, R);
    int step = still_in_step(r, q.stage, q.t);
    content_box(r, q.stage, q.t, motion_seconds(r, q.stage, q.t), R, step, box);
    static const int one_group = 0;
    /* a step seen straight down is fitted along each axis (camera.h) */
    unsigned char axes = (unsigned char)(step && depth_weight(r, q.stage, q.t) == 0.0);
    return fit(r, 1, box, R, &one_group, &axes, v);
}

#define YAW_STEP 5.0      /* degrees between the turns tried */
#define YAW_GOOD 0.85     /* a turn this close to the best view spread will do */

/* The mean spread the points of layer `layer` show on screen at the ends of
 * its three stages, seen fully in 3-D with the camera's yaw turned by off
 * (the mean: a stage whose content is a curve whatever the view must not
 * decide the view of the others). */
static double layer_view_spread(const Renderer *r, int layer, double off)
{
    double sum = 0;
    for (int k = 0; k < STAGE_KIND_COUNT; k++) {
        int local, s = STAGE_KIND_COUNT * layer + k;
        const SegmentRender *sr = renderer_segment(r, s, &local);
        double R[9];
        int f = timeline_frame_at(&r->timeline, s, 1.0);
        camera_rotation(&r->cfg->camera, 1.0, frame_seconds(r, f), off, R);
        sum += geom_view_spread(&sr->geom, local, 1.0, motion_seconds(r, s, 1.0), R);
    }
    return sum / STAGE_KIND_COUNT;
}

/* Makes the geometry of global stage `stage`'s segment hold what a frame
 * there reads (geom_prepare): states and projections are built as the
 * frames asked for reach them, once, before anything is drawn. */
static int prepare_stage(Renderer *r, int stage, LwError *err)
{
    int local;
    SegmentRender *sr = &r->segs[renderer_segment(r, stage, &local) - r->segs];
    return geom_prepare(&sr->geom, local, err);
}

/* Per group, the turn of the camera's yaw (within a quarter turn either
 * way, the smallest that does) that keeps a 3-D layer's content from being
 * held edge-on: a ring or a sheet seen as a line teaches nothing.  A flat
 * group keeps the turn of the group before. */
static void group_yaw(const Renderer *r, double *yaw, int n_groups)
{
    double carry = 0;
    for (int g = 0; g < n_groups; g++) {
        yaw[g] = carry;
        int layer = timeline_group_layer(&r->timeline, g);
        if (layer < 0 || layer >= r->n_layers) continue;
        if (g > 0 && timeline_group_layer(&r->timeline, g - 1) == layer) {
            yaw[g] = yaw[g - 1]; /* a step of the layer's activation: the layer's turn */
            continue;
        }
        int local, s = STAGE_KIND_COUNT * layer + STAGE_ACTIVATION;
        const SegmentRender *sr = renderer_segment(r, s, &local);
        if (sr->plan.stages[local].dim_out != 3) continue;
        double best = -1, spread[2 * 18 + 1];
        for (int k = -18; k <= 18; k++) {
            spread[k + 18] = layer_view_spread(r, layer, k * YAW_STEP);
            best = fmax(best, spread[k + 18]);
        }
        for (int d = 0; d <= 18; d++) { /* nearest first, the configured yaw itself first */
            int k = spread[18 - d] >= YAW_GOOD * best ? -d : spread[18 + d] >= YAW_GOOD * best ? d : 99;
            if (k != 99) {
                carry = yaw[g] = k * YAW_STEP;
                break;
            }
        }
    }
}

/* Each frame's yaw turn: its group's, eased from one to the next in a gap. */
static void frame_yaw(const Renderer *r, const double *gyaw, double *yaw)
{
    int n = r->timeline.n_frames;
    for (int f = 0; f < n; f++) {
        int g = timeline_at(&r->timeline, f).group;
        if (g >= 0) {
            yaw[f] = gyaw[g];
            continue;
        }
        int a = f, b = f;
        while (a >= 0 && timeline_at(&r->timeline, a).group < 0) a--;
        while (b < n && timeline_at(&r->timeline, b).group < 0) b++;
        double ya = a >= 0 ? gyaw[timeline_at(&r->timeline, a).group] : 0;
        double yb = b < n ? gyaw[timeline_at(&r->timeline, b).group] : ya;
        double u = a >= 0 && b < n ? (double)(f - a) / (b - a) : 0, e = u * u * (3 - 2 * u);
        yaw[f] = (1 - e) * ya + e * yb;
    }
}

/* Each frame's turn of the camera's yaw (r->yaw): per group, then eased
 * through the gaps.  Costs groups x points, not frames x points. */
static int camera_yaw(Renderer *r, LwError *err)
{
    int n = r->timeline.n_frames, n_groups = r->timeline.n_groups;
    double *gyaw = malloc(sizeof(double) * (n_groups ? n_groups : 1));
    r->yaw = malloc(sizeof(double) * n);
    if (!gyaw || !r->yaw) {
        free(gyaw);
        return lw_fail(err, LW_ERUNTIME, "out of memory for the camera path");
    }
    /* the layers whose turn group_yaw weighs: those that end in 3 units */
    int rc = LW_OK;
    for (int g = 0; g < n_groups && !rc; g++) {
        int local, layer = timeline_group_layer(&r->timeline, g);
        if (layer < 0 || layer >= r->n_layers) continue;
        int s = STAGE_KIND_COUNT * layer + STAGE_ACTIVATION;
        const SegmentRender *sr = renderer_segment(r, s, &local);
        if (sr->plan.stages[local].dim_out == 3) rc = prepare_stage(r, s, err);
    }
    if (rc) {
        free(gyaw);
        return rc;
    }
    group_yaw(r, gyaw, n_groups);
    frame_yaw(r, gyaw, r->yaw);
    free(gyaw);
    return LW_OK;
}

/* A frame's content box is a function of these alone: a frame that repeats
 * the one before (a hold without an orbit) repeats its box. */
typedef struct {
    int stage, step;
    double t, R[9];
} BoxKey;

static int same_key(const BoxKey *a, const BoxKey *b)
{
    return a->stage == b->stage && a->step == b->step && !memcmp(&a->t, &b->t, sizeof a->t) &&
           !memcmp(a->R, b->R, sizeof a->R);
}

/* Views of the frames flagged in want, fitted from the content boxes of
 * just the frames their smoothing reads (camera_boxes_needed): the numbers
 * the path over every frame gives them.  Other frames' views are left as
 * they were. */
static int fit_frames(Renderer *r, const unsigned char *want, LwError *err)
{
    int n = r->timeline.n_frames;
    double *boxes = calloc((size_t)n * 4, sizeof(double)), *rot = malloc(sizeof(double) * 9 * n);
    int *group = calloc(n, sizeof(int));
    /* without steps there is nothing to fit per axis: NULL, as always */
    unsigned char *axes = r->parts ? calloc(n, 1) : NULL, *need = malloc(n);
    View *views = calloc(n, sizeof *views);
    if (!r->views) r->views = calloc(n, sizeof *r->views);
    if (!r->view_ready) r->view_ready = calloc(n, 1);
    int rc = !boxes || !rot || !group || !need || !views || !r->views || !r->view_ready ||
             (r->parts && !axes) ? LW_ERUNTIME : LW_OK;
    for (int f = 0; f < n && !rc; f++) { /* what costs nothing per point, for every frame */
        FramePos p = timeline_at(&r->timeline, f);
        camera_rotation(&r->cfg->camera, depth_weight(r, p.stage, p.t), frame_seconds(r, f),
                        r->yaw[f], rot + 9 * f);
        /* a training morph is one picture changing: held, it keeps one view */
        group[f] = r->segs[0].plan.morph.on ? 0 : p.group;
        if (axes) axes[f] = (unsigned char)(frame_in_step(r, p) && depth_weight(r, p.stage, p.t) == 0.0);
    }
    if (!rc) camera_boxes_needed(&r->cfg->camera, r->cfg->timeline.fps, n, group, want, need);
    BoxKey last = {-1, -1, 0, {0}};
    int said = 0; /* err already says what failed */
    for (int f = 0; f < n && !rc; f++) { /* what costs points: only what the views read */
        if (!need[f]) continue;
        FramePos p = timeline_at(&r->timeline, f);
        BoxKey key = {p.stage, frame_in_step(r, p), p.t, {0}};
        memcpy(key.R, rot + 9 * f, sizeof key.R);
        if (f > 0 && need[f - 1] && same_key(&key, &last)) {
            memcpy(boxes + 4 * f, boxes + 4 * (f - 1), 4 * sizeof(double));
            continue;
        }
        if ((rc = prepare_stage(r, p.stage, err))) {
            said = 1;
            break;
        }
        path_box(r, p.stage, p.t, motion_seconds(r, p.stage, p.t), key.R, key.step,
                 boxes + 4 * f);
        r->camera_samples++;
        last = key;
    }
    if (!rc) rc = fit(r, n, boxes, rot, group, axes, views);
    for (int f = 0; f < n && !rc; f++)
        if (want[f]) {
            r->views[f] = views[f];
            r->view_ready[f] = 1;
        }
    free(boxes);
    free(rot);
    free(group);
    free(axes);
    free(need);
    free(views);
    if (said) return rc;
    return rc ? lw_fail(err, LW_ERUNTIME, "out of memory for the camera path") : LW_OK;
}

/* 1 when frame f's view bounds where space l of segment sr's boundary is
 * traced: a frame of the layer that starts in that space or of the one
 * that ends in it. */
static int frame_frames_space(const Renderer *r, const SegmentRender *sr, int l, int f)
{
    FramePos p = timeline_at(&r->timeline, f);
    int local;
    if (renderer_segment(r, p.stage, &local) != sr) return 0;
    /* an element-wise step's view is of its own space (exp's), in neither
     * space the boundary is traced in */
    if (frame_in_step(r, p)) return 0;
    /* the group's layer + 1: the number its group has without steps */
    int gl = p.group < 0 ? -1 : timeline_group_layer(&r->timeline, p.group) + 1;
    int g0 = sr->first_layer + l;
    return gl == g0 || gl == g0 + 1;
}

static int traces_scores(const SegmentRender *sr)
{
    return sr->seg->n_scores && sr->seg->show_scores && !sr->plan.morph.on;
}

/* Traces where segment k's score regions meet in its spaces up to
 * n_spaces - 1 (those not traced yet), over what the camera shows while
 * that space is on screen.  The views of those frames must be fitted. */
static int trace_scores(Renderer *r, int k, int n_spaces, LwError *err)
{
    SegmentRender *sr = &r->segs[k];
    if (!traces_scores(sr)) return LW_OK;
    if (n_spaces > sr->plan.n_hidden + 1) n_spaces = sr->plan.n_hidden + 1;
    for (int l = sr->spaces_traced; l < n_spaces; l++) {
        double box[4] = {INFINITY, -INFINITY, INFINITY, -INFINITY};
        int seen = 0;
        for (int f = 0; f < r->timeline.n_frames; f++) {
            if (!frame_frames_space(r, sr, l, f)) continue;
            double b[4]; /* padded: the lines move with the layer */
            camera_visible_box(&r->views[f], 3.0, b);
            for (int a = 0; a < 4; a++) box[a] = a % 2 ? fmax(box[a], b[a]) : fmin(box[a], b[a]);
            seen = 1;
        }
        sr->spaces_traced = l + 1;
        if (!seen) continue;
        int rc = geom_trace_scores(&sr->geom, l, box, err);
        if (rc) return rc;
    }
    return LW_OK;
}

/* The camera path over every frame and every space's boundary. */
static int whole_path(Renderer *r, LwError *err)
{
    int n = r->timeline.n_frames;
    unsigned char *all = malloc(n);
    if (!all) return lw_fail(err, LW_ERUNTIME, "out of memory for the camera path");
    memset(all, 1, n);
    int rc = prepare_stage(r, r->n_stages - 1, err);
    for (int k = 0; !rc && k + 1 < r->n_segments; k++) /* every segment's last stage */
        rc = prepare_stage(r, r->segs[k + 1].first_stage - 1, err);
    if (!rc) rc = fit_frames(r, all, err);
    free(all);
    for (int k = 0; !rc && k < r->n_segments; k++)
        rc = trace_scores(r, k, r->segs[k].plan.n_hidden + 1, err);
    return rc;
}

/* How many of its segment's spaces request q draws boundary lines from:
 * those up to its layer, and the next one once its activation is done. */
static int spaces_drawn(const Renderer *r, FrameReq q, const SegmentRender **sr)
{
    int local;
    *sr = renderer_segment(r, q.stage, &local);
    const Stage *st = &(*sr)->plan.stages[local];
    int done = st->kind == STAGE_ACTIVATION && q.t >= 1.0;
    return st->layer + done + 1;
}

static int plan_segment(Renderer *r, int k, LwError *err)
{
    SegmentRender *sr = &r->segs[k];
    sr->seg = &r->show->segments[k];
    sr->first_stage = r->n_stages;
    sr->first_layer = r->n_layers;
    const Segment *seg = sr->seg;
    sr->tag = seg->tag ? seg->tag : 'L';
    for (int i = 0; i < k; i++) /* earlier segments of the same network come first */
        if (r->segs[i].tag == sr->tag) sr->net_first_layer += r->segs[i].plan.n_layers;
    if (seg->morph_layer) {
        int rc = stage_plan_make_morph(&seg->net, &seg->morph_to, seg->score_W, seg->score_b,
                                       seg->morph_score_W, seg->morph_score_b, seg->n_scores,
                                       seg->morph_layer, &sr->plan, err);
        r->n_stages += sr->plan.n_stages;
        r->n_layers += sr->plan.n_layers;
        return rc;
    }
    int rc = stage_plan_make(&seg->net, r->cfg->interpolation, r->cfg->reflection, &sr->plan,
                             err);
    if (!rc && seg->n_scores)
        rc = stage_plan_set_scores(&sr->plan, seg->score_W, seg->score_b, seg->n_scores,
                                   r->cfg->show_readout, err);
    if (!rc && r->cfg->activation_steps == STEPS_HADAMARD)
        stage_plan_split_activations(&sr->plan);
    r->n_stages += sr->plan.n_stages;
    r->n_layers += sr->plan.n_layers;
    return rc;
}

/* Each layer's activation parts for the timeline: its steps when split
 * (with fewer than two, one part, the stage as it always played); NULL
 * without activation_steps, so nothing changes. */
static int steps_parts(Renderer *r, LwError *err)
{
    if (r->cfg->activation_steps != STEPS_HADAMARD || r->n_layers == 0) return LW_OK;
    r->parts = malloc(sizeof(int) * r->n_layers);
    if (!r->parts) return lw_fail(err, LW_ERUNTIME, "out of memory for the timeline");
    for (int l = 0; l < r->n_layers; l++) {
        int local;
        const SegmentRender *sr = renderer_segment(r, stage_index(l, STAGE_ACTIVATION), &local);
        int n = stage_step_count(&sr->plan, local);
        r->parts[l] = n > 1 ? n : 1;
    }
    return LW_OK;
}

/* Plans every segment and lays out the timeline: all that the length of
 * the video depends on. */
static int create_plans(Renderer *r, const Show *show, const RenderConfig *cfg, LwError *err)
{
    r->show = show;
    r->cfg = cfg;
    if (!r->frame) r->frame = &cfg->style;
    if (show->n_segments < 1)
        return lw_fail(err, LW_EINPUT, "nothing to show: no segment");
    r->segs = calloc(show->n_segments, sizeof *r->segs);
    if (!r->segs)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d segments", show->n_segments);
    r->n_segments = show->n_segments;
    for (int k = 0; k < show->n_segments; k++) {
        int rc = plan_segment(r, k, err);
        if (rc) return rc;
    }
    int rc = steps_parts(r, err);
    if (rc) return rc;
    timeline_make_steps(&cfg->timeline, r->n_stages, r->parts, &r->timeline);
    return LW_OK;
}

/* What renderer_create builds for its mode (render.h): geometry per
 * segment, then the yaw, then (whole path) every frame's view and every
 * space's boundary. */
static int create_geometry(Renderer *r, LwError *err)
{
    if (r->mode == RENDER_PLANS) return LW_OK;
    for (int k = 0; k < r->n_segments; k++) {
        SegmentRender *sr = &r->segs[k];
        /* on request, states and projections are built as frames reach them */
        int rc = r->mode == RENDER_ON_REQUEST
                     ? geom_build_lazy(&sr->geom, sr->seg, &sr->plan, &r->cfg->geom, err)
                     : geom_build(&sr->geom, sr->seg, &sr->plan, &r->cfg->geom, err);
        if (rc) return rc;
        if (!(sr->extent = geom_extent_create(&sr->geom)))
            return lw_fail(err, LW_ERUNTIME, "out of memory for the camera's content boxes");
    }
    int rc = camera_yaw(r, err);
    if (!rc && r->mode == RENDER_WHOLE_PATH) rc = whole_path(r, err);
    return rc;
}

static int check_length(const Renderer *r, LwError *err)
{
    /* the length is known before any geometry is built: refuse early */
    if (r->timeline.n_frames > 1000000)
        return lw_fail(err, LW_EINPUT, "%d frames is more than the 1000000 allowed "
                       "(lower fps, stage_seconds or the holds)", r->timeline.n_frames);
    return LW_OK;
}

/* Two panels side by side: views of each panel's run of segments, each
 * panel's config with its share of the width, and the right panel's own
 * renderer; this renderer draws the left panel. */
struct RenderPanels {
    Show part[SHOW_MAX_PANELS];          /* views into the show: not owners */
    RenderConfig cfg[SHOW_MAX_PANELS];
    int x[SHOW_MAX_PANELS];              /* each panel's left edge in the frame */
    Renderer right;
};

static int split_panels(Renderer *r, const Show *show, const RenderConfig *cfg, LwError *err)
{
    struct RenderPanels *p = calloc(1, sizeof *p);
    if (!p) return lw_fail(err, LW_ERUNTIME, "out of memory for panels");
    r->panels = p;
    int first = 0;
    while (first < show->n_segments && show->segments[first].panel == 0) first++;
    p->part[0] = (Show){first, show->segments};
    p->part[1] = (Show){show->n_segments - first, show->segments + first};
    for (int k = 0; k < SHOW_MAX_PANELS; k++) {
        p->cfg[k] = *cfg;
        p->cfg[k].style.width = k ? cfg->style.width - cfg->style.width / 2 : cfg->style.width / 2;
        p->x[k] = k ? cfg->style.width / 2 : 0;
        p->cfg[k].style.title_line = 1;
    }
    for (int k = first; k < show->n_segments; k++)
        if (show->segments[k].panel != 1)
            return lw_fail(err, LW_EINPUT, "a show's panels must come in order (0 then 1)");
    return LW_OK;
}

static int create_panels(const Show *show, const RenderConfig *cfg, Renderer *r, LwError *err)
{
    int rc = split_panels(r, show, cfg, err);
    struct RenderPanels *p = r->panels;
    r->frame = &cfg->style;
    p->right.frame = &cfg->style;
    p->right.mode = r->mode;
    if (!rc) rc = create_plans(r, &p->part[0], &p->cfg[0], err);
    if (!rc) rc = create_plans(&p->right, &p->part[1], &p->cfg[1], err);
    if (rc) return rc;
    /* in step: the shorter panel holds its end while the other plays on */
    timeline_extend(&r->timeline, p->right.timeline.n_frames);
    timeline_extend(&p->right.timeline, r->timeline.n_frames);
    rc = check_length(r, err);
    if (!rc) rc = create_geometry(r, err);
    if (!rc) rc = create_geometry(&p->right, err);
    return rc;
}

int renderer_create(const Show *show, const RenderConfig *cfg, RenderMode mode, Renderer *r,
                    LwError *err)
{
    memset(r, 0, sizeof *r);
    r->mode = mode;
    if (show_panel_count(show) > 1)
        return create_panels(show, cfg, r, err);
    int rc = create_plans(r, show, cfg, err);
    if (!rc) rc = check_length(r, err);
    return rc ? rc : create_geometry(r, err);
}

int renderer_prepare(Renderer *r, const FrameReq *reqs, int n, LwError *err)
{
    if (r->mode != RENDER_ON_REQUEST) return LW_OK;
    if (r->panels) { /* two panels: both whole paths, once */
        r->mode = r->panels->right.mode = RENDER_WHOLE_PATH;
        int rc = whole_path(r, err);
        return rc ? rc : whole_path(&r->panels->right, err);
    }
    int n_frames = r->timeline.n_frames;
    unsigned char *want = calloc(n_frames, 1);
    int *spaces = calloc(r->n_segments, sizeof(int));
    if (!want || !spaces) {
        free(want);
        free(spaces);
        return lw_fail(err, LW_ERUNTIME, "out of memory for the camera path");
    }
    int rc = LW_OK;
    for (int i = 0; i < n && !rc; i++) /* what the frames themselves read */
        rc = prepare_stage(r, reqs[i].stage, err);
    for (int i = 0; i < n; i++) {
        const SegmentRender *sr;
        int k = spaces_drawn(r, reqs[i], &sr);
        if (k > spaces[sr - r->segs]) spaces[sr - r->segs] = k;
        if (!reqs[i].tight) want[reqs[i].frame] = 1;
    }
    /* the frames whose views bound each boundary still to be traced */
    for (int k = 0; k < r->n_segments; k++) {
        const SegmentRender *sr = &r->segs[k];
        if (!traces_scores(sr)) continue;
        for (int l = sr->spaces_traced; l < spaces[k] && l <= sr->plan.n_hidden; l++)
            for (int f = 0; f < n_frames; f++)
                if (frame_frames_space(r, sr, l, f)) want[f] = 1;
    }
    int any = 0;
    for (int f = 0; f < n_frames && !any; f++) any = want[f] && !(r->view_ready && r->view_ready[f]);
    if (!rc && any) rc = fit_frames(r, want, err);
    for (int k = 0; !rc && k < r->n_segments; k++)
        rc = trace_scores(r, k, spaces[k], err);
    free(want);
    free(spaces);
    return rc;
}

const Renderer *renderer_beside(const Renderer *r)
{
    return r->panels ? &r->panels->right : NULL;
}

void renderer_free(Renderer *r)
{
    if (!r) return;
    if (r->panels) renderer_free(&r->panels->right);
    free(r->panels);
    for (int k = 0; r->segs && k < r->n_segments; k++) {
        geom_extent_free(r->segs[k].extent);
        geom_free(&r->segs[k].geom);
    }
    free(r->segs);
    free(r->views);
    free(r->view_ready);
    free(r->yaw);
    free(r->parts);
    memset(r, 0, sizeof *r);
}

/* ---- requests and labels --------------------------------------------------- */

FrameReq renderer_request_frame(const Renderer *r, int frame)
{
    FramePos p = timeline_at(&r->timeline, frame);
    return (FrameReq){frame, p.stage, p.t, 0};
}

FrameReq renderer_request_at(const Renderer *r, int stage, double t)
{
    int f = timeline_frame_at(&r->timeline, stage, t);
    if (f < 0) f = 0;
    if (f >= r->timeline.n_frames) f = r->timeline.n_frames - 1;
    return (FrameReq){f, stage, t, 0};
}

void renderer_label(const Renderer *r, FrameReq q, char *buf, size_t n)
{
    int s;
    const SegmentRender *sr = renderer_segment(r, q.stage, &s);
    const Stage *st = &sr->plan.stages[s];
    if (stage_step_count(&sr->plan, s) > 1) { /* the step on screen, at its own time */
        double tau;
        int k = stage_step_at(&sr->plan, s, q.t, &tau);
        snprintf(buf, n, "%c%d.activation.%d t=%.2f", sr->tag, sr->net_first_layer + st->layer + 1,
                 k + 1, tau);
        return;
    }
    snprintf(buf, n, "%c%d.%s t=%.2f", sr->tag, sr->net_first_layer + st->layer + 1,
             stage_kind_name(st->kind), q.t);
}

int renderer_network_layers(const Renderer *r, char tag)
{
    int n = 0;
    for (int k = 0; k < r->n_segments; k++)
        if (r->segs[k].tag == tag) n += r->segs[k].plan.n_layers;
    return n;
}

int renderer_network_layer(const Renderer *r, char tag, int number)
{
    for (int k = 0; number >= 1 && k < r->n_segments; k++) {
        const SegmentRender *sr = &r->segs[k];
        int local = number - 1 - sr->net_first_layer;
        if (sr->tag == tag && local >= 0 && local < sr->plan.n_layers)
            return sr->first_layer + local;
    }
    return -1;
}

/* Step k (0-based) that `name` names among the n steps of a split
 * activation ("activation.3", or a step's name: its first use); -1: none. */
static int step_named(const StagePlan *plan, int layer, int n, const char *name)
{
    const char *prefix = "activation.";
    size_t len = strlen(prefix);
    if (!strncmp(name, prefix, len)) {
        char *end;
        long k = strtol(name + len, &end, 10);
        return end != name + len && !*end && k >= 1 && k <= n ? (int)k - 1 : -1;
    }
    HadamardOp op;
    if (stage_step_parse(name, &op)) return -1;
    for (int k = 0; k < n; k++)
        if (plan->steps[layer][k] == op) return k;
    return -1;
}

int renderer_moment(const Renderer *r, int layer, const char *name, double t, FrameReq *q)
{
    StageKind kind;
    if (layer < 1 || layer > r->n_layers || !(t >= 0 && t <= 1)) return -1;
    if (!stage_kind_parse(name, &kind)) {
        *q = renderer_request_at(r, stage_index(layer - 1, kind), t);
        return 0;
    }
    int local, s = stage_index(layer - 1, STAGE_ACTIVATION);
    const SegmentRender *sr = renderer_segment(r, s, &local);
    int n = stage_step_count(&sr->plan, local);
    int k = step_named(&sr->plan, sr->plan.stages[local].layer, n, name);
    if (k < 0) return -1;
    *q = renderer_request_at(r, s, stage_step_time(&sr->plan, local, k, t));
    return 0;
}

/* The worked point as a state of split activation stage s of plan: the
 * configured coordinates, 0 for units it does not give. */
static void worked_state(const Renderer *r, const StagePlan *plan, int s, double *z)
{
    memset(z, 0, sizeof(double) * LW_MAX_WIDTH);
    for (int i = 0; i < r->cfg->n_worked && i < plan->stages[s].dim_out; i++)
        z[i] = r->cfg->worked[i];
}

int renderer_worked_states(const Renderer *r, int stage, double states[][LW_MAX_WIDTH])
{
    int s;
    const SegmentRender *sr = renderer_segment(r, stage, &s);
    if (!r->cfg->n_worked || stage_step_count(&sr->plan, s) < 1) return 0;
    double z[LW_MAX_WIDTH];
    worked_state(r, &sr->plan, s, z);
    return stage_step_states(&sr->plan, s, z, states);
}

int renderer_worked_display(const Renderer *r, int stage, double t, double seconds,
                            double out[3])
{
    int s;
    const SegmentRender *sr = renderer_segment(r, stage, &s);
    if (!r->cfg->n_worked || stage_step_count(&sr->plan, s) < 1) return 0;
    double z[LW_MAX_WIDTH], st[LW_MAX_WIDTH];
    worked_state(r, &sr->plan, s, z);
    stage_eval(&sr->plan, s, t, z, st);
    geom_to_display(&sr->geom, s, t, seconds, st, out);
    return 1;
}

int renderer_step_stills(const Renderer *r, int layer, FrameReq *q, char titles[][64])
{
    int local, s = stage_index(layer, STAGE_ACTIVATION);
    const SegmentRender *sr = renderer_segment(r, s, &local);
    int n = stage_step_count(&sr->plan, local);
    if (n < 1) return 0;
    for (int k = 0; k <= n; k++) {
        double t = k == 0 ? 0.0 : stage_step_time(&sr->plan, local, k - 1, 1.0);
        q[k] = renderer_request_at(r, s, t);
        q[k].stage = s;
        q[k].t = t; /* exactly the state before the steps, or after step k */
        q[k].tight = 1;
        char f[24];
        int l = sr->plan.stages[local].layer;
        if (k == 0) {
            snprintf(titles[k], 64, "layer %d: z = W x + b, before %s", layer + 1,
                     act_name(sr->plan.act[l]));
            continue;
        }
        render_step_formula(sr->plan.steps[l][k - 1], f, sizeof f);
        snprintf(titles[k], 64, "step %d: x \xe2\x86\xa6 %s%s", k, f,
                 k == n ? " (the result)" : "");
    }
    return n + 1;
}

/* ---- one frame --------------------------------------------------------------- */

typedef struct {
    FrameGeom fg;
} Scratch;

/* Ends drawing with cr on surf; a Cairo failure (cs) is frame's error. */
static int end_drawing(cairo_t *cr, cairo_status_t cs, cairo_surface_t *surf, int frame,
                       LwError *err)
{
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    if (cs != CAIRO_STATUS_SUCCESS)
        return lw_fail(err, LW_ERUNTIME, "drawing frame %d: %s", frame,
                       cairo_status_to_string(cs));
    return LW_OK;
}

static int draw_panel(const Renderer *r, FrameReq q, Scratch *s, cairo_surface_t *surf,
                        LwError *err)
{
    View still;
    const View *view = r->views ? &r->views[q.frame] : NULL;
    if (!q.tight && r->mode == RENDER_ON_REQUEST && !(r->view_ready && r->view_ready[q.frame]))
        return lw_fail(err, LW_ERUNTIME, "frame %d was drawn before renderer_prepare fitted "
                       "its view", q.frame);
    int local;
    const SegmentRender *sr = renderer_segment(r, q.stage, &local);
    if (r->mode != RENDER_PLANS && !geom_ready(&sr->geom, local))
        return lw_fail(err, LW_ERUNTIME, "frame %d was drawn before renderer_prepare built "
                       "its states", q.frame);
    if (q.tight || !view) {
        if (tight_view(r, q, &still) != LW_OK)
            return lw_fail(err, LW_ERUNTIME, "out of memory framing frame %d", q.frame);
        view = &still;
    }
    if (geom_frame(&sr->geom, local, q.t, motion_seconds(r, q.stage, q.t), view, &s->fg) != LW_OK)
        return lw_fail(err, LW_ERUNTIME, "out of memory drawing frame %d", q.frame);
    Caption cap;
    render_caption(r, q, &cap);
    cap.px_per_unit = view->scale;
    cap.view_cx = view->cx;
    cap.view_cy = view->cy;
    cap.view_ox = view->ox;
    cap.view_oy = view->oy;
    cap.view = *view;
    cap.flat = view_is_flat(view);
    double d[3];
    if (renderer_worked_display(r, q.stage, q.t, motion_seconds(r, q.stage, q.t), d)) {
        cap.worked_mark = 1;
        view_project(view, d, &cap.worked_px, &cap.worked_py, NULL);
    }
    cairo_t *cr = cairo_create(surf);
    return end_drawing(cr, (cairo_status_t)draw_frame(cr, &r->cfg->style, &s->fg, &cap), surf,
                       q.frame, err);
}

/* The right panel's request for the left one's: the same moment when the
 * panels play the same stages, else the same frame of their timelines. */
static FrameReq right_request(const Renderer *r, FrameReq q)
{
    const Renderer *right = &r->panels->right;
    if (right->n_stages == r->n_stages) return q;
    FrameReq p = renderer_request_frame(right, q.frame);
    p.tight = q.tight;
    return p;
}

static int draw_request(const Renderer *r, FrameReq q, Scratch *s, cairo_surface_t *surf,
                        LwError *err)
{
    if (!r->panels) return draw_panel(r, q, s, surf, err);
    const struct RenderPanels *p = r->panels;
    int rc = LW_OK;
    for (int k = 0; k < SHOW_MAX_PANELS && !rc; k++) {
        cairo_surface_t *part = cairo_surface_create_for_rectangle(
            surf, p->x[k], 0, p->cfg[k].style.width, p->cfg[k].style.height);
        rc = k ? draw_panel(&p->right, right_request(r, q), s, part, err)
               : draw_panel(r, q, s, part, err);
        cairo_surface_destroy(part);
    }
    if (rc) return rc;
    cairo_t *cr = cairo_create(surf);
    draw_panel_divider(cr, r->frame, p->x[1]);
    return end_drawing(cr, cairo_status(cr), surf, q.frame, err);
}

int render_one(const Renderer *r, FrameReq q, uint8_t *bgra, int stride, LwError *err)
{
    const Style *sr = r->frame;
    cairo_surface_t *surf = cairo_image_surface_create_for_data(bgra, CAIRO_FORMAT_ARGB32,
                                                                sr->width, sr->height, stride);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        return lw_fail(err, LW_ERUNTIME, "cannot draw into a %dx%d buffer of stride %d",
                       sr->width, sr->height, stride);
    }
    Scratch s = {0};
    int rc = draw_request(r, q, &s, surf, err);
    geom_frame_free(&s.fg);
    cairo_surface_destroy(surf);
    return rc;
}

/* ---- progress ---------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Columns of the terminal stderr is on: the terminal's own word, else
 * $COLUMNS, else 80. */
static int terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *env = getenv("COLUMNS");
    int cols = env ? atoi(env) : 0;
    return cols > 0 ? cols : 80;
}

/* One line, redrawn in place: it must stay shorter than the terminal, or
 * each update wraps onto a line of its own.  Every field has a fixed width,
 * so the bar keeps its length.  On a narrow terminal the label is cut,
 * then goes, then the bar. */
static void show_progress(const Renderer *r, FrameReq q, int done, int total, double t0)
{
    double el = now_seconds() - t0, fps = el > 0 ? done / el : 0;
    double eta = fps > 0 ? (total - done) / fps : 0;
    char label[64], counts[48], rate[48], line[512];
    renderer_label(r, q, label, sizeof label);
    int digits = snprintf(NULL, 0, "%d", total);
    snprintf(counts, sizeof counts, "%*d/%d", digits, done, total);
    snprintf(rate, sizeof rate, "%6.1f fps  ETA %5.1fs", fps, eta);
    int room = terminal_columns() - 1; /* the last column would wrap on some terminals */
    /* a bar of 12 first, then the label (up to 20), then the bar up to 30 */
    int text = (int)(strlen(counts) + 2 + strlen(rate));
    int label_width = room - text - 3 - 12 - 1;
    if (label_width > 20) label_width = 20;
    if (label_width < 6) label_width = 0;
    if (label_width) text += label_width + 1;
    int width = room - text - 3;
    if (width > 30) width = 30;
    int len = 0;
    if (width >= 8) {
        int fill = total ? (int)((long long)done * width / total) : width;
        line[len++] = '[';
        for (int i = 0; i < width; i++) line[len++] = i < fill ? '#' : '.';
        line[len++] = ']';
        line[len++] = ' ';
    }
    if (label_width)
        len += snprintf(line + len, sizeof line - (size_t)len, "%s  %-*.*s %s", counts,
                        label_width, label_width, label, rate);
    else
        len += snprintf(line + len, sizeof line - (size_t)len, "%s  %s", counts, rate);
    if (len > room) len = room > 0 ? room : 0;
    /* \r, the line, then erase to its end: a shorter line leaves nothing behind */
    fprintf(stderr, "\r%.*s\033[K", len, line);
    if (done == total) fputc('\n', stderr);
    fflush(stderr);
}

/* ---- the worker pool ----------------------------------------------------------- */

typedef struct {
    cairo_surface_t *surf;  /* NULL when the hook takes the pixels (own_surfaces) */
    int ready;
    int rc;
    LwError err;
    char note[LW_NOTE_MAX];
} Slot;

typedef struct {
    const Renderer *r;
    const FrameReq *reqs;
    int n;
    const RunOptions *opt;
    const unsigned char *repeat; /* (n) 1: request k draws what k - 1 does; or NULL */
    Slot *slots;
    int n_slots;
    /* opt->hook_takes_pixels: one surface per worker, drawn into and handed
     * to the hook, then free for the worker's next frame; the frames in
     * flight are only the hook's per-slot data */
    cairo_surface_t **own_surfaces; /* (threads) or NULL */
    int next_worker;
    int next_claim, next_deliver;
    int abort;
    pthread_mutex_t mu;
    pthread_cond_t ready_cv, free_cv;
} Pool;

/* SCHED_BATCH for this worker: the same share of the processor as any
 * thread (the same nice), but it no longer preempts a thread it wakes
 * beside, so x264's threads keep their cores while a worker draws ahead
 * and drawing fills the time they leave idle.  Failing costs speed only,
 * so it is not reported.  The veryfast reference render took 0.97x the
 * wall (24 alternated pairs), and 0.98x beside two busy loops; ten steps
 * of nice instead gained as much idle (0.96x) but took 2.3x the wall
 * beside the busy loops: it yields to every other program too. */
static void step_behind(void)
{
    struct sched_param none = {0};
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &none);
}

static void *worker(void *arg)
{
    Pool *p = arg;
    Scratch s = {0};
    if (p->opt->behind_encoder) step_behind();
    pthread_mutex_lock(&p->mu);
    cairo_surface_t *own = p->own_surfaces ? p->own_surfaces[p->next_worker++] : NULL;
    for (;;) {
        while (!p->abort && p->next_claim < p->n && p->next_claim - p->next_deliver >= p->n_slots)
            pthread_cond_wait(&p->free_cv, &p->mu);
        if (p->abort || p->next_claim >= p->n) break;
        int k = p->next_claim++;
        while (p->next_claim < p->n && p->repeat && p->repeat[p->next_claim])
            p->next_claim++; /* a repeat is delivered from k's slot: nothing to draw */
        Slot *slot = &p->slots[k % p->n_slots];
        pthread_mutex_unlock(&p->mu);
        cairo_surface_t *surf = own ? own : slot->surf;
        int rc = draw_request(p->r, p->reqs[k], &s, surf, &slot->err);
        slot->note[0] = '\0';
        if (rc == LW_OK && p->opt->hook)
            rc = p->opt->hook(p->opt->hook_user, p->reqs[k], k % p->n_slots,
                              cairo_image_surface_get_data(surf),
                              cairo_image_surface_get_stride(surf), slot->note, &slot->err);
        pthread_mutex_lock(&p->mu);
        slot->rc = rc;
        slot->ready = 1;
        pthread_cond_broadcast(&p->ready_cv);
    }
    pthread_mutex_unlock(&p->mu);
    geom_frame_free(&s.fg);
    return NULL;
}

static int deliver_all(Pool *p, const RunOptions *opt, FrameSink sink, void *user, LwError *err)
{
    double t0 = now_seconds(), last = 0;
    for (int k = 0; k < p->n;) {
        Slot *slot = &p->slots[k % p->n_slots];
        pthread_mutex_lock(&p->mu);
        while (!slot->ready && !(opt->stop && *opt->stop))
            pthread_cond_wait(&p->ready_cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        if (opt->stop && *opt->stop)
            return lw_fail(err, LW_EINTR, "interrupted");
        if (slot->rc) {
            *err = slot->err;
            return slot->rc;
        }
        int end = k + 1; /* k and the repeats of it after it: one picture */
        while (end < p->n && p->repeat && p->repeat[end]) end++;
        const uint8_t *px = slot->surf ? cairo_image_surface_get_data(slot->surf) : NULL;
        int stride = slot->surf ? cairo_image_surface_get_stride(slot->surf) : 0;
        for (int i = k; i < end; i++) {
            int rc = sink(user, i, p->reqs[i], k % p->n_slots, px, stride, slot->note, err);
            if (rc) return rc;
            if (opt->stop && *opt->stop)
                return lw_fail(err, LW_EINTR, "interrupted");
        }
        pthread_mutex_lock(&p->mu);
        slot->ready = 0;
        p->next_deliver = end;
        pthread_cond_broadcast(&p->free_cv);
        pthread_mutex_unlock(&p->mu);
        k = end;
        double t = now_seconds();
        if (opt->progress && (t - last > 0.1 || k == p->n)) {
            show_progress(p->r, p->reqs[k - 1], k, p->n, t0);
            last = t;
        }
    }
    return LW_OK;
}

/* Wakes the delivering thread regularly so a signal is noticed promptly. */
static void *stop_watch(void *arg)
{
    Pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int done = p->abort;
        pthread_cond_broadcast(&p->ready_cv);
        pthread_mutex_unlock(&p->mu);
        if (done) return NULL;
        usleep(50000);
    }
}

/* 1 when request b draws exactly what request a draws: the same moment,
 * the same view, the same captions (everything draw_panel reads from the
 * request).  A hold repeats its frame. */
static int same_picture(const Renderer *r, FrameReq a, FrameReq b, Caption cap[2])
{
    if (r->panels || a.tight || b.tight || !r->views || !r->view_ready) return 0;
    if (a.stage != b.stage || memcmp(&a.t, &b.t, sizeof a.t)) return 0;
    if (!r->view_ready[a.frame] || !r->view_ready[b.frame] ||
        memcmp(&r->views[a.frame], &r->views[b.frame], sizeof(View)))
        return 0;
    render_caption(r, a, &cap[0]);
    render_caption(r, b, &cap[1]);
    return !memcmp(&cap[0], &cap[1], sizeof cap[0]);
}

/* Which requests repeat the picture of the one before (opt->repeat_pixels). */
static unsigned char *find_repeats(const Renderer *r, const FrameReq *reqs, int n)
{
    unsigned char *rep = calloc(n > 0 ? n : 1, 1);
    Caption *cap = malloc(2 * sizeof *cap); /* large: off the stack */
    for (int k = 1; rep && cap && k < n; k++)
        rep[k] = (unsigned char)same_picture(r, reqs[k - 1], reqs[k], cap);
    if (!cap) { /* no memory to compare: draw every frame */
        free(rep);
        rep = NULL;
    }
    free(cap);
    return rep;
}

int render_slots(int threads)
{
    return 2 * (threads < 1 ? 1 : threads);
}

int render_run(const Renderer *r, const FrameReq *reqs, int n, const RunOptions *opt,
               FrameSink sink, void *user, LwError *err)
{
    const Style *sr = r->frame;
    int threads = opt->threads < 1 ? 1 : opt->threads;
    Pool p = {.r = r, .reqs = reqs, .n = n, .opt = opt,
              .n_slots = opt->slots > 0 ? opt->slots : render_slots(threads)};
    p.slots = calloc(p.n_slots, sizeof *p.slots);
    unsigned char *repeat = opt->repeat_pixels ? find_repeats(r, reqs, n) : NULL;
    p.repeat = repeat;
    pthread_t *tid = calloc(threads, sizeof *tid);
    /* a surface per frame in flight, or (the hook takes the pixels) per worker */
    int takes = opt->hook && opt->hook_takes_pixels;
    int n_surf = takes ? threads : p.n_slots;
    cairo_surface_t **surf = calloc(n_surf, sizeof *surf);
    int rc = LW_OK, started = 0, watch = 0;
    pthread_t watcher;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.ready_cv, NULL);
    pthread_cond_init(&p.free_cv, NULL);
    if (!p.slots || !tid || !surf || (opt->repeat_pixels && !repeat)) {
        rc = lw_fail(err, LW_ERUNTIME, "out of memory");
        goto fail;
    }
    for (int i = 0; i < n_surf; i++) {
        surf[i] = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, sr->width, sr->height);
        if (cairo_surface_status(surf[i]) != CAIRO_STATUS_SUCCESS) {
            rc = lw_fail(err, LW_ERUNTIME, "cannot allocate a %dx%d frame", sr->width, sr->height);
            goto fail;
        }
    }
    if (takes)
        p.own_surfaces = surf;
    else
        for (int i = 0; i < p.n_slots; i++) p.slots[i].surf = surf[i];
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &p) != 0) {
            rc = lw_fail(err, LW_ERUNTIME, "cannot start worker threads");
            goto fail;
        }
    watch = opt->stop && pthread_create(&watcher, NULL, stop_watch, &p) == 0;
    rc = deliver_all(&p, opt, sink, user, err);
fail:
    pthread_mutex_lock(&p.mu);
    p.abort = 1;
    pthread_cond_broadcast(&p.free_cv);
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (watch)
        pthread_join(watcher, NULL);
    for (int i = 0; surf && i < n_surf; i++)
        if (surf[i]) cairo_surface_destroy(surf[i]);
    free(surf);
    free(p.slots);
    free(repeat);
    free(tid);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.ready_cv);
    pthread_cond_destroy(&p.free_cv);
    return rc;
}
