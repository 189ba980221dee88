/* test_generative.c — a generator's map as a segment, checked without any
 * training: the latent grid stands at the prior's quantiles (every cell
 * between neighbouring lines holds the same probability), the prior samples
 * ride through the generator's layers to exactly its forward pass, the real
 * data appear only in the last layer, and scenes say model, latent and prior
 * with clear messages when they disagree with the widths.  Latent paths:
 * every sample of a path and every marked code ends each decoder layer at
 * the decoder's forward pass, arithmetic ends at c + a - b, enc(x) is the
 * encoder's mean, and bad paths get their promised messages. */
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

/* The scene from text, its model and a renderer with its camera; m and r
 * are zeroed first, so they can be freed whatever happens. */
static int build(const char *text, Scene *sc, SceneModel *m, Renderer *r, LwError *err)
{
    memset(m, 0, sizeof *m);
    memset(r, 0, sizeof *r);
    int rc = load(text, sc, err);
    if (!rc) rc = scene_build(sc, m, NULL, NULL, err);
    if (!rc) rc = renderer_create(&m->show, &sc->render, 1, r, err);
    return rc;
}

static void check_grid(void)
{
    Show show = {0};
    LwError err = {""};
    double W[4] = {1, 0, 0, 1}, b[2] = {0, 0};
    LayerStack s = {.n_layers = 1, .widths = {2, 2}, .act = {ACT_TANH}, .W = {W}, .b = {b}};
    GenerativeView v = {PRIOR_GAUSSIAN, 50, 3, 11, "t", NULL, 0, NULL, 0};
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
    int rc = build("[dataset]\nkind = circles\n[network]\nmodel = gan\nwidths = 2,5,4,2\n"
                   "[render]\nwidth = 320\nheight = 180\nfps = 6\n", &sc, &m, &r, &err);
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

/* The end of drawn unit u of layer l against the forward pass h. */
static double layer_diff(const StagePlan *plan, int l, const double *end, const double *h)
{
    double worst = 0;
    for (int u = 0; u < plan->widths[l + 1]; u++) {
        int v = plan->swapped[l] && u < 2 ? 1 - u : u;
        worst = fmax(worst, fabs(end[u] - h[(l + 1) * WD + v]));
    }
    return worst;
}

/* Worst distance, over every layer, between the end of its activation
 * stage for n states cached per stage (n, LW_MAX_WIDTH) and the stack's
 * forward pass of the n input points x (n, 3). */
static double worst_layer_ends(const SegmentRender *sr, const StateCache *cache,
                               const double *x, int from, int to)
{
    double worst = 0;
    for (int j = from; j < to; j++) {
        double h[(LW_MAX_LAYERS + 1) * WD];
        layers_forward_point(&sr->seg->net, x + 3 * j, h);
        for (int l = 0; l < sr->plan.n_layers; l++) {
            int s = stage_index(l, STAGE_ACTIVATION);
            double end[WD], start[WD];
            stage_end(&sr->plan, s, geom_states_get(cache, s, j, start), end);
            worst = fmax(worst, layer_diff(&sr->plan, l, end, h));
        }
    }
    return worst;
}

/* A decoder's latent paths: every sample of every path line and every
 * marked code ends each layer at the decoder's forward pass; the lines run
 * from code to code in Z; the arithmetic ends at c + a - b; enc(x) is the
 * encoder's mean at x. */
static void check_paths(void)
{
    Scene sc;
    SceneModel m;
    Renderer r;
    LwError err = {""};
    const char *text = "[dataset]\nkind = moons\nseed = 7\n[network]\nmodel = vae\n"
                       "latent_path = enc(-0.5,0.75) -> enc(0.5,-0.75) | -2,2 -> 0,0.5 -> 2,2\n"
                       "latent_arith = enc(0.5,-0.25) - enc(-1.5,-0.25) + 0.3,-0.2\n"
                       "[train]\nsteps = 300\n[render]\nwidth = 320\nheight = 180\nfps = 6\n";
    int rc = build(text, &sc, &m, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc) goto done;
    const SegmentRender *sr = &r.segs[0];
    const Segment *seg = sr->seg;
    const Geometry *g = &sr->geom;
    CHECK(seg->n_paths == 4 && seg->n_marks == 9);
    /* path samples: layer ends against the forward pass, first and last
     * samples on the codes */
    int n_path_samples = 0, n_lines = 0, path = 0;
    double worst = 0, worst_ends = 0;
    for (int l = 0; l < g->lines.p.n_lines; l++) {
        if (g->lines.kind[l] != LINE_PATH && g->lines.kind[l] != LINE_VECTOR) continue;
        int a = g->lines.p.start[l], b = g->lines.p.start[l + 1];
        worst = fmax(worst, worst_layer_ends(sr, &g->sample_state, g->lines.p.x, a, b));
        const SegmentPath *sp = &seg->paths[path++];
        CHECK(sp->vector == (g->lines.kind[l] == LINE_VECTOR));
        CHECK(b - a == (sp->n - 1) * (sc.render.geom.grid_samples - 1) + 1);
        for (int k = 0; k < 2; k++) {
            worst_ends = fmax(worst_ends, fabs(g->lines.p.x[3 * a + k] - sp->x[0][k]));
            worst_ends = fmax(worst_ends, fabs(g->lines.p.x[3 * (b - 1) + k] - sp->x[sp->n - 1][k]));
        }
        n_path_samples += b - a;
        n_lines++;
    }
    CHECK(n_lines == 4);
    CHECK_MSG(worst <= 1e-9, "path samples' layer ends differ from the forward pass by %g",
              worst);
    CHECK(worst_ends == 0.0);
    double marks[SHOW_MAX_MARKS * 3];
    for (int i = 0; i < seg->n_marks; i++) memcpy(marks + 3 * i, seg->marks[i].x, sizeof seg->marks[i].x);
    double worst_marks = worst_layer_ends(sr, &g->mark_state, marks, 0, g->n_marks);
    CHECK_MSG(worst_marks <= 1e-9, "marked codes' layer ends differ by %g", worst_marks);
    printf("  %d samples on %d latent paths and %d marked codes through a 2-16-16-2 decoder: "
           "max |diff| %.1e, %.1e\n", n_path_samples, n_lines, seg->n_marks, worst, worst_marks);
    /* enc(x): the encoder's mean; the marks in order a, b (first path),
     * c, d, e (second), then f, g, h and f-g+h */
    double mu[2];
    vae_encode_point(&m.vae, (double[]){-0.5, 0.75}, mu, NULL);
    CHECK(seg->marks[0].x[0] == mu[0] && seg->marks[0].x[1] == mu[1]);
    double za[2], zb[2];
    vae_encode_point(&m.vae, (double[]){0.5, -0.25}, za, NULL);
    vae_encode_point(&m.vae, (double[]){-1.5, -0.25}, zb, NULL);
    CHECK(seg->marks[5].x[0] == za[0] && seg->marks[6].x[1] == zb[1]);
    CHECK_STR(seg->marks[1].label, "b");
    CHECK_STR(seg->marks[4].label, "e");
    CHECK_STR(seg->marks[8].label, "f\xe2\x88\x92g+h");
    /* the arithmetic: z_c + z_a - z_b, the mark and the end of the second vector */
    double want[2] = {0.3 + za[0] - zb[0], -0.2 + za[1] - zb[1]};
    const SegmentPath *moved = &seg->paths[3];
    for (int k = 0; k < 2; k++) {
        CHECK_NEAR(seg->marks[8].x[k], want[k], 1e-12);
        CHECK_NEAR(moved->x[1][k], want[k], 1e-12);
        CHECK_NEAR(seg->paths[2].x[0][k], zb[k], 0); /* the vector b -> a */
        CHECK_NEAR(seg->paths[2].x[1][k], za[k], 0);
    }
    CHECK(seg->paths[2].vector && moved->vector && !seg->paths[0].vector);
    /* drawn: a frame of the last layer carries the marks' pixels */
    FrameGeom fg = {0};
    int last = sr->plan.n_stages - 1;
    CHECK(geom_frame(g, last, 1.0, 0, &r.views[r.timeline.n_frames - 1], &fg) == LW_OK);
    CHECK(fg.n_marks == 9 && fg.marks == seg->marks && isfinite(fg.mark_xy[17]));
    geom_frame_free(&fg);
done:
    renderer_free(&r);
    scene_model_free(&m);
    scene_free(&sc);
}

/* Bad latent paths: one line each, at the path's line. */
static void check_path_errors(void)
{
    static const struct {
        const char *lines, *msg;
    } cases[] = {
        {"model = vae\nlatent_path = 1,0,2 -> 0,0\n",
         "g.scene:5: latent_path: the code 1,0,2 has 3 coordinates but latent = 2"},
        {"model = gan\nlatent_path = enc(0.5,-0.2) -> 0,0\n",
         "g.scene:5: latent_path: enc(0.5,-0.2) needs an encoder and a gan has none (write "
         "the code's 2 latent coordinates; enc() is for model = vae or autoencoder)"},
        {"model = vae\nlatent_path = 0,0 -> 1,1 | 0,0 -> 1,0 | 0,0 -> 0,1 | 1,1 -> 0,0 | "
         "1,0 -> 0,0\n",
         "g.scene:5: latent_path: at most 4 paths, got 5"},
        {"model = autoencoder\nlatent_arith = 0,0 - 1,1\n",
         "g.scene:5: latent_arith: write a - b + c, three codes, e.g. enc(0.9,0.4) - "
         "enc(-0.9,0.4) + 0,-1"},
        {"model = vae\nlatent_path = 0,0\n",
         "g.scene:5: latent_path: write codes joined by '->', e.g. -1.5,0.3 -> enc(0.9,0.4)"},
        {"model = vae\nlatent_path = 0,0 -> 3,0\n",
         "g.scene:5: latent_path: the code 3,0 lies outside the latent box drawn (every "
         "coordinate from -2.575 to 2.575, the gaussian prior's central 99 %)"},
        {"model = vae\nprior = uniform\nlatent_arith = 1,1 - -1,-1 + 0,0\n",
         "g.scene:6: latent_arith: a - b + c = 2,2 lies outside the latent box drawn (every "
         "coordinate from -1 to 1, the uniform prior's box)"},
        {"model = vae\nlatent_path = enc(1,2,3) -> 0,0\n",
         "g.scene:5: latent_path: enc(1,2,3) has 3 coordinates but moons data is 2-D (enc() "
         "takes a point of the data)"},
        {"latent_path = 0,0 -> 1,1\n",
         "g.scene:4: latent_path draws in a latent space: it is for model = gan, vae or "
         "autoencoder"},
        {"model = vae\nlatent_path = 0,0 -> 1,x\n",
         "g.scene:5: latent_path: expected a number within +-1e6 at 'x'"},
        {"model = vae\nlatent_path = 0,0 -> 1,1 -> 0,1 -> 1,0 -> 0,0\n",
         "g.scene:5: latent_path: at most 4 codes on a path"},
        {"model = vae\nlatent_path = 0,0 -> 1,1 |\n",
         "g.scene:5: latent_path: an empty entry between '|' (write codes joined by '->', "
         "e.g. -1.5,0.3 -> enc(0.9,0.4))"},
        {"model = vae\nlatent_path = enc(0,0 -> 1,1\n",
         "g.scene:5: latent_path: enc( has no closing ')'"},
        {"model = vae\nlatent_path = 0,0 \xe2\x86\x92 1,1\n",
         "g.scene:5: latent_path: unexpected '\xe2\x86\x92' after a code (write codes joined by "
         "'->', e.g. -1.5,0.3 -> enc(0.9,0.4))"},
        {"model = vae\nlatent_path = 2.575,0 -> 2.576,0\n",
         "g.scene:5: latent_path: the code 2.576,0 lies outside the latent box drawn (every "
         "coordinate from -2.575 to 2.575, the gaussian prior's central 99 %)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "[dataset]\nkind = moons\n[network]\n%s", cases[i].lines);
        Scene sc;
        LwError err = {""};
        CHECK(load(text, &sc, &err) == LW_EINPUT);
        CHECK_STR(err.msg, cases[i].msg);
        scene_free(&sc);
    }
    /* accepted: any spacing; after a whole code '-' is the operator ("1,0 -0.5,0"
     * is 1,0 minus 0.5,0), before one a sign; an override replaces the file's
     * paths */
    Scene sc;
    LwError err = {""};
    const char *ok = "[dataset]\nkind = moons\n[network]\nmodel = vae\nlatent = 2\n"
                     "latent_path = -1,-0.5->enc( 0.5 , -0.2 )->1,1\n"
                     "latent_arith = 1,0 -0.5,0 + -1,-1 | enc(0,0) - 0,1 + 0,0\n";
    CHECK(load(ok, &sc, &err) == LW_OK);
    CHECK(sc.model.n_paths == 1 && sc.model.paths[0].n_codes == 3 && sc.model.n_arith == 2);
    CHECK(sc.model.paths[0].code[1].enc && sc.model.paths[0].code[1].x[1] == -0.2);
    CHECK(sc.model.arith[0].code[1].x[0] == 0.5 && sc.model.arith[0].code[2].x[1] == -1);
    CHECK(sc.model.arith[1].line == 7);
    scene_free(&sc);
    const char *set[] = {"network.latent_path=0,0 -> 1,1 | 1,0 -> 0,1"};
    CHECK(scene_load_string_with("g.scene", ok, strlen(ok), set, 1, &sc, &err) == LW_OK);
    CHECK(sc.model.n_paths == 2 && sc.model.paths[1].code[0].x[0] == 1);
    scene_free(&sc);
    /* an enc() code that the encoder puts outside the box: found after training */
    SceneModel m;
    memset(&m, 0, sizeof m);
    const char *far = "[dataset]\nkind = moons\nseed = 7\n[network]\nmodel = vae\n"
                      "prior = uniform\nlatent_path = enc(-1.5,-0.25) -> 0,0\n"
                      "[train]\nsteps = 300\n";
    int rc = load(far, &sc, &err);
    CHECK(rc == LW_OK);
    if (!rc) rc = scene_build(&sc, &m, NULL, NULL, &err);
    CHECK(rc == LW_EINPUT);
    CHECK_MSG(strncmp(err.msg, "g.scene:7: latent_path: enc(-1.5,-0.25) is the code ", 52) == 0 &&
              strstr(err.msg, "outside the latent box drawn (every coordinate from -1 to 1"),
              "%s", err.msg);
    scene_model_free(&m);
    scene_free(&sc);
}

int main(void)
{
    gsl_set_error_handler_off();
    check_grid();
    check_scene_keys();
    check_geometry();
    check_paths();
    check_path_errors();
    check_vae_quality();
    return check_done("test_generative");
}
