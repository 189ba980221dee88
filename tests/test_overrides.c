/* test_overrides.c — "section.key=value" overrides of a scene: they take
 * effect and replace what the file says, go through the same range and
 * cross-key checks as the file (so --fps, --size, --crf and --preset, which
 * main.c turns into overrides, are checked like the keys), and every error
 * names the override with the file's own wording: bad values, unknown keys
 * (with the file's suggestions), malformed overrides, and [weights], which
 * cannot be overridden. */
#include "check.h"
#include "scene.h"

#include <stdlib.h>
#include <unistd.h>

#define SCENE "[dataset]\nkind = moons\n[render]\nfps = 30\nwidth = 640\nheight = 360\n"

/* Loads text as "t.scene" with the overrides (a NULL-terminated list). */
static int load_with(const char *text, const char *const *ov, Scene *sc, LwError *err)
{
    int n = 0;
    while (ov && ov[n])
        n++;
    memset(err, 0, sizeof *err);
    return scene_load_string_with("t.scene", text, strlen(text), ov, n, sc, err);
}

static void test_effect(void)
{
    Scene sc;
    LwError err;
    /* what main.c's --fps 24 --size 1920x1080 --crf 18 --preset slow become */
    static const char *const cli[] = {"render.fps=24", "render.width=1920",
                                      "render.height=1080", "render.crf=18",
                                      "render.preset=slow", NULL};
    CHECK_MSG(load_with(SCENE, cli, &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.render.timeline.fps == 24 && sc.render.style.width == 1920 && sc.render.style.height == 1080);
    CHECK(sc.output.crf == 18);
    CHECK_STR(sc.output.preset, "slow");
    scene_free(&sc);

    /* keys of every section; white space around the parts is trimmed */
    static const char *const many[] = {
        "dataset.points=800", " train.steps = 500 ", "train.optimizer=sgd",
        "network.widths=2,4,2", "network.activation=relu", "render.show_grid=no",
        "render.region=-2,2,-1,1", "style.background=#000", "dataset.seed=7", NULL};
    CHECK_MSG(load_with(SCENE, many, &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.data.n_points == 800 && sc.train.steps == 500 && sc.train.optimizer == OPT_SGD);
    CHECK(sc.net.n_widths == 3 && sc.net.widths[1] == 4);
    CHECK(sc.net.act[0] == ACT_RELU && sc.net.act[1] == ACT_RELU);
    CHECK(!sc.render.style.show_grid && sc.has_region && sc.region[0] == -2);
    CHECK(sc.render.style.background.r == 0 && sc.data.seed == 7);
    CHECK(sc.render.timeline.fps == 30 && sc.render.style.width == 640); /* the file's, untouched */
    scene_free(&sc);

    /* a later override of the same key wins; none at all is the plain load */
    static const char *const twice[] = {"render.fps=12", "render.fps=13", NULL};
    CHECK_MSG(load_with(SCENE, twice, &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.render.timeline.fps == 13);
    scene_free(&sc);
    CHECK(scene_load_string_with("t.scene", SCENE, strlen(SCENE), NULL, 0, &sc, &err) == LW_OK);
    CHECK(sc.render.timeline.fps == 30);
    scene_free(&sc);

    /* defaults that follow the kind follow an overridden kind */
    static const char *const kind[] = {"dataset.kind=rings", NULL};
    CHECK_MSG(load_with(SCENE, kind, &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.data.kind == DATA_RINGS && sc.data.draw == DRAW_CURVES && sc.net.widths[0] == 3);
    scene_free(&sc);
    static const char *const gauss[] = {"dataset.kind=gaussians", "dataset.classes=5", NULL};
    CHECK_MSG(load_with(SCENE, gauss, &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.data.kind == DATA_GAUSSIANS && sc.data.classes == 5);
    scene_free(&sc);
    /* a scene without kind, completed by an override */
    static const char *const just_kind[] = {"dataset.kind=xor", NULL};
    CHECK_MSG(load_with("[render]\nfps = 30\n", just_kind, &sc, &err) == LW_OK, "%s", err.msg);
    CHECK(sc.data.kind == DATA_XOR);
    scene_free(&sc);

    /* a colour list replaces the file's whole list: the rest is the palette */
    static const char *const colors[] = {"style.colors=#00ff00", NULL};
    CHECK_MSG(load_with(SCENE "[style]\ncolors = #ff0000, #0000ff\n", colors, &sc, &err) == LW_OK,
              "%s", err.msg);
    CHECK(sc.render.style.classes[0].g == 1 && sc.render.style.classes[0].r == 0);
    CHECK(fabs(sc.render.style.classes[1].r - 0.835) < 1e-9); /* the palette's, not #0000ff */
    scene_free(&sc);

    /* paths resolve against the scene's folder, as in the file */
    static const char *const path[] = {"render.output=clips/a.mp4", "dataset.kind=csv",
                                       "dataset.file=pts.csv", NULL};
    memset(&err, 0, sizeof err);
    CHECK_MSG(scene_load_string_with("scenes/x.scene", SCENE, strlen(SCENE), path, 3, &sc,
                                     &err) == LW_OK, "%s", err.msg);
    CHECK_STR(sc.output.path, "scenes/clips/a.mp4");
    CHECK_STR(sc.data.csv_path, "scenes/pts.csv");
    scene_free(&sc);

    /* the same from a file */
    char file[] = "/tmp/test_overrides_XXXXXX";
    int fd = mkstemp(file);
    CHECK(fd >= 0);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "w");
        fputs(SCENE, f);
        fclose(f);
        static const char *const fps[] = {"render.fps=60"};
        CHECK_MSG(scene_load_file_with(file, fps, 1, &sc, &err) == LW_OK, "%s", err.msg);
        CHECK(sc.render.timeline.fps == 60);
        scene_free(&sc);
        static const char *const bad[] = {"render.fps=500"};
        CHECK(scene_load_file_with(file, bad, 1, &sc, &err) == LW_EINPUT);
        CHECK_STR(err.msg, "--set render.fps=500: fps must be from 1 to 120, got 500");
        scene_free(&sc);
        unlink(file);
    }
}

typedef struct {
    const char *text;       /* the scene; NULL: SCENE */
    const char *ov[4];      /* NULL-terminated */
    const char *expect;     /* the exact message */
} Bad;

#define NET "[dataset]\nkind = moons\n[network]\nwidths = 2,2,2\n"
#define W22 "[weights]\nW1 = 1 0 | 0 1\nb1 = 0 0\nW2 = 1 0 | 0 1\nb2 = 0 0\n"

static const Bad BAD[] = {
    /* ranges and types, worded as for the file */
    {NULL, {"render.fps=500"}, "--set render.fps=500: fps must be from 1 to 120, got 500"},
    {NULL, {"render.fps=0"}, "--set render.fps=0: fps must be from 1 to 120, got 0"},
    {NULL, {"render.fps=fast"}, "--set render.fps=fast: fps must be a number, got 'fast'"},
    {NULL, {"render.width=100000"},
     "--set render.width=100000: width must be from 16 to 7680, got 100000"},
    {NULL, {"render.height=8"}, "--set render.height=8: height must be from 16 to 4320, got 8"},
    {NULL, {"render.crf=64"}, "--set render.crf=64: crf must be from 0 to 63, got 64"},
    {NULL, {"render.crf=-1"}, "--set render.crf=-1: crf must be from 0 to 63, got -1"},
    {NULL, {"render.preset=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
     "--set render.preset=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: preset is too long"},
    {NULL, {"dataset.points=1e3"}, "--set dataset.points=1e3: points must be a whole number, got '1e3'"},
    {NULL, {"train.steps=2000000"}, "--set train.steps=2000000: steps must be from 0 to 1000000, got 2000000"},
    {NULL, {"dataset.seed=-1"}, "--set dataset.seed=-1: seed must be a whole number >= 0, got '-1'"},
    {NULL, {"render.show_grid=maybe"}, "--set render.show_grid=maybe: show_grid must be true or false, got 'maybe'"},
    {NULL, {"dataset.kind=banana"}, "--set dataset.kind=banana: unknown kind 'banana' (expected "
                                    "moons, circles, spiral, xor, gaussians, curves, csv, "
                                    "interval, rings, unlinked)"},
    {NULL, {"render.fps="}, "--set render.fps=: fps has no value"},
    {NULL, {"render.fps=24", "render.crf=99", "render.fps=500"}, /* the first error wins */
     "--set render.crf=99: crf must be from 0 to 63, got 99"},
    /* checks across keys name the override that broke them */
    {NULL, {"render.width=1281"},
     "--set render.width=1281: width and height must be even (video needs it), got 1281x360"},
    {NULL, {"render.width=1280", "render.height=721"},
     "--set render.height=721: width and height must be even (video needs it), got 1280x721"},
    {NULL, {"dataset.kind=csv"}, "--set dataset.kind=csv: kind = csv needs file = path/to/points.csv"},
    {NULL, {"dataset.file=p.csv"}, "--set dataset.file=p.csv: file is only for kind = csv"},
    {NULL, {"dataset.draw=curves"}, "--set dataset.draw=curves: draw = curves needs a curve "
                                    "dataset (curves, spiral, interval, rings, unlinked)"},
    {NULL, {"dataset.classes=3"}, "--set dataset.classes=3: classes is only for gaussians and spiral"},
    {"[dataset]\nkind = gaussians\nclasses = 4\n", {"dataset.kind=xor"},
     "t.scene:3: classes is only for gaussians and spiral"},
    {NULL, {"network.widths=3,2"}, "--set network.widths=3,2: widths starts with 3 but moons "
                                   "data is 2-D (the first width is the input dimension)"},
    {NET, {"dataset.kind=interval"}, "t.scene:4: widths starts with 2 but interval data is "
                                     "1-D (the first width is the input dimension)"},
    {NULL, {"network.activation=tanh,tanh,tanh"}, "--set network.activation=tanh,tanh,tanh: "
                                                  "activation lists 3 names but the network has 2 layers"},
    {NULL, {"render.view=fixed"}, "--set render.view=fixed: view = fixed needs view_box = "
                                  "xmin,xmax,ymin,ymax"},
    {NET W22, {"network.widths=2,3,2"}, "t.scene:6: W1 is 2x2, expected 3x2 (widths of --set "
                                        "network.widths=2,3,2)"},
    /* unknown sections and keys get the file's suggestions */
    {NULL, {"render.framerate=30"}, "--set render.framerate=30: unknown key 'framerate' in [render]"},
    {NULL, {"train.optimiser=sgd"},
     "--set train.optimiser=sgd: unknown key 'optimiser' in [train] (did you mean 'optimizer'?)"},
    {NULL, {"style.colour=#fff"},
     "--set style.colour=#fff: unknown key 'colour' in [style] (did you mean 'colors'?)"},
    {NULL, {"rendr.fps=24"}, "--set rendr.fps=24: unknown section [rendr] (did you mean 'render'?)"},
    {NULL, {"camera.yaw=3"}, "--set camera.yaw=3: unknown section [camera]"},
    {NULL, {"render.fps.x=3"}, "--set render.fps.x=3: unknown key 'fps.x' in [render] (did you mean 'fps'?)"},
    /* malformed */
    {NULL, {"fps"}, "--set fps: no '=' (expected section.key=value, e.g. render.fps=24)"},
    {NULL, {"render.fps"}, "--set render.fps: no '=' (expected section.key=value, e.g. render.fps=24)"},
    {NULL, {"=3"}, "--set =3: no section.key before '=' (expected section.key=value, e.g. "
                   "render.fps=24)"},
    {NULL, {"render.=3"}, "--set render.=3: no key name after 'render.' (expected "
                          "section.key=value, e.g. render.fps=24)"},
    {NULL, {".fps=3"}, "--set .fps=3: no section name before '.' (expected section.key=value, "
                       "e.g. render.fps=24)"},
    {NULL, {"fps=24"}, "--set fps=24: no section before 'fps' (did you mean 'render.fps=24'?)"},
    {NULL, {"seed=3"}, /* a key of two sections: no guess */
     "--set seed=3: no section before 'seed' (expected section.key=value, e.g. render.fps=24)"},
    {NULL, {""}, "--set : no '=' (expected section.key=value, e.g. render.fps=24)"},
    {NULL, {"render.fps=2\n4"}, "--set render.fps=2?4: control byte 0x0a in column 13: not one "
                                "line of text"},
    {NULL, {"style.font=caf\xe9"}, "--set style.font=caf?: not UTF-8 text (byte 0xe9 in column 15)"},
    /* [weights]: matrices span rows and are checked as a whole; refused */
    {NULL, {"weights.W1=1 0 | 0 1"}, "--set weights.W1=1 0 | 0 1: [weights] cannot be "
                                     "overridden (write its matrices, or file = ..., in the scene)"},
    {NULL, {"weights.file=net.weights"}, "--set weights.file=net.weights: [weights] cannot be "
                                         "overridden (write its matrices, or file = ..., in the scene)"},
    /* the file is read first: its errors come first, and overrides do not
     * make a scene of an empty file */
    {"[dataset]\nkind = banana\n", {"render.fps=500"},
     "t.scene:2: unknown kind 'banana' (expected moons, circles, spiral, xor, gaussians, curves, "
     "csv, interval, rings, unlinked)"},
    {"", {"dataset.kind=moons"}, "t.scene:1: empty scene: expected at least [dataset] with kind "
                                 "= moons (see man layerwarp-scene)"},
};
#define N_BAD (int)(sizeof BAD / sizeof BAD[0])

static void test_bad(void)
{
    int checked = 0;
    for (int i = 0; i < N_BAD; i++) {
        Scene sc;
        LwError err;
        int rc = load_with(BAD[i].text ? BAD[i].text : SCENE, BAD[i].ov, &sc, &err);
        CHECK_MSG(rc == LW_EINPUT, "bad override %d loaded (rc %d), expected: %s", i, rc,
                  BAD[i].expect);
        CHECK_MSG(strcmp(err.msg, BAD[i].expect) == 0, "bad override %d\n  got:      %s\n"
                  "  expected: %s", i, err.msg, BAD[i].expect);
        CHECK_MSG(strchr(err.msg, '\n') == NULL, "bad override %d: message has a newline", i);
        CHECK(sc.net.W[0] == NULL && sc.net.Wout == NULL);
        scene_free(&sc);
        checked++;
    }
    printf("test_overrides: %d bad overrides checked\n", checked);
}

/* Too long for a line of the file is too long for an override; the message
 * quotes it cut short. */
static void test_long(void)
{
    char ov[400];
    snprintf(ov, sizeof ov, "style.font=");
    memset(ov + strlen(ov), 'x', 300);
    ov[311] = '\0';
    const char *const list[] = {ov, NULL};
    Scene sc;
    LwError err;
    CHECK(load_with(SCENE, list, &sc, &err) == LW_EINPUT);
    char want[600];
    snprintf(want, sizeof want, "--set %.200s...: too long (311 characters, at most 196)", ov);
    CHECK_STR(err.msg, want);
    scene_free(&sc);

    /* 196 is fine as far as length goes (the font is then too long) */
    ov[196] = '\0';
    CHECK(load_with(SCENE, list, &sc, &err) == LW_EINPUT);
    snprintf(want, sizeof want, "--set %s: font is too long", ov);
    CHECK_STR(err.msg, want);
    scene_free(&sc);
}

int main(void)
{
    test_effect();
    test_bad();
    test_long();
    return check_done("test_overrides");
}
