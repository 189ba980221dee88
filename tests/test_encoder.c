/* test_encoder.c — a VAE's (and an autoencoder's) encoder as a segment of
 * the show, and the [render] networks key that chooses the segments:
 *  - the key: defaults (a GAN's generator and discriminator, a VAE's or
 *    autoencoder's decoder), a chosen order, and one-line file:line errors
 *    for a name the model lacks, a repeat, an empty entry, a classifier;
 *  - the default shows keep their segments and tags;
 *  - the end of the encoder segment's last layer is the VAE's encoder mean
 *    for every data point, and the sigma kept per point is exp(logvar / 2)
 *    from vae.c's own encoder pass; an autoencoder's is its code, bare;
 *  - the ellipses: none before the last stage, fading in during it; on
 *    screen their half-widths are k sigma in the view's pixels (they follow
 *    the camera), in 3-D the exact outline of the projected ellipsoid, on a
 *    line a bar of the interval; the camera keeps them in the frame. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "draw.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

static int load(const char *text, Scene *sc, LwError *err)
{
    return scene_load_string("g.scene", text, strlen(text), sc, err);
}

/* "[dataset] moons ... [network] model = MODEL, latent = L [render] EXTRA" */
static void scene_text(char *out, size_t n, const char *model, int latent, const char *render)
{
    snprintf(out, n, "[dataset]\nkind = moons\npoints = 160\nseed = 7\n[network]\nmodel = %s\n"
             "latent = %d\n[train]\nsteps = 300\n[render]\nwidth = 640\nheight = 360\n"
             "fps = 8\n%s", model, latent, render);
}

static void expect_error(const char *text, const char *msg)
{
    Scene sc;
    LwError err = {""};
    CHECK(load(text, &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, msg);
    scene_free(&sc);
}

static void check_key(void)
{
    Scene sc;
    LwError err = {""};
    CHECK(load("[dataset]\nkind = moons\n[network]\nmodel = vae\n", &sc, &err) == LW_OK);
    CHECK(sc.model.n_networks == 1 && sc.model.networks[0] == NET_DECODER);
    scene_free(&sc);
    CHECK(load("[dataset]\nkind = moons\n[network]\nmodel = gan\n", &sc, &err) == LW_OK);
    CHECK(sc.model.n_networks == 2 && sc.model.networks[0] == NET_GENERATOR &&
          sc.model.networks[1] == NET_DISCRIMINATOR);
    scene_free(&sc);
    /* [render] may come before the model is named */
    CHECK(load("[render]\nnetworks = encoder , decoder\n[dataset]\nkind = moons\n[network]\n"
               "model = autoencoder\n", &sc, &err) == LW_OK);
    CHECK(sc.model.n_networks == 2 && sc.model.networks[0] == NET_ENCODER &&
          sc.model.networks[1] == NET_DECODER);
    scene_free(&sc);
    CHECK(load("[dataset]\nkind = moons\n[network]\nmodel = gan\n[render]\n"
               "networks = discriminator\n", &sc, &err) == LW_OK);
    CHECK(sc.model.n_networks == 1 && sc.model.networks[0] == NET_DISCRIMINATOR);
    scene_free(&sc);

    expect_error("[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\nnetworks = generator\n",
                 "g.scene:6: networks: a vae has no network 'generator' (expected encoder, "
                 "decoder)");
    expect_error("[dataset]\nkind = moons\n[network]\nmodel = gan\n[render]\nnetworks = encoder\n",
                 "g.scene:6: networks: a gan has no network 'encoder' (expected generator, "
                 "discriminator)");
    expect_error("[render]\nnetworks = encodr\n[dataset]\nkind = moons\n[network]\n"
                 "model = autoencoder\n",
                 "g.scene:2: networks: an autoencoder has no network 'encodr' (expected encoder, "
                 "decoder)");
    expect_error("[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\n"
                 "networks = encoder, encoder\n",
                 "g.scene:6: networks names encoder twice (each network plays once)");
    expect_error("[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\n"
                 "networks = encoder, decoder, encoder\n",
                 "g.scene:6: networks names encoder twice (each network plays once)");
    expect_error("[dataset]\nkind = moons\n[network]\nmodel = vae\n[render]\nnetworks = encoder,\n",
                 "g.scene:6: networks: an empty name in the list (expected encoder, decoder)");
    expect_error("[dataset]\nkind = moons\n[render]\nnetworks = decoder\n",
                 "g.scene:4: networks is for model = gan, vae or autoencoder (a classifier is "
                 "one network)");
    const char *ov[] = {"render.networks=generator"};
    const char *text = "[dataset]\nkind = moons\n[network]\nmodel = vae\n";
    CHECK(scene_load_string_with("g.scene", text, strlen(text), ov, 1, &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "--set render.networks=generator: networks: a vae has no network "
                       "'generator' (expected encoder, decoder)");
    scene_free(&sc);
}

/* Builds the scene's model and show; the renderer too when r is given. */
static int build(const char *text, Scene *sc, SceneModel *m, Renderer *r, LwError *err)
{
    memset(m, 0, sizeof *m);
    if (r) memset(r, 0, sizeof *r);
    int rc = load(text, sc, err);
    if (rc) return rc;
    rc = scene_build(sc, m, NULL, NULL, err);
    if (!rc && r) rc = renderer_create(&m->show, &sc->render, 1, r, err);
    return rc;
}

static void release(Scene *sc, SceneModel *m, Renderer *r)
{
    if (r) renderer_free(r);
    scene_model_free(m);
    scene_free(sc);
}

/* The default shows, segment by segment, as before encoders existed. */
static void check_default_shows(void)
{
    static const struct { const char *model, *tags; } want[] = {
        {"vae", "G"}, {"autoencoder", "G"}, {"gan", "GD"}};
    for (int k = 0; k < 3; k++) {
        char text[512], tags[8] = "";
        scene_text(text, sizeof text, want[k].model, 2, "");
        Scene sc;
        SceneModel m;
        LwError err = {""};
        int rc = build(text, &sc, &m, NULL, &err);
        CHECK_MSG(rc == LW_OK, "%s", err.msg);
        for (int s = 0; !rc && s < m.show.n_segments && s < 7; s++) tags[s] = m.show.segments[s].tag;
        CHECK_MSG(!rc && strcmp(tags, want[k].tags) == 0, "%s: segments %s, expected %s",
                  want[k].model, tags, want[k].tags);
        for (int s = 0; !rc && s < m.show.n_segments; s++) {
            const Segment *seg = &m.show.segments[s];
            CHECK(!seg->reference.n_lines && !seg->end_note[0] && !seg->spread_name[0]);
            for (int p = 0; p < seg->n_sets; p++) CHECK(seg->sets[p].sigma == NULL);
        }
        release(&sc, &m, NULL);
    }
}

/* The last stage's frame at time t, its geometry into fg. */
static int last_stage_frame(const Renderer *r, const SegmentRender *sr, double t, FrameGeom *fg)
{
    int last = sr->plan.n_stages - 1;
    FrameReq q = renderer_request_at(r, sr->first_stage + last, t);
    return geom_frame(&sr->geom, last, t, 0, &r->views[q.frame], fg);
}

/* Means and sigmas against vae.c's own encoder; the spreads on screen. */
static void check_vae_encoder(void)
{
    char text[512];
    scene_text(text, sizeof text, "vae", 2, "networks = encoder, decoder\n");
    Scene sc;
    SceneModel m;
    Renderer r;
    LwError err = {""};
    int rc = build(text, &sc, &m, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc) {
        release(&sc, &m, &r);
        return;
    }
    CHECK(m.show.n_segments == 2 && m.show.segments[0].tag == 'E' &&
          m.show.segments[1].tag == 'G');
    const SegmentRender *sr = &r.segs[0];
    const PointSet *data = &sr->seg->sets[0];
    int L = sr->plan.n_layers, last = sr->plan.n_stages - 1, lat = m.vae.latent_dim;
    CHECK(data->n == m.data.n && data->sigma && data->sigma_dim == lat);
    CHECK(sr->plan.widths[L] == lat && sr->plan.widths[0] == m.data.dim);
    double worst_mu = 0, worst_sigma = 0;
    for (int i = 0; i < data->n && data->sigma; i++) {
        double mu[3], lv[3], end[WD];
        vae_encode_point(&m.vae, m.data.x + (size_t)i * m.data.dim, mu, lv);
        geom_point_end_state(&sr->geom, last, i, end);
        for (int a = 0; a < lat; a++) {
            int shown = sr->plan.swapped[L - 1] && a < 2 ? 1 - a : a;
            worst_mu = fmax(worst_mu, fabs(end[shown] - mu[a]));
            worst_sigma = fmax(worst_sigma, fabs(data->sigma[(size_t)i * lat + a] -
                                                 exp(0.5 * lv[a])));
        }
    }
    CHECK_MSG(worst_mu <= 1e-9, "the encoder segment ends %g from the encoder's mean", worst_mu);
    CHECK_MSG(worst_sigma <= 1e-12, "the kept sigma differs by %g from exp(logvar/2)",
              worst_sigma);
    printf("  %d points through a vae encoder %d-%d-%d-%d: mean max |diff| %.1e, sigma max "
           "|diff| %.1e\n", data->n, sr->plan.widths[0], sr->plan.widths[1], sr->plan.widths[2],
           lat, worst_mu, worst_sigma);

    FrameGeom fg = {0};
    /* none before the last stage; in it they fade in */
    int before = 0, n_before = 0;
    for (int f = 0; f < r.timeline.n_frames; f++) {
        FrameReq q = renderer_request_frame(&r, f);
        int local;
        if (renderer_segment(&r, q.stage, &local) != sr || local == last) continue;
        CHECK(geom_frame(&sr->geom, local, q.t, 0, &r.views[f], &fg) == LW_OK);
        before += fg.n_blobs;
        n_before++;
    }
    CHECK(n_before > 0 && before == 0);
    CHECK(last_stage_frame(&r, sr, 0.5, &fg) == LW_OK);
    CHECK(fg.n_blobs == data->n && fabs(fg.blob_alpha - 0.5) < 1e-12);
    /* at the end: each ellipse's half-width and half-height on screen are
     * k sigma in the view's pixels, about the point */
    CHECK(last_stage_frame(&r, sr, 1.0, &fg) == LW_OK);
    CHECK(fg.n_blobs == data->n && fg.blob_alpha == 1.0);
    FrameReq q = renderer_request_at(&r, sr->first_stage + last, 1.0);
    const View *v = &r.views[q.frame];
    CHECK(view_is_flat(v));
    double worst_axis = 0;
    for (int k = 0; k < fg.n_blobs; k++) {
        double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
        for (int j = fg.blob_start[k]; j < fg.blob_start[k + 1]; j++) {
            x0 = fmin(x0, fg.bxy[2 * j]);
            x1 = fmax(x1, fg.bxy[2 * j]);
            y0 = fmin(y0, fg.bxy[2 * j + 1]);
            y1 = fmax(y1, fg.bxy[2 * j + 1]);
        }
        /* blobs come in the points' drawing order */
        int i = fg.order[k];
        double kx = data->sigma_k * data->sigma[(size_t)i * lat] * v->scale;
        double ky = data->sigma_k * data->sigma[(size_t)i * lat + 1] * v->scale;
        if (sr->plan.swapped[L - 1]) { double t = kx; kx = ky; ky = t; }
        /* a polygon of n >= 12 vertices reaches cos(pi / n) of the way */
        worst_axis = fmax(worst_axis, fmax(fabs((x1 - x0) / 2 - kx) / kx,
                                           fabs((y1 - y0) / 2 - ky) / ky));
        worst_axis = fmax(worst_axis, fabs((x0 + x1) / 2 - fg.px[i]) / kx);
        CHECK_MSG(x0 >= 0 && x1 <= sc.render.style.width && y0 >= 0 &&
                  y1 <= sc.render.style.height, "ellipse %d leaves the frame", k);
    }
    CHECK_MSG(worst_axis < 0.035, "ellipses on screen miss k sigma by %.3g of it", worst_axis);
    printf("  %d ellipses at the end of the encoder: semi-axes within %.2f %% of %g sigma in "
           "pixels, all in the frame\n", fg.n_blobs, 100 * worst_axis, data->sigma_k);
    /* the caption says what they are, the legend names them and the prior */
    Caption cap;
    render_caption(&r, q, &cap);
    CHECK(cap.end_note[0] && strstr(cap.end_note, "posterior") && cap.spread_name[0] &&
          cap.reference_name[0]);
    /* and names them only while they are drawn */
    render_caption(&r, renderer_request_frame(&r, 0), &cap);
    CHECK(!cap.end_note[0] && !cap.spread_name[0] && !cap.reference_name[0]);
    render_caption(&r, renderer_request_at(&r, sr->first_stage + last - 1, 0.5), &cap);
    CHECK(!cap.end_note[0] && !cap.spread_name[0] && cap.reference_name[0]);
    geom_frame_free(&fg);
    release(&sc, &m, &r);
}

/* An autoencoder's encoder: its codes, bare; the prior's grid for reference. */
static void check_autoencoder_encoder(void)
{
    char text[512];
    scene_text(text, sizeof text, "autoencoder", 2, "networks = encoder\n");
    Scene sc;
    SceneModel m;
    Renderer r;
    LwError err = {""};
    int rc = build(text, &sc, &m, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (!rc) {
        const SegmentRender *sr = &r.segs[0];
        int last = sr->plan.n_stages - 1, L = sr->plan.n_layers;
        CHECK(m.show.n_segments == 1 && sr->seg->tag == 'E' && !sr->seg->sets[0].sigma);
        CHECK(sr->seg->reference.n_lines == 2 * 13 && sr->seg->end_note[0]);
        double worst = 0;
        for (int i = 0; i < sr->seg->sets[0].n; i++) {
            double code[3], end[WD];
            vae_encode_point(&m.vae, m.data.x + (size_t)i * m.data.dim, code, NULL);
            geom_point_end_state(&sr->geom, last, i, end);
            for (int a = 0; a < 2; a++)
                worst = fmax(worst, fabs(end[sr->plan.swapped[L - 1] ? 1 - a : a] - code[a]));
        }
        CHECK_MSG(worst <= 1e-9, "the encoder segment ends %g from the codes", worst);
        FrameGeom fg = {0};
        CHECK(last_stage_frame(&r, sr, 1.0, &fg) == LW_OK);
        CHECK(fg.n_blobs == 0);
        int refs = 0;
        for (int l = 0; l < fg.n_lines; l++) refs += fg.line_kind[l] == LINE_REFERENCE;
        CHECK(refs == 2 * 13);
        geom_frame_free(&fg);
    }
    release(&sc, &m, &r);
}

/* Latent 3: each outline is the projected ellipsoid's, whose reach along a
 * screen direction u is |u^T P diag(k sigma)| (P the view's projection);
 * latent 1: a bar over the interval mu +- k sigma. */
static void check_other_latents(void)
{
    for (int lat = 1; lat <= 3; lat += 2) {
        char text[512];
        scene_text(text, sizeof text, "vae", lat, "networks = encoder\n");
        Scene sc;
        SceneModel m;
        Renderer r;
        LwError err = {""};
        int rc = build(text, &sc, &m, &r, &err);
        CHECK_MSG(rc == LW_OK, "latent %d: %s", lat, err.msg);
        if (rc) {
            release(&sc, &m, &r);
            continue;
        }
        const SegmentRender *sr = &r.segs[0];
        const PointSet *data = &sr->seg->sets[0];
        int last = sr->plan.n_stages - 1;
        FrameGeom fg = {0};
        CHECK(last_stage_frame(&r, sr, 1.0, &fg) == LW_OK);
        FrameReq q = renderer_request_at(&r, sr->first_stage + last, 1.0);
        const View *v = &r.views[q.frame];
        CHECK(fg.n_blobs == data->n && fg.blob_dim == lat);
        double worst = 0;
        for (int k = 0; k < fg.n_blobs; k++) {
            int i = fg.order[k], a0 = fg.blob_start[k], a1 = fg.blob_start[k + 1];
            const double *sg = data->sigma + (size_t)i * lat;
            double reach_x = 0, reach_y = 0, x1 = -INFINITY, y1 = -INFINITY;
            for (int a = 0; a < lat; a++) {
                double s = data->sigma_k * sg[a] * v->scale;
                reach_x += pow(v->rot[a] * s, 2);
                reach_y += pow(v->rot[3 + a] * s, 2);
            }
            for (int j = a0; j < a1; j++) {
                x1 = fmax(x1, fg.bxy[2 * j] - fg.px[i]);
                y1 = fmax(y1, fg.py[i] - fg.bxy[2 * j + 1]);
            }
            if (lat == 1) {
                CHECK(a1 - a0 == 4);
                worst = fmax(worst, fabs(x1 - sqrt(reach_x)) / sqrt(reach_x));
            } else {
                worst = fmax(worst, fabs(x1 - sqrt(reach_x)) / sqrt(reach_x));
                worst = fmax(worst, fabs(y1 - sqrt(reach_y)) / sqrt(reach_y));
            }
        }
        CHECK_MSG(worst < 0.035, "latent %d: spreads on screen miss their reach by %.3g", lat,
                  worst);
        printf("  latent %d: %d %s within %.2f %% of the projected k sigma\n", lat, fg.n_blobs,
               lat == 1 ? "intervals" : "ellipsoid outlines", 100 * worst);
        geom_frame_free(&fg);
        release(&sc, &m, &r);
    }
}

/* A hand-made encoder whose mean head is a reflection (det W < 0): the
 * drawing swaps its units 1 and 2 (Olah's fix), and each point's spread
 * must swap with them, or a tall posterior would be drawn wide. */
static void check_swapped_head(void)
{
    Scene sc;
    LwError err = {""};
    const char *text = "[dataset]\nkind = moons\n[render]\nwidth = 640\nheight = 360\nfps = 8\n";
    CHECK(load(text, &sc, &err) == LW_OK);
    /* 2 -> 4 identity: mu = (x2, x1), logvar = (log 0.25, log 4): sigma (0.5, 2) */
    double W[8] = {0, 1, 1, 0, 0, 0, 0, 0}, b[4] = {0, 0, log(0.25), log(4.0)};
    LayerStack enc = {.n_layers = 1, .widths = {2, 4}, .act = {ACT_IDENTITY}, .W = {W}, .b = {b}};
    double x[6] = {0.5, -0.25, -0.5, 0.75, 0.1, 0.2};
    int label[3] = {0, 1, 0};
    Dataset ds = {0};
    ds.n = 3;
    ds.dim = 2;
    ds.classes = 2;
    ds.x = x;
    ds.label = label;
    EncoderView v = {2, 1, 2.0, PRIOR_GAUSSIAN, 7, "t"};
    Show show = {0};
    Renderer r;
    memset(&r, 0, sizeof r);
    int rc = generative_encoder_segment(&enc, &ds, &v, &show, &err);
    if (!rc) rc = renderer_create(&show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (!rc) {
        const SegmentRender *sr = &r.segs[0];
        CHECK(sr->plan.swapped[0] == 1);
        CHECK(show.segments[0].sets[0].sigma[0] == 0.5 && show.segments[0].sets[0].sigma[1] == 2);
        for (int i = 0; i < 3; i++) {
            double end[WD];
            geom_point_end_state(&sr->geom, 2, i, end);
            /* mu = (x2, x1), drawn with its units swapped: (x1, x2) */
            CHECK_NEAR(end[0], x[2 * i], 1e-12);
            CHECK_NEAR(end[1], x[2 * i + 1], 1e-12);
            CHECK(sr->geom.point_spread[3 * i] == 4.0 && sr->geom.point_spread[3 * i + 1] == 1.0);
        }
        FrameGeom fg = {0};
        CHECK(last_stage_frame(&r, sr, 1.0, &fg) == LW_OK);
        FrameReq q = renderer_request_at(&r, 2, 1.0);
        double x0 = INFINITY, x1 = -INFINITY;
        for (int j = fg.blob_start[0]; j < fg.blob_start[1]; j++) {
            x0 = fmin(x0, fg.bxy[2 * j]);
            x1 = fmax(x1, fg.bxy[2 * j]);
        }
        CHECK_NEAR((x1 - x0) / 2, 4.0 * r.views[q.frame].scale, 1e-9 * r.views[q.frame].scale);
        geom_frame_free(&fg);
    }
    /* a stack that does not fit the data or the latent space */
    v.latent = 3;
    CHECK(generative_encoder_segment(&enc, &ds, &v, &show, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "an encoder 2 -> 4 does not fit 2-D data and a latent space of 3 (mean "
                       "and log-variance)");
    renderer_free(&r);
    show_free(&show);
    scene_free(&sc);
}

int main(void)
{
    gsl_set_error_handler_off();
    check_key();
    check_default_shows();
    check_vae_encoder();
    check_autoencoder_encoder();
    check_other_latents();
    check_swapped_head();
    return check_done("test_encoder");
}
