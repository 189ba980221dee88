/* test_panels.c — two models side by side ([compare]):
 *   - the scene: [compare] lines (and --set compare.*) give a second scene
 *     that differs in just what they say; lines that would change the frame,
 *     or are not section.key, are refused with file:line;
 *   - the show: the compared model's segments follow in panel 1;
 *   - the renderer: both timelines have one length (the shorter panel holds
 *     its end), and each half of a frame is, pixel for pixel, its panel
 *     drawn alone at its share of the width; the line between them is drawn;
 *   - panels that play different numbers of stages: the right one is shown
 *     at the same frame of its own timeline, holding its end once done. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render.h"
#include "scene.h"

static const char *const BASE =
    "[dataset]\nkind = moons\npoints = 120\nseed = 3\n"
    "[network]\nwidths = 2,2,2\n"
    "[train]\nsteps = 300\n"
    "[render]\nwidth = 320\nheight = 180\nfps = 6\n";

static int load(const char *extra, const char *const *ov, int n_ov, Scene *sc, LwError *err)
{
    char text[1024];
    snprintf(text, sizeof text, "%s%s", BASE, extra);
    return scene_load_string_with("p.scene", text, strlen(text), ov, n_ov, sc, err);
}

static void check_scene(void)
{
    Scene sc;
    LwError err = {""};
    CHECK(load("[compare]\nnetwork.activation = relu\ntrain.seed = 9\n", NULL, 0, &sc, &err) ==
          LW_OK);
    CHECK(sc.compare != NULL);
    if (sc.compare) {
        CHECK(sc.net.act[0] == ACT_TANH && sc.compare->net.act[0] == ACT_RELU);
        CHECK(sc.compare->train.seed == 9 && sc.train.seed != 9);
        CHECK(sc.compare->data.n_points == sc.data.n_points && sc.compare->render.style.width == 320);
        CHECK(sc.compare->compare == NULL);
    }
    scene_free(&sc);
    const char *ov[] = {"compare.network.model=autoencoder"};
    CHECK(load("", ov, 1, &sc, &err) == LW_OK);
    CHECK(sc.compare && sc.compare->model.kind == MODEL_AUTOENCODER &&
          sc.model.kind == MODEL_CLASSIFIER);
    scene_free(&sc);
    CHECK(load("", NULL, 0, &sc, &err) == LW_OK && sc.compare == NULL);
    scene_free(&sc);

    static const struct { const char *extra, *msg; } bad[] = {
        {"[compare]\nrender.fps = 24\n", "p.scene:14: [compare] changes the model, its data and "
         "training (dataset.*, network.*, train.*, render.networks), not render.fps: the frame "
         "is shared"},
        {"[compare]\nactivation = relu\n", "p.scene:14: [compare] takes section.key = value "
         "(e.g. network.model = vae), got 'activation'"},
        {"[compare]\nnetwork.activation = swish\n", "p.scene:14: [compare] unknown activation "
         "'swish'"},
        {"[compare]\nnetwork.widths = 3,2\n", "p.scene:14: [compare] widths starts with 3 but "
         "moons data is 2-D"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        CHECK(load(bad[i].extra, NULL, 0, &sc, &err) == LW_EINPUT);
        CHECK_MSG(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "got '%s'", err.msg);
    }
    const char *fps[] = {"compare.render.fps=3"};
    CHECK(load("", fps, 1, &sc, &err) == LW_EINPUT);
    CHECK_MSG(strstr(err.msg, "--set compare.render.fps=3: ") == err.msg, "got '%s'", err.msg);
}

/* Renders frame q of r into a fresh buffer of r's frame size. */
static uint8_t *draw(const Renderer *r, FrameReq q)
{
    int w = r->frame->width, h = r->frame->height;
    uint8_t *px = calloc((size_t)4 * w * h, 1);
    LwError err = {""};
    CHECK_MSG(render_one(r, q, px, 4 * w, &err) == LW_OK, "%s", err.msg);
    return px;
}

/* Columns [x0, x0 + n) of a (rows of stride sa) equal columns [0, n) of b. */
static int same_columns(const uint8_t *a, int sa, int x0, const uint8_t *b, int sb, int n, int h)
{
    for (int y = 0; y < h; y++)
        if (memcmp(a + (size_t)y * sa + 4 * x0, b + (size_t)y * sb, (size_t)4 * n)) return 0;
    return 1;
}

/* One panel alone: the segments of panel k, drawn with its share of the
 * width and its title line, as the composite draws it. */
static int panel_alone(const Show *show, int k, const RenderConfig *cfg, RenderConfig *own,
                       Show *part, Renderer *r, LwError *err)
{
    int first = 0;
    while (first < show->n_segments && show->segments[first].panel == 0) first++;
    *part = k ? (Show){show->n_segments - first, show->segments + first}
              : (Show){first, show->segments};
    *own = *cfg;
    own->style.width = k ? cfg->style.width - cfg->style.width / 2 : cfg->style.width / 2;
    own->style.title_line = 1;
    return renderer_create(part, own, 1, r, err);
}

static void check_render(const char *extra, int same_stages)
{
    Scene sc;
    SceneModel m;
    LwError err = {""};
    memset(&m, 0, sizeof m);
    int rc = load(extra, NULL, 0, &sc, &err);
    if (!rc) rc = scene_build(&sc, &m, NULL, NULL, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc) return;
    CHECK(show_panel_count(&m.show) == 2);
    CHECK(m.show.segments[0].panel == 0 && m.show.segments[m.show.n_segments - 1].panel == 1);
    Renderer r;
    rc = renderer_create(&m.show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    const Renderer *right = rc ? NULL : renderer_beside(&r);
    CHECK(right != NULL);
    if (right) {
        CHECK(right->timeline.n_frames == r.timeline.n_frames);
        CHECK((right->n_stages == r.n_stages) == same_stages);
        RenderConfig own[2];
        Show part[2];
        Renderer alone[2];
        for (int k = 0; k < 2; k++)
            CHECK(panel_alone(&m.show, k, &sc.render, &own[k], &part[k], &alone[k], &err) ==
                  LW_OK);
        int W = sc.render.style.width, H = sc.render.style.height, half = W / 2;
        int frames[3] = {0, r.timeline.n_frames / 2, r.timeline.n_frames - 1};
        for (int i = 0; i < 3; i++) {
            FrameReq q = renderer_request_frame(&r, frames[i]);
            uint8_t *both = draw(&r, q);
            /* a panel alone has no tail: past its end, it shows its last frame */
            int f0 = frames[i] < alone[0].timeline.n_frames ? frames[i]
                                                            : alone[0].timeline.n_frames - 1;
            int f1 = frames[i] < alone[1].timeline.n_frames ? frames[i]
                                                            : alone[1].timeline.n_frames - 1;
            uint8_t *left = draw(&alone[0], renderer_request_frame(&alone[0], f0));
            uint8_t *rt = draw(&alone[1], renderer_request_frame(&alone[1], f1));
            /* the divider, 1.5 px wide at x = half, touches one column each side */
            CHECK_MSG(same_columns(both, 4 * W, 0, left, 4 * half, half - 1, H),
                      "frame %d: the left half is not its panel drawn alone", frames[i]);
            CHECK_MSG(same_columns(both, 4 * W, half + 1, rt + 4, 4 * (W - half), W - half - 1, H),
                      "frame %d: the right half is not its panel drawn alone", frames[i]);
            CHECK(!same_columns(both, 4 * W, half, left, 4 * half, 1, H)); /* the divider */
            free(both);
            free(left);
            free(rt);
        }
        /* once its stages are done, the shorter panel holds its end */
        const Renderer *shorter = right->n_stages < r.n_stages ? right : &r;
        FramePos end = timeline_at(&shorter->timeline, shorter->timeline.n_frames - 1);
        CHECK(end.stage == shorter->n_stages - 1 && end.t == 1.0);
        CHECK(shorter->timeline.tail == (same_stages ? 0 : shorter->timeline.n_frames -
              alone[shorter == right].timeline.n_frames));
        for (int k = 0; k < 2; k++) renderer_free(&alone[k]);
    }
    renderer_free(&r);
    scene_model_free(&m);
    scene_free(&sc);
}

int main(void)
{
    check_scene();
    check_render("[compare]\nnetwork.activation = relu\n", 1);
    check_render("[compare]\nnetwork.widths = 2,3,3,2\n", 0);
    return check_done("test_panels");
}
