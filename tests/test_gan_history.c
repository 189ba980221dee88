/* test_gan_history.c — a GAN's training replayed (gan_history.h, training =
 * replay for model = gan) and the generator's push (show_gradients):
 *   - gan_train_with's checkpoints leave the arithmetic alone: the
 *     parameters equal gan_train's bit for bit;
 *   - recording is bit-for-bit repeatable; its last snapshot is the trained
 *     model; each snapshot equals a run stopped at its step; the curve's
 *     steps ascend and, at each checkpoint, hold that snapshot's losses;
 *   - the replay show: per checkpoint a generator and a discriminator
 *     segment carrying its step; the generator segment's samples, carried
 *     through its layers by the renderer's geometry, end exactly where that
 *     snapshot's gan_generate_point puts them; the discriminator's generated
 *     points are those same points, and every discriminator layer's end,
 *     for them and for their arrows' tips (which move with the space), is
 *     that snapshot's D;
 *   - the push equals a central finite difference of -softplus(-D(x)) at
 *     each generated point (relative error < 1e-6); every arrow is a
 *     positive multiple of its push (on every second point; the others have
 *     none), one scale for all checkpoints except the capped stragglers
 *     (which are the longest arrows); the discriminator's arrows are the
 *     generator's;
 *   - scene errors for what is refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bad_scenes.h"
#include "check.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

static const char *const SCENE =
    "[dataset]\nkind = moons\npoints = 160\nseed = 3\n"
    "[network]\nmodel = gan\nwidths = 2,6,6,2\n"
    "[train]\nsteps = 300\ncheckpoints = 0, 30, 120\n"
    "[render]\nwidth = 320\nheight = 180\nfps = 4\ntraining = replay\nshow_gradients = true\n";

static int load(const char *text, Scene *sc, LwError *err)
{
    return scene_load_string("g.scene", text, strlen(text), sc, err);
}

/* The scene's GAN trained for `steps` from its seed, as scene_build does. */
static int run_to(const Scene *sc, const SceneModel *m, int steps, Gan *g, LwError *err)
{
    GanConfig c = gan_config_default();
    c.n_gen_hidden = 2;
    c.gen_hidden[0] = c.gen_hidden[1] = 6;
    c.gen_act = sc->net.act[0];
    c.seed = sc->train.seed;
    c.steps = steps;
    if (c.batch > m->data.n) c.batch = m->data.n;
    int rc = gan_alloc(g, &c, m->data.dim, err);
    if (rc) return rc;
    gan_init_random(g, c.seed);
    GanReport rep;
    return gan_train(g, &m->data, &c, &rep, err);
}

static int same_gan(const Gan *a, const Gan *b)
{
    size_t n = a->n_gen_params + a->n_disc_params;
    return n == b->n_gen_params + b->n_disc_params &&
           !memcmp(a->params, b->params, n * sizeof(double));
}

static void check_record(const Scene *sc, const SceneModel *a, const SceneModel *b)
{
    const GanHistory *h = &a->gan_history;
    CHECK_MSG(h->n_snapshots == 4 && h->step[0] == 0 && h->step[1] == 30 &&
              h->step[2] == 120 && h->step[3] == 300, "%d snapshots", h->n_snapshots);
    int same = h->n_snapshots == b->gan_history.n_snapshots &&
               h->n_curve == b->gan_history.n_curve;
    for (int k = 0; same && k < h->n_snapshots; k++)
        same = same_gan(&h->snapshot[k], &b->gan_history.snapshot[k]);
    for (int i = 0; same && i < h->n_curve; i++)
        same = h->curve_d_loss[i] == b->gan_history.curve_d_loss[i] &&
               h->curve_g_loss[i] == b->gan_history.curve_g_loss[i];
    CHECK_MSG(same, "two recordings differ");
    CHECK_MSG(same_gan(&h->snapshot[h->n_snapshots - 1], &a->gan), "last snapshot != trained");
    for (int k = 0; k < h->n_snapshots; k++) {
        Gan g = {0};
        LwError err = {""};
        CHECK_MSG(run_to(sc, a, h->step[k], &g, &err) == LW_OK, "%s", err.msg);
        CHECK_MSG(same_gan(&g, &h->snapshot[k]), "snapshot at step %d is not a run stopped "
                  "there", h->step[k]);
        gan_free(&g);
    }
    int found = 0;
    for (int i = 1; i < h->n_curve; i++) CHECK(h->curve_step[i] > h->curve_step[i - 1]);
    for (int i = 0; i < h->n_curve; i++)
        for (int k = 0; k < h->n_snapshots; k++)
            if (h->curve_step[i] == h->step[k]) {
                found++;
                CHECK(h->curve_d_loss[i] == h->d_loss[k] && h->curve_g_loss[i] == h->g_loss[k]);
            }
    CHECK(found == h->n_snapshots);
    CHECK_NEAR(h->d_loss[3], a->gan_report.d_loss, 0);
    CHECK_NEAR(h->g_loss[3], a->gan_report.g_loss, 0);
    CHECK_NEAR(h->mmd2[3], a->mmd2, 0);
    CHECK_NEAR(h->mmd2[0], a->mmd2_untrained, 0);
}

/* Each generator segment's samples end, through the geometry's stages,
 * where its snapshot's generator puts them; the discriminator carries
 * those points. */
static void check_show(const Scene *sc, const SceneModel *a)
{
    const GanHistory *h = &a->gan_history;
    LwError err = {""};
    Renderer r;
    int rc = renderer_create(&a->show, &sc->render, 1, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc) return;
    CHECK(r.n_segments == 2 * h->n_snapshots);
    double worst = 0, worst_d = 0;
    for (int k = 0; k < h->n_snapshots && r.n_segments == 2 * h->n_snapshots; k++) {
        const SegmentRender *gs = &r.segs[2 * k], *ds = &r.segs[2 * k + 1];
        const Gan *g = gan_history_at(h, k);
        CHECK(gs->seg->tag == 'G' && ds->seg->tag == 'D');
        CHECK(gs->seg->has_step && gs->seg->at_step == h->step[k]);
        CHECK(ds->seg->has_step && ds->seg->at_step == h->step[k]);
        CHECK(gs->seg->curve.n == h->n_curve && !strcmp(gs->seg->curve.name[1], "G loss"));
        const PointSet *z = &gs->seg->sets[0], *fake = &ds->seg->sets[1];
        CHECK(z->n == fake->n);
        int last = stage_index(gs->plan.n_hidden - 1, STAGE_ACTIVATION);
        for (int i = 0; i < z->n && i < fake->n; i++) {
            double x[3], end[WD];
            gan_generate_point(g, z->x + 2 * i, x);
            geom_point_end_state(&gs->geom, last, i, end);
            for (int u = 0; u < 2; u++) {
                int v = gs->plan.swapped[gs->plan.n_hidden - 1] ? 1 - u : u;
                worst = fmax(worst, fabs(end[u] - x[v]));
                worst_d = fmax(worst_d, fabs(fake->x[2 * i + u] - x[u]));
            }
        }
    }
    CHECK_MSG(worst <= 1e-9, "a checkpoint's generator ends %g from its forward pass", worst);
    printf("  replay of %d checkpoints: max |generator end - gan_generate_point| %.1e\n",
           h->n_snapshots, worst);
    /* the discriminator: every layer's end is its snapshot's D, for the
     * points and for the arrows' tips (point + arrow), moved with the space */
    double worst_layer = 0, worst_tip = 0;
    for (int k = 0; k < h->n_snapshots && r.n_segments == 2 * h->n_snapshots; k++) {
        const SegmentRender *ds = &r.segs[2 * k + 1];
        const Gan *g = gan_history_at(h, k);
        const PointSet *fake = &ds->seg->sets[1];
        int i0 = ds->seg->sets[0].n, L = ds->plan.n_hidden;
        CHECK(ds->geom.arrow_state.x != NULL);
        for (int i = 0; i < fake->n && ds->geom.arrow_state.x; i++) {
            double hh[(LW_MAX_LAYERS + 1) * WD], ht[(LW_MAX_LAYERS + 1) * WD], tip[2];
            for (int u = 0; u < 2; u++) tip[u] = fake->x[2 * i + u] + fake->arrow[2 * i + u];
            layers_forward_point(&g->disc, fake->x + 2 * i, hh);
            layers_forward_point(&g->disc, tip, ht);
            for (int l = 0; l < L; l++) {
                int s = stage_index(l, STAGE_ACTIVATION);
                double end[WD], tend[WD], tip_start[WD];
                geom_point_end_state(&ds->geom, s, i0 + i, end);
                stage_end(&ds->plan, s, geom_states_get(&ds->geom.arrow_state, s, i0 + i, tip_start),
                          tend);
                for (int u = 0; u < ds->plan.widths[l + 1]; u++) {
                    int v = ds->plan.swapped[l] && u < 2 ? 1 - u : u;
                    worst_layer = fmax(worst_layer, fabs(end[u] - hh[(l + 1) * WD + v]));
                    worst_tip = fmax(worst_tip, fabs(tend[u] - ht[(l + 1) * WD + v]));
                }
            }
        }
    }
    CHECK_MSG(worst_layer <= 1e-9, "a discriminator layer ends %g from its forward pass",
              worst_layer);
    CHECK_MSG(worst_tip <= 1e-9, "an arrow's tip ends %g from D of point + arrow", worst_tip);
    printf("  discriminators: max |layer end - forward| %.1e, arrow tips %.1e\n", worst_layer,
           worst_tip);
    CHECK_MSG(worst_d == 0, "the discriminator's points are %g from the generator's", worst_d);
    renderer_free(&r);
}

/* softplus(-D(x)), the generator's loss at one point */
static double point_loss(const Gan *g, const double *x)
{
    double t = -gan_discriminate_point(g, x);
    return fmax(t, 0.0) + log1p(exp(-fabs(t)));
}

static void check_arrows(const SceneModel *a)
{
    const GanHistory *h = &a->gan_history;
    double worst = 0, ratio_max = 0, cap = 0;
    int n_capped = 0, n_checked = 0;
    /* the longest arrow over the whole show: the cap, if any reached it */
    for (int s = 0; s < a->show.n_segments; s++) {
        const PointSet *ps = &a->show.segments[s].sets[a->show.segments[s].tag == 'G' ? 0 : 1];
        for (int i = 0; ps->arrow && i < ps->n; i++)
            cap = fmax(cap, hypot(ps->arrow[2 * i], ps->arrow[2 * i + 1]));
    }
    for (int k = 0; k < h->n_snapshots && a->show.n_segments == 2 * h->n_snapshots; k++) {
        const Gan *g = gan_history_at(h, k);
        const Segment *gs = &a->show.segments[2 * k], *ds = &a->show.segments[2 * k + 1];
        const PointSet *z = &gs->sets[0], *fake = &ds->sets[1];
        CHECK(z->arrow && z->arrow_space == ARROWS_OUTPUT && z->arrow_dim == 2);
        CHECK(fake->arrow && fake->arrow_space == ARROWS_INPUT && fake->arrow_dim == 2);
        if (!z->arrow || !fake->arrow) continue;
        CHECK(!memcmp(z->arrow, fake->arrow, sizeof(double) * 2 * z->n));
        double *push = malloc(sizeof(double) * 2 * fake->n);
        LwError err = {""};
        CHECK_MSG(gan_generator_push(g, fake->x, fake->n, push, &err) == LW_OK, "%s", err.msg);
        for (int i = 0; i < fake->n; i++) {
            const double *x = fake->x + 2 * i, *p = push + 2 * i, *v = z->arrow + 2 * i;
            for (int u = 0; u < 2; u++) { /* -d/dx softplus(-D(x)), central differences */
                double e = 1e-6 * fmax(1.0, fabs(x[u])), xp[2] = {x[0], x[1]},
                       xm[2] = {x[0], x[1]};
                xp[u] += e;
                xm[u] -= e;
                double fd = -(point_loss(g, xp) - point_loss(g, xm)) / (2 * e);
                worst = fmax(worst, fabs(fd - p[u]) / fmax(fmax(fabs(fd), fabs(p[u])), 1e-6));
            }
            double lp = hypot(p[0], p[1]), lv = hypot(v[0], v[1]);
            if (i % 2) { /* an arrow on every second point only */
                CHECK(lv == 0);
                continue;
            }
            if (lp == 0) continue;
            /* the same direction: no turn, pointing the same way */
            CHECK(fabs(p[0] * v[1] - p[1] * v[0]) <= 1e-9 * lp * fmax(lv, 1e-300));
            CHECK(p[0] * v[0] + p[1] * v[1] > 0);
            ratio_max = fmax(ratio_max, lv / lp);
            n_checked++;
        }
        free(push);
    }
    /* one scale: every arrow is that multiple of its push, or capped at the longest */
    for (int s = 0; s < a->show.n_segments; s += 2) {
        const PointSet *z = &a->show.segments[s].sets[0];
        for (int i = 0; z->arrow && i < z->n; i += 2) {
            int k = s / 2;
            double x[2], p[2];
            gan_generate_point(gan_history_at(h, k), z->x + 2 * i, x);
            LwError err = {""};
            if (gan_generator_push(gan_history_at(h, k), x, 1, p, &err)) continue;
            double lp = hypot(p[0], p[1]), lv = hypot(z->arrow[2 * i], z->arrow[2 * i + 1]);
            if (lp == 0) continue;
            int capped = fabs(lv - cap) <= 1e-12 * cap && lv / lp < ratio_max * (1 - 1e-9);
            n_capped += capped;
            CHECK_MSG(capped || fabs(lv / lp - ratio_max) <= 1e-9 * ratio_max,
                      "checkpoint %d point %d: arrow %g push %g (scale %g)", k, i, lv, lp,
                      ratio_max);
        }
    }
    CHECK_MSG(worst < 1e-6, "push against finite differences: relative error %g", worst);
    CHECK(n_checked > 0 && ratio_max > 0);
    printf("  push vs finite differences: max relative error %.1e over %d points; %d arrows "
           "capped\n", worst, n_checked, n_capped);
}

/* A checkpoint that counts its calls and checks the losses it is told. */
static int listen_all(void *user, int step, const Gan *m, double dl, double gl, LwError *err)
{
    (void)step; (void)m; (void)err;
    if (!isfinite(dl) || !isfinite(gl)) return LW_ERUNTIME;
    ++*(int *)user;
    return LW_OK;
}

/* Training with a checkpoint that listens at every step ends where
 * training without one does. */
static void check_callback_is_silent(const SceneModel *a)
{
    int calls = 0;
    GanConfig c = gan_config_default();
    c.n_gen_hidden = 1;
    c.gen_hidden[0] = 5;
    c.steps = 60;
    c.batch = 32;
    Gan x = {0}, y = {0};
    LwError err = {""};
    CHECK(gan_alloc(&x, &c, 2, &err) == LW_OK && gan_alloc(&y, &c, 2, &err) == LW_OK);
    gan_init_random(&x, c.seed);
    gan_init_random(&y, c.seed);
    GanReport rx, ry;
    CHECK(gan_train(&x, &a->data, &c, &rx, &err) == LW_OK);
    GanTrainOptions opt = {listen_all, &calls, 1, NULL, 0};
    CHECK(gan_train_with(&y, &a->data, &c, &opt, &ry, &err) == LW_OK);
    CHECK_MSG(calls == 61, "%d calls for 60 steps and step 0", calls);
    CHECK(same_gan(&x, &y) && rx.d_loss == ry.d_loss && rx.g_loss == ry.g_loss);
    gan_free(&x);
    gan_free(&y);
}

static void check_errors(void)
{
    static const BadScene bad[] = {
        {"[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\ntraining = replay\n",
         "g.scene:6: training = replay is for model = classifier or gan, not vae (its training "
         "is not shown yet)"},
        {"[dataset]\nkind = moons\n[network]\nmodel = autoencoder\n[render]\n"
         "training = replay\n",
         "g.scene:6: training = replay is for model = classifier or gan, not autoencoder"},
        {"[dataset]\nkind = moons\n[network]\nmodel = gan\n[weights]\nfile = g.weights\n"
         "[render]\ntraining = replay\n",
         "g.scene:8: training = replay needs a network trained here, not fixed [weights]"},
        {"[dataset]\nkind = moons\n[render]\nshow_gradients = yes\n",
         "g.scene:4: show_gradients draws a generator's gradient: it is for model = gan, not "
         "classifier"},
        {"[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\nshow_gradients = on\n",
         "g.scene:6: show_gradients draws a generator's gradient: it is for model = gan, not vae"},
    };
    check_bad_scenes("g.scene", bad, sizeof bad / sizeof bad[0]);
}

int main(void)
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
    if (!rc) {
        check_record(&sc, &a, &b);
        check_show(&sc, &a);
        check_arrows(&a);
        check_callback_is_silent(&a);
    }
    scene_model_free(&a);
    scene_model_free(&b);
    scene_free(&sc);
    check_errors();
    return check_done("test_gan_history");
}
