/* test_morph.c — training in motion (training = morph):
 *   - a segment per pair of neighbouring checkpoints; at its start every
 *     point is where checkpoint k's forward pass puts it in the chosen
 *     layer, at its end where checkpoint k + 1's does (<= 1e-12), and one
 *     segment ends exactly (bit for bit) where the next begins;
 *   - in between positions move continuously: no frame-to-frame jump is
 *     larger than a bound set by the two ends' distance;
 *   - the boundary drawn at a moment between checkpoints is where the
 *     network of that moment scores zero (<= 1e-9): traced in the input and
 *     moved, or across the shown plane when it is 2-D and seen flat;
 *   - the caption's accuracy at a checkpoint is the one training measured;
 *   - a GAN's morph: its ends are the checkpoints' generators, its boundary
 *     where the moment's D is 0, its push the moment's gradient (at a
 *     checkpoint gan_generator_push's);
 *   - scene errors for what a morph cannot show. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bad_scenes.h"
#include "check.h"
#include "draw.h"
#include "gan_history.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

static const char *const SCENE =
    "[dataset]\nkind = circles\npoints = 150\nseed = 2\nfactor = 0.45\n"
    "[network]\nwidths = 2,3,2\n"
    "[train]\nsteps = 300\nlearning_rate = 0.03\ncheckpoints = 0, 20, 100\n"
    "[render]\nwidth = 320\nheight = 180\nfps = 6\ntraining = morph\ntraining_layer = 1\n"
    "show_shade = yes\n";

static int load(const char *text, Scene *sc, LwError *err)
{
    return scene_load_string("m.scene", text, strlen(text), sc, err);
}

/* Loads, builds and plans a scene; 0 when all went well (else the check
 * has failed and nothing is left to free). */
static int build(const char *text, Scene *sc, SceneModel *a, Renderer *r)
{
    LwError err = {""};
    memset(a, 0, sizeof *a);
    int rc = load(text, sc, &err);
    if (!rc) rc = scene_build(sc, a, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&a->show, &sc->render, 1, r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc) {
        scene_model_free(a);
        scene_free(sc);
    }
    return rc;
}

/* Hidden layer `layer`'s output (1-based) of a checkpoint for input x. */
static void layer_out(const Mlp *m, int layer, const double *x, double *out)
{
    double hh[(LW_MAX_LAYERS + 1) * WD];
    mlp_forward_point(m, x, hh);
    memcpy(out, hh + layer * WD, sizeof(double) * WD);
}

/* The ends of every segment against the checkpoints; continuity at joins. */
static void check_ends(const Renderer *r, const History *h, int layer)
{
    double worst = 0;
    int joins_exact = 1;
    for (int k = 0; k < r->n_segments; k++) {
        const SegmentRender *sr = &r->segs[k];
        CHECK(sr->seg->morph_layer == layer && sr->seg->at_step == h->step[k] &&
              sr->seg->morph_step == h->step[k + 1]);
        const PointSet *ps = &sr->seg->sets[0];
        for (int i = 0; i < ps->n; i++) {
            double a[WD], b[WD], st[WD] = {0}, start[WD], end[WD];
            layer_out(&h->snapshot[k], layer, ps->x + 2 * i, a);
            layer_out(&h->snapshot[k + 1], layer, ps->x + 2 * i, b);
            memcpy(st, ps->x + 2 * i, 2 * sizeof(double));
            stage_eval(&sr->plan, 0, 0.0, st, start);
            stage_eval(&sr->plan, 2, 1.0, st, end);
            for (int u = 0; u < sr->plan.widths[1]; u++)
                worst = fmax(worst, fmax(fabs(start[u] - a[u]), fabs(end[u] - b[u])));
            if (k + 1 < r->n_segments) {
                double next[WD];
                stage_eval(&r->segs[k + 1].plan, 0, 0.0, st, next);
                joins_exact &= !memcmp(next, end, sizeof end);
            }
        }
    }
    CHECK_MSG(worst <= 1e-12, "a morph's end differs from its checkpoint by %g", worst);
    CHECK_MSG(joins_exact, "a morph does not begin where the one before ends");
    printf("  morph over %d checkpoints: max |end - checkpoint forward| %.1e\n", h->n_snapshots,
           worst);
}

/* Frame to frame, no point moves by more than the whole way between its
 * two ends could take in one of 30 evenly spaced moments, times a margin
 * for the bend of the path: positions interpolate, they do not jump. */
static void check_continuous(const Renderer *r)
{
    const SegmentRender *sr = &r->segs[0];
    const PointSet *ps = &sr->seg->sets[0];
    double worst_ratio = 0;
    for (int i = 0; i < ps->n; i++) {
        double st[WD] = {0}, prev[WD], cur[WD], a[WD], b[WD];
        memcpy(st, ps->x + 2 * i, 2 * sizeof(double));
        stage_eval(&sr->plan, 0, 0.0, st, a);
        stage_eval(&sr->plan, 2, 1.0, st, b);
        double span = 0;
        for (int u = 0; u < WD; u++) span += (b[u] - a[u]) * (b[u] - a[u]);
        span = sqrt(span) + 1e-3;
        memcpy(prev, a, sizeof a);
        for (int f = 1; f <= 90; f++) {
            int s = (f - 1) / 30;
            double t = ((f - 1) % 30 + 1) / 30.0, d = 0;
            stage_eval(&sr->plan, s, t, st, cur);
            for (int u = 0; u < WD; u++) d += (cur[u] - prev[u]) * (cur[u] - prev[u]);
            worst_ratio = fmax(worst_ratio, sqrt(d) / span);
            memcpy(prev, cur, sizeof cur);
        }
    }
    /* 90 steps over the way: a straight path would give 1/90 per step */
    CHECK_MSG(worst_ratio < 0.1, "a point jumps %.3f of its way in one step", worst_ratio);
}

/* The boundary drawn between checkpoints is where that moment's network
 * scores zero. */
static void check_boundary(const Renderer *r)
{
    const SegmentRender *sr = &r->segs[1];
    Polylines p = {0};
    int rc = geom_morph_scores(&sr->geom, 1, 0.37, &r->views[0], &p);
    CHECK(rc == 1 && p.n > 10);
    double worst = 0, u = stage_morph_u(1, 0.37);
    for (int j = 0; j < p.n; j++) {
        double x[WD] = {0}, out[WD], z[LW_MAX_CLASSES];
        memcpy(x, p.x + 3 * j, 2 * sizeof(double));
        stage_morph_eval(&sr->plan.morph, u, x, out, z);
        worst = fmax(worst, fabs(z[0]));
    }
    CHECK_MSG(worst <= 1e-9, "the morph's boundary scores %g, not 0", worst);
    polylines_free(&p);
}

/* In a 2-D shown space seen flat, the boundary runs across the view, where
 * the network of the moment scores zero from that layer on. */
static void check_plane_boundary(void)
{
    static const char *const text =
        "[dataset]\nkind = moons\npoints = 100\nseed = 4\n[network]\nwidths = 2,2,2\n"
        "[train]\nsteps = 200\ncheckpoints = 0, 50\n"
        "[render]\nwidth = 320\nheight = 180\nfps = 6\ntraining = morph\n"
        "training_layer = 1\n";
    Scene sc;
    SceneModel a;
    Renderer r;
    if (build(text, &sc, &a, &r)) return;
    const SegmentRender *sr = &r.segs[0];
    int f = timeline_frame_at(&r.timeline, 1, 0.5);
    FramePos p = timeline_at(&r.timeline, f);
    Polylines pl = {0};
    CHECK(geom_morph_scores(&sr->geom, p.stage, p.t, &r.views[f], &pl) == 2 && pl.n > 10);
    double worst = 0, u = stage_morph_u(p.stage, p.t);
    for (int j = 0; j < pl.n; j++) {
        double z[LW_MAX_CLASSES];
        stage_morph_scores_from(&sr->plan.morph, u, pl.x + 3 * j, z);
        worst = fmax(worst, fabs(z[0]));
    }
    CHECK_MSG(worst <= 1e-9, "the morph's boundary in its plane scores %g, not 0", worst);
    polylines_free(&pl);
    renderer_free(&r);
    scene_model_free(&a);
    scene_free(&sc);
}

/* With shading by class, a frame's cells are classed by the network of its
 * moment, not by the checkpoint the segment starts from. */
static void check_shade(const Renderer *r)
{
    const SegmentRender *sr = &r->segs[0];
    FrameGeom fg = {0};
    int f = timeline_frame_at(&r->timeline, 1, 0.5);
    FramePos p = timeline_at(&r->timeline, f);
    CHECK(geom_frame(&sr->geom, p.stage, p.t, 0.0, &r->views[f], &fg) == LW_OK);
    int S = fg.shade_cells, wrong = 0, moved = 0;
    const double *reg = sr->seg->region;
    double u = stage_morph_u(p.stage, p.t);
    for (int j = 0; S && j < S; j++)
        for (int i = 0; i < S; i++) {
            double x[WD] = {0}, out[WD], z[LW_MAX_CLASSES];
            x[0] = reg[0] + (reg[1] - reg[0]) * (i + 0.5) / S;
            x[1] = reg[2] + (reg[3] - reg[2]) * (j + 0.5) / S;
            stage_morph_eval(&sr->plan.morph, u, x, out, z);
            wrong += fg.shade_class[j * S + i] != (z[0] > 0);
            moved += fg.shade_class[j * S + i] != sr->seg->shade_class[j * S + i];
        }
    CHECK_MSG(S > 0 && wrong == 0, "%d of %d cells not classed by the moment's network", wrong,
              S * S);
    CHECK_MSG(moved > 0, "the shading did not change from the checkpoint's");
    geom_frame_free(&fg);
}

static void check_morph(void)
{
    Scene sc;
    SceneModel a;
    Renderer r;
    if (build(SCENE, &sc, &a, &r)) return;
    const History *h = &a.history;
    CHECK(h->n_snapshots == 4 && a.show.n_segments == 3);
    CHECK(sc.render.timeline.layer_gap == 0 && sc.render.timeline.easing == EASE_LINEAR);
    check_ends(&r, h, 1);
    check_continuous(&r);
    check_boundary(&r);
    check_shade(&r);
    /* at a checkpoint the caption's accuracy is training's own */
    for (int k = 0; k < r.n_segments; k++) {
        Caption c;
        FrameReq q = renderer_request_at(&r, r.segs[k].first_stage, 0.0);
        render_caption(&r, q, &c);
        CHECK(c.morph && c.at_step == h->step[k]);
        CHECK_NEAR(c.morph_accuracy, h->accuracy[k], 0);
    }
    renderer_free(&r);
    scene_model_free(&a);
    scene_free(&sc);
}

/* A GAN's morph: its ends are the checkpoints' generators, its boundary
 * where the moment's discriminator says 0, its push the moment's
 * -d softplus(-D) / dx (at a checkpoint: gan_generator_push's). */
static void check_gan(void)
{
    static const char *const text =
        "[dataset]\nkind = moons\npoints = 200\nseed = 7\n"
        "[network]\nmodel = gan\nlatent = 2\nwidths = 2,8,8,2\n"
        "[train]\nsteps = 300\ncheckpoints = 0, 60\n"
        "[render]\nwidth = 320\nheight = 180\nfps = 6\ntraining = morph\n"
        "show_gradients = yes\nshow_shade = yes\n";
    Scene sc;
    SceneModel a;
    Renderer r;
    if (build(text, &sc, &a, &r)) return;
    const GanHistory *h = &a.gan_history;
    LwError err = {""};
    CHECK(h->n_snapshots == 3 && r.n_segments == 2);
    double worst_end = 0, worst_push = 0, worst_d = 0;
    for (int k = 0; k < r.n_segments; k++) {
        const SegmentRender *sr = &r.segs[k];
        const Gan *g0 = gan_history_at(h, k), *g1 = gan_history_at(h, k + 1);
        const PointSet *ps = &sr->seg->sets[0]; /* the latent samples */
        for (int i = 0; i < ps->n; i += 5) {
            double z[WD] = {0}, a0[WD], a1[WD], e0[2], e1[2], push[WD], ref[2];
            memcpy(z, ps->x + 2 * i, 2 * sizeof(double));
            stage_eval(&sr->plan, 0, 0.0, z, a0);
            stage_eval(&sr->plan, 2, 1.0, z, a1);
            gan_generate_point(g0, z, e0);
            gan_generate_point(g1, z, e1);
            for (int c = 0; c < 2; c++)
                worst_end = fmax(worst_end, fmax(fabs(a0[c] - e0[c]), fabs(a1[c] - e1[c])));
            stage_morph_push(&sr->plan.morph, 0.0, a0, push);
            CHECK(gan_generator_push(g0, e0, 1, ref, &err) == LW_OK);
            for (int c = 0; c < 2; c++)
                worst_push = fmax(worst_push, fabs(push[c] - ref[c]) / (fabs(ref[c]) + 1e-12));
        }
        Polylines pl = {0};
        int f = timeline_frame_at(&r.timeline, r.segs[k].first_stage + 1, 0.5);
        FramePos p = timeline_at(&r.timeline, f);
        int local;
        renderer_segment(&r, p.stage, &local);
        CHECK(geom_morph_scores(&sr->geom, local, p.t, &r.views[f], &pl) == 2 && pl.n > 0);
        for (int j = 0; j < pl.n; j++) {
            double s[LW_MAX_CLASSES];
            stage_morph_scores_from(&sr->plan.morph, stage_morph_u(local, p.t), pl.x + 3 * j, s);
            worst_d = fmax(worst_d, fabs(s[0]));
        }
        polylines_free(&pl);
    }
    CHECK_MSG(worst_end <= 1e-12, "a GAN morph's end differs from its generator by %g", worst_end);
    CHECK_MSG(worst_push <= 1e-9, "the morph's push differs from gan_generator_push by %g",
              worst_push);
    CHECK_MSG(worst_d <= 1e-9, "D on the morph's boundary is %g, not 0", worst_d);
    printf("  gan morph: |end - G(z)| %.1e, push rel. %.1e, |D| on the boundary %.1e\n",
           worst_end, worst_push, worst_d);
    renderer_free(&r);
    scene_model_free(&a);
    scene_free(&sc);
}

static void check_errors(void)
{
    static const BadScene bad[] = {
        {"[dataset]\nkind = moons\n[network]\nwidths = 2,2\n[render]\ntraining = morph\n"
         "training_layer = 2\n",
         "m.scene:7: training_layer = 2: the network has 1 hidden layers"},
        {"[dataset]\nkind = moons\n[network]\nwidths = 2,5\n[render]\ntraining = morph\n",
         "m.scene:6: training = morph shows a space of at most 3 units; layer 1 has 5"},
        {"[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\ntraining = morph\n",
         "m.scene:6: training = morph is for model = classifier or gan"},
        {"[dataset]\nkind = moons\n[network]\nmodel = gan\n[render]\ntraining = morph\n"
         "networks = generator, discriminator\n",
         "m.scene:7: training = morph shows a gan's generator"},
        {"[dataset]\nkind = moons\n[render]\ntraining = morph\nshade = area\n",
         "m.scene:5: shade = area is not drawn over training = morph"},
    };
    check_bad_scenes("m.scene", bad, sizeof bad / sizeof bad[0]);
}

int main(void)
{
    check_morph();
    check_plane_boundary();
    check_gan();
    check_errors();
    return check_done("test_morph");
}
