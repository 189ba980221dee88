/* test_scene.c — the scene parser: good scenes fill every default and parse
 * every value, matrices in [weights] read the same with '|' rows and with
 * indented continuation lines, paths resolve against the scene's folder, every
 * scene in scenes/ and every example in docs/scene-format.md loads; every
 * kind gets the defaults and checks it had before the table of kinds; and a
 * table of bad scenes, each with the exact one-line message it must give
 * (file:line, what is wrong, and a hint where one helps). */
#include "check.h"
#include "scene.h"

#include <glob.h>
#include <stdlib.h>
#include <unistd.h>

/* Loads text as "t.scene"; returns the status and leaves the message in err. */
static int load(const char *text, size_t len, Scene *sc, LwError *err)
{
    memset(err, 0, sizeof *err);
    return scene_load_string("t.scene", text, len, sc, err);
}

static int near(double a, double b)
{
    return fabs(a - b) < 1e-12;
}

static int rgb_is(Rgb c, double r, double g, double b)
{
    return fabs(c.r - r) < 1e-9 && fabs(c.g - g) < 1e-9 && fabs(c.b - b) < 1e-9;
}

/* ---- good scenes -------------------------------------------------------- */

static void test_defaults(void)
{
    static const char text[] = "[dataset]\nkind = spiral\n";
    Scene sc;
    LwError err;
    CHECK_MSG(load(text, strlen(text), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK_STR(sc.path, "t.scene");
    CHECK_STR(sc.name, "t");
    const DatasetSpec *d = &sc.data;
    CHECK(d->kind == DATA_SPIRAL && d->n_points == 400 && d->noise == -1 && d->seed == 1);
    CHECK(d->classes == 2 && near(d->turns, 1.0) && near(d->factor, 0.4));
    CHECK(d->csv_path[0] == '\0' && d->draw == DRAW_POINTS);
    const NetSpec *n = &sc.net;
    CHECK(n->n_widths == 3 && n->widths[0] == 2 && n->widths[1] == 2 && n->widths[2] == 2);
    CHECK(n->act[0] == ACT_TANH && n->act[1] == ACT_TANH);
    CHECK(!n->has_weights && !n->has_readout && n->W[0] == NULL && n->weights_path[0] == '\0');
    const TrainConfig *t = &sc.train;
    CHECK(t->optimizer == OPT_ADAM && near(t->learning_rate, 0.02) && t->steps == 2000);
    CHECK(t->batch == 0 && t->l2 == 0 && near(t->momentum, 0.9) && t->target_accuracy == 0);
    CHECK(t->seed == 1);
    const RenderConfig *r = &sc.render;
    const TimelineConfig *tl = &r->timeline;
    const Style *s = &r->style;
    CHECK(s->width == 1280 && s->height == 720 && tl->fps == 30 && near(tl->stage_seconds, 1.5));
    CHECK(near(tl->hold_start, 0.5) && near(tl->hold_between, 0.25) && near(tl->hold_end, 1.0));
    CHECK(tl->easing == EASE_SMOOTHSTEP && r->interpolation == INTERP_POLAR);
    CHECK(r->reflection == REFLECT_AUTO);
    CHECK(r->geom.grid_lines == 21 && r->geom.grid_samples == 48 && r->geom.grid_adaptive == 1);
    CHECK(!sc.has_region && r->camera.view == VIEW_AUTO && near(r->camera.margin, 0.08));
    CHECK(s->show_grid && s->show_domain && s->show_points && s->show_boundary);
    CHECK(r->geom.show_grid && r->geom.show_domain && !s->scale_bar && s->axes);
    CHECK(r->show_readout && near(r->timeline.layer_gap, 0.5) && near(sc.zoom_seconds, 0.5));
    CHECK(s->show_captions && s->show_progress && s->shade == SHADE_NONE);
    CHECK(r->geom.area_cells == 0); /* no area mesh unless asked for */
    CHECK(r->activation_steps == STEPS_NONE && r->n_worked == 0);
    CHECK_STR(sc.output.path, "out/t.mp4");
    CHECK(sc.output.crf == -1 && sc.output.preset[0] == '\0');
    CHECK(r->camera.projection == PROJ_ORTHOGRAPHIC && r->camera.yaw == -35 &&
          r->camera.pitch == 55 && r->camera.orbit == 0);
    CHECK(rgb_is(s->background, 1, 1, 1) && rgb_is(s->boundary, 0, 0, 0));
    CHECK(rgb_is(s->classes[0], 0.000, 0.447, 0.698));
    CHECK(near(s->point_radius, 3.2) && near(s->grid_width, 1.0) && near(s->domain_width, 2.2));
    CHECK(near(s->curve_width, 4.0) && near(s->boundary_width, 2.5) && s->caption_size == 24);
    CHECK_STR(s->font, "DejaVu Sans");
    scene_free(&sc);

    /* kind-dependent defaults */
    static const char g[] = "[dataset]\nkind = gaussians\n";
    CHECK_MSG(load(g, strlen(g), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.data.classes == 3 && sc.data.draw == DRAW_POINTS);
    scene_free(&sc);
    static const char c[] = "[dataset]\nkind = curves\n";
    CHECK_MSG(load(c, strlen(c), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.data.draw == DRAW_CURVES && sc.data.classes == 2);
    scene_free(&sc);
    static const char i1[] = "[dataset]\nkind = interval\n";
    CHECK_MSG(load(i1, strlen(i1), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.net.n_widths == 3 && sc.net.widths[0] == 1 && sc.net.widths[1] == 2);
    scene_free(&sc);
    static const char r3[] = "[dataset]\nkind = rings\n";
    CHECK_MSG(load(r3, strlen(r3), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.net.widths[0] == 3 && sc.net.widths[1] == 3 && sc.net.widths[2] == 3);
    scene_free(&sc);
}

/* What the scene parser says about each kind, written out as the parser
 * behaved when it listed kinds itself (before the table in dataset.c). */
static void test_kinds(void)
{
    static const struct {
        const char *name;
        DatasetKind kind;
        int dim, hidden;    /* default widths: dim, hidden, hidden */
        int classes;        /* default */
        DrawAs draw;        /* default */
        int curve, settable, csv;
    } OLD[] = {
        {"moons", DATA_MOONS, 2, 2, 2, DRAW_POINTS, 0, 0, 0},
        {"circles", DATA_CIRCLES, 2, 2, 2, DRAW_POINTS, 0, 0, 0},
        {"spiral", DATA_SPIRAL, 2, 2, 2, DRAW_POINTS, 1, 1, 0},
        {"xor", DATA_XOR, 2, 2, 2, DRAW_POINTS, 0, 0, 0},
        {"gaussians", DATA_GAUSSIANS, 2, 2, 3, DRAW_POINTS, 0, 1, 0},
        {"curves", DATA_CURVES, 2, 2, 2, DRAW_CURVES, 1, 0, 0},
        {"csv", DATA_CSV, 2, 2, 2, DRAW_POINTS, 0, 0, 1},
        {"interval", DATA_INTERVAL, 1, 2, 2, DRAW_CURVES, 1, 0, 0},
        {"rings", DATA_RINGS, 3, 3, 2, DRAW_CURVES, 1, 0, 0},
        {"unlinked", DATA_UNLINKED, 3, 3, 2, DRAW_CURVES, 1, 0, 0},
    };
    CHECK(sizeof OLD / sizeof OLD[0] == DATA_UNLINKED + 1); /* the kinds of then */
    for (size_t i = 0; i < sizeof OLD / sizeof OLD[0]; i++) {
        const char *name = OLD[i].name;
        char text[256];
        const char *file = OLD[i].csv ? "file = p.csv\n" : "";
        Scene sc;
        LwError err;
        snprintf(text, sizeof text, "[dataset]\nkind = %s\n%s", name, file);
        int rc = load(text, strlen(text), &sc, &err);
        CHECK_MSG(rc == LW_OK, "%s: %s", name, err.msg);
        CHECK_MSG(rc || (sc.data.kind == OLD[i].kind && sc.data.classes == OLD[i].classes &&
                         sc.data.draw == OLD[i].draw && sc.net.widths[0] == OLD[i].dim &&
                         sc.net.widths[1] == OLD[i].hidden && sc.net.widths[2] == OLD[i].hidden),
                  "%s: kind %d, %d classes, draw %d, widths %d,%d,%d", name, (int)sc.data.kind,
                  sc.data.classes, (int)sc.data.draw, sc.net.widths[0], sc.net.widths[1],
                  sc.net.widths[2]);
        scene_free(&sc);

        snprintf(text, sizeof text, "[dataset]\nkind = %s\n%sdraw = curves\n", name, file);
        rc = load(text, strlen(text), &sc, &err);
        CHECK_MSG(rc == (OLD[i].curve ? LW_OK : LW_EINPUT), "%s: draw = curves gave %d", name, rc);
        int line = OLD[i].csv ? 4 : 3; /* of the key after kind (and file) */
        char want[256];
        snprintf(want, sizeof want, "t.scene:%d: draw = curves needs a curve dataset (curves, "
                 "spiral, interval, rings, unlinked)", line);
        if (rc)
            CHECK_STR(err.msg, want);
        scene_free(&sc);

        snprintf(text, sizeof text, "[dataset]\nkind = %s\n%sclasses = 3\n", name, file);
        rc = load(text, strlen(text), &sc, &err);
        CHECK_MSG(rc == (OLD[i].settable ? LW_OK : LW_EINPUT), "%s: classes = 3 gave %d", name, rc);
        snprintf(want, sizeof want, "t.scene:%d: classes is only for gaussians and spiral", line);
        if (rc)
            CHECK_STR(err.msg, want);
        scene_free(&sc);
        snprintf(text, sizeof text, "[dataset]\nkind = %s\n%sclasses = 2\n", name, file);
        CHECK_MSG(load(text, strlen(text), &sc, &err) == LW_OK, "%s: classes = 2: %s", name,
                  err.msg);
        scene_free(&sc);

        /* 4 points: too few for 3 classes, except from a file */
        snprintf(text, sizeof text, "[dataset]\nkind = %s\n%sclasses = %d\npoints = 4\n", name,
                 file, OLD[i].settable ? 3 : 2);
        rc = load(text, strlen(text), &sc, &err);
        CHECK_MSG(rc == (OLD[i].settable ? LW_EINPUT : LW_OK), "%s: 4 points gave %d", name, rc);
        scene_free(&sc);

        /* file = only for csv, and csv needs it */
        snprintf(text, sizeof text, "[dataset]\nkind = %s\n%s", name,
                 OLD[i].csv ? "" : "file = p.csv\n");
        CHECK(load(text, strlen(text), &sc, &err) == LW_EINPUT);
        CHECK_STR(err.msg, OLD[i].csv ? "t.scene:2: kind = csv needs file = path/to/points.csv"
                                      : "t.scene:3: file is only for kind = csv");
        scene_free(&sc);
    }
}

static void test_values(void)
{
    static const char text[] =
        "\xEF\xBB\xBF; a byte-order mark, comments of both kinds and CRLF lines\r\n"
        "# every section, most keys\r\n"
        "[dataset]\r\n"
        "kind = spiral ; inline comment, UTF-8: caf\xc3\xa9 \xe2\x82\xac\r\n"
        "points: 1000\r\n"
        "noise = 0.02\r\n"
        "seed = 42\r\n"
        "classes = 3\r\n"
        "turns = 1.5\r\n"
        "draw = curves\r\n"
        "\r\n"
        "[network]\n"
        "widths = 2, 3,3 ,2\n"
        "activation = relu,leaky_relu, softplus\n"
        "[train]\n"
        "optimizer = sgd\n"
        "learning_rate = 2.5e-3\n"
        "steps = 0\n"
        "batch = 32\n"
        "l2 = 0.001\n"
        "momentum = 0.5\n"
        "target_accuracy = 0.99\n"
        "seed = 9\n"
        "[render]\n"
        "width = 640\n"
        "height = 360\n"
        "fps = 24\n"
        "easing = smootherstep\n"
        "interpolation = straight\n"
        "reflection = swap\n"
        "grid_adaptive = off\n"
        "region = -2, 2, -1.5, 1.5\n"
        "view = fixed\n"
        "view_box = -3,3,-2,2\n"
        "show_grid = no\n"
        "show_shade = yes\n"
        "show_progress = 0\n"
        "crf = 30\n"
        "preset = slow\n"
        "projection = perspective\n"
        "yaw = 10\n"
        "pitch = -20\n"
        "orbit = 3.5\n"
        "activation_steps = hadamard\n"
        "worked_point = 1, -2.5, 3\n"
        "[style]\n"
        "background = #000\n"
        "grid_color = #FF8000\n"
        "colors = #ff0000, #00ff00,#00f\n"
        "caption_size = 30\n"
        "font = DejaVu Serif\n";
    Scene sc;
    LwError err;
    CHECK_MSG(load(text, strlen(text), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.data.kind == DATA_SPIRAL && sc.data.n_points == 1000 && near(sc.data.noise, 0.02));
    CHECK(sc.data.seed == 42 && sc.data.classes == 3 && near(sc.data.turns, 1.5));
    CHECK(sc.data.draw == DRAW_CURVES);
    CHECK(sc.net.n_widths == 4 && sc.net.widths[1] == 3 && sc.net.widths[2] == 3 &&
          sc.net.widths[3] == 2);
    CHECK(sc.net.act[0] == ACT_RELU && sc.net.act[1] == ACT_LEAKY_RELU &&
          sc.net.act[2] == ACT_SOFTPLUS);
    CHECK(sc.train.optimizer == OPT_SGD && near(sc.train.learning_rate, 2.5e-3));
    CHECK(sc.train.steps == 0 && sc.train.batch == 32 && near(sc.train.l2, 0.001));
    CHECK(near(sc.train.momentum, 0.5) && near(sc.train.target_accuracy, 0.99));
    CHECK(sc.train.seed == 9);
    const RenderConfig *r = &sc.render;
    const Style *s = &r->style;
    CHECK(s->width == 640 && s->height == 360 && r->timeline.fps == 24);
    CHECK(r->timeline.easing == EASE_SMOOTHERSTEP && r->interpolation == INTERP_STRAIGHT);
    CHECK(r->reflection == REFLECT_SWAP && r->geom.grid_adaptive == 0);
    CHECK(sc.has_region && sc.region[0] == -2 && sc.region[1] == 2 && sc.region[2] == -1.5 &&
          sc.region[3] == 1.5);
    CHECK(r->camera.view == VIEW_FIXED && r->camera.view_box[0] == -3 &&
          r->camera.view_box[3] == 2 && !s->scale_bar && s->axes && r->timeline.layer_gap == 0);
    CHECK(!s->show_grid && !r->geom.show_grid && s->shade == SHADE_CLASS && !s->show_progress &&
          s->show_points);
    CHECK(sc.output.crf == 30);
    CHECK_STR(sc.output.preset, "slow");
    CHECK(r->camera.projection == PROJ_PERSPECTIVE && r->camera.yaw == 10 &&
          r->camera.pitch == -20 && r->camera.orbit == 3.5);
    CHECK(r->activation_steps == STEPS_HADAMARD && r->n_worked == 3 && r->worked[0] == 1 &&
          r->worked[1] == -2.5 && r->worked[2] == 3);
    CHECK(rgb_is(s->background, 0, 0, 0) && rgb_is(s->grid, 1, 128 / 255.0, 0));
    CHECK(s->transparency == 0); /* #000 is opaque */
    CHECK(rgb_is(s->classes[0], 1, 0, 0) && rgb_is(s->classes[1], 0, 1, 0) &&
          rgb_is(s->classes[2], 0, 0, 1));
    CHECK(rgb_is(s->classes[3], 0.800, 0.475, 0.655)); /* not given: default kept */
    CHECK(s->caption_size == 30);
    CHECK_STR(s->font, "DejaVu Serif");
    scene_free(&sc);

    /* one activation name applies to every layer; a section may come twice */
    static const char one[] = "[network]\nwidths = 2,4,4,4,2\nactivation = sigmoid\n"
                              "[dataset]\nkind = xor\n[network]\n";
    CHECK_MSG(load(one, strlen(one), &sc, &err) == LW_OK, "%s", err.msg);
    for (int l = 0; l < 4; l++)
        CHECK(sc.net.act[l] == ACT_SIGMOID);
    scene_free(&sc);
}

/* The same 3x2 W1, the same biases, written three ways. */
/* background: "transparent" keeps the colour so far; #rrggbbaa sets both. */
static void test_transparency(void)
{
    static const struct {
        const char *text;
        double r, transparency;
    } cases[] = {
        {"[dataset]\nkind = moons\n[style]\nbackground = transparent\n", 1, 1},
        {"[dataset]\nkind = moons\n[style]\nbackground = #00000000\n", 0, 1},
        {"[dataset]\nkind = moons\n[style]\nbackground = #FFFFFF80\n", 1, 1 - 128 / 255.0},
        {"[dataset]\nkind = moons\n[style]\nbackground = #ffffffff\n", 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Scene sc;
        LwError err;
        CHECK_MSG(load(cases[i].text, strlen(cases[i].text), &sc, &err) == LW_OK, "%s", err.msg);
        const Style *s = &sc.render.style;
        CHECK_MSG(near(s->background.r, cases[i].r) && near(s->transparency, cases[i].transparency),
                  "case %zu: r %g transparency %g", i, s->background.r, s->transparency);
        scene_free(&sc);
    }
}

static void test_weights(void)
{
    static const char *const texts[] = {
        "[dataset]\nkind = moons\n[network]\nwidths = 2,3,2\n[weights]\n"
        "W1 = 1 -2 | 3.5 4 | -5 6e-1\nb1 = 0.1 0.2 0.3\n"
        "W2 = 1 0 0 | 0 1 0\nb2 = 0 -1\nWout = 2 -3\nbout = 0.5\n",

        "[dataset]\nkind = moons\n[network]\nwidths = 2,3,2\n[weights]\n"
        "W1 = 1 -2\n     3.5 4\n\t-5 6e-1\n"
        "b1 = 0.1\n  0.2\n  0.3\n" /* a column is fine too */
        "W2 = 1, 0, 0\n     0, 1, 0\nb2 = 0, -1\nWout = 2 -3\nbout = 0.5\n",

        "[dataset]\nkind = moons\n[network]\nwidths = 2,3,2\n[weights]\n"
        "W1 = 1 -2 |\n  ; a comment between continuation lines\n  3.5 4 | -5 6e-1\n"
        "b1 = 0.1 | 0.2 | 0.3\nW2 = 1 0 0 | 0 1 0 ; inline\nb2 = 0 -1\n"
        "bout = 0.5\nWout = 2 -3\n",
    };
    static const double W1[6] = {1, -2, 3.5, 4, -5, 0.6}, b1[3] = {0.1, 0.2, 0.3};
    static const double W2[6] = {1, 0, 0, 0, 1, 0}, b2[2] = {0, -1};
    for (int k = 0; k < 3; k++) {
        Scene sc;
        LwError err;
        int rc = load(texts[k], strlen(texts[k]), &sc, &err);
        CHECK_MSG(rc == LW_OK, "weights text %d: %s", k, err.msg);
        if (rc)
            continue;
        CHECK(sc.net.has_weights && sc.net.has_readout && sc.net.n_out == 1);
        CHECK_MSG(sc.net.W[0] && memcmp(sc.net.W[0], W1, sizeof W1) == 0, "text %d: W1", k);
        CHECK_MSG(sc.net.b[0] && memcmp(sc.net.b[0], b1, sizeof b1) == 0, "text %d: b1", k);
        CHECK_MSG(sc.net.W[1] && memcmp(sc.net.W[1], W2, sizeof W2) == 0, "text %d: W2", k);
        CHECK_MSG(sc.net.b[1] && memcmp(sc.net.b[1], b2, sizeof b2) == 0, "text %d: b2", k);
        CHECK(sc.net.Wout && sc.net.Wout[0] == 2 && sc.net.Wout[1] == -3);
        CHECK(sc.net.bout && sc.net.bout[0] == 0.5);
        CHECK(sc.net.W[2] == NULL);
        scene_free(&sc);
        CHECK(sc.net.W[0] == NULL && sc.net.Wout == NULL); /* freed and cleared */
        scene_free(&sc);                                  /* twice is harmless */
    }

    /* no readout: the network only warps space */
    static const char bare[] = "[dataset]\nkind = moons\n[weights]\n"
                               "W1 = 1 0 | 0 1\nb1 = 0 0\nW2 = 0 1 | 1 0\nb2 = 1 1\n";
    Scene sc;
    LwError err;
    CHECK_MSG(load(bare, strlen(bare), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.net.has_weights && !sc.net.has_readout && sc.net.Wout == NULL);
    scene_free(&sc);
}

/* A CSV's dimension is the scene's: the coordinates columns names, else
 * the widths' 3, else 2; columns are kept for the reader as written. */
static void test_csv_columns(void)
{
    static const struct {
        const char *text;
        int dim, first_width, n_columns;
    } CASES[] = {
        {"[dataset]\nkind = csv\nfile = p.csv\n", 2, 2, 0},
        {"[dataset]\nkind = csv\nfile = p.csv\n[network]\nwidths = 3,4,2\n", 3, 3, 0},
        {"[dataset]\nkind = csv\nfile = p.csv\ncolumns = a, 2, Species\n", 2, 2, 3},
        {"[dataset]\nkind = csv\nfile = p.csv\ncolumns = a,b,c,kind\n", 3, 3, 4},
        {"[dataset]\nkind = csv\nfile = p.csv\n[network]\nmodel = vae\nwidths = 2,8,3\n", 3, 2, 0},
        {"[dataset]\nkind = moons\n[network]\nwidths = 2,3,3\n", 2, 2, 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        Scene sc;
        LwError err = {""};
        int rc = load(CASES[i].text, strlen(CASES[i].text), &sc, &err);
        CHECK_MSG(rc == LW_OK, "case %zu: %s", i, err.msg);
        if (rc == LW_OK) {
            CHECK_MSG(dataset_spec_dim(&sc.data) == CASES[i].dim &&
                          sc.net.widths[0] == CASES[i].first_width &&
                          sc.data.n_columns == CASES[i].n_columns,
                      "case %zu: dim %d, first width %d, %d columns", i,
                      dataset_spec_dim(&sc.data), sc.net.widths[0], sc.data.n_columns);
            if (i == 2) {
                CHECK_STR(sc.data.column[0], "a");
                CHECK_STR(sc.data.column[1], "2");
                CHECK_STR(sc.data.column[2], "Species");
            }
        }
        scene_free(&sc);
    }
}

static void test_paths(void)
{
    static const char text[] = "[dataset]\nkind = csv\nfile = pts.csv\n"
                               "[render]\noutput = clips/a.webm\n";
    Scene sc;
    LwError err = {""};
    CHECK_MSG(scene_load_string("scenes/mine/a.b.scene", text, strlen(text), &sc, &err) == LW_OK,
              "%s", err.msg);
    CHECK_STR(sc.name, "a.b");
    CHECK_STR(sc.data.csv_path, "scenes/mine/pts.csv");
    CHECK_STR(sc.output.path, "scenes/mine/clips/a.webm");
    scene_free(&sc);

    static const char kept[] = "[dataset]\nkind = csv\nfile = /data/pts.csv\n"
                               "[render]\noutput = out/a.mp4\n";
    CHECK_MSG(scene_load_string("scenes/mine/a.scene", kept, strlen(kept), &sc, &err) == LW_OK,
              "%s", err.msg);
    CHECK_STR(sc.data.csv_path, "/data/pts.csv");
    CHECK_STR(sc.output.path, "out/a.mp4");
    scene_free(&sc);

    /* no folder in the name: relative to the current directory */
    CHECK_MSG(scene_load_string("a.scene", text, strlen(text), &sc, &err) == LW_OK, "%s",
              err.msg);
    CHECK_STR(sc.data.csv_path, "pts.csv");
    CHECK_STR(sc.output.path, "clips/a.webm");
    scene_free(&sc);

    static const char wf[] = "[dataset]\nkind = moons\n[weights]\nfile = nets/w.txt\n";
    CHECK_MSG(scene_load_string("s/a.scene", wf, strlen(wf), &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.net.has_weights && sc.net.W[0] == NULL);
    CHECK_STR(sc.net.weights_path, "s/nets/w.txt");
    CHECK_STR(sc.output.path, "out/a.mp4");
    scene_free(&sc);
}

static int load_file_ok(const char *path)
{
    Scene sc;
    LwError err = {""};
    int rc = scene_load_file(path, &sc, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    scene_free(&sc);
    return rc == LW_OK;
}

static void test_scene_files(void)
{
    static const char *const patterns[] = {"scenes/*.scene", "scenes/*/*.scene"};
    int n = 0;
    for (int k = 0; k < 2; k++) {
        glob_t g;
        if (glob(patterns[k], 0, NULL, &g) != 0)
            continue;
        for (size_t i = 0; i < g.gl_pathc; i++, n++)
            load_file_ok(g.gl_pathv[i]);
        globfree(&g);
    }
    CHECK_MSG(n >= 6, "only %d scene files found in scenes/ (run from the top folder)", n);

    /* every ```ini block of the format's documentation is a scene that loads */
    FILE *f = fopen("docs/scene-format.md", "r");
    CHECK_MSG(f != NULL, "docs/scene-format.md: cannot open");
    if (!f)
        return;
    char line[512], block[8192];
    size_t len = 0;
    int in = 0, blocks = 0;
    while (fgets(line, sizeof line, f)) {
        if (!in && strncmp(line, "```ini", 6) == 0) {
            in = 1;
            len = 0;
        } else if (in && strncmp(line, "```", 3) == 0) {
            in = 0;
            blocks++;
            Scene sc;
            LwError err = {""};
            int rc = scene_load_string("docs/example.scene", block, len, &sc, &err);
            CHECK_MSG(rc == LW_OK, "docs/scene-format.md example %d: %s", blocks, err.msg);
            scene_free(&sc);
        } else if (in && len + strlen(line) < sizeof block) {
            memcpy(block + len, line, strlen(line));
            len += strlen(line);
        }
    }
    fclose(f);
    CHECK_MSG(blocks >= 2, "docs/scene-format.md has %d ini examples", blocks);
}

/* ---- bad scenes ------------------------------------------------------------ */

typedef struct {
    const char *text;
    size_t len;          /* 0: strlen(text) */
    const char *expect;  /* the exact message */
} Bad;

#define DS "[dataset]\nkind = moons\n"           /* lines 1-2 */
#define CSV "[dataset]\nkind = csv\nfile = p.csv\n" /* lines 1-3 */
#define NET DS "[network]\nwidths = 2,2,2\n"      /* lines 1-4 */
#define W22 "W1 = 1 0 | 0 1\nb1 = 0 0\nW2 = 1 0 | 0 1\nb2 = 0 0\n"

static const Bad BAD[] = {
    /* syntax */
    {"[dataset\nkind = moons\n", 0, "t.scene:1: syntax error: '[dataset' has no closing ']'"},
    {"[dataset]\nkind moons\n", 0,
     "t.scene:2: syntax error: expected key = value or [section], got 'kind moons'"},
    {DS "[render]\nwidth 1280\ncolour = #fff\n", 0, /* the first error wins */
     "t.scene:4: syntax error: expected key = value or [section], got 'width 1280'"},
    {DS "= 5\n", 0, "t.scene:3: syntax error: no key name before '='"},
    {"kind = moons\n[dataset]\n", 0,
     "t.scene:1: key 'kind' is outside any section (start with [dataset])"},
    {"[datset]\nkind = moons\n", 0, "t.scene:1: unknown section [datset] (did you mean 'dataset'?)"},
    {DS "[Render]\nwidth = 640\n", 0, "t.scene:3: unknown section [Render] (did you mean 'render'?)"},
    {DS "[camera]\n", 0, "t.scene:3: unknown section [camera]"},
    {"[dataset]\n  kind = moons\n", 0,
     "t.scene:2: unexpected indented line (only [weights] matrices may continue on indented "
     "lines)"},
    {DS "  points = 40\n", 0,
     "t.scene:3: unexpected indented line (only [weights] matrices may continue on indented "
     "lines)"},
    {"", 0, "t.scene:1: empty scene: expected at least [dataset] with kind = moons "
            "(see man layerwarp-scene)"},
    {"; only\n# comments\n\n", 0, "t.scene:3: empty scene: expected at least [dataset] with "
                                  "kind = moons (see man layerwarp-scene)"},
    {"[dataset]\npoints = 40\n", 0, "t.scene:1: missing required key 'kind' in [dataset]"},
    {"[render]\nwidth = 640\n", 0, "t.scene:1: missing required key 'kind' in [dataset]"},
    {"[dataset]\nkind = moons\0\n", 23, "t.scene:2: binary data (a NUL byte): not a scene file"},
    {"\x7f" "ELF\x02\x01\x01", 0, "t.scene:1: binary data (control byte 0x7f): not a scene file"},
    {DS "\x1b[31m\n", 0, "t.scene:3: binary data (control byte 0x1b): not a scene file"},
    {"\x89PNG\r\n\x1a\n", 0, "t.scene:1: not UTF-8 text (byte 0x89 in column 1): not a scene file"},
    {DS "; caf\xe9 in Latin-1\n", 0,
     "t.scene:3: not UTF-8 text (byte 0xe9 in column 6): not a scene file"},
    /* unknown and duplicate keys */
    {DS "[style]\ncolour = #fff\n", 0,
     "t.scene:4: unknown key 'colour' in [style] (did you mean 'colors'?)"},
    {DS "[train]\noptimiser = sgd\n", 0,
     "t.scene:4: unknown key 'optimiser' in [train] (did you mean 'optimizer'?)"},
    {DS "[render]\nframerate = 30\n", 0, "t.scene:4: unknown key 'framerate' in [render]"},
    {DS "kind = spiral\n", 0, "t.scene:3: duplicate key 'kind' in [dataset] (first set on line 2)"},
    {DS "[render]\nfps = 30\n[style]\n[render]\nfps = 24\n", 0,
     "t.scene:7: duplicate key 'fps' in [render] (first set on line 4)"},
    {DS "[render]\noutput =\n", 0, "t.scene:4: output has no value"},
    /* wrong types */
    {DS "points = many\n", 0, "t.scene:3: points must be a whole number, got 'many'"},
    {DS "points = 1e3\n", 0, "t.scene:3: points must be a whole number, got '1e3'"},
    {DS "noise = 0.1.2\n", 0, "t.scene:3: noise must be a number, got '0.1.2'"},
    {DS "noise = nan\n", 0, "t.scene:3: noise must be a number, got 'nan'"},
    {DS "seed = -1\n", 0, "t.scene:3: seed must be a whole number >= 0, got '-1'"},
    {DS "[render]\nshow_grid = maybe\n", 0, "t.scene:4: show_grid must be true or false, got 'maybe'"},
    {DS "[render]\nshow_grid = True\n", 0, "t.scene:4: show_grid must be true or false, got 'True'"},
    {"[dataset]\nkind = banana\n", 0, "t.scene:2: unknown kind 'banana' (expected moons, circles, "
                                      "spiral, xor, gaussians, curves, csv, interval, rings, unlinked)"},
    {DS "[render]\neasing = bounce\n", 0,
     "t.scene:4: unknown easing 'bounce' (expected smoothstep, linear, smootherstep)"},
    {DS "[render]\ninterpolation = slerp\n", 0,
     "t.scene:4: unknown interpolation 'slerp' (expected polar, straight)"},
    {DS "[style]\nbackground = white\n", 0,
     "t.scene:4: background must be a colour like #ffffff, #00000000 (with alpha) or "
     "transparent, got 'white'"},
    {DS "[style]\nbackground = #12345\n", 0,
     "t.scene:4: background must be a colour like #ffffff, #00000000 (with alpha) or "
     "transparent, got '#12345'"},
    {DS "[style]\nbackground = Transparent\n", 0,
     "t.scene:4: background must be a colour like #ffffff, #00000000 (with alpha) or "
     "transparent, got 'Transparent'"},
    {DS "[style]\ngrid_color = #ffffff00\n", 0,
     "t.scene:4: grid_color must be a colour like #1f77b4, got '#ffffff00'"},
    {DS "[style]\ngrid_color = #12345g\n", 0,
     "t.scene:4: grid_color must be a colour like #1f77b4, got '#12345g'"},
    {DS "[style]\ncolors = #fff, blue\n", 0, "t.scene:4: colors: 'blue' is not a colour like #1f77b4"},
    {DS "[style]\ncolors = #111,#222,#333,#444,#555,#666,#777,#888,#999\n", 0,
     "t.scene:4: colors takes 1 to 8 colours"},
    {DS "[render]\nregion = -1, 1, -1\n", 0, "t.scene:4: region needs four numbers xmin,xmax,ymin,ymax"},
    {DS "[render]\nregion = -1, 1, 1, -1\n", 0, "t.scene:4: region needs xmin < xmax and ymin < ymax"},
    {DS "[render]\nview_box = -1, x, -1, 1\n", 0, "t.scene:4: view_box: 'x' is not a number within +-1e6"},
    {DS "[render]\nregion = -1,,1,-1,1\n", 0, "t.scene:4: region needs four numbers xmin,xmax,ymin,ymax"},
    {DS "[render]\npreset = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0, "t.scene:4: preset is too long"},
    /* out of range */
    {DS "points = 0\n", 0, "t.scene:3: points must be from 4 to 200000, got 0"},
    {DS "points = -400\n", 0, "t.scene:3: points must be from 4 to 200000, got -400"},
    {DS "points = 1000000000\n", 0, "t.scene:3: points must be from 4 to 200000, got 1000000000"},
    {DS "points = 99999999999999999999\n", 0,
     "t.scene:3: points must be from 4 to 200000, got 99999999999999999999"},
    {DS "noise = -0.1\n", 0, "t.scene:3: noise must be from 0 to 10, got -0.1"},
    {DS "[render]\nwidth = 100000\nheight = 100000\n", 0,
     "t.scene:4: width must be from 16 to 7680, got 100000"},
    {DS "[render]\nwidth = 0\n", 0, "t.scene:4: width must be from 16 to 7680, got 0"},
    {DS "[render]\nheight = -720\n", 0, "t.scene:4: height must be from 16 to 4320, got -720"},
    {DS "[render]\nwidth = 1281\nheight = 720\n", 0,
     "t.scene:4: width and height must be even (video needs it), got 1281x720"},
    {DS "[render]\nheight = 721\nwidth = 1280\n", 0,
     "t.scene:4: width and height must be even (video needs it), got 1280x721"},
    {DS "[render]\nfps = 0\n", 0, "t.scene:4: fps must be from 1 to 120, got 0"},
    {DS "[render]\nstage_seconds = 1e9\n", 0, "t.scene:4: stage_seconds must be from 0.05 to 60, got 1e+09"},
    {DS "[train]\nlearning_rate = 0\n", 0, "t.scene:4: learning_rate must be from 1e-06 to 10, got 0"},
    {DS "[train]\nsteps = 2000000000\n", 0, "t.scene:4: steps must be from 0 to 1000000, got 2000000000"},
    {DS "[render]\npitch = 90\n", 0, "t.scene:4: pitch must be from -89 to 89, got 90"},
    {DS "classes = 9\n", 0, "t.scene:3: classes must be from 2 to 8, got 9"},
    /* widths and activations */
    {DS "[network]\nwidths = 2\n", 0, "t.scene:4: widths needs from 2 to 17 comma-separated layer "
                                      "widths (input first), e.g. 2,3,2"},
    {DS "[network]\nwidths = 2,0,2\n", 0, "t.scene:4: widths: '0' is not a layer width from 1 to 16"},
    {DS "[network]\nwidths = 2,17\n", 0, "t.scene:4: widths: '17' is not a layer width from 1 to 16"},
    {DS "[network]\nwidths = 2,,3\n", 0, "t.scene:4: widths: '' is not a layer width from 1 to 16"},
    {DS "[network]\nwidths = 2,3 3\n", 0, "t.scene:4: widths: '3 3' is not a layer width from 1 to 16"},
    {DS "[network]\nwidths = 4,2\n", 0, "t.scene:4: widths: the input width must be 1, 2 or 3 "
                                        "(the dataset's dimension), got 4"},
    {DS "[network]\nwidths = 3,2\n", 0, "t.scene:4: widths starts with 3 but moons data is 2-D "
                                        "(the first width is the input dimension)"},
    {DS "[network]\nwidths = 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2\n", 0,
     "t.scene:4: widths needs from 2 to 17 comma-separated layer widths (input first), e.g. 2,3,2"},
    {NET "activation = relu6\n", 0, "t.scene:5: unknown activation 'relu6' (expected tanh, "
                                    "sigmoid, relu, leaky_relu, softplus, identity)"},
    {NET "activation = tanh, tanh, tanh\n", 0,
     "t.scene:5: activation lists 3 names but the network has 2 layers"},
    {NET "activation = tanh,\n", 0, "t.scene:5: unknown activation '' (expected tanh, sigmoid, "
                                    "relu, leaky_relu, softplus, identity)"},
    /* cross-key checks */
    {"[dataset]\nkind = csv\n", 0, "t.scene:2: kind = csv needs file = path/to/points.csv"},
    {DS "file = points.csv\n", 0, "t.scene:3: file is only for kind = csv"},
    {DS "columns = a, b, c\n", 0, "t.scene:3: columns is only for kind = csv"},
    {CSV "columns = a, b\n", 0, "t.scene:4: columns names 2 or 3 coordinate columns and then "
                               "the label's, e.g. columns = x1, x2, species"},
    {CSV "columns = a, b, c, d, e\n", 0, "t.scene:4: columns names 2 or 3 coordinate columns "
                                        "and then the label's, e.g. columns = x1, x2, species"},
    {CSV "columns = a, , c\n", 0, "t.scene:4: columns: an empty name in the list"},
    {CSV "columns = a, B, b\n", 0, "t.scene:4: columns names 'b' twice"},
    {CSV "columns = 1, 0, 3\n", 0, "t.scene:4: columns: '0' is not a column number from 1 to "
                                  "999999"},
    {CSV "columns = a, b, c, label\n[network]\nwidths = 2,2\n", 0,
     "t.scene:6: widths starts with 2 but csv data is 3-D (the first width is the input "
     "dimension)"},
    {CSV "[network]\nwidths = 1,2\n", 0, "t.scene:5: widths starts with 1 but csv data is 2-D "
                                        "(the first width is the input dimension)"},
    {DS "draw = curves\n", 0, "t.scene:3: draw = curves needs a curve dataset (curves, spiral, "
                              "interval, rings, unlinked)"},
    {DS "classes = 3\n", 0, "t.scene:3: classes is only for gaussians and spiral"},
    {DS "[render]\nview = fixed\nfps = 30\n", 0,
     "t.scene:4: view = fixed needs view_box = xmin,xmax,ymin,ymax"},
    /* the activation in element-wise steps, and a point worked through them */
    {DS "[render]\nactivation_steps = hadamar\n", 0,
     "t.scene:4: unknown activation_steps 'hadamar' (expected none, hadamard)"},
    {DS "[render]\nworked_point = 1, 2\n", 0,
     "t.scene:4: worked_point needs activation_steps = hadamard (the point is worked through "
     "the activation's element-wise steps)"},
    {DS "[render]\nactivation_steps = hadamard\nworked_point = 1, 2, 3\n", 0,
     "t.scene:5: worked_point has 3 numbers but no layer has more than 2 units"},
    {DS "[render]\nactivation_steps = hadamard\nworked_point = 1, 25\n", 0,
     "t.scene:5: worked_point: '25' is not a number from -20 to 20"},
    {DS "[render]\nactivation_steps = hadamard\nworked_point = 1, x\n", 0,
     "t.scene:5: worked_point: 'x' is not a number from -20 to 20"},
    {DS "[render]\nactivation_steps = hadamard\nworked_point = 1,,2\n", 0,
     "t.scene:5: worked_point: '' is not a number from -20 to 20"},
    {DS "[render]\nactivation_steps = hadamard\nworked_point = nan\n", 0,
     "t.scene:5: worked_point: 'nan' is not a number from -20 to 20"},
    {DS "[render]\nactivation_steps = hadamard\n"
        "worked_point = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n", 0,
     "t.scene:5: worked_point needs 1 to 16 comma-separated numbers, e.g. 1,2"},
    /* weights */
    {NET "[weights]\nW1 = 1 0 0 | 0 1 0\nb1 = 0 0\nW2 = 1 0 | 0 1\nb2 = 0 0\n", 0,
     "t.scene:6: W1 is 2x3, expected 2x2 (widths on line 4)"},
    {NET "[weights]\nW1 = 1 0 | 0 1 | 1 1\nb1 = 0 0\nW2 = 1 0 | 0 1\nb2 = 0 0\n", 0,
     "t.scene:6: W1 is 3x2, expected 2x2 (widths on line 4)"},
    {NET "[weights]\nW1 = 1 0 | 0\n", 0, "t.scene:6: W1: row 2 has 1 value, the first row has 2"},
    {NET "[weights]\nW1 = 1 0\n  0 1 2\n", 0,
     "t.scene:7: W1: row 2 has 3 values, the first row has 2"},
    {NET "[weights]\nW1 = 1 0 | 0 1\nb1 = 0 0\nb2 = 0 0\n", 0,
     "t.scene:5: [weights] is missing W2 (2x2 for widths on line 4)"},
    {DS "[weights]\nW1 = 1 0 | 0 1\nb1 = 0 0\n", 0,
     "t.scene:3: [weights] is missing W2 (2x2 for the default widths 2,2,2)"},
    {NET "[weights]\n" W22 "W4 = 1 0 | 0 1\n", 0,
     "t.scene:10: W4 given but the network has 2 layers (widths on line 4)"},
    {NET "[weights]\n" W22 "b3 = 0 0\n", 0,
     "t.scene:10: b3 given but the network has 2 layers (widths on line 4)"},
    {NET "[weights]\nW1 = 1 nan | 0 1\n", 0, "t.scene:6: W1: 'nan' is not a finite number"},
    {NET "[weights]\nW1 = 1 0 | 0 1\nb1 = inf 0\n", 0, "t.scene:7: b1: 'inf' is not a finite number"},
    {NET "[weights]\nW1 = 1 0 | 0 1\nb1 = 1e999 0\n", 0, "t.scene:7: b1: '1e999' is not a finite number"},
    {NET "[weights]\n" W22 "Wout = 1 1\n", 0, "t.scene:10: give both Wout and bout, or neither"},
    {NET "[weights]\n" W22 "Wout = 1 1 1\nbout = 0\n", 0,
     "t.scene:10: Wout is 1x3, expected 1x2 (widths on line 4)"},
    {NET "[weights]\n" W22 "Wout = 1 1\nbout = 0 0\n", 0,
     "t.scene:11: bout is 1x2, expected 1x1 (one value per row of Wout)"},
    {NET "[weights]\nW1 = 1 0 | 0 1\nb1 = 0 0 0\n", 0,
     "t.scene:7: b1 is 1x3, expected 1x2 (widths on line 4)"},
    {NET "[weights]\nW1 = 1 0 | 0 1\nW1 = 1 0 | 0 1\n", 0,
     "t.scene:7: duplicate key 'W1' in [weights] (first set on line 6)"},
    {NET "[weights]\nW0 = 1\n", 0, "t.scene:6: unknown key 'W0' in [weights] (expected W1, b1, "
                                   "W2, ..., Wout, bout or file)"},
    {NET "[weights]\nfile = net.weights\nW1 = 1 0 | 0 1\n", 0,
     "t.scene:6: [weights] has both file and W/b values; use one"},
    {NET "[weights]\nfile = a.weights\nfile = b.weights\n", 0,
     "t.scene:7: duplicate key 'file' in [weights] (first set on line 6)"},
};
#define N_BAD (int)(sizeof BAD / sizeof BAD[0])

static void test_bad(void)
{
    for (int i = 0; i < N_BAD; i++) {
        Scene sc;
        LwError err;
        size_t len = BAD[i].len ? BAD[i].len : strlen(BAD[i].text);
        int rc = load(BAD[i].text, len, &sc, &err);
        CHECK_MSG(rc == LW_EINPUT, "bad scene %d loaded (rc %d), expected: %s", i, rc,
                  BAD[i].expect);
        CHECK_MSG(strcmp(err.msg, BAD[i].expect) == 0, "bad scene %d\n  got:      %s\n"
                  "  expected: %s", i, err.msg, BAD[i].expect);
        CHECK_MSG(strchr(err.msg, '\n') == NULL, "bad scene %d: message has a newline", i);
        /* a failed load leaves the scene freeable, with nothing allocated */
        CHECK(sc.net.W[0] == NULL && sc.net.b[0] == NULL && sc.net.Wout == NULL);
        scene_free(&sc);
    }
    printf("test_scene: %d bad scene strings checked\n", N_BAD);
}

/* Lines longer than inih's buffer: the message names the right line and
 * says what is wrong, however long the line. */
static void test_long_lines(void)
{
    size_t big = 10u * 1024 * 1024;
    char *text = malloc(big + 64);
    CHECK(text != NULL);
    if (!text)
        return;
    memset(text, 'a', big);
    Scene sc;
    LwError err;
    CHECK(load(text, big, &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "t.scene:1: line too long (10485760 characters, at most 196; split a "
                       "matrix over indented lines)");
    scene_free(&sc);

    /* 196 characters is fine, also with CRLF; 197 is not, and names its line */
    static const char head[] = "[dataset]\nkind = moons\n";
    size_t h = strlen(head);
    memcpy(text, head, h);
    text[h] = ';';
    memset(text + h + 1, 'x', 195);
    memcpy(text + h + 196, "\r\n", 2);
    CHECK_MSG(load(text, h + 198, &sc, &err) == LW_OK, "%s", err.msg);
    scene_free(&sc);
    memset(text + h + 1, 'x', 196);
    memcpy(text + h + 197, "\n[render]\n", 10);
    CHECK(load(text, h + 207, &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "t.scene:3: line too long (197 characters, at most 196; split a matrix "
                       "over indented lines)");
    scene_free(&sc);
    free(text);
}

static void test_files(void)
{
    Scene sc;
    LwError err = {""};
    CHECK(scene_load_file("tests/no-such.scene", &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "tests/no-such.scene: No such file or directory");
    scene_free(&sc);

    /* more than 4 MiB of blank lines: refused before parsing */
    char path[] = "/tmp/test_scene.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    for (int i = 0; f && i < 4 * 1024 * 1024 + 1; i++)
        fputc('\n', f);
    if (f)
        fclose(f);
    char want[128];
    snprintf(want, sizeof want, "%s:1: file too large for a scene (more than 4 MiB)", path);
    CHECK(scene_load_file(path, &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, want);
    scene_free(&sc);
    unlink(path);
}

int main(void)
{
    test_defaults();
    test_kinds();
    test_values();
    test_transparency();
    test_weights();
    test_paths();
    test_csv_columns();
    test_scene_files();
    test_bad();
    test_long_lines();
    test_files();
    return check_done("test_scene");
}
