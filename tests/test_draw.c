/* test_draw.c — what a frame says, and how it reads:
 *  - the caption carries the numbers the drawing uses: render_caption's W
 *    and b equal the stage plan's, det W equals the 2x2 formula, the swap
 *    flags the plan's;
 *  - a layer's input (its linear stage at t = 0) is captioned as the input,
 *    not as "multiply by W";
 *  - the wide-layer note shows only while the space on screen is wider
 *    than 3 (scenes/wide.scene: 2-6-6-2);
 *  - at 640x360 text is no smaller than the minimum: by draw_text_size, and
 *    by the ink of the caption's second line in a rendered frame;
 *  - the legend paints a swatch of each class colour, and none for one class;
 *  - in a 3-D frame a far point is lighter and smaller than a near one, and
 *    where two curves cross the near one is whole and the far one broken by
 *    a halo (both ways round). */
#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "draw.h"
#include "render.h"
#include "scene.h"

typedef struct {
    Scene sc;
    SceneModel m;
    Renderer r;
    int ok;
} Loaded;

/* A scene's renderer at w x h (0: the scene's own size). */
static void load(Loaded *L, const char *path, int w, int h)
{
    LwError err = {""};
    memset(L, 0, sizeof *L);
    int rc = scene_load_file(path, &L->sc, &err);
    if (rc == LW_OK && w) {
        L->sc.render.style.width = w;
        L->sc.render.style.height = h;
    }
    if (rc == LW_OK) rc = scene_build(&L->sc, &L->m, NULL, NULL, &err);
    if (rc == LW_OK) rc = renderer_create(&L->m.show, &L->sc.render, 1, &L->r, &err);
    CHECK_MSG(rc == LW_OK, "%s: %s", path, err.msg);
    L->ok = rc == LW_OK;
}

static void unload(Loaded *L)
{
    renderer_free(&L->r);
    scene_model_free(&L->m);
    scene_free(&L->sc);
}

static Caption caption_at(const Renderer *r, int layer, StageKind kind, double t)
{
    Caption c;
    FrameReq q = renderer_request_at(r, stage_index(layer, kind), t);
    q.t = t;
    render_caption(r, q, &c);
    return c;
}

/* ---- what the caption says ------------------------------------------------ */

static void check_numbers(void)
{
    Loaded L;
    load(&L, "scenes/moons.scene", 0, 0);
    if (!L.ok) return;
    const StagePlan *plan = &L.r.segs[0].plan;
    int swaps = 0;
    for (int l = 0; l < plan->n_layers; l++) {
        Caption c = caption_at(&L.r, l, STAGE_LINEAR, 0.5);
        int rows = plan->widths[l + 1], cols = plan->widths[l];
        CHECK(c.w_rows == rows && c.w_cols == cols && c.has_det == (rows == cols));
        CHECK(memcmp(c.W, plan->W[l], (size_t)rows * cols * sizeof(double)) == 0);
        CHECK(memcmp(c.b, plan->b[l], (size_t)rows * sizeof(double)) == 0);
        const double *W = plan->W[l];
        CHECK_NEAR(c.det, W[0] * W[3] - W[1] * W[2], 1e-12);
        CHECK(c.swapped == plan->swapped[l]);
        CHECK(c.inputs_swapped == (l > 0 && plan->swapped[l - 1]));
        CHECK_STR(c.act_formula, l < plan->n_hidden ? "tanh(x)"
                                 : "x1 \xe2\x86\xa6 1/(1+e^-x1); the rest as they are");
        CHECK(c.readout == (l == plan->n_hidden && plan->readout));
        swaps += plan->swapped[l];
        /* the bias stage shows the same b */
        Caption cb = caption_at(&L.r, l, STAGE_BIAS, 0.5);
        CHECK(memcmp(cb.b, plan->b[l], (size_t)rows * sizeof(double)) == 0);
    }
    printf("test_draw: moons: %d of %d layers drawn swapped, numbers match the plan\n", swaps,
           plan->n_layers);
    /* a layer's input is not its W stage */
    Caption first = caption_at(&L.r, 0, STAGE_LINEAR, 0.0);
    CHECK(first.before_start && first.layer_input);
    Caption in2 = caption_at(&L.r, 1, STAGE_LINEAR, 0.0);
    CHECK(!in2.before_start && in2.layer_input && in2.layer == 2);
    Caption mid = caption_at(&L.r, 1, STAGE_LINEAR, 0.5);
    CHECK(!mid.layer_input && mid.kind == STAGE_LINEAR);
    CHECK(mid.n_classes == 2);
    unload(&L);
}

static void check_view_note(void)
{
    Loaded L;
    load(&L, "scenes/wide.scene", 0, 0);
    if (!L.ok) return;
    /* 2-6-6-2: layer 1 takes 2-D into 6-D, layer 3 brings 6-D down to 2-D */
    CHECK(caption_at(&L.r, 0, STAGE_LINEAR, 0.0).view_note[0] == '\0');
    CHECK(caption_at(&L.r, 0, STAGE_LINEAR, 0.5).view_note[0] != '\0');
    CHECK(caption_at(&L.r, 1, STAGE_BIAS, 0.5).view_note[0] != '\0');
    CHECK(caption_at(&L.r, 2, STAGE_LINEAR, 0.0).view_note[0] != '\0');
    CHECK(caption_at(&L.r, 2, STAGE_LINEAR, 0.5).view_note[0] != '\0');
    CHECK(caption_at(&L.r, 2, STAGE_LINEAR, 1.0).view_note[0] == '\0');
    CHECK(caption_at(&L.r, 2, STAGE_BIAS, 0.5).view_note[0] == '\0');
    CHECK(caption_at(&L.r, 2, STAGE_ACTIVATION, 1.0).view_note[0] == '\0');
    unload(&L);
}

/* ---- pixels ----------------------------------------------------------------- */

typedef struct {
    int r, g, b;
} Px;

static Px pixel(cairo_surface_t *s, int x, int y)
{
    const uint8_t *d = cairo_image_surface_get_data(s);
    const uint8_t *p = d + (size_t)y * cairo_image_surface_get_stride(s) + 4 * x;
    return (Px){p[2], p[1], p[0]}; /* BGRA, opaque */
}

static Px to_px(Rgb c)
{
    return (Px){(int)lround(c.r * 255), (int)lround(c.g * 255), (int)lround(c.b * 255)};
}

static int same(Px a, Px b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

static int count_colour(cairo_surface_t *s, Rgb c)
{
    int n = 0, w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            n += same(pixel(s, x, y), to_px(c), 1);
    return n;
}

/* Rows of ink (anything not background) in x < w/2 above `bottom`, as runs:
 * the height of run `which` (0-based), or 0. */
static int ink_run_height(cairo_surface_t *s, int bottom, int which)
{
    int w = cairo_image_surface_get_width(s), run = 0, k = -1, prev = 0;
    for (int y = 0; y < bottom; y++) {
        int ink = 0;
        for (int x = 0; x < w / 2 && !ink; x++) {
            Px p = pixel(s, x, y);
            ink = p.r + p.g + p.b < 3 * 200;
        }
        if (ink && !prev) {
            k++;
            run = 0;
        }
        if (ink) run++;
        if (!ink && prev && k == which) return run;
        prev = ink;
    }
    return k == which ? run : 0;
}

static void check_text_size(void)
{
    Loaded L;
    load(&L, "scenes/moons.scene", 640, 360);
    if (!L.ok) return;
    const Style *st = &L.sc.render.style;
    double cap = draw_text_size(st, TEXT_CAPTION), small = draw_text_size(st, TEXT_SMALL),
           tiny = draw_text_size(st, TEXT_TINY);
    CHECK_MSG(cap >= 11 && small >= 9 && tiny >= 9, "640x360: %.1f, %.1f, %.1f px", cap, small,
              tiny);
    Style big = *st;
    big.width = 1280;
    big.height = 720;
    CHECK_NEAR(draw_text_size(&big, TEXT_CAPTION), big.caption_size, 1e-12);
    /* the ink: the description under the formula is as tall as its size says
     * (ascenders to descenders of "shift by the bias b" are ~0.95 of it) */
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 640, 360);
    FrameReq q = renderer_request_at(&L.r, stage_index(0, STAGE_BIAS), 0.5);
    LwError err = {""};
    int rc = render_one(&L.r, q, cairo_image_surface_get_data(s),
                        cairo_image_surface_get_stride(s), &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    cairo_surface_mark_dirty(s);
    double rect[4];
    draw_content_rect(st, rect);
    int h1 = ink_run_height(s, (int)rect[1], 0), h2 = ink_run_height(s, (int)rect[1], 1);
    printf("test_draw: 640x360: caption %.1f px, small %.1f px, tiny %.1f px; ink %d and %d "
           "rows\n", cap, small, tiny, h1, h2);
    CHECK_MSG(h1 >= 0.7 * 11 && h2 >= 0.8 * 9, "ink rows %d, %d", h1, h2);
    cairo_surface_destroy(s);
    unload(&L);
}

/* One frame drawn from a hand-made geometry and caption. */
static cairo_surface_t *paint(const Style *st, const FrameGeom *fg, const Caption *cap)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, st->width, st->height);
    cairo_t *cr = cairo_create(s);
    CHECK(draw_frame(cr, st, fg, cap) == 0);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return s;
}

static void check_legend(const Style *base)
{
    Style st = *base;
    st.show_numbers = st.show_legend = 1;
    FrameGeom fg = {0};
    Caption cap = {0};
    cap.layer = cap.n_layers = 1;
    cap.n_stages = 3;
    cap.before_start = cap.layer_input = 1;
    cap.flat = 1;
    cap.generated = -1;
    for (int n = 1; n <= 3; n++) {
        cap.n_classes = n;
        cairo_surface_t *s = paint(&st, &fg, &cap);
        for (int c = 0; c < 3; c++) {
            int got = count_colour(s, st.classes[c]);
            if (n >= 2 && c < n)
                CHECK_MSG(got >= 16, "%d classes: %d pixels of class %d", n, got, c + 1);
            else
                CHECK_MSG(got == 0, "%d classes: %d pixels of class %d", n, got, c + 1);
        }
        cairo_surface_destroy(s);
    }
    /* generated samples get their own swatch */
    cap.n_classes = 2;
    cap.generated = LW_MAX_CLASSES - 1;
    cairo_surface_t *g = paint(&st, &fg, &cap);
    CHECK(count_colour(g, st.classes[LW_MAX_CLASSES - 1]) >= 16);
    cairo_surface_destroy(g);
    cap.generated = -1;
    st.show_legend = 0;
    cairo_surface_t *s = paint(&st, &fg, &cap);
    CHECK(count_colour(s, st.classes[0]) == 0);
    cairo_surface_destroy(s);
}

/* A view from straight ahead, 1000 px per unit, centred: depth shows
 * only through the cues. */
static Caption view_3d(const Style *st)
{
    Caption cap = {0};
    cap.generated = -1;
    cap.layer = cap.n_layers = 1;
    cap.n_stages = 3;
    cap.n_classes = 2;
    View v = {{1, 0, 0, 0, 1, 0, 0, 0, 1}, 0, 0, 1000, st->width / 2.0, st->height / 2.0, 0,
              st->width, st->height, 0};
    cap.view = v;
    cap.px_per_unit = v.scale;
    cap.flat = 0;
    return cap;
}

static int ink_in_box(cairo_surface_t *s, int cx, int cy, int r)
{
    int n = 0;
    for (int y = cy - r; y <= cy + r; y++)
        for (int x = cx - r; x <= cx + r; x++) {
            Px p = pixel(s, x, y);
            n += p.r + p.g + p.b < 3 * 250;
        }
    return n;
}

static void check_depth_points(const Style *st)
{
    double px[2] = {400, 800}, py[2] = {360, 360}, z[2] = {0, 1}; /* far, near */
    int order[2] = {0, 1}, label[2] = {0, 0};
    unsigned char disc[2] = {1, 1};
    FrameGeom fg = {0};
    fg.n_points = 2;
    fg.px = px, fg.py = py, fg.pdepth = z, fg.order = order, fg.label = label, fg.disc = disc;
    Caption cap = view_3d(st);
    cairo_surface_t *s = paint(st, &fg, &cap);
    Px far = pixel(s, 400, 360), near = pixel(s, 800, 360);
    int far_ink = ink_in_box(s, 400, 360, 8), near_ink = ink_in_box(s, 800, 360, 8);
    printf("test_draw: 3-D points: far centre (%d,%d,%d), near (%d,%d,%d); ink %d vs %d px\n",
           far.r, far.g, far.b, near.r, near.g, near.b, far_ink, near_ink);
    CHECK(far.r + far.g + far.b > near.r + near.g + near.b + 60);
    CHECK(same(near, to_px(st->classes[0]), 2));
    CHECK(far_ink < near_ink);
    /* seen flat, the same two points look alike */
    cap.flat = 1;
    cairo_surface_destroy(s);
    s = paint(st, &fg, &cap);
    CHECK(same(pixel(s, 400, 360), pixel(s, 800, 360), 0));
    cairo_surface_destroy(s);
}

/* Two curves crossing at (640, 360): line 0 across, line 1 down; zs their
 * depths.  Returns the frame. */
static cairo_surface_t *crossing(const Style *st, double z0, double z1)
{
    double lxy[20], ld[10];
    for (int i = 0; i < 5; i++) {
        lxy[2 * i] = 540 + 50 * i, lxy[2 * i + 1] = 360, ld[i] = z0;
        lxy[10 + 2 * i] = 640, lxy[10 + 2 * i + 1] = 260 + 50 * i, ld[5 + i] = z1;
    }
    int start[3] = {0, 5, 10}, lab[2] = {0, 1};
    LineKind kind[2] = {LINE_CURVE, LINE_CURVE};
    FrameGeom fg = {0};
    fg.n_lines = 2;
    fg.line_start = start, fg.line_kind = kind, fg.line_label = lab, fg.lxy = lxy,
    fg.ldepth = ld;
    Caption cap = view_3d(st);
    return paint(st, &fg, &cap);
}

static void check_depth_curves(const Style *st)
{
    Px bg = to_px(st->background);
    int gap = (int)ceil(0.5 * st->curve_width * st->height / 720.0) + 1; /* just off a stroke */
    /* line 0 near: it is whole at the crossing, line 1 broken beside it */
    cairo_surface_t *s = crossing(st, 1.0, 0.0);
    CHECK(same(pixel(s, 640, 360), to_px(st->classes[0]), 2));
    CHECK(same(pixel(s, 640, 360 + gap), bg, 2) && same(pixel(s, 640, 360 - gap - 1), bg, 2));
    CHECK(!same(pixel(s, 640, 300), bg, 40)); /* line 1 is there away from the crossing */
    cairo_surface_destroy(s);
    /* the other way round */
    s = crossing(st, 0.0, 1.0);
    CHECK(same(pixel(s, 640, 360), to_px(st->classes[1]), 2));
    CHECK(same(pixel(s, 640 + gap, 360), bg, 2) && same(pixel(s, 640 - gap - 1, 360), bg, 2));
    CHECK(!same(pixel(s, 580, 360), bg, 40));
    cairo_surface_destroy(s);
}

int main(void)
{
    check_numbers();
    check_view_note();
    check_text_size();
    Scene sc;
    LwError err = {""};
    int rc = scene_load_file("scenes/moons.scene", &sc, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc == LW_OK) {
        Style st = sc.render.style;
        st.show_captions = st.show_progress = 0;
        check_depth_points(&st);
        check_depth_curves(&st);
        st.show_captions = st.show_progress = 1;
        st.width = 640, st.height = 360;
        check_legend(&st);
    }
    scene_free(&sc);
    draw_release_caches();
    return check_done("test_draw");
}
