/* frame_bench.c — what one frame costs, without encoding or hashing:
 *  1. the reference scene (scenes/bench-reference.scene, 1280x720): geometry
 *     and drawing of all 270 frames on one thread, ms per frame, split into
 *     geometry (geom_frame) and raster (Cairo);
 *  2. how that cost grows with data points and with grid lines (it should
 *     grow linearly: double the points or lines, about double their share);
 *  3. a frame of a training animation (training = replay, and the continuous
 *     training = morph) against a frame of the same network's layer
 *     animation (training = off), whole frames with captions, 1280x720.
 * Prints a table; timings are wall clock of the best of 3 passes. */
#include <cairo.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"
#include "scene.h"

/* A scene, what it makes and its renderer. */
typedef struct {
    Scene sc;
    SceneModel model;
    Renderer r;
} Loaded;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Best-of-3 ms per frame for drawing every frame (all = 1) or geometry only. */
static double ms_per_frame(const Renderer *r, int draw)
{
    const Style *sr = &r->cfg->style;
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, sr->width);
    uint8_t *px = malloc((size_t)stride * sr->height);
    FrameGeom fg = {0};
    double best = 1e9;
    LwError err;
    for (int pass = 0; pass < 3; pass++) {
        double t0 = now();
        for (int f = 0; f < r->timeline.n_frames; f++) {
            FrameReq q = renderer_request_frame(r, f);
            if (draw)
                render_one(r, q, px, stride, &err);
            else
                geom_frame(&r->segs[0].geom, q.stage, q.t, f / r->cfg->timeline.fps,
                           &r->views[f], &fg);
        }
        double dt = (now() - t0) * 1000 / r->timeline.n_frames;
        if (dt < best) best = dt;
    }
    geom_frame_free(&fg);
    free(px);
    return best;
}

static int load(const char *name, const char *text, Loaded *l)
{
    LwError err = {""};
    memset(l, 0, sizeof *l);
    int rc = text ? scene_load_string(name, text, strlen(text), &l->sc, &err)
                  : scene_load_file(name, &l->sc, &err);
    if (!rc) rc = scene_build(&l->sc, &l->model, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&l->model.show, &l->sc.render, 1, &l->r, &err);
    if (rc) fprintf(stderr, "%s (run from the repository root)\n", err.msg);
    return rc ? -1 : 0;
}

static void unload(Loaded *l)
{
    renderer_free(&l->r);
    scene_model_free(&l->model);
    scene_free(&l->sc);
}

/* A moons scene with `points` points and `lines` grid lines per direction,
 * fixed weights (no training), fixed view, 60 frames. */
static void scaling_scene(char *buf, size_t n, int points, int lines)
{
    snprintf(buf, n,
             "[dataset]\nkind = moons\npoints = %d\nseed = 3\n"
             "[network]\nwidths = 2,2,2\n"
             "[weights]\nW1 = 1.2 -0.8 | 0.6 1.1\nb1 = 0.3 -0.2\n"
             "W2 = 0.9 1.3 | -1.1 0.7\nb2 = -0.1 0.4\n"
             "[render]\nstage_seconds = 0.333\nhold_start = 0\nhold_between = 0\n"
             "hold_end = 0\nview = fixed\nview_box = -6.4,6.4,-3.7,3.5\n"
             "grid_lines = %d\ngrid_samples = 200\ngrid_adaptive = false\n"
             "interpolation = straight\nshow_captions = false\nshow_progress = false\n",
             points, lines);
}

/* The disk and annulus with 3 tanh units (as scenes/olah/annulus-morph.scene's
 * right panel), 720p with captions, its training shown as `training` says. */
static void training_scene(char *buf, size_t n, const char *training)
{
    snprintf(buf, n,
             "[dataset]\nkind = circles\npoints = 400\nnoise = 0.04\nfactor = 0.45\n"
             "[network]\nwidths = 2,3\n"
             "[train]\nlearning_rate = 0.03\nsteps = 3000\nseed = 1\ncheckpoints = log 8\n"
             "[render]\ntraining = %s\n", training);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define TRAINING_ROUNDS 5

/* Section 3: ms per frame of each way of showing training, and its ratio
 * to the layer animation's: the three measured in turn, TRAINING_ROUNDS
 * rounds (a busy machine slows a round, not one way), the medians. */
static int training_costs(void)
{
    static const char *const ways[] = {"off", "replay", "morph"};
    Loaded l[3];
    double ms[3][TRAINING_ROUNDS], ratio[3][TRAINING_ROUNDS];
    for (int i = 0; i < 3; i++) {
        char text[1024];
        training_scene(text, sizeof text, ways[i]);
        if (load("training.scene", text, &l[i])) return -1;
    }
    for (int k = 0; k < TRAINING_ROUNDS; k++)
        for (int i = 0; i < 3; i++) {
            ms[i][k] = ms_per_frame(&l[i].r, 1);
            ratio[i][k] = ms[i][k] / ms[0][k];
        }
    printf("\ntraining shown (circles 2-3 tanh, 400 points, 8 checkpoints, 1280x720, "
           "captions, one thread; medians of %d rounds):\n", TRAINING_ROUNDS);
    printf("%10s %8s %12s %10s %18s\n", "training", "frames", "ms/frame", "vs off",
           "vs off, range");
    for (int i = 0; i < 3; i++) {
        qsort(ms[i], TRAINING_ROUNDS, sizeof(double), cmp_double);
        qsort(ratio[i], TRAINING_ROUNDS, sizeof(double), cmp_double);
        printf("%10s %8d %12.2f %9.2fx %8.2fx - %.2fx\n", ways[i], l[i].r.timeline.n_frames,
               ms[i][TRAINING_ROUNDS / 2], ratio[i][TRAINING_ROUNDS / 2], ratio[i][0],
               ratio[i][TRAINING_ROUNDS - 1]);
        unload(&l[i]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc > 1 && strcmp(argv[1], "training") == 0) /* section 3 alone */
        return training_costs() ? 1 : 0;
    Loaded l;
    if (load("scenes/bench-reference.scene", NULL, &l)) return 1;
    double geom = ms_per_frame(&l.r, 0), all = ms_per_frame(&l.r, 1);
    printf("reference scene, 1280x720, one thread: %.2f ms/frame "
           "(geometry %.2f ms, raster %.2f ms)\n", all, geom, all - geom);
    unload(&l);

    printf("\nscaling (fixed 2-2-2 network, 60 frames, ms per frame, one thread):\n");
    printf("%8s %8s %10s %10s\n", "points", "lines", "geometry", "total");
    static const int cases[][2] = {{600, 21}, {1200, 21}, {2400, 21}, {600, 42}, {600, 84}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        scaling_scene(text, sizeof text, cases[i][0], cases[i][1]);
        if (load("scaling.scene", text, &l)) return 1;
        printf("%8d %8d %10.2f %10.2f\n", cases[i][0], cases[i][1], ms_per_frame(&l.r, 0),
               ms_per_frame(&l.r, 1));
        unload(&l);
    }
    return training_costs() ? 1 : 0;
}
