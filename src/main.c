/* main.c — the command line: one binary, subcommands, exit codes.
 *
 *   0 success, 1 runtime failure (I/O, encoder, interrupted), 2 bad usage or
 *   bad input.  Errors go to stderr as one line, results to stdout.
 * Only this file exits; everything below returns error codes. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "classifier.h"
#include "draw.h"
#include "gen_weights.h"
#include "hash.h"
#include "png_out.h"
#include "render.h"
#include "scene.h"
#include "train.h"
#include "video.h"

/* Where `make install` puts the documentation (the Makefile passes it). */
#ifndef LW_DOCDIR
#define LW_DOCDIR "/usr/local/share/doc/layerwarp"
#endif

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    g_stop = sig;
}

/* Installed only while frames are being written (temporary files exist):
 * the first SIGINT/SIGTERM asks the pipeline to stop and clean up; the
 * handler then resets, so a second one ends the process at once.  Outside
 * that window the default action applies: nothing needs cleaning up. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- usage ------------------------------------------------------------------ */

typedef struct {
    const char *name, *args, *summary, *details;
} Command;

static const Command COMMANDS[] = {
    {"render", "SCENE [-o FILE|DIR/] [-j N] [--crf N] [--preset P] [--fps F] [--size WxH] [--quiet]",
     "render the animation as a video (.mp4 .webm .mkv .gif) or PNG sequence",
     "  -o, --output FILE   output file; its extension picks the format (default: the\n"
     "                      scene's [render] output, else out/SCENE.mp4); a directory\n"
     "                      (existing, or ending in /) gets a PNG sequence\n"
     "  -j, --jobs N        worker threads (default: number of cores)\n"
     "      --crf N         quality (x264/VP9; lower is better)\n"
     "      --preset P      x264 preset (ultrafast ... veryslow)\n"
     "      --fps F         frames per second\n"
     "      --size WxH      frame size in pixels (even numbers)\n"},
    {"frames", "SCENE [--frames A:B | --frames N,M,... | --at L:STAGE:T] [-o DIR] [-j N]",
     "write chosen frames as PNG files DIR/frame-00042.png",
     "      --frames A:B    frames A to B inclusive (0-based); or a list N,M,...\n"
     "      --at L:STAGE:T  the frame of layer L, stage linear|bias|activation, time T\n"
     "                      (repeatable); L is a number counted over the whole show,\n"
     "                      or a network's letter and its own layer: G2 (generator or\n"
     "                      decoder), D1 (discriminator), E1 (encoder), L2 (classifier);\n"
     "                      with activation_steps = hadamard, STAGE may be a step:\n"
     "                      activation.K (1-based) or its name (exp)\n"
     "  -o, --output DIR    folder for the PNG files (default out/SCENE-frames)\n"
     "  -j, --jobs N        worker threads\n"},
    {"step", "SCENE --layer K [-o DIR]",
     "one layer's four states (input, after W, after +b, after the activation) as\n"
     "            PNG stills and a labelled contact sheet; with activation_steps =\n"
     "            hadamard also a sheet of the activation's element-wise steps",
     "  -l, --layer K       the layer (1-based, counted over the whole show), or a\n"
     "                      network's letter and its own layer (G2, D1, E1, L2)\n"
     "  -o, --output DIR    folder (default out/SCENE-step)\n"},
    {"hash", "SCENE [--frames A:B | --at L:STAGE:T] [-j N]",
     "print frame index, stage label and SHA-256 of the raw pixels of each frame\n"
     "            (the label names the network and its layer: G2.bias t=0.50)",
     "      --frames A:B    frames to hash (default all)\n"
     "      --at L:STAGE:T  the frame of a moment, as in 'layerwarp help frames'\n"
     "  -j, --jobs N        worker threads\n"},
    {"train", "SCENE [-o WEIGHTS]", "train the scene's network and report loss and accuracy",
     "  -o, --output FILE   save the weights: a classifier's, or every network of a\n"
     "                      gan, vae or autoencoder; a scene uses them with\n"
     "                      [weights] file = FILE instead of training (format:\n"
     "                      " LW_DOCDIR "/docs/weights-format.md)\n"},
    {"dump", "SCENE --layer K --stage input|linear|bias|activation [-o FILE.csv]",
     "data point positions at the end of a stage, as CSV index,label,x1,x2,...",
     "  -l, --layer K       the layer (1-based) of the first network, or a network's\n"
     "                      letter and its own layer (G2, D1): the points it carries\n"
     "  -s, --stage S       input (the layer's input), linear, bias or activation\n"
     "  -o, --output FILE   CSV file (default: stdout)\n"},
    {"info", "SCENE", "describe the network, its parameters, frame count and output", ""},
};
#define N_COMMANDS (int)(sizeof COMMANDS / sizeof COMMANDS[0])

static void usage_all(FILE *f)
{
    fprintf(f, "usage: layerwarp COMMAND SCENE [options]\n\n"
               "Animates how a small neural network bends space, layer by layer:\n"
               "each layer as multiply by W, shift by b, apply the activation.\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-7s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\n  layerwarp help COMMAND    options of one command\n"
               "  layerwarp --version\n\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n"
               "Scene format: man layerwarp-scene, or " LW_DOCDIR "/docs/scene-format.md\n"
               "Commands and options: man layerwarp\n");
}

static const Command *find_command(const char *name)
{
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            return &COMMANDS[i];
    return NULL;
}

static void usage_command(FILE *f, const Command *c)
{
    fprintf(f, "usage: layerwarp %s %s\n\n%s\n\n%s", c->name, c->args, c->summary, c->details);
    if (strcmp(c->name, "render") != 0 && strcmp(c->name, "train") != 0)
        fprintf(f, "      --size WxH      override the scene's frame size\n"
                   "      --fps F         override the scene's frame rate\n");
    fprintf(f, "      --set S.KEY=V   set a scene key, as if written in [S] of the scene\n"
               "                      (repeatable; e.g. --set train.steps=500); checked\n"
               "                      like the file (man layerwarp-scene)\n"
               "  -q, --quiet         no progress or summary on stderr\n"
               "  -h, --help          this help\n");
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "layerwarp %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'layerwarp help %s')\n", cmd);
    return 2;
}

/* ---- options ------------------------------------------------------------------ */

#define MAX_SETS 64

typedef struct {
    const char *cmd;
    const char *scene_path;
    const char *output;
    int jobs;
    int quiet;
    const char *layer;     /* --layer as given, checked by parse_layer_ref */
    const char *stage;
    const char *frames;
    const char *at[64];
    int n_at;
    /* scene keys set on the command line, "section.key=value", checked by the
     * scene's own key table (--set, and --fps, --size, --crf, --preset) */
    const char *sets[MAX_SETS];
    int n_sets;
    char spelled[MAX_SETS][80];  /* the sets the short options spell out */
} Options;

enum { OPT_CRF = 1000, OPT_PRESET, OPT_FPS, OPT_SIZE, OPT_AT, OPT_FRAMES, OPT_SET };

/* A layer as the command line names it: "2", counted over the whole show
 * (what it has always meant), or "G2", layer 2 of the network lettered G
 * (a segment's tag: L classifier, G generator or decoder, D discriminator,
 * E encoder). */
typedef struct {
    char tag;      /* 0: counted over the whole show */
    int number;    /* 1-based */
} LayerRef;

/* Reads a LayerRef at the start of s; returns the text after it, or NULL
 * when s does not start with one. */
static const char *parse_layer_ref(const char *s, LayerRef *ref)
{
    ref->tag = 0;
    if (*s && strchr("LGDElgde", *s))
        ref->tag = (char)toupper((unsigned char)*s++);
    if (!isdigit((unsigned char)*s)) return NULL;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || v < 1 || v > 100000) return NULL;
    ref->number = (int)v;
    return end;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

/* Adds a scene key override; `key` NULL: value is already "section.key=value". */
static int add_set(Options *o, const char *key, const char *value)
{
    if (o->n_sets == MAX_SETS)
        return usage_error(o->cmd, "more than 64 scene keys set on the command line%s", "");
    const char *set = value;
    if (key) {
        char *buf = o->spelled[o->n_sets];
        if ((size_t)snprintf(buf, sizeof o->spelled[0], "%s=%s", key, value) >= sizeof o->spelled[0])
            return usage_error(o->cmd, "option value too long: '%s'", value);
        set = buf;
    }
    o->sets[o->n_sets++] = set;
    return 0;
}

/* --size WxH: the scene's width and height (their ranges are the scene's). */
static int add_size(Options *o, const char *arg)
{
    char w[32], h[32];
    const char *x = strpbrk(arg, "xX");
    if (!x || x == arg || !x[1] || (size_t)(x - arg) >= sizeof w || strlen(x + 1) >= sizeof h)
        return usage_error(o->cmd, "--size needs WxH, e.g. 1280x720, got '%s'", arg);
    snprintf(w, sizeof w, "%.*s", (int)(x - arg), arg);
    snprintf(h, sizeof h, "%s", x + 1);
    int rc = add_set(o, "render.width", w);
    return rc ? rc : add_set(o, "render.height", h);
}

static int parse_options(int argc, char **argv, Options *o)
{
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},        {"layer", required_argument, NULL, 'l'},
        {"stage", required_argument, NULL, 's'},  {"help", no_argument, NULL, 'h'},
        {"frames", required_argument, NULL, OPT_FRAMES}, {"at", required_argument, NULL, OPT_AT},
        {"crf", required_argument, NULL, OPT_CRF}, {"preset", required_argument, NULL, OPT_PRESET},
        {"fps", required_argument, NULL, OPT_FPS}, {"size", required_argument, NULL, OPT_SIZE},
        {"set", required_argument, NULL, OPT_SET}, {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:j:ql:s:h", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!optarg[0]) return usage_error(o->cmd, "-o needs a file or folder name%s", "");
            o->output = optarg;
            break;
        case 'j':
            if (parse_int(optarg, 1, 256, &o->jobs))
                return usage_error(o->cmd, "-j needs a number of threads from 1 to 256, got '%s'", optarg);
            break;
        case 'q': o->quiet = 1; break;
        case 'l': {
            LayerRef ref;
            const char *rest = parse_layer_ref(optarg, &ref);
            if (!rest || *rest)
                return usage_error(o->cmd, "--layer needs a layer number from 1 (or a "
                                   "network's layer such as G2), got '%s'", optarg);
            o->layer = optarg;
            break;
        }
        case 's': o->stage = optarg; break;
        case 'h': usage_command(stdout, find_command(o->cmd)); return -1;
        case OPT_FRAMES: o->frames = optarg; break;
        case OPT_AT:
            if (o->n_at == 64) return usage_error(o->cmd, "too many --at options%s", "");
            o->at[o->n_at++] = optarg;
            break;
        case OPT_CRF:
        case OPT_PRESET:
        case OPT_FPS: {
            const char *key = c == OPT_CRF ? "render.crf" : c == OPT_FPS ? "render.fps"
                                                                        : "render.preset";
            int rc = add_set(o, key, optarg);
            if (rc) return rc;
            break;
        }
        case OPT_SIZE: {
            int rc = add_size(o, optarg);
            if (rc) return rc;
            break;
        }
        case OPT_SET: {
            int rc = add_set(o, NULL, optarg);
            if (rc) return rc;
            break;
        }
        case ':': return usage_error(o->cmd, "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error(o->cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error(o->cmd, "missing SCENE%s", "");
    if (optind + 1 < argc)
        return usage_error(o->cmd, "unexpected argument '%s'", argv[optind + 1]);
    o->scene_path = argv[optind];
    return 0;
}

/* ---- helpers -------------------------------------------------------------------- */

static int report(int rc, const LwError *err)
{
    if (rc == LW_EINTR)
        fprintf(stderr, "layerwarp: interrupted; no partial file was left behind\n");
    else if (rc && err->msg[0])
        fprintf(stderr, "%s\n", err->msg);
    return lw_exit_status(rc);
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 64 ? 64 : (int)n);
}

static int make_dirs(const char *path, LwError *err)
{
    char buf[LW_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return lw_fail(err, LW_ERUNTIME, "%s: cannot create folder: %s", buf, strerror(errno));
            *p = saved;
            if (!saved) break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return lw_fail(err, LW_ERUNTIME, "%s: not a folder", path);
    return LW_OK;
}

static int parent_dirs(const char *file, LwError *err)
{
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file) return LW_OK;
    char dir[LW_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    return make_dirs(dir, err);
}

/* Training progress on stderr, only when training runs long: nothing in the
 * first second, then a line every half second (and the last step). */
typedef struct {
    int verbose;
    double start, last;
} TrainWatch;

static double now(void);

static void train_progress(void *user, int step, int steps, double loss, double acc)
{
    TrainWatch *w = user;
    double t = now();
    if (w->start == 0) w->start = w->last = t;
    if (!w->verbose || t - w->start < 1.0 || (t - w->last < 0.5 && step < steps)) return;
    w->last = t;
    fprintf(stderr, "train: step %d/%d  loss %.4f  accuracy %.4f\n", step, steps, loss, acc);
}

/* A scene, what it makes, and the renderer of its show. */
typedef struct {
    Scene scene;
    SceneModel model;
    Renderer r;
    int have_model, have_r;
} Job;

static int load_job(const Options *o, Job *j, int verbose_train, int draws, LwError *err)
{
    int rc = scene_load_file_with(o->scene_path, o->sets, o->n_sets, &j->scene, err);
    if (rc) return rc;
    TrainWatch watch = {verbose_train, 0, 0};
    j->have_model = 1;
    rc = scene_build(&j->scene, &j->model, train_progress, &watch, err);
    if (rc) return rc;
    j->have_r = 1;
    rc = renderer_create(&j->model.show, &j->scene.render, draws, &j->r, err);
    if (rc == LW_EINPUT && err) { /* the scene asked for too much: say which scene */
        LwError inner = *err;
        return lw_fail(err, LW_EINPUT, "%s: %s", j->scene.path, inner.msg);
    }
    return rc;
}

static void free_job(Job *j)
{
    if (j->have_r) renderer_free(&j->r);
    if (j->have_model) scene_model_free(&j->model);
    scene_free(&j->scene);
}

/* ---- layers by network ------------------------------------------------------ */

/* "G2", or "2" for a layer counted over the show. */
static void layer_name(LayerRef ref, char *buf, size_t size)
{
    if (ref.tag) snprintf(buf, size, "%c%d", ref.tag, ref.number);
    else snprintf(buf, size, "%d", ref.number);
}

/* What a network letter names in this show. */
static const char *network_noun(char tag, ModelKind kind)
{
    switch (tag) {
    case 'G': return kind == MODEL_VAE || kind == MODEL_AUTOENCODER ? "decoder" : "generator";
    case 'D': return "discriminator";
    case 'E': return "encoder";
    default: return "classifier";
    }
}

/* "G1-G4, D1-D4": the show's networks and their layers, in show order. */
static void networks_text(const Renderer *r, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < r->n_segments && len < size; k++) {
        char tag = r->segs[k].tag;
        int seen = 0;
        for (int i = 0; i < k; i++) seen |= r->segs[i].tag == tag;
        if (seen) continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%c1-%c%d", len ? ", " : "", tag, tag,
                                renderer_network_layers(r, tag));
    }
}

/* The show's layer (0-based) that a tagged ref names; LW_EINPUT saying what
 * exists, after `what` (the option as given). */
static int network_layer(const Job *j, LayerRef ref, const char *what, int *layer, LwError *err)
{
    const Renderer *r = &j->r;
    const char *noun = network_noun(ref.tag, j->model.kind);
    int n = renderer_network_layers(r, ref.tag);
    char list[128];
    networks_text(r, list, sizeof list);
    if (n == 0)
        return lw_fail(err, LW_EINPUT, "%s: this show has no %s (networks: %s)", what, noun,
                       list);
    *layer = renderer_network_layer(r, ref.tag, ref.number);
    if (*layer < 0)
        return lw_fail(err, LW_EINPUT, "%s: the %s has layers %c1 to %c%d", what, noun, ref.tag,
                       ref.tag, n);
    return LW_OK;
}

/* --at LAYER:STAGE:T as the frame that shows that moment (the first at or
 * after T).  LAYER is a LayerRef. */
static int at_request(const Options *o, const Job *j, const char *arg, FrameReq *out,
                      LwError *err)
{
    const Renderer *r = &j->r;
    LayerRef ref;
    double t = -1;
    char stage[32] = "";
    const char *p = parse_layer_ref(arg, &ref), *colon = p && *p == ':' ? strchr(p + 1, ':') : NULL;
    int ok = colon && colon - (p + 1) < 32;
    if (ok) {
        char *end;
        snprintf(stage, sizeof stage, "%.*s", (int)(colon - (p + 1)), p + 1);
        t = strtod(colon + 1, &end);
        ok = end != colon + 1 && !*end && t >= 0 && t <= 1;
    }
    char what[160], list[128];
    snprintf(what, sizeof what, "layerwarp %s: --at '%s'", o->cmd, arg);
    networks_text(r, list, sizeof list);
    int layer = ref.number - 1;
    if (ok && ref.tag) {
        int rc = network_layer(j, ref, what, &layer, err);
        if (rc) return rc;
    }
    FrameReq m;
    if (!ok || (!ref.tag && ref.number > r->n_layers) || renderer_moment(r, layer + 1, stage, t, &m))
        return lw_fail(err, LW_EINPUT, "%s: expected LAYER:STAGE:T with LAYER 1 to %d (counted "
                       "over the show) or a network's layer (%s), STAGE linear, bias or "
                       "activation (or a step of an activation in steps: activation.K or its "
                       "name), T from 0 to 1", what, r->n_layers, list);
    *out = renderer_request_frame(r, m.frame);
    return LW_OK;
}

/* Parses --frames and --at into requests; all frames when neither is given.
 * LW_EINPUT with the usage message in err for a bad frame option. */
static int frame_requests(const Options *o, const Job *j, FrameReq **out, int *n_out,
                          LwError *err)
{
    const Renderer *r = &j->r;
    int total = r->timeline.n_frames, cap = total + o->n_at + 16, n = 0;
    FrameReq *q = malloc(sizeof *q * cap);
    if (!q) return lw_fail(err, LW_ERUNTIME, "out of memory for %d frame requests", cap);
    if (o->frames) {
        int a, b;
        char extra;
        if (sscanf(o->frames, "%d:%d%c", &a, &b, &extra) == 2) {
            if (a < 0 || b < a || b >= total) {
                free(q);
                return lw_fail(err, LW_EINPUT, "layerwarp %s: --frames %s is outside 0:%d "
                               "(the scene has %d frames)", o->cmd, o->frames, total - 1, total);
            }
            for (int f = a; f <= b; f++) q[n++] = renderer_request_frame(r, f);
        } else {
            char buf[4096];
            snprintf(buf, sizeof buf, "%s", o->frames);
            char *save = NULL;
            for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                int f;
                if (parse_int(tok, 0, total - 1, &f) || n == cap) {
                    int rc = lw_fail(err, LW_EINPUT, "layerwarp %s: --frames: '%s' is not a "
                                     "frame from 0 to %d (use A:B or N,M,...)", o->cmd, tok,
                                     total - 1);
                    free(q);
                    return rc;
                }
                q[n++] = renderer_request_frame(r, f);
            }
        }
    }
    for (int i = 0; i < o->n_at; i++) {
        int rc = at_request(o, j, o->at[i], &q[n++], err);
        if (rc) {
            free(q);
            return rc;
        }
    }
    if (!o->frames && !o->n_at)
        for (int f = 0; f < total; f++) q[n++] = renderer_request_frame(r, f);
    *out = q;
    *n_out = n;
    return LW_OK;
}

/* Loads the job and turns --frames/--at into requests. */
static int load_requests(const Options *o, Job *j, FrameReq **reqs, int *n, LwError *err)
{
    int rc = load_job(o, j, !o->quiet, 1, err);
    if (!rc) rc = frame_requests(o, j, reqs, n, err);
    if (!rc) install_signals(); /* from here on, outputs are being written */
    return rc;
}

/* ---- sinks ---------------------------------------------------------------------- */

typedef struct {
    const Renderer *r;
    const char *scene_path;
    const char *dir;
    const char *fmt;   /* file name pattern with one %05d */
} PngSink;

/* Runs on a worker: frames are independent files, so they are encoded in
 * parallel, each written atomically. */
static int png_hook(void *user, FrameReq q, int slot, const uint8_t *px, int stride, char *note,
                    LwError *err)
{
    PngSink *s = user;
    (void)note;
    (void)slot;
    char path[LW_PATH_MAX + 64], name[64], label[64], frame[32];
    snprintf(name, sizeof name, s->fmt, q.frame);
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    renderer_label(s->r, q, label, sizeof label);
    snprintf(frame, sizeof frame, "%d", q.frame);
    PngText texts[] = {{"Software", "layerwarp " LW_VERSION}, {"Scene", s->scene_path},
                       {"Frame", frame}, {"Stage", label}};
    return png_write_bgra(path, px, s->r->frame->width, s->r->frame->height,
                          stride, texts, 4, err);
}

static int nothing_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                        const char *note, LwError *err)
{
    (void)user; (void)index; (void)q; (void)slot; (void)px; (void)stride; (void)note; (void)err;
    return LW_OK;
}

/* Hashing runs on the workers; printing, in order, on the caller. */
static int hash_hook(void *user, FrameReq q, int slot, const uint8_t *px, int stride, char *note,
                     LwError *err)
{
    (void)slot;
    const Renderer *r = user;
    if (hash_pixels(px, r->frame->width, r->frame->height, stride, note))
        return lw_fail(err, LW_ERUNTIME, "out of memory hashing");
    return LW_OK;
}

static int hash_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                     const char *note, LwError *err)
{
    const Renderer *r = user;
    char label[64];
    (void)index; (void)slot; (void)px; (void)stride;
    renderer_label(r, q, label, sizeof label);
    if (printf("%d %s %s\n", q.frame, label, note) < 0)
        return lw_fail(err, LW_ERUNTIME, "cannot write to standard output: %s", strerror(errno));
    return LW_OK;
}

/* Video: colour conversion on the workers (one VideoFrame per slot), the
 * encoder fed in order on the caller. */
typedef struct {
    VideoSink *sink;
    VideoFrame **frames;   /* (render_slots(threads)) */
} VideoJob;

static int video_hook(void *user, FrameReq q, int slot, const uint8_t *px, int stride,
                      char *note, LwError *err)
{
    VideoJob *vj = user;
    (void)q;
    (void)note;
    return video_frame_fill(vj->frames[slot], px, stride, err);
}

static int video_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                      const char *note, LwError *err)
{
    VideoJob *vj = user;
    (void)index; (void)q; (void)px; (void)stride; (void)note;
    return video_write_frame(vj->sink, vj->frames[slot], err);
}

/* Frames as DIR/frame-00042.png, encoded on the workers. */
static int write_png_sequence(const Job *j, const FrameReq *reqs, int n, const RunOptions *ro,
                              const char *dir_arg, int *written, LwError *err)
{
    char dir[LW_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", dir_arg);
    for (size_t len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
        dir[len - 1] = '\0'; /* "out/seq/" names the folder "out/seq" */
    int rc = make_dirs(dir, err);
    PngSink ps = {&j->r, j->scene.path, dir, "frame-%05d.png"};
    /* one file per frame: a frame asked for twice is written once */
    FrameReq *unique = malloc(sizeof *unique * (n ? n : 1));
    if (!unique) return lw_fail(err, LW_ERUNTIME, "out of memory");
    int nu = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int k = 0; k < nu && !seen; k++) seen = unique[k].frame == reqs[i].frame;
        if (!seen) unique[nu++] = reqs[i];
    }
    RunOptions with_png = *ro;
    with_png.hook = png_hook;
    with_png.hook_user = &ps;
    if (!rc) rc = render_run(&j->r, unique, nu, &with_png, nothing_sink, NULL, err);
    free(unique);
    if (written) *written = rc ? 0 : nu;
    if (rc == LW_EINTR) /* each PNG is whole: say what is there */
        return lw_fail(err, LW_ERUNTIME, "layerwarp: interrupted; the frames finished before it "
                       "are in %s, no partial file", dir);
    return rc;
}

static RunOptions run_options(const Options *o, int progress)
{
    RunOptions ro = {o->jobs ? o->jobs : default_jobs(), progress && !o->quiet && isatty(2), &g_stop,
                     NULL, NULL};
    return ro;
}

/* ---- commands ---------------------------------------------------------------------- */

static int is_dir_target(const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    return (n && path[n - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmd_render(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    double t0 = now();
    FrameReq *reqs = NULL;
    int n = 0;
    int rc = load_requests(o, &j, &reqs, &n, &err);
    const char *out = o->output ? o->output : j.scene.output.path;
    if (!rc && !is_dir_target(out) && video_format_check(out, &err) != LW_OK) {
        LwError inner = err;
        rc = lw_fail(&err, LW_EINPUT, "%s: %s", out, inner.msg);
    }
    RunOptions ro = run_options(o, 1);
    if (!rc && is_dir_target(out)) {
        rc = write_png_sequence(&j, reqs, n, &ro, out, NULL, &err);
    } else if (!rc) {
        VideoSink *v = NULL;
        const RenderConfig *cfg = &j.scene.render;
        VideoOptions vo = {.width = cfg->style.width, .height = cfg->style.height,
                           .fps = cfg->timeline.fps, .crf = j.scene.output.crf, .n_frames = n};
        snprintf(vo.preset, sizeof vo.preset, "%s", j.scene.output.preset);
        rc = parent_dirs(out, &err);
        if (!rc) rc = video_open(&v, out, &vo, &err);
        int slots = render_slots(ro.threads);
        VideoJob vj = {v, calloc(slots, sizeof(VideoFrame *))};
        if (!rc && !vj.frames) rc = lw_fail(&err, LW_ERUNTIME, "out of memory");
        for (int i = 0; !rc && i < slots; i++) rc = video_frame_new(v, &vj.frames[i], &err);
        ro.hook = video_hook;
        ro.hook_user = &vj;
        if (!rc) rc = render_run(&j.r, reqs, n, &ro, video_sink, &vj, &err);
        if (!rc) rc = video_close(&v, &err);
        video_abort(&v);
        for (int i = 0; vj.frames && i < slots; i++) video_frame_free(&vj.frames[i]);
        free(vj.frames);
    }
    if (!rc && !o->quiet) {
        double el = now() - t0;
        /* the one summary line (the progress bar, on a terminal, came before) */
        struct stat st;
        long long size = stat(out, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
        fprintf(stderr, "rendered %d frames in %.2f s (%.1f fps) to %s", n, el, n / el, out);
        if (size >= 0) fprintf(stderr, " (%.1f KiB)", size / 1024.0);
        fputc('\n', stderr);
    }
    free(reqs);
    free_job(&j);
    return report(rc, &err);
}

static int cmd_frames(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    FrameReq *reqs = NULL;
    int n = 0;
    int rc = load_requests(o, &j, &reqs, &n, &err);
    char dir[LW_PATH_MAX];
    if (o->output) snprintf(dir, sizeof dir, "%s", o->output);
    else snprintf(dir, sizeof dir, "out/%s-frames", j.scene.name);
    RunOptions ro = run_options(o, 1);
    int written = 0;
    if (!rc) rc = write_png_sequence(&j, reqs, n, &ro, dir, &written, &err);
    if (!rc && !o->quiet) fprintf(stderr, "wrote %d frame%s to %s/\n", written, written == 1 ? "" : "s", dir);
    free(reqs);
    free_job(&j);
    return report(rc, &err);
}

static int cmd_hash(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    FrameReq *reqs = NULL;
    int n = 0;
    int rc = load_requests(o, &j, &reqs, &n, &err);
    RunOptions ro = run_options(o, 0);
    ro.hook = hash_hook;
    ro.hook_user = &j.r;
    if (!rc) rc = render_run(&j.r, reqs, n, &ro, hash_sink, &j.r, &err);
    if (!rc && fflush(stdout) != 0)
        rc = lw_fail(&err, LW_ERUNTIME, "cannot write to standard output: %s", strerror(errno));
    free(reqs);
    free_job(&j);
    return report(rc, &err);
}

/* The four states of a layer, then a contact sheet of them side by side. */
typedef struct {
    uint8_t *frames[STAGE_MAX_STEPS + 1]; /* (height, stride) Cairo ARGB32 pixels */
    int stride;
} StepSink;
/* Step stills are held in the sink's own buffers: copy row by row. */
typedef struct {
    StepSink *s;
    int height;
} StepCopy;

static int step_copy(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                     const char *note, LwError *err)
{
    StepCopy *c = user;
    (void)q; (void)slot; (void)note; (void)err;
    int row = c->s->stride < stride ? c->s->stride : stride;
    for (int y = 0; y < c->height; y++)
        memcpy(c->s->frames[index] + (size_t)y * c->s->stride, px + (size_t)y * stride, row);
    return LW_OK;
}

static int write_still(const uint8_t *px, int width, int height, int stride, const char *path,
                       const char *scene, const char *what, LwError *err)
{
    PngText texts[] = {{"Software", "layerwarp " LW_VERSION}, {"Scene", scene}, {"Stage", what}};
    return png_write_bgra(path, px, width, height, stride, texts, 3, err);
}

/* The sheet of the show's layer `layer` (0-based), titled by its name as
 * the command line gave it ("2", "D1"). */
static int contact_sheet(const Job *j, const StepSink *s, int layer, const char *name,
                         const char *path, LwError *err)
{
    static const char *const titles[4] = {"input", "after W", "after + b", "after %s"};
    const Style *st = &j->scene.render.style;
    int local;
    const SegmentRender *sr = renderer_segment(&j->r, stage_index(layer, STAGE_LINEAR), &local);
    char full[4][96];
    const char *names[4];
    for (int i = 0; i < 4; i++) {
        char t[64];
        snprintf(t, sizeof t, titles[i], act_name(sr->plan.act[local / STAGE_KIND_COUNT]));
        snprintf(full[i], sizeof full[i], "layer %s: %s", name, t);
        names[i] = full[i];
    }
    uint8_t *sheet = NULL;
    int w, h, stride;
    const uint8_t *frames[4] = {s->frames[0], s->frames[1], s->frames[2], s->frames[3]};
    int rc = draw_contact_sheet(st, frames, s->stride, names, 4, &sheet, &w, &h, &stride, err);
    if (!rc) rc = write_still(sheet, w, h, stride, path, j->scene.path, "contact sheet", err);
    free(sheet);
    return rc;
}

/* With activation_steps = hadamard, a second sheet: the layer's
 * pre-activation and the state after each element-wise step of its
 * activation, each framed on its own.  Nothing when the layer has none. */
static int hadamard_sheet(const Job *j, int layer, const char *name, const char *dir,
                          const RunOptions *ro, char *path, size_t n_path, LwError *err)
{
    FrameReq q[STAGE_MAX_STEPS + 1];
    char titles[STAGE_MAX_STEPS + 1][64];
    const char *names[STAGE_MAX_STEPS + 1];
    int n = renderer_step_stills(&j->r, layer, q, titles), rc = LW_OK, w, h, stride;
    const Style *st = &j->scene.render.style;
    StepSink ss = {{NULL}, 4 * st->width};
    uint8_t *sheet = NULL;
    path[0] = '\0';
    for (int i = 0; i < n && !rc; i++) {
        names[i] = titles[i];
        if (!(ss.frames[i] = calloc((size_t)ss.stride * st->height, 1)))
            rc = lw_fail(err, LW_ERUNTIME, "cannot allocate a %dx%d frame", st->width, st->height);
    }
    StepCopy copy = {&ss, st->height};
    if (n && !rc) rc = render_run(&j->r, q, n, ro, step_copy, &copy, err);
    if (n && !rc)
        rc = draw_contact_sheet(st, (const uint8_t *const *)ss.frames, ss.stride, names, n, &sheet,
                                &w, &h, &stride, err);
    snprintf(path, n_path, "%s/layer%s-hadamard-sheet.png", dir, name);
    if (n && !rc)
        rc = write_still(sheet, w, h, stride, path, j->scene.path, "element-wise steps", err);
    if (!n || rc) path[0] = '\0';
    free(sheet);
    for (int i = 0; i < n; i++) free(ss.frames[i]);
    return rc;
}

static int cmd_step(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    if (!o->layer) {
        fprintf(stderr, "layerwarp step: --layer K is required (see 'layerwarp help step')\n");
        return 2;
    }
    int rc = load_job(o, &j, !o->quiet, 1, &err);
    /* the show's layer (0-based); its name as given, normalised ("g2" is G2) */
    LayerRef ref;
    parse_layer_ref(o->layer, &ref);
    int layer = ref.number - 1;
    char name[16], what[LW_PATH_MAX + 64];
    layer_name(ref, name, sizeof name);
    snprintf(what, sizeof what, "%s: --layer %s", o->scene_path, name);
    if (!rc && ref.tag)
        rc = network_layer(&j, ref, what, &layer, &err);
    else if (!rc && ref.number > j.r.n_layers)
        rc = lw_fail(&err, LW_EINPUT, "%s: the network has %d layers", what, j.r.n_layers);
    char dir[LW_PATH_MAX];
    if (o->output) snprintf(dir, sizeof dir, "%s", o->output);
    else if (!rc) snprintf(dir, sizeof dir, "out/%s-step", j.scene.name);
    if (!rc) rc = make_dirs(dir, &err);
    StepSink ss = {{NULL}, 0};
    if (!rc) {
        const Style *st = &j.scene.render.style;
        int s0 = stage_index(layer, STAGE_LINEAR);
        FrameReq q[4] = {renderer_request_at(&j.r, s0, 0.0), renderer_request_at(&j.r, s0, 1.0),
                         renderer_request_at(&j.r, s0 + 1, 1.0), renderer_request_at(&j.r, s0 + 2, 1.0)};
        q[0].t = 0.0;  /* exactly the layer's input */
        q[0].stage = s0;
        for (int i = 0; i < 4; i++)
            q[i].tight = 1;
        ss.stride = 4 * st->width;
        for (int i = 0; i < 4; i++) {
            ss.frames[i] = calloc((size_t)ss.stride * st->height, 1);
            if (!ss.frames[i] && !rc)
                rc = lw_fail(&err, LW_ERUNTIME, "cannot allocate a %dx%d frame", st->width,
                             st->height);
        }
        RunOptions ro = run_options(o, 0);
        install_signals();
        StepCopy copy = {&ss, st->height};
        if (!rc) rc = render_run(&j.r, q, 4, &ro, step_copy, &copy, &err);
        static const char *const names[4] = {"input", "linear", "bias", "activation"};
        for (int i = 0; i < 4 && !rc; i++) {
            char path[LW_PATH_MAX + 64];
            snprintf(path, sizeof path, "%s/layer%s-%d-%s.png", dir, name, i, names[i]);
            rc = write_still(ss.frames[i], st->width, st->height, ss.stride, path, j.scene.path,
                             names[i], &err);
        }
        char sheet[LW_PATH_MAX + 64], steps[LW_PATH_MAX + 64];
        snprintf(sheet, sizeof sheet, "%s/layer%s-sheet.png", dir, name);
        if (!rc) rc = contact_sheet(&j, &ss, layer, name, sheet, &err);
        if (!rc) rc = hadamard_sheet(&j, layer, name, dir, &ro, steps, sizeof steps, &err);
        if (!rc && !o->quiet) fprintf(stderr, "wrote layer %s's four states and %s\n", name, sheet);
        if (!rc && !o->quiet && steps[0]) fprintf(stderr, "wrote its element-wise steps: %s\n", steps);
        for (int i = 0; i < 4; i++)
            free(ss.frames[i]);
    }
    free_job(&j);
    return report(rc, &err);
}

/* A generative model's training: its figures on one line, and with -o
 * every network's parameters (gen_weights.h), written only after training
 * succeeded and then whole or not at all. */
static int train_generative(const Options *o, const Scene *sc, LwError *err)
{
    SceneModel m;
    int rc = scene_build(sc, &m, NULL, NULL, err);
    if (!rc && o->output) rc = parent_dirs(o->output, err);
    if (!rc && o->output)
        rc = m.kind == MODEL_GAN ? gen_weights_save_gan(&m.gan, o->output, err)
                                 : gen_weights_save_vae(&m.vae, sc->model.prior, o->output, err);
    if (!rc && m.kind == MODEL_GAN)
        printf("final: steps=%d d_loss=%.4f g_loss=%.4f mmd2=%.5f mmd2_untrained=%.5f "
               "seconds=%.2f\n", m.gan_report.steps, m.gan_report.d_loss, m.gan_report.g_loss,
               m.mmd2, m.mmd2_untrained, m.gan_report.seconds);
    else if (!rc)
        printf("final: steps=%d recon=%.4f kl=%.4f coverage=%.3f mmd2=%.5f mmd2_untrained=%.5f "
               "seconds=%.2f\n", m.vae_report.steps, m.vae_report.recon, m.vae_report.kl,
               m.coverage, m.mmd2, m.mmd2_untrained, m.vae_report.seconds);
    scene_model_free(&m);
    return rc;
}

static int cmd_train(const Options *o)
{
    LwError err = {""};
    Scene sc;
    Dataset ds = {0};
    Mlp m = {0};
    TrainReport rep = {0};
    TrainWatch watch = {!o->quiet, 0, 0};
    int rc = scene_load_file_with(o->scene_path, o->sets, o->n_sets, &sc, &err);
    if (!rc && sc.model.kind != MODEL_CLASSIFIER) {
        rc = train_generative(o, &sc, &err);
        scene_free(&sc);
        return report(rc, &err);
    }
    if (!rc) rc = dataset_make(&sc.data, &ds, &err);
    if (!rc) rc = train_network(&sc.net, &sc.train, sc.path, &ds, &m, train_progress, &watch,
                                &rep, &err);
    if (!rc && o->output) rc = parent_dirs(o->output, &err);
    if (!rc && o->output) rc = mlp_save(&m, o->output, &err);
    if (!rc) {
        double loss = m.has_readout ? mlp_loss_grad(&m, ds.x, ds.label, ds.n, sc.train.l2, NULL) : 0;
        double acc = m.has_readout ? mlp_accuracy(&m, ds.x, ds.label, ds.n) : 0;
        printf("final: steps=%d loss=%.4f accuracy=%.4f seconds=%.2f\n", rep.steps, loss, acc,
               rep.seconds);
    }
    mlp_free(&m);
    dataset_free(&ds);
    scene_free(&sc);
    return report(rc, &err);
}

/* dump's --layer: a segment's own stack and its layer (0-based) in it.  A
 * plain number is a layer of the first segment (a classifier, a generator,
 * a decoder) as it always was; "D2" is a layer of that network's segment,
 * its readout excepted (not a layer of the stack). */
static int dump_layer(const Options *o, const Job *j, const Segment **seg, int *layer,
                      LwError *err)
{
    LayerRef ref;
    parse_layer_ref(o->layer, &ref);
    char name[16], what[LW_PATH_MAX + 64];
    layer_name(ref, name, sizeof name);
    snprintf(what, sizeof what, "%s: --layer %s", o->scene_path, name);
    *seg = &j->model.show.segments[0];
    *layer = ref.number - 1;
    if (!ref.tag) {
        if (*layer >= (*seg)->net.n_layers)
            return lw_fail(err, LW_EINPUT, "%s: the network has %d layers", what,
                           (*seg)->net.n_layers);
        return LW_OK;
    }
    int global, local, rc = network_layer(j, ref, what, &global, err);
    if (rc) return rc;
    const SegmentRender *sr = renderer_segment(&j->r, stage_index(global, STAGE_LINEAR), &local);
    *seg = sr->seg;
    *layer = local / STAGE_KIND_COUNT;
    if (*layer >= sr->seg->net.n_layers)
        return lw_fail(err, LW_EINPUT, "%s: that is the %s's readout; dump shows the layers "
                       "of its stack, %c%d to %c%d", what, network_noun(ref.tag, j->model.kind),
                       ref.tag, sr->net_first_layer + 1, ref.tag,
                       sr->net_first_layer + sr->seg->net.n_layers);
    return LW_OK;
}

static int cmd_dump(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    if (!o->layer || !o->stage) {
        fprintf(stderr, "layerwarp dump: --layer K and --stage S are required (see 'layerwarp help dump')\n");
        return 2;
    }
    StageKind kind = STAGE_LINEAR;
    int input = strcmp(o->stage, "input") == 0;
    if (!input && stage_kind_parse(o->stage, &kind)) {
        fprintf(stderr, "layerwarp dump: unknown stage '%s' (expected input, linear, bias or activation)\n", o->stage);
        return 2;
    }
    int rc = load_job(o, &j, !o->quiet, 0, &err);
    int layer = 0;
    const Segment *seg = NULL;
    if (!rc) rc = dump_layer(o, &j, &seg, &layer, &err);
    FILE *f = stdout;
    AtomicFile out = {0};
    if (!rc && o->output) {
        rc = parent_dirs(o->output, &err);
        if (!rc) rc = atomic_open(&out, o->output, &err);
        if (!rc) f = out.f;
    }
    /* the scene's own network, stage by stage: a plan of straight motions
     * never swaps units, so these are the network's own coordinates */
    StagePlan plan;
    if (!rc) rc = stage_plan_make(&seg->net, INTERP_STRAIGHT, REFLECT_TURN, &plan, &err);
    if (!rc) {
        int s = stage_index(layer, input ? STAGE_LINEAR : kind);
        const Stage *st = &plan.stages[s];
        /* the points the segment carries first: a classifier's data, a
         * generator's latent samples, a discriminator's real data */
        const PointSet *ps = &seg->sets[0];
        int dim = input ? st->dim_in : st->dim_out;
        fprintf(f, "index,label");
        for (int d = 0; d < dim; d++) fprintf(f, ",x%d", d + 1);
        fputc('\n', f);
        for (int i = 0; i < ps->n; i++) {
            double state[LW_MAX_WIDTH];
            stage_start_state(&plan, s, ps->x + (size_t)i * ps->dim, state);
            if (!input) stage_end(&plan, s, state, state);
            fprintf(f, "%d,%d", i, ps->label[i]);
            for (int d = 0; d < dim; d++) fprintf(f, ",%.17g", state[d]);
            fputc('\n', f);
        }
        if (o->output)
            rc = atomic_commit(&out, &err);
        else if (fflush(f) != 0 || ferror(f))
            rc = lw_fail(&err, LW_ERUNTIME, "cannot write to standard output: %s", strerror(errno));
    }
    atomic_abort(&out);
    free_job(&j);
    return report(rc, &err);
}

/* The classifier's lines of `info`; returns train_spread's code. */
static int info_classifier(const Scene *sc, const SceneModel *m, LwError *err)
{
    const Mlp *net = &m->net;
    int rc = 0;
        printf("network:    ");
        for (int i = 0; i <= net->n_layers; i++) printf(i ? "-%d" : "%d", net->widths[i]);
        printf(" (");
        for (int l = 0; l < net->n_layers; l++) printf(l ? ", %s" : "%s", act_name(net->act[l]));
        printf(")%s, %zu parameters\n", net->has_readout ? (net->n_out == 1 ? " + sigmoid readout" : " + softmax readout") : "",
               net->n_params);
        if (sc->net.has_weights) printf("weights:    fixed, from the scene\n");
        else printf("training:   %d steps taken (%s, learning rate %g, readable %g), %.2f s\n",
                    m->report.steps, sc->train.optimizer == OPT_ADAM ? "adam" : "sgd",
                    sc->train.learning_rate, sc->train.readable, m->report.seconds);
        if (m->accuracy >= 0) printf("accuracy:   %.4f\n", m->accuracy);
        /* how far each layer's picture is from a line (readable.h): near 0 is a sliver */
        double spread[LW_MAX_LAYERS];
        if (net->n_layers > 0 && m->data.n > 0) {
            rc = train_spread(net, &m->data, spread, err);
            if (!rc) {
                printf("spread:     ");
                for (int l = 0; l < net->n_layers; l++) printf(l ? " %.3f" : "%.3f", spread[l]);
                printf("\n");
            }
        }
    return rc;
}

/* A generative model whose parameters came from a weights file: nothing
 * was trained; the figures are measured on those parameters. */
static void info_fixed(const Scene *sc, const SceneModel *m)
{
    printf("weights:    fixed, from %s (not trained); ", sc->net.weights_path);
    if (m->kind == MODEL_GAN)
        printf("d_loss %.4f, g_loss %.4f on them\n", m->gan_report.d_loss, m->gan_report.g_loss);
    else if (m->kind == MODEL_VAE)
        printf("reconstruction %.4f, KL %.4f, latent coverage %.3f\n", m->vae_report.recon,
               m->vae_report.kl, m->coverage);
    else
        printf("reconstruction %.4f\n", m->vae_report.recon);
}

static void info_generative(const Scene *sc, const SceneModel *m)
{
    const NetSpec *net = &sc->net;
    int gan = m->kind == MODEL_GAN;
    printf("network:    %s %s ", model_kind_name(m->kind), gan ? "generator" : "decoder");
    for (int i = 0; i < net->n_widths; i++) printf(i ? "-%d" : "%d", net->widths[i]);
    printf(" (%s; last layer identity), latent %d, %s prior\n", act_name(net->act[0]),
           sc->model.latent, prior_name(sc->model.prior));
    if (sc->net.has_weights)
        info_fixed(sc, m);
    else if (gan)
        printf("training:   %d steps, d_loss %.4f, g_loss %.4f, %.2f s\n", m->gan_report.steps,
               m->gan_report.d_loss, m->gan_report.g_loss, m->gan_report.seconds);
    else if (m->kind == MODEL_VAE)
        printf("training:   %d steps, reconstruction %.4f, KL %.4f (beta %g), latent coverage "
               "%.3f, %.2f s\n", m->vae_report.steps, m->vae_report.recon, m->vae_report.kl,
               sc->model.beta, m->coverage, m->vae_report.seconds);
    else
        printf("training:   %d steps, reconstruction %.4f, %.2f s (no noise, no KL: the codes "
               "need not fill the prior)\n", m->vae_report.steps, m->vae_report.recon,
               m->vae_report.seconds);
    if (m->kind == MODEL_AUTOENCODER && m->coverage_sigma > 0)
        printf("coverage:   %.3f of the latent grid within 2\xcf\x83 of a code, \xcf\x83 %.3f the "
               "compared VAE's mean\n", m->coverage, m->coverage_sigma);
    printf("samples:    MMD\xc2\xb2 to the data %.5f (untrained %.5f: %.1f %%)\n", m->mmd2,
           m->mmd2_untrained, m->mmd2_untrained > 0 ? 100 * m->mmd2 / m->mmd2_untrained : 0);
    if (sc->model.n_paths || sc->model.n_arith)
        printf("paths:      %d latent path%s, %d example%s of latent arithmetic\n",
               sc->model.n_paths, sc->model.n_paths == 1 ? "" : "s", sc->model.n_arith,
               sc->model.n_arith == 1 ? "" : "s");
    printf("networks:   ");
    for (int i = 0; i < sc->model.n_networks; i++)
        printf(i ? ", %s" : "%s", model_net_name(sc->model.networks[i]));
    printf(" (shown in this order)\n");
}

/* The data and the model of one panel. */
static int info_model(const Scene *sc, const SceneModel *m, LwError *err)
{
    printf("dataset:    %s, %d points, %d classes%s\n", dataset_kind_name(sc->data.kind),
           m->data.n, m->data.classes, sc->data.draw == DRAW_CURVES ? ", drawn as curves" : "");
    if (m->kind != MODEL_CLASSIFIER) {
        info_generative(sc, m);
        return LW_OK;
    }
    int rc = info_classifier(sc, m, err);
    const History *h = &m->history;
    if (!rc && h->n_snapshots) { /* training = replay */
        printf("replayed:   ");
        for (int k = 0; k < h->n_snapshots; k++)
            printf("%sstep %d (%.1f %%)", k ? ", " : "", h->step[k], 100 * h->accuracy[k]);
        printf("\n");
    }
    return rc;
}

/* activation_steps = hadamard: each split activation's steps, one line per layer. */
static void info_steps(const Renderer *r)
{
    for (int l = 0; l < r->n_layers; l++) {
        int local, s = stage_index(l, STAGE_ACTIVATION);
        const SegmentRender *sr = renderer_segment(r, s, &local);
        int n = stage_step_count(&sr->plan, local), layer = sr->plan.stages[local].layer;
        if (!n) continue;
        printf("steps:      layer %d: ", l + 1);
        for (int k = 0; k < n; k++)
            printf(k ? ", %s" : "%s", stage_step_name(sr->plan.steps[layer][k]));
        printf(" (%s in element-wise steps)\n", act_name(sr->plan.act[layer]));
    }
}

static int cmd_info(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    int rc = load_job(o, &j, !o->quiet, 0, &err);
    if (!rc) {
        const Scene *sc = &j.scene;
        const Renderer *r = &j.r;
        const SceneModel *m = &j.model;
        const RenderConfig *cfg = &sc->render;
        printf("scene:      %s\n", sc->path);
        rc = info_model(sc, m, &err);
        if (!rc && sc->compare) {
            printf("beside it, in a second panel ([compare]):\n");
            rc = info_model(sc->compare, m->compare, &err);
        }
        int hidden = 0, readouts = 0;
        for (int k = 0; k < r->n_segments; k++) {
            hidden += r->segs[k].plan.n_hidden;
            readouts += r->segs[k].plan.readout;
        }
        printf("stages:     %d (%d layers%s x linear, bias, activation", r->n_stages, hidden,
               readouts ? " and the readout" : "");
        if (r->n_segments > 1) printf(", in %d segments", r->n_segments);
        printf("), %s motion\n", cfg->interpolation == INTERP_POLAR ? "polar" : "straight");
        if (renderer_beside(r))
            printf("panels:     2 side by side, %d + %d stages, in step\n", r->n_stages,
                   renderer_beside(r)->n_stages);
        info_steps(r);
        printf("frames:     %d at %g fps = %.2f s, %dx%d\n", r->timeline.n_frames, cfg->timeline.fps,
               r->timeline.n_frames / cfg->timeline.fps, cfg->style.width, cfg->style.height);
        printf("output:     %s\n", sc->output.path);
    }
    free_job(&j);
    return report(rc, &err);
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("layerwarp %s (cairo %s)\n", LW_VERSION, draw_cairo_version());
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage_all(stdout);
        return 0;
    }
    if (!strcmp(cmd, "help")) {
        if (argc < 3) {
            usage_all(stdout);
            return 0;
        }
        const Command *c = find_command(argv[2]);
        if (!c) return usage_error("help", "unknown command '%s'", argv[2]);
        usage_command(stdout, c);
        return 0;
    }
    const Command *c = find_command(cmd);
    if (!c) {
        fprintf(stderr, "layerwarp: unknown command '%s' (see 'layerwarp --help')\n", cmd);
        return 2;
    }
    Options o = {.cmd = cmd};
    int rc = parse_options(argc - 1, argv + 1, &o);
    if (rc) return rc < 0 ? 0 : rc;
    if (!strcmp(cmd, "render")) return cmd_render(&o);
    if (!strcmp(cmd, "frames")) return cmd_frames(&o);
    if (!strcmp(cmd, "step")) return cmd_step(&o);
    if (!strcmp(cmd, "hash")) return cmd_hash(&o);
    if (!strcmp(cmd, "train")) return cmd_train(&o);
    if (!strcmp(cmd, "dump")) return cmd_dump(&o);
    return cmd_info(&o);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* we check GSL's return codes */
    int status = run(argc, argv);
    /* Results went to stdout: a full disk or closed pipe there is a failure
     * too, not a silent success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "layerwarp: cannot write to standard output: %s\n", strerror(errno));
        if (status == 0) status = 1;
    }
    /* hand back the font caches Cairo and fontconfig keep for the process,
     * so leak checkers see only our own memory */
    draw_release_caches();
    return status;
}
