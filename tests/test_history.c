/* test_history.c — a classifier's training replayed (history.h, training =
 * replay):
 *   - which steps a checkpoints spec keeps: lists, every N, log N; the last
 *     step always, no repeats, ascending;
 *   - recording is bit-for-bit repeatable, and its last snapshot is the
 *     trained network itself; each snapshot equals a run stopped at its step;
 *   - the replay show: one segment per checkpoint, carrying its step, whose
 *     every layer's end equals that checkpoint's forward pass (<= 1e-9);
 *     the curve's steps ascend and its accuracy at a checkpoint is the
 *     snapshot's;
 *   - scene errors for checkpoints and training. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bad_scenes.h"
#include "check.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

static const char *const SCENE =
    "[dataset]\nkind = moons\npoints = 120\nseed = 3\n"
    "[network]\nwidths = 2,2,2\n"
    "[train]\nsteps = 400\ncheckpoints = 0, 25, 100\n"
    "[render]\nwidth = 320\nheight = 180\nfps = 6\ntraining = replay\n";

static int load(const char *text, Scene *sc, LwError *err)
{
    return scene_load_string("h.scene", text, strlen(text), sc, err);
}

static void check_steps(void)
{
    int s[HISTORY_MAX_SNAPSHOTS];
    CheckpointSpec list = {CHECKPOINTS_LIST, 4, {500, 0, 100, 100}, 0};
    int n = history_steps(&list, 300, s);
    CHECK(n == 3 && s[0] == 0 && s[1] == 100 && s[2] == 300); /* 500 never reached */
    CheckpointSpec every = {CHECKPOINTS_EVERY, 0, {0}, 100};
    n = history_steps(&every, 250, s);
    CHECK(n == 4 && s[0] == 0 && s[1] == 100 && s[2] == 200 && s[3] == 250);
    CheckpointSpec lg = {CHECKPOINTS_LOG, 4, {0}, 0};
    n = history_steps(&lg, 2000, s);
    CHECK_MSG(n == 4 && s[0] == 0 && s[1] == 20 && s[2] == 200 && s[3] == 2000,
              "log 4 of 2000: %d steps, %d %d %d %d", n, s[0], s[1], s[2], s[3]);
    CheckpointSpec many = {CHECKPOINTS_EVERY, 0, {0}, 1};
    n = history_steps(&many, 100000, s);
    CHECK(n == HISTORY_MAX_SNAPSHOTS && s[n - 1] == 100000);
    for (int i = 1; i < n; i++) CHECK(s[i] > s[i - 1]);
}

/* A fresh run of `steps` steps from the scene's seed. */
static int run_to(const Scene *sc, const Dataset *ds, int steps, Mlp *m, LwError *err)
{
    TrainConfig c = sc->train;
    c.steps = steps;
    int rc = mlp_alloc(m, sc->net.n_widths, sc->net.widths, sc->net.act, ds->classes, err);
    if (rc) return rc;
    mlp_init_random(m, c.seed);
    TrainReport rep;
    return steps ? train_run(m, ds, &c, NULL, NULL, &rep, err) : LW_OK;
}

static void check_record(void)
{
    Scene sc;
    SceneModel a, b;
    LwError err = {""};
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    int rc = load(SCENE, &sc, &err);
    if (!rc) rc = scene_build(&sc, &a, NULL, NULL, &err);
    if (!rc) rc = scene_build(&sc, &b, NULL, NULL, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc) return;
    const History *h = &a.history;
    CHECK(h->n_snapshots == 4 && h->step[0] == 0 && h->step[3] == a.report.steps);
    int same = h->n_snapshots == b.history.n_snapshots && h->n_curve == b.history.n_curve;
    for (int k = 0; same && k < h->n_snapshots; k++)
        same = !memcmp(h->snapshot[k].params, b.history.snapshot[k].params,
                       h->snapshot[k].n_params * sizeof(double));
    CHECK_MSG(same, "two recordings differ");
    CHECK(!memcmp(h->snapshot[3].params, a.net.params, a.net.n_params * sizeof(double)));
    if (a.report.attempt == 1)  /* the scene's own seed was kept: runs stopped at each step */
        for (int k = 0; k < h->n_snapshots; k++) {
            Mlp m = {0};
            CHECK(run_to(&sc, &a.data, h->step[k], &m, &err) == LW_OK);
            CHECK_MSG(!memcmp(m.params, h->snapshot[k].params, m.n_params * sizeof(double)),
                      "snapshot at step %d is not a run stopped there", h->step[k]);
            mlp_free(&m);
        }
    for (int i = 1; i < h->n_curve; i++) CHECK(h->curve_step[i] > h->curve_step[i - 1]);
    for (int k = 0; k < h->n_snapshots; k++)
        CHECK_NEAR(h->accuracy[k],
                   mlp_accuracy(&h->snapshot[k], a.data.x, a.data.label, a.data.n), 0);

    /* the show: a segment per checkpoint, its layers that checkpoint's */
    Renderer r;
    rc = renderer_create(&a.show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    CHECK(a.show.n_segments == h->n_snapshots && a.show.segments[0].curve.n == h->n_curve);
    double worst = 0;
    for (int k = 0; !rc && k < r.n_segments; k++) {
        const SegmentRender *sr = &r.segs[k];
        CHECK(sr->seg->has_step && sr->seg->at_step == h->step[k]);
        const PointSet *ps = &sr->seg->sets[0];
        for (int i = 0; i < ps->n; i++) {
            double hh[(LW_MAX_LAYERS + 1) * WD];
            mlp_forward_point(&h->snapshot[k], ps->x + 2 * i, hh);
            for (int l = 0; l < h->snapshot[k].n_layers; l++) {
                double end[WD];
                geom_point_end_state(&sr->geom, stage_index(l, STAGE_ACTIVATION), i, end);
                for (int u = 0; u < sr->plan.widths[l + 1]; u++) {
                    int v = sr->plan.swapped[l] && u < 2 ? 1 - u : u;
                    worst = fmax(worst, fabs(end[u] - hh[(l + 1) * WD + v]));
                }
            }
        }
    }
    CHECK_MSG(worst <= 1e-9, "a replayed layer's end differs from its checkpoint by %g", worst);
    printf("  replay of 4 checkpoints (steps %d..%d): max |layer end - forward| %.1e\n",
           h->step[0], h->step[3], worst);
    if (!rc) renderer_free(&r);
    scene_model_free(&a);
    scene_model_free(&b);
    scene_free(&sc);
}

static void check_errors(void)
{
    static const BadScene bad[] = {
        {"[dataset]\nkind = moons\n[train]\ncheckpoints = every\n",
         "h.scene:4: checkpoints: 'every' is not a list of steps (0, 100, 1000), every N, or log N"},
        {"[dataset]\nkind = moons\n[train]\ncheckpoints = log 1\n",
         "h.scene:4: checkpoints = log N needs N from 2 to 64, got 1"},
        {"[dataset]\nkind = moons\n[train]\ncheckpoints = 0, ten\n",
         "h.scene:4: checkpoints: 'ten' is not a step from 0 to 1000000"},
        {"[dataset]\nkind = moons\n[render]\ntraining = rewind\n",
         "h.scene:4: unknown training 'rewind' (expected off, replay, morph)"},
        {"[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\ntraining = replay\n",
         "h.scene:6: training = replay is for model = classifier or gan, not vae (its training "
         "is not shown yet)"},
        {"[dataset]\nkind = moons\n[network]\nmodel = autoencoder\n[render]\ntraining = morph\n",
         "h.scene:6: training = morph is for model = classifier or gan, not autoencoder"},
        {"[dataset]\nkind = moons\n[network]\nwidths = 2,2\n[weights]\nW1 = 1 0 | 0 1\n"
         "b1 = 0 0\n[render]\ntraining = replay\n",
         "h.scene:9: training = replay needs a network trained here"},
    };
    check_bad_scenes("h.scene", bad, sizeof bad / sizeof bad[0]);
}

int main(void)
{
    check_steps();
    check_record();
    check_errors();
    return check_done("test_history");
}
