/* test_generative.c — a generator's map as a segment, checked without any
 * training: the latent grid stands at the prior's quantiles (every cell
 * between neighbouring lines holds the same probability), the prior samples
 * ride through the generator's layers to exactly its forward pass, the real
 * data appear only in the last layer, and scenes say model, latent and prior
 * with clear messages when they disagree with the widths. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "check.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

static int load(const char *text, Scene *sc, LwError *err)
{
    return scene_load_string("g.scene", text, strlen(text), sc, err);
}

static void check_grid(void)
{
    Show show = {0};
    LwError err = {""};
    double W[4] = {1, 0, 0, 1}, b[2] = {0, 0};
    LayerStack s = {.n_layers = 1, .widths = {2, 2}, .act = {ACT_TANH}, .W = {W}, .b = {b}};
    GenerativeView v = {PRIOR_GAUSSIAN, 50, 3, 11, "t"};
    CHECK(generative_segment(&s, NULL, &v, &show, &err) == LW_OK);
    const Segment *seg = &show.segments[0];
    double e = generative_latent_extent(PRIOR_GAUSSIAN), worst = 0, mass0 = -1;
    CHECK(seg->n_grid_at == 11);
    for (int k = 0; k + 1 < seg->n_grid_at; k++) {
        double a = -e + 2 * e * seg->grid_at[k], c = -e + 2 * e * seg->grid_at[k + 1];
        double mass = gsl_cdf_ugaussian_P(c) - gsl_cdf_ugaussian_P(a);
        if (mass0 < 0) mass0 = mass;
        worst = fmax(worst, fabs(mass - mass0));
    }
    CHECK_MSG(worst < 1e-12, "cells of the Gaussian grid differ in probability by %g", worst);
    CHECK_NEAR(mass0, 0.099, 1e-12); /* 99 % of the mass in 10 equal cells */
    CHECK(seg->sets[0].n == 50 && !seg->sets[0].fixed);
    show_free(&show);
    v.prior = PRIOR_UNIFORM;
    CHECK(generative_segment(&s, NULL, &v, &show, &err) == LW_OK);
    CHECK_NEAR(show.segments[0].grid_at[5], 0.5, 1e-15);
    CHECK(show.segments[0].region[1] == 1.0);
    show_free(&show);
}

static void check_scene_keys(void)
{
    Scene sc;
    LwError err = {""};
    CHECK(load("[dataset]\nkind = moons\n[network]\nmodel = gan\n", &sc, &err) == LW_OK);
    CHECK(sc.model.kind == MODEL_GAN && sc.model.latent == 2 && sc.model.prior == PRIOR_GAUSSIAN);
    CHECK(sc.net.n_widths == 5 && sc.net.widths[0] == 2 && sc.net.widths[4] == 2);
    CHECK(sc.net.act[0] == ACT_LEAKY_RELU); /* a GAN trains reliably with leaky units */
    scene_free(&sc);
    CHECK(load("[dataset]\nkind = rings\n[network]\nmodel = vae\nlatent = 1\nprior = uniform\n",
               &sc, &err) == LW_OK);
    CHECK(sc.net.widths[0] == 1 && sc.net.widths[3] == 3 && sc.model.prior == PRIOR_UNIFORM);
    scene_free(&sc);
    CHECK(load("[dataset]\nkind = moons\n[network]\nmodel = gan\nlatent = 3\nwidths = 2,8,2\n",
               &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "g.scene:5: widths starts with 2 but latent = 3 (a gan's first width is "
                       "the latent dimension)");
    scene_free(&sc);
    CHECK(load("[dataset]\nkind = moons\n[network]\nmodel = vae\nwidths = 2,8,3\n", &sc, &err) ==
          LW_EINPUT);
    CHECK_STR(err.msg, "g.scene:5: widths ends with 3 but moons data is 2-D (a vae's last width "
                       "is the data's dimension)");
    scene_free(&sc);
    CHECK(load("[dataset]\nkind = moons\n[network]\nmodel = diffusion\n", &sc, &err) == LW_EINPUT);
    CHECK(strstr(err.msg, "g.scene:4:") && strstr(err.msg, "diffusion"));
    scene_free(&sc);
}

/* The samples ride through the generator to its forward pass; the data
 * show in the last layer only. */
static void check_geometry(void)
{
    Scene sc;
    SceneModel m;
    Renderer r;
    LwError err = {""};
    memset(&m, 0, sizeof m);
    memset(&r, 0, sizeof r);
    int rc = load("[dataset]\nkind = circles\n[network]\nmodel = gan\nwidths = 2,5,4,2\n"
                  "[render]\nwidth = 320\nheight = 180\nfps = 6\n", &sc, &err);
    if (!rc) rc = scene_build(&sc, &m, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&m.show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc == LW_OK) {
        const SegmentRender *sr = &r.segs[0];
        const PointSet *samples = &sr->seg->sets[0];
        double worst = 0;
        for (int i = 0; i < samples->n; i++) {
            double h[(LW_MAX_LAYERS + 1) * WD];
            layers_forward_point(&sr->seg->net, samples->x + 2 * i, h);
            for (int l = 0; l < sr->plan.n_layers; l++) {
                double end[WD];
                geom_point_end_state(&sr->geom, stage_index(l, STAGE_ACTIVATION), i, end);
                for (int u = 0; u < sr->plan.widths[l + 1]; u++) {
                    int v = sr->plan.swapped[l] && u < 2 ? 1 - u : u;
                    worst = fmax(worst, fabs(end[u] - h[(l + 1) * WD + v]));
                }
            }
        }
        CHECK_MSG(worst <= 1e-9, "generator layer ends differ from its forward pass by %g", worst);
        printf("  %d samples through a 2-5-4-2 generator: max |diff| %.1e\n", samples->n, worst);
        /* the real data: hidden before the last layer, shown in it */
        FrameGeom fg = {0};
        int data0 = samples->n, hidden = 0, shown = 0;
        for (int f = 0; f < r.timeline.n_frames; f++) {
            FrameReq q = renderer_request_frame(&r, f);
            int local;
            if (renderer_segment(&r, q.stage, &local) != sr) continue; /* the generator's frames */
            int layer = sr->plan.stages[local].layer;
            CHECK(geom_frame(&sr->geom, local, q.t, 0, &r.views[f], &fg) == LW_OK);
            int off = fg.px[data0] < -1e8;
            hidden += layer < sr->plan.n_layers - 1 && off;
            shown += layer == sr->plan.n_layers - 1 && !off;
        }
        geom_frame_free(&fg);
        CHECK(hidden > 0 && shown > 0);
        /* the second act: the discriminator, whose score read off its last
         * drawn space is its own verdict on every point it carries */
        CHECK(r.n_segments == 2);
        if (r.n_segments == 2) {
            const SegmentRender *cr = &r.segs[1];
            double worst_d = 0;
            int n_pts = 0;
            for (int k = 0; k < cr->seg->n_sets; k++) {
                const PointSet *ps = &cr->seg->sets[k];
                for (int i = 0; i < ps->n; i++, n_pts++) {
                    double st[WD], z;
                    stage_start_state(&cr->plan, 0, ps->x + (size_t)i * ps->dim, st);
                    stage_scores(&cr->plan, 0, st, &z);
                    double want = gan_discriminate_point(&m.gan, ps->x + (size_t)i * ps->dim);
                    worst_d = fmax(worst_d, fabs(z - want) / (1 + fabs(want)));
                }
            }
            CHECK_MSG(worst_d < 1e-9, "the drawn discriminator's score differs by %g", worst_d);
            CHECK(n_pts == m.data.n + 400);
            printf("  discriminator segment: %d points, score vs gan_discriminate_point %.1e\n",
                   n_pts, worst_d);
        }
    }
    renderer_free(&r);
    scene_model_free(&m);
    scene_free(&sc);
}

/* A trained VAE's prior samples, decoded, are close to the data: the
 * squared MMD (Gaussian kernel, median bandwidth) at most 10 % of the
 * untrained decoder's; and an autoencoder's are not (its codes need not fill
 * the prior). */
static void check_vae_quality(void)
{
    static const char *const kinds[] = {"moons", "circles", "spiral"};
    for (int k = 0; k < 3; k++) {
        char text[256];
        snprintf(text, sizeof text, "[dataset]\nkind = %s\nseed = 7\n[network]\nmodel = vae\n",
                 kinds[k]);
        Scene sc;
        SceneModel m;
        LwError err = {""};
        memset(&m, 0, sizeof m);
        int rc = load(text, &sc, &err);
        if (!rc) rc = scene_build(&sc, &m, NULL, NULL, &err);
        CHECK_MSG(rc == LW_OK, "%s", err.msg);
        if (!rc) {
            double ratio = m.mmd2 / m.mmd2_untrained;
            CHECK_MSG(ratio <= 0.10, "vae on %s: MMD2 %.5f is %.1f %% of the untrained %.5f",
                      kinds[k], m.mmd2, 100 * ratio, m.mmd2_untrained);
            CHECK(m.vae_report.recon >= 0 && isfinite(m.vae_report.kl) && m.coverage > 0);
            printf("  vae on %-8s MMD2 %.5f vs untrained %.5f (%.1f %%), recon %.4f, KL %.3f, "
                   "coverage %.3f\n", kinds[k], m.mmd2, m.mmd2_untrained, 100 * ratio,
                   m.vae_report.recon, m.vae_report.kl, m.coverage);
        }
        scene_model_free(&m);
        scene_free(&sc);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    check_grid();
    check_scene_keys();
    check_geometry();
    check_vae_quality();
    return check_done("test_generative");
}
