/* test_camera_request.c — work follows the request (render.h, RENDER_ON_REQUEST):
 *   - a single frame of a long video fits its view from the content boxes its
 *     camera's smoothing reads, not from every frame's: counted in
 *     Renderer.camera_samples (none for view = fixed; the follow window for
 *     follow; the frame's group and the groups its boundary is traced over
 *     for auto);
 *   - the frame drawn so is, pixel for pixel, the frame drawn with the whole
 *     path fitted first (view = auto, follow and fixed; a hold, a gap, a
 *     motion frame and the last frame);
 *   - a hold repeats its box: the whole path evaluates fewer boxes than
 *     there are frames;
 *   - a frame drawn before its view is fitted is an error, never a frame
 *     drawn with some other camera;
 *   - holds drawn once (RunOptions.repeat_pixels): every frame reaches the
 *     sink with the pixels and note it has when each is drawn, but the hook
 *     runs (and frames are drawn) only once per run of identical frames;
 *   - a content box moves only the points that can hold its edges
 *     (geom_extent.c), counted in Renderer.box_points: every frame's view
 *     is bit for bit the view fitted from boxes over every point
 *     (box_every_point), for each kind of motion, camera and activation;
 *     where the motion allows it the points moved are a small share of
 *     every point's (skylines; where none serves, cells: a wide layer's
 *     projection, a page turn, softplus); and frame 0 of a video ten times
 *     as long moves, per box, the same few points of the 4000 as the short
 *     video's;
 *   - the work shared over threads before drawing (parallel.h) gives the
 *     same views, boundary lines, states and frames with 1 and 3 threads;
 *   - the geometry's states and projections are built as requests reach
 *     them (geom_prepare), counted in Geometry.blocks_filled and
 *     .pca_count: frame 0 of a deep network of wide layers builds its
 *     first layer's (4 blocks, 1 projection), a frame or still of layer k
 *     those of layers 0 .. k (k + 1 once its activation is done: the
 *     boundary is then the next space's); a second request rebuilds
 *     nothing; the pixels are the whole path's. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hash.h"
#include "render.h"
#include "scene.h"

static const char *const BASE =
    "[dataset]\nkind = moons\npoints = 150\nseed = 3\n"
    "[network]\nwidths = 2,2,2,2\n"
    "[train]\nsteps = 200\n"
    "[render]\nwidth = 192\nheight = 108\nfps = 10\nstage_seconds = 6\n"
    "hold_start = 2\nhold_between = 1\nhold_end = 3\n";

typedef struct {
    Scene sc;
    SceneModel m;
    Renderer whole, lazy;
} Pair;

static int load(const char *extra, Pair *p)
{
    char text[1024];
    LwError err = {""};
    memset(p, 0, sizeof *p);
    snprintf(text, sizeof text, "%s%s", BASE, extra);
    int rc = scene_load_string_with("c.scene", text, strlen(text), NULL, 0, &p->sc, &err);
    if (!rc) rc = scene_build(&p->sc, &p->m, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&p->m.show, &p->sc.render, RENDER_WHOLE_PATH, &p->whole, &err);
    if (!rc) rc = renderer_create(&p->m.show, &p->sc.render, RENDER_ON_REQUEST, &p->lazy, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    return rc;
}

static void unload(Pair *p)
{
    renderer_free(&p->whole);
    renderer_free(&p->lazy);
    scene_model_free(&p->m);
    scene_free(&p->sc);
}

static uint8_t *draw(const Renderer *r, FrameReq q, int *rc)
{
    int w = r->frame->width, h = r->frame->height;
    uint8_t *px = calloc((size_t)4 * w * h, 1);
    LwError err = {""};
    *rc = px ? render_one(r, q, px, 4 * w, &err) : LW_ERUNTIME;
    return px;
}

/* Frame f drawn by a fresh on-request renderer after preparing it alone
 * equals frame f drawn with the whole path; returns the boxes it cost. */
static long long one_frame(Pair *p, int f)
{
    LwError err = {""};
    Renderer *lazy = &p->lazy;
    renderer_free(lazy);
    CHECK(renderer_create(&p->m.show, &p->sc.render, RENDER_ON_REQUEST, lazy, &err) == LW_OK);
    CHECK(lazy->camera_samples == 0);
    FrameReq q = renderer_request_frame(lazy, f);
    CHECK_MSG(renderer_prepare(lazy, &q, 1, &err) == LW_OK, "%s", err.msg);
    int rc1, rc2;
    uint8_t *a = draw(&p->whole, q, &rc1), *b = draw(lazy, q, &rc2);
    CHECK_MSG(rc1 == LW_OK && rc2 == LW_OK && a && b, "frame %d", f);
    int w = lazy->frame->width, h = lazy->frame->height;
    CHECK_MSG(a && b && memcmp(a, b, (size_t)4 * w * h) == 0,
              "frame %d differs from the whole path's", f);
    free(a);
    free(b);
    return lazy->camera_samples;
}

/* The first gap frame (between two layers), or -1. */
static int gap_frame(const Renderer *r)
{
    for (int f = 0; f < r->timeline.n_frames; f++)
        if (timeline_at(&r->timeline, f).group < 0) return f;
    return -1;
}

static void check_mode(const char *extra, const char *name)
{
    Pair p;
    if (load(extra, &p)) return;
    int n = p.whole.timeline.n_frames;
    CHECK_MSG(n > 500, "%s: a long video (%d frames)", name, n);
    CHECK_MSG(p.whole.camera_samples < n, "%s: holds reuse the box before them (%lld of %d)",
              name, p.whole.camera_samples, n);
    int picks[5] = {0, gap_frame(&p.whole), n / 2, n / 3 + 7, n - 1};
    for (int i = 0; i < 5; i++) {
        if (picks[i] < 0) continue;
        long long cost = one_frame(&p, picks[i]);
        if (!strcmp(name, "fixed"))
            CHECK_MSG(cost == 0, "%s: frame %d cost %lld boxes", name, picks[i], cost);
        if (!strcmp(name, "follow"))
            /* fps 10: the follow window is 3 frames either side, read twice */
            CHECK_MSG(cost <= 13, "%s: frame %d cost %lld boxes", name, picks[i], cost);
        if (strstr(name, "auto") && i == 0)
            /* the first hold and the first layer (its boundary is traced
             * over both): a third of a three-layer video at most */
            CHECK_MSG(cost > 0 && cost <= n / 3, "%s: frame 0 cost %lld boxes of %d", name,
                      cost, n);
    }
    unload(&p);
}

static void check_unprepared(void)
{
    Pair p;
    if (load("", &p)) return;
    int rc;
    uint8_t *px = draw(&p.lazy, renderer_request_frame(&p.lazy, 5), &rc);
    CHECK_MSG(rc == LW_ERUNTIME, "an unprepared frame is refused (rc %d)", rc);
    free(px);
    FrameReq still = renderer_request_at(&p.lazy, 1, 0.5);
    still.tight = 1;
    /* a still frames itself, but its states are built on request too */
    px = draw(&p.lazy, still, &rc);
    CHECK_MSG(rc == LW_ERUNTIME, "a still whose states are not built is refused (rc %d)", rc);
    free(px);
    LwError err = {""};
    CHECK(renderer_prepare(&p.lazy, &still, 1, &err) == LW_OK);
    px = draw(&p.lazy, still, &rc);
    CHECK(rc == LW_OK);
    free(px);
    unload(&p);
}

typedef struct {
    const Renderer *r;
    int hooked, n;
    char (*notes)[LW_NOTE_MAX];
} Count;

static int count_hook(void *user, FrameReq q, int slot, const uint8_t *px, int stride, char *note,
                      LwError *err)
{
    Count *c = user;
    (void)q; (void)slot; (void)err;
    __atomic_fetch_add(&c->hooked, 1, __ATOMIC_SEQ_CST);
    return hash_pixels(px, c->r->frame->width, c->r->frame->height, stride, note) ? LW_ERUNTIME
                                                                                  : LW_OK;
}

static int keep_note(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                     const char *note, LwError *err)
{
    Count *c = user;
    char again[LW_NOTE_MAX];
    (void)q; (void)slot; (void)err;
    snprintf(c->notes[index], LW_NOTE_MAX, "%s", note);
    /* the pixels handed over are those the note was made from */
    hash_pixels(px, c->r->frame->width, c->r->frame->height, stride, again);
    CHECK_MSG(strcmp(again, note) == 0, "frame %d: pixels and note disagree", index);
    c->n++;
    return LW_OK;
}

static void check_repeats(void)
{
    Pair p;
    if (load("", &p)) return;
    int n = p.whole.timeline.n_frames;
    FrameReq *q = malloc(sizeof *q * n);
    Count c[2] = {{&p.whole, 0, 0, calloc(n, LW_NOTE_MAX)}, {&p.whole, 0, 0, calloc(n, LW_NOTE_MAX)}};
    for (int f = 0; q && f < n; f++) q[f] = renderer_request_frame(&p.whole, f);
    for (int k = 0; k < 2 && q && c[0].notes && c[1].notes; k++) {
        RunOptions ro = {.threads = 2, .hook = count_hook, .hook_user = &c[k], .repeat_pixels = k};
        LwError err = {""};
        CHECK_MSG(render_run(&p.whole, q, n, &ro, keep_note, &c[k], &err) == LW_OK, "%s", err.msg);
    }
    CHECK(c[0].n == n && c[1].n == n && c[0].hooked == n);
    int runs = 1;
    for (int f = 1; c[0].notes && f < n; f++) runs += strcmp(c[0].notes[f], c[0].notes[f - 1]) != 0;
    /* the holds: hold_start 2 s, hold_between 1 s, hold_end 3 s at 10 fps */
    CHECK_MSG(c[1].hooked >= runs && c[1].hooked <= n - 40,
              "%d frames drawn of %d (%d runs of equal frames)", c[1].hooked, n, runs);
    for (int f = 0; c[0].notes && c[1].notes && f < n; f++)
        CHECK_MSG(strcmp(c[0].notes[f], c[1].notes[f]) == 0, "frame %d", f);
    free(c[0].notes);
    free(c[1].notes);
    free(q);
    unload(&p);
}

/* A scene of the given network and render keys: moons of n points. */
static int load_scene(int n, const char *network, const char *render, Scene *sc, SceneModel *m)
{
    char text[2048];
    LwError err = {""};
    snprintf(text, sizeof text,
             "[dataset]\nkind = moons\npoints = %d\nseed = 3\n[network]\n%s\n"
             "[train]\nsteps = 150\n[render]\nwidth = 192\nheight = 108\nfps = 10\n%s\n",
             n, network, render);
    int rc = scene_load_string_with("e.scene", text, strlen(text), NULL, 0, sc, &err);
    if (!rc) rc = scene_build(sc, m, NULL, NULL, &err);
    CHECK_MSG(rc == LW_OK, "%s: %s", network, err.msg);
    return rc;
}

/* Every frame's view, fitted on request, with the boxes of every point or
 * (every = 0) of the points that can hold an edge; the points moved. */
static long long all_views(const SceneModel *m, const Scene *sc, int every, View **views, int *n)
{
    Renderer r;
    LwError err = {""};
    *views = NULL;
    if (renderer_create(&m->show, &sc->render, RENDER_ON_REQUEST, &r, &err) != LW_OK) {
        CHECK_MSG(0, "%s", err.msg);
        return -1;
    }
    r.box_every_point = every;
    *n = r.timeline.n_frames;
    FrameReq *q = malloc(sizeof *q * *n);
    *views = malloc(sizeof **views * *n);
    for (int f = 0; q && f < *n; f++) q[f] = renderer_request_frame(&r, f);
    int rc = q && *views ? renderer_prepare(&r, q, *n, &err) : LW_ERUNTIME;
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (!rc && *views) memcpy(*views, r.views, sizeof **views * *n);
    long long moved = r.box_points;
    free(q);
    renderer_free(&r);
    return rc ? -1 : moved;
}

/* The reduced boxes give the very views of the full ones; with `share`
 * > 0, they move at most that share of what the full ones move. */
static void check_exact(int points, const char *network, const char *render, double share)
{
    Scene sc;
    SceneModel m;
    memset(&sc, 0, sizeof sc);
    memset(&m, 0, sizeof m);
    if (load_scene(points, network, render, &sc, &m) == LW_OK) {
        View *full, *fast;
        int n_full = 0, n_fast = 0;
        long long moved_full = all_views(&m, &sc, 1, &full, &n_full);
        long long moved_fast = all_views(&m, &sc, 0, &fast, &n_fast);
        CHECK(n_full == n_fast && n_full > 0 && full && fast);
        int differ = -1;
        for (int f = 0; full && fast && f < n_full && differ < 0; f++)
            if (memcmp(&full[f], &fast[f], sizeof *full)) differ = f;
        CHECK_MSG(differ < 0, "%s | %s: frame %d's view differs from the full boxes' view", network,
                  render, differ);
        CHECK_MSG(moved_fast <= moved_full && moved_full > 0, "%s | %s: %lld vs %lld", network,
                  render, moved_fast, moved_full);
        if (getenv("SHOW_SHARE"))
            printf("  %s | %s: %.3f\n", network, render, (double)moved_fast / moved_full);
        if (share > 0)
            CHECK_MSG(moved_fast <= share * moved_full, "%s | %s: moved %lld points of %lld",
                      network, render, moved_fast, moved_full);
        free(full);
        free(fast);
    }
    scene_model_free(&m);
    scene_free(&sc);
}

/* Frame 0 on request (its hold, and the first layer its boundary is traced
 * over): the points moved for its boxes against frames x points. */
static void frame0_cost(const char *render, long long *moved, long long *boxes, int *frames)
{
    Scene sc;
    SceneModel m;
    Renderer r;
    LwError err = {""};
    memset(&sc, 0, sizeof sc);
    memset(&m, 0, sizeof m);
    *moved = *boxes = -1;
    if (load_scene(4000, "widths = 2,2,2,2", render, &sc, &m) == LW_OK &&
        renderer_create(&m.show, &sc.render, RENDER_ON_REQUEST, &r, &err) == LW_OK) {
        FrameReq q = renderer_request_frame(&r, 0);
        CHECK_MSG(renderer_prepare(&r, &q, 1, &err) == LW_OK, "%s", err.msg);
        *moved = r.box_points;
        *boxes = r.camera_samples;
        *frames = r.timeline.n_frames;
        renderer_free(&r);
    }
    scene_model_free(&m);
    scene_free(&sc);
}

static void check_extent(void)
{
    /* points, network, render keys, the share of the full boxes' points
     * moved at most (0: not checked: stages that fall back to every point).
     * Then, where no skyline serves (a wide layer's projection mixes its
     * units; a page turn; softplus), the cells do: at 4000 points at most
     * the share given (measured: about 0.7 of it; cells of 64 points are a
     * 60th of the data there), and at 20000 a tenth; a morph, element-wise
     * steps and the last stage's motion still move every point. */
    static const struct {
        int points;
        const char *net, *render;
        double share;
    } cases[] = {
        {300, "widths = 2,2,2,2", "", 0.12},
        {300, "widths = 2,2,2,2", "view = follow", 0.12},
        {300, "widths = 2,2,2,2", "readout = true\norbit = 20\npitch = 30", 0.12},
        {300, "widths = 2,2,2,2\nactivation = relu", "readout = true", 0.12},
        {300, "widths = 2,2,2,2\nactivation = sigmoid", "", 0.12},
        {300, "widths = 2,2,2,2\nactivation = leaky_relu", "activation_steps = hadamard", 0.12},
        {300, "widths = 2,2,2,2", "interpolation = straight", 0},
        {300, "widths = 2,2,2,2", "reflection = turn", 0},
        {300, "widths = 2,2,2,2\nactivation = sigmoid",
         "activation_steps = hadamard\nworked_point = 0.5, -0.5", 0},
        {300, "widths = 2,3,3,2", "orbit = 20\npitch = 30", 0},
        {300, "widths = 2,3,3,2", "interpolation = straight", 0},
        {300, "widths = 2,3,2\nactivation = softplus", "", 0},
        {300, "widths = 2,5,5,2", "", 0},
        {300, "widths = 2,4,1", "view = follow", 0},
        {4000, "widths = 2,5,5,2", "", 0.4},
        {4000, "widths = 2,8,8,8,2", "wide_view = tour\norbit = 15", 0.55},
        {4000, "widths = 2,6,6,2", "wide_view = units\nunits = 2,4,5\nview = follow", 0.3},
        {4000, "widths = 2,3,3,2", "orbit = 20\npitch = 30", 0.4},
        /* the layers' tanh presses the points against the faces of the
         * cube: many cells' bounds reach an edge, so the cells save less */
        {4000, "widths = 2,3,3,2", "interpolation = straight\nreflection = turn", 0.6},
        {4000, "widths = 2,3,2\nactivation = softplus", "", 0.45},
        {4000, "widths = 2,4,1", "view = follow", 0.3},
        {4000, "widths = 2,5,5,2\nactivation = sigmoid", "activation_steps = hadamard", 0},
        {20000, "widths = 2,5,5,2", "", 0.1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char render[256];
        snprintf(render, sizeof render, "stage_seconds = 2\nhold_start = 1\nhold_between = 0.5\n"
                 "hold_end = 1\n%s", cases[i].render);
        check_exact(cases[i].points, cases[i].net, render, cases[i].share);
    }
    long long moved[2], boxes[2];
    int frames[2];
    frame0_cost("stage_seconds = 3", &moved[0], &boxes[0], &frames[0]);
    frame0_cost("stage_seconds = 30\nhold_start = 10\nhold_between = 5\nhold_end = 15",
                &moved[1], &boxes[1], &frames[1]);
    CHECK_MSG(frames[1] > 8 * frames[0], "%d frames against %d", frames[1], frames[0]);
    for (int k = 0; k < 2; k++)
        /* a box moves the few points of four skylines, not the 4000 */
        CHECK_MSG(moved[k] > 0 && boxes[k] > 0 && moved[k] <= boxes[k] * 4000 / 40,
                  "frame 0 of %d frames: %lld points moved for %lld boxes", frames[k], moved[k],
                  boxes[k]);
    /* and as few per box whatever the length: the skylines do not grow with it */
    if (boxes[0] > 0 && boxes[1] > 0)
        CHECK_MSG((double)moved[1] / boxes[1] <= 1.25 * moved[0] / boxes[0],
                  "%lld points for %lld boxes against %lld for %lld", moved[1], boxes[1],
                  moved[0], boxes[0]);
}

/* Pair for a deep network of wide layers, untrained. */
static int load_deep(Pair *p)
{
    static const char *text =
        "[dataset]\nkind = moons\npoints = 300\nseed = 3\n"
        "[network]\nwidths = 2,6,6,6,6,6,6,6\n[train]\nsteps = 0\n"
        "[render]\nwidth = 192\nheight = 108\nfps = 10\nstage_seconds = 2\n"
        "hold_start = 1\nhold_between = 0.5\nhold_end = 1\n";
    LwError err = {""};
    memset(p, 0, sizeof *p);
    int rc = scene_load_string_with("d.scene", text, strlen(text), NULL, 0, &p->sc, &err);
    if (!rc) rc = scene_build(&p->sc, &p->m, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&p->m.show, &p->sc.render, RENDER_WHOLE_PATH, &p->whole, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    return rc;
}

/* A deep network of wide layers, on request: counts the stage blocks of
 * state filled and the principal axes computed (Geometry.blocks_filled,
 * .pca_count) for one request, and compares its pixels with the whole
 * path's.  Returns the geometry's states_ready after the request. */
static int deep_request(Pair *p, FrameReq q, int *pca)
{
    LwError err = {""};
    Renderer *lazy = &p->lazy;
    renderer_free(lazy);
    CHECK(renderer_create(&p->m.show, &p->sc.render, RENDER_ON_REQUEST, lazy, &err) == LW_OK);
    const Geometry *g = &lazy->segs[0].geom;
    /* built: the inputs only, no stage moved, no projection chosen */
    CHECK_MSG(g->states_ready == 1 && g->blocks_filled == 0 && g->pca_count == 0,
              "created: %d blocks ready, %d filled, %d principal axes", g->states_ready,
              g->blocks_filled, g->pca_count);
    CHECK_MSG(renderer_prepare(lazy, &q, 1, &err) == LW_OK, "%s", err.msg);
    int filled = g->blocks_filled, axes = g->pca_count;
    /* asked again: nothing is built twice */
    CHECK_MSG(renderer_prepare(lazy, &q, 1, &err) == LW_OK, "%s", err.msg);
    CHECK_MSG(g->blocks_filled == filled && g->pca_count == axes,
              "a second request rebuilt states (%d -> %d blocks, %d -> %d axes)", filled,
              g->blocks_filled, axes, g->pca_count);
    int rc1, rc2;
    uint8_t *a = draw(&p->whole, q, &rc1), *b = draw(lazy, q, &rc2);
    int w = lazy->frame->width, h = lazy->frame->height;
    CHECK_MSG(rc1 == LW_OK && rc2 == LW_OK && a && b && memcmp(a, b, (size_t)4 * w * h) == 0,
              "stage %d t %g: the lazily built frame differs from the whole path's", q.stage,
              q.t);
    free(a);
    free(b);
    CHECK(filled == g->states_ready - 1);
    *pca = axes;
    return g->states_ready;
}

/* A frame reads the states of its own stage and its layer's projection,
 * which reads the layer's stage ends: a frame of layer k (its camera's
 * window and its boundary's spaces reach no further) needs the blocks up
 * to the next layer's start, 3 (k + 1), and the principal axes of layers
 * 0 .. k; not the whole video's. */
static void check_deep_states(void)
{
    Pair p;
    if (load_deep(&p)) return;
    const Geometry *whole = &p.whole.segs[0].geom;
    int layers = p.whole.segs[0].plan.n_layers, stages = p.whole.segs[0].plan.n_stages;
    CHECK_MSG(layers == 7 && whole->states_ready == stages && whole->pca_count == layers,
              "the whole path builds every stage (%d of %d) and every projection (%d of %d)",
              whole->states_ready, stages, whole->pca_count, layers);
    int pca;
    int ready = deep_request(&p, renderer_request_frame(&p.whole, 0), &pca);
    CHECK_MSG(ready == 4 && pca == 1, "frame 0 built %d of %d blocks and %d of %d projections",
              ready, stages, pca, layers);
    for (int k = 1; k < layers; k += 2) {
        /* mid-motion in each stage of layer k, and its step stills (t = 0 and 1) */
        for (int kind = 0; kind < STAGE_KIND_COUNT; kind++) {
            FrameReq q = renderer_request_at(&p.whole, stage_index(k, kind), 0.5);
            int last = stage_index(k + 1, STAGE_LINEAR);
            if (last > stages - 1) last = stages - 1;
            ready = deep_request(&p, q, &pca);
            CHECK_MSG(ready == last + 1 && pca == k + 1,
                      "a frame of layer %d built %d blocks (%d wanted) and %d projections", k,
                      ready, last + 1, pca);
            q.tight = 1;
            q.t = kind == STAGE_LINEAR ? 0.0 : 1.0;
            /* once the activation is done the boundary shown is the one
             * traced in the next space, over what the next layer's frames
             * show: that layer's too */
            int next = kind == STAGE_ACTIVATION && k + 1 < layers;
            if (next) last = stage_index(k + 2, STAGE_LINEAR);
            if (last > stages - 1) last = stages - 1;
            ready = deep_request(&p, q, &pca);
            CHECK_MSG(ready == last + 1 && pca == k + 1 + next,
                      "a still of layer %d built %d blocks (%d wanted) and %d projections", k,
                      ready, last + 1, pca);
        }
    }
    printf("  frame 0 of a %d-layer network: 4 of %d blocks of state, 1 of %d principal "
           "axes\n", layers, stages, layers);
    unload(&p);
}

/* The work shared out over threads before any frame is drawn (states,
 * cells' ranges, the boundaries traced once per space: parallel.h) gives
 * the same numbers for any count: every view, every traced line and the
 * pixels of frames of each layer, with 1 and 3 threads. */
static void check_threads(void)
{
    Scene sc;
    SceneModel m;
    memset(&sc, 0, sizeof sc);
    memset(&m, 0, sizeof m);
    if (load_scene(4000, "widths = 2,6,6,2", "stage_seconds = 1\nhold_start = 0.5\n", &sc, &m))
        return;
    Renderer r[2];
    memset(r, 0, sizeof r);
    LwError err = {""};
    int ok = 1;
    for (int k = 0; k < 2; k++) {
        sc.render.geom.threads = k ? 3 : 1;
        ok = ok && renderer_create(&m.show, &sc.render, RENDER_WHOLE_PATH, &r[k], &err) == LW_OK;
    }
    CHECK_MSG(ok, "%s", err.msg);
    if (ok) {
        int n = r[0].timeline.n_frames;
        CHECK(n == r[1].timeline.n_frames &&
              !memcmp(r[0].views, r[1].views, sizeof *r[0].views * n));
        const Geometry *a = &r[0].segs[0].geom, *b = &r[1].segs[0].geom;
        CHECK(a->n_space == b->n_space && a->n_space > 0);
        int lines = 0;
        for (int l = 0; l < a->n_space && l < b->n_space; l++) {
            const Polylines *pa = &a->space[l].lines.p, *pb = &b->space[l].lines.p;
            /* a space without lines has no array (x NULL) */
            CHECK_MSG(pa->n == pb->n && (pa->n == 0 || !memcmp(pa->x, pb->x,
                                                               sizeof(double) * 3 * pa->n)),
                      "space %d: %d against %d traced points", l, pa->n, pb->n);
            lines += pa->n_lines;
        }
        CHECK_MSG(lines > 0, "no boundary traced");
        CHECK(!memcmp(a->point_state.x, b->point_state.x,
                      sizeof(double) * a->point_state.at[a->point_state.n_blocks]));
        for (int f = 0; f < n; f += n / 5) {
            int rc1, rc2;
            FrameReq q = renderer_request_frame(&r[0], f);
            uint8_t *pa = draw(&r[0], q, &rc1), *pb = draw(&r[1], q, &rc2);
            int w = r[0].frame->width, h = r[0].frame->height;
            CHECK_MSG(rc1 == LW_OK && rc2 == LW_OK && pa && pb &&
                      !memcmp(pa, pb, (size_t)4 * w * h), "frame %d differs with 3 threads", f);
            free(pa);
            free(pb);
        }
        printf("  1 and 3 threads: the same %d views, %d boundary lines, states and frames\n", n,
               lines);
    }
    for (int k = 0; k < 2; k++) renderer_free(&r[k]);
    scene_model_free(&m);
    scene_free(&sc);
}

int main(void)
{
    check_threads();
    check_deep_states();
    check_extent();
    check_mode("", "auto (boundary shown)");
    check_mode("view = follow\nshow_boundary = false\n", "follow");
    check_mode("view = follow\n", "follow (boundary shown)");
    check_mode("view = fixed\nview_box = -3, 3, -2, 2\nshow_boundary = false\n", "fixed");
    check_unprepared();
    check_repeats();
    return check_done("test_camera_request");
}
