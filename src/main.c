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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "classifier.h"
#include "draw.h"
#include "gen_weights.h"
#include "weights_io.h"
#include "hash.h"
#include "html_page.h"
#include "input_file.h"
#include "join.h"
#include "montage.h"
#include "piece.h"
#include "png_out.h"
#include "render.h"
#include "scene.h"
#include "share.h"
#include "sweep.h"
#include "train.h"
#include "video.h"
#include "video_lib.h"

static volatile sig_atomic_t g_stop;

/* Folders this run created, removed again (when empty) if it fails, so a
 * refused or interrupted run leaves no trace. */
#define MAX_CREATED 32
static char g_created[MAX_CREATED][LW_PATH_MAX];
static volatile sig_atomic_t g_n_created;

/* The longest names written into an output folder: "frame-000000000.png",
 * "layerG16-hadamard-sheet.png". */
#define SEQUENCE_NAME_ROOM 20
#define STEP_NAME_ROOM 32

static void remove_created_folders(void)
{
    for (int i = g_n_created; i-- > 0;)
        rmdir(g_created[i]); /* async-signal-safe; a folder that holds files stays */
    g_n_created = 0;
}

/* The first SIGINT/SIGTERM asks the pipeline to stop: it finishes the file
 * in hand's clean-up and says so.  A second one stops at once, but first
 * removes this process's temporaries (and its new empty folders), so even an
 * impatient user is left no partial file. */
static void on_signal(int sig)
{
    if (!g_stop) {
        g_stop = sig;
        return;
    }
    atomic_remove_all_temps();
    remove_created_folders();
    static const char msg[] = "layerwarp: interrupted again; stopped at once, no partial "
                              "file was left behind\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(128 + sig);
}

/* Installed only while outputs are being written (temporary files exist)
 * by every command that writes: before that the default action applies and
 * nothing needs cleaning up. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* LW_EINTR when a signal asked us to stop. */
static int stopped(LwError *err)
{
    return g_stop ? lw_fail(err, LW_EINTR, "interrupted") : LW_OK;
}

/* ---- helpers -------------------------------------------------------------------- */

/* msg and a newline on stderr, as one line whatever msg holds: a control
 * byte from an input (a CSV field, a weights file, a path with a newline)
 * is shown escaped, \n, \r or \x1b, never sent to the terminal. */
static void print_line(const char *msg)
{
    for (const unsigned char *c = (const unsigned char *)msg; *c; c++) {
        if (*c == '\n') fputs("\\n", stderr);
        else if (*c == '\r') fputs("\\r", stderr);
        else if ((*c < 0x20 && *c != '\t') || *c == 0x7f) fprintf(stderr, "\\x%02x", *c);
        else fputc(*c, stderr);
    }
    fputc('\n', stderr);
}

/* The one line on stderr and the exit status.  Bad input names its
 * file:line or the option; every other message starts "layerwarp: ".  An
 * interruption exits as shells expect of a signal: 128 + its number. */
static int report(int rc, const LwError *err)
{
    /* the work is over, its clean-up done: a signal now (the second of an
     * impatient pair, say) must not add a line of its own */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    if (rc)
        remove_created_folders();
    if (rc == LW_EINTR) {
        const char *what = strncmp(err->msg, "layerwarp: interrupted", 22) == 0
                               ? err->msg : "layerwarp: interrupted; no partial file was left behind";
        print_line(what);
        return 128 + (g_stop ? (int)g_stop : SIGINT);
    }
    if (rc && err->msg[0]) {
        if (rc != LW_EINPUT && strncmp(err->msg, "layerwarp", 9) != 0)
            fputs("layerwarp: ", stderr);
        print_line(err->msg);
    }
    return lw_exit_status(rc);
}

static int online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 64 ? 64 : (int)n);
}

/* Worker threads: -j, or one per core.  More than four per core (or 64)
 * draw no faster and only hold more frames in memory, so -j is lowered to
 * that; the frames are the same bits for any count. */
static int worker_count(const Options *o)
{
    int cap = 4 * online_cores();
    if (cap > 64) cap = 64;
    int n = o->jobs ? o->jobs : online_cores();
    return n > cap ? cap : n;
}

/* ---- the memory budget ---------------------------------------------------- */

/* Frames' worth of memory an encoder holds besides ours, measured at 4K
 * (peak resident size over the frame size): x264 ~10, VP9 ~30, FFV1 and
 * the GIF's palette passes a few. */
static int encoder_frames(const char *path, const char *format)
{
    const char *dot = strrchr(path, '.');
    const char *f = format ? format : dot ? dot + 1 : "";
    if (!strcasecmp(f, "webm")) return 32;
    if (!strcasecmp(f, "mp4")) return 12;
    if (!strcasecmp(f, "gif")) return 6;
    if (!strcasecmp(f, "mkv")) return 4;
    return 0; /* PNG files: written row by row */
}

/* The budget: LAYERWARP_MEMORY_MIB when set, else half the machine's
 * memory.  In bytes; *why says where it came from. */
static double memory_budget(const char **why)
{
    const char *env = getenv("LAYERWARP_MEMORY_MIB");
    char *end;
    double mib = env ? strtod(env, &end) : 0;
    if (env && end != env && !*end && mib > 0) {
        *why = "LAYERWARP_MEMORY_MIB";
        return mib * 1048576.0;
    }
    *why = "half this machine's memory; LAYERWARP_MEMORY_MIB sets another";
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? 0.5 * (double)pages * (double)page : 4.0 * 1073741824.0;
}

/* Frames in flight to an encoder: twice the workers' number, up to four
 * times while they fit in 32 MiB (as BGRA): the workers draw behind the
 * encoder (RunOptions.behind_encoder), and the deeper queue lets them bank
 * frames while it is busy.  720p gets 8 slots on 2 workers; 1080p and 4K
 * keep 4, so their peak memory stays the encoder's. */
static int video_slots(int threads, int width, int height)
{
    long budget = 32L << 20, frame = 4L * width * height;
    int fit = (int)(budget / (frame > 0 ? frame : 1));
    int lo = render_slots(threads), hi = 2 * lo;
    return fit < lo ? lo : fit > hi ? hi : fit;
}

/* What a command that draws holds at once, estimated before anything is
 * trained or allocated: per worker one frame being drawn, the frames in
 * flight (twice the workers; a render, as video_slots gives a video), the
 * encoder's own frames, step's stills and sheets, and the
 * points.  LW_EINPUT, naming what to lower, when it exceeds the budget. */
static int memory_check(const Options *o, const Scene *sc, LwError *err)
{
    if (o->cmd != CMD_RENDER && o->cmd != CMD_FRAMES && o->cmd != CMD_STEP && o->cmd != CMD_HASH)
        return LW_OK;
    int w = sc->render.style.width, h = sc->render.style.height, threads = worker_count(o);
    double frame = 4.0 * w * h, points = 0;
    for (const Scene *s = sc; s; s = s->compare) points += s->data.n_points;
    int extra = 0;
    const char *extra_what = "";
    if (o->cmd == CMD_STEP) { /* its stills, their copies and the sheets */
        extra = 2 * (STAGE_MAX_STEPS + 2);
        extra_what = ", and its stills and sheets";
    }
    if (o->cmd == CMD_RENDER && !o->last) {
        extra = encoder_frames(o->output ? o->output : sc->output.path, o->format);
        extra_what = extra ? ", and the encoder's" : "";
    }
    int in_flight = o->cmd == CMD_RENDER && !o->last ? video_slots(threads, w, h)
                                                    : render_slots(threads);
    double need = frame * (threads + in_flight + extra) + 512.0 * points;
    const char *why;
    double budget = memory_budget(&why);
    if (need <= budget) return LW_OK;
    return lw_fail(err, LW_EINPUT, "layerwarp %s: this would take about %.1f GiB (%d worker%s "
                   "with %dx%d frames%s%s), more than the budget of %.1f GiB (%s): lower "
                   "--size%s", o->cmd_name, need / 1073741824.0, threads,
                   threads == 1 ? "" : "s", w, h, extra_what,
                   points > 100000 ? ", and the points" : "", budget / 1073741824.0, why,
                   threads > 1 ? " or -j" : "");
}

/* Creates the folder path and the folders above it.  `room`: the longest
 * name the caller will write inside, measured with the path before any
 * folder is made.  Each folder made is remembered, to go again if the run
 * fails. */
static int make_dirs(const char *path, size_t room, LwError *err)
{
    char buf[LW_PATH_MAX];
    size_t len = strlen(path);
    if (len + 1 + room >= sizeof buf)
        return lw_fail(err, LW_EINPUT, "%.80s...: path too long (%zu bytes; at most %zu)", path,
                       len, sizeof buf - 2 - room - ATOMIC_TEMP_EXTRA);
    /* the longest file it will hold, named with room x's */
    snprintf(buf, sizeof buf, "%s/", path);
    memset(buf + len + 1, 'x', room);
    buf[len + 1 + room] = '\0';
    int rc = atomic_check_path(room ? buf : path, err);
    if (rc) return rc;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, 0755) == 0) {
                if (g_n_created < MAX_CREATED) {
                    snprintf(g_created[g_n_created], sizeof g_created[0], "%s", buf);
                    g_n_created++;
                }
            } else if (errno != EEXIST) {
                return lw_fail(err, LW_ERUNTIME, "%s: cannot create folder: %s", buf, strerror(errno));
            }
            *p = saved;
            if (!saved) break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return lw_fail(err, LW_ERUNTIME, "%s: not a folder: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return lw_fail(err, LW_ERUNTIME, "%s: %s, not a folder", path, input_kind_name(st.st_mode));
    return LW_OK;
}

/* The folders above a file, after measuring the file's whole path. */
static int parent_dirs(const char *file, LwError *err)
{
    int rc = atomic_check_path(file, err);
    const char *slash = strrchr(file, '/');
    if (rc || !slash || slash == file) return rc;
    char dir[LW_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    return make_dirs(dir, 0, err);
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
    ShareInfo share;   /* what its outputs embed to be rendered again */
    FontLoader fonts;  /* a command that draws: the font, loaded meanwhile */
} Job;

/* Checks a command makes once the scene is read, before anything is trained:
 * what it would write, and how. */
typedef int (*SceneCheck)(const Options *o, const Scene *sc, void *user, LwError *err);

static int load_job_checked(const Options *o, Job *j, int verbose_train, RenderMode draws,
                            SceneCheck check, void *user, LwError *err)
{
    int rc = scene_load_file_with(o->scene_path, o->sets, o->n_sets, &j->scene, err);
    if (!rc && draws != RENDER_PLANS) draw_fonts_start(&j->fonts, &j->scene.render.style);
    if (!rc && check) rc = check(o, &j->scene, user, err);
    if (!rc) rc = share_info_make(&j->share, &j->scene, o->sets, o->n_sets, o->argc, o->argv, err);
    if (!rc) rc = memory_check(o, &j->scene, err);
    if (rc) return rc;
    TrainWatch watch = {verbose_train, 0, 0};
    j->have_model = 1;
    TrainCache cache;
    train_cache_locate(&cache, o->no_cache);
    rc = scene_build_cached(&j->scene, &j->model, &cache, train_progress, &watch, err);
    if (rc) return rc;
    j->have_r = 1;
    /* the boundaries, traced once per space, share out over the workers too */
    j->scene.render.geom.threads = worker_count(o);
    rc = renderer_create(&j->model.show, &j->scene.render, draws, &j->r, err);
    if (rc == LW_EINPUT && err) { /* the scene asked for too much: say which scene */
        LwError inner = *err;
        return lw_fail(err, LW_EINPUT, "%s: %s", j->scene.path, inner.msg);
    }
    return rc;
}

static int load_job(const Options *o, Job *j, int verbose_train, RenderMode draws, LwError *err)
{
    return load_job_checked(o, j, verbose_train, draws, NULL, NULL, err);
}

static void free_job(Job *j)
{
    draw_fonts_wait(&j->fonts);
    if (j->have_r) renderer_free(&j->r);
    if (j->have_model) scene_model_free(&j->model);
    share_info_free(&j->share);
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
    const char *p = cli_layer_ref(arg, &ref), *colon = p && *p == ':' ? strchr(p + 1, ':') : NULL;
    int ok = colon && colon - (p + 1) < 32;
    if (ok) {
        char *end;
        snprintf(stage, sizeof stage, "%.*s", (int)(colon - (p + 1)), p + 1);
        t = strtod(colon + 1, &end);
        ok = end != colon + 1 && !*end && t >= 0 && t <= 1;
    }
    char what[160], list[128];
    snprintf(what, sizeof what, "layerwarp %s: --at '%s'", o->cmd_name, arg);
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

/* One frame of --frames: N from 0, "last", or -K counted from the end (-1
 * is the last).  -1 when it names no frame of `total`. */
static int frame_index(const char *tok, int total)
{
    if (strcmp(tok, "last") == 0) return total - 1;
    if (!isdigit((unsigned char)tok[0]) && tok[0] != '-') return -1; /* not " 1" or "+1" */
    char *end;
    errno = 0;
    long v = strtol(tok, &end, 10);
    if (end == tok || *end || errno) return -1;
    if (v < 0) v += total;
    return v >= 0 && v < total ? (int)v : -1;
}

/* --frames A:B (either end a frame_index) or N,M,... into q; LW_EINPUT
 * naming the option when a frame is not one of the scene's. */
static int frames_option(const Options *o, const Renderer *r, FrameReq *q, int cap, int *n,
                         LwError *err)
{
    int total = r->timeline.n_frames;
    char buf[4096];
    if (strlen(o->frames) >= sizeof buf)
        return lw_fail(err, LW_EINPUT, "layerwarp %s: --frames is longer than %zu characters "
                       "(use A:B)", o->cmd_name, sizeof buf - 1);
    snprintf(buf, sizeof buf, "%s", o->frames);
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = '\0';
        int a = frame_index(buf, total), b = frame_index(colon + 1, total);
        if (a < 0 || b < a)
            return lw_fail(err, LW_EINPUT, "layerwarp %s: --frames %s is outside 0:%d (the "
                           "scene has %d frames; 'last' or -1 is the last)", o->cmd_name,
                           o->frames, total - 1, total);
        for (int f = a; f <= b; f++) q[(*n)++] = renderer_request_frame(r, f);
        return LW_OK;
    }
    /* every item a frame: "", ",,," or "0,,1" name nothing where a frame was due */
    for (char *tok = buf, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next) *next++ = '\0';
        int f = frame_index(tok, total);
        if (f < 0)
            return lw_fail(err, LW_EINPUT, "layerwarp %s: --frames: '%s' is not a frame from 0 "
                           "to %d, 'last' or -1 to -%d (use A:B or N,M,...)", o->cmd_name, tok,
                           total - 1, total);
        if (*n == cap)
            return lw_fail(err, LW_EINPUT, "layerwarp %s: --frames lists more than %d frames",
                           o->cmd_name, cap);
        q[(*n)++] = renderer_request_frame(r, f);
    }
    return LW_OK;
}

/* Parses --frames and --at into requests (render -s: the last frame); all
 * frames when none is given.  LW_EINPUT with the usage message in err for a
 * bad frame option. */
static int frame_requests(const Options *o, const Job *j, FrameReq **out, int *n_out,
                          LwError *err)
{
    const Renderer *r = &j->r;
    /* room for every item of --frames N,M,... (a frame may be listed twice:
     * each is drawn as asked, and a folder gets it once) */
    int items = 1;
    for (const char *c = o->frames ? o->frames : ""; *c; c++) items += *c == ',';
    int total = r->timeline.n_frames, n = 0, rc = LW_OK;
    int cap = (items > total ? items : total) + o->n_at + 16;
    FrameReq *q = malloc(sizeof *q * cap);
    if (!q) return lw_fail(err, LW_ERUNTIME, "out of memory for %d frame requests", cap);
    if (o->frames) rc = frames_option(o, r, q, cap - o->n_at, &n, err);
    for (int i = 0; !rc && i < o->n_at; i++) rc = at_request(o, j, o->at[i], &q[n++], err);
    if (!rc && o->last) {
        n = 0; /* -s with --frames or --at was refused before */
        q[n++] = renderer_request_frame(r, total - 1);
    } else if (!rc && o->piece_n) { /* --frames, --at and -s were refused before */
        int first = 0, last = -1;
        rc = piece_range(o->piece_k, o->piece_n, total, &first, &last, err);
        for (int f = first; !rc && f <= last; f++) q[n++] = renderer_request_frame(r, f);
    } else if (!rc && !o->frames && !o->n_at) {
        for (int f = 0; f < total; f++) q[n++] = renderer_request_frame(r, f);
    }
    if (rc) {
        free(q);
        return rc;
    }
    *out = q;
    *n_out = n;
    return LW_OK;
}

/* Loads the job and turns --frames/--at into requests. */
static int load_requests(const Options *o, Job *j, SceneCheck check, void *user, FrameReq **reqs,
                         int *n, LwError *err)
{
    int rc = load_job_checked(o, j, !o->quiet, RENDER_ON_REQUEST, check, user, err);
    if (!rc) rc = frame_requests(o, j, reqs, n, err);
    if (!rc) rc = renderer_prepare(&j->r, *reqs, *n, err); /* the camera for these frames */
    if (!rc) install_signals(); /* from here on, outputs are being written */
    return rc;
}

/* ---- sinks ---------------------------------------------------------------------- */

typedef struct {
    const Renderer *r;
    const char *scene_path;
    const ShareInfo *share;
    const char *dir;
    const char *fmt;   /* file name pattern with one %05d */
    const char *file;  /* one still: this file ("-": stdout) instead of dir/fmt */
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
    if (s->file) {
        snprintf(path, sizeof path, "%s", s->file);
    } else {
        snprintf(name, sizeof name, s->fmt, q.frame);
        snprintf(path, sizeof path, "%s/%s", s->dir, name);
    }
    renderer_label(s->r, q, label, sizeof label);
    snprintf(frame, sizeof frame, "%d", q.frame);
    PngText texts[] = {{"Software", "layerwarp " LW_VERSION, 0}, {"Scene", s->scene_path, 0},
                       {"Frame", frame, 0}, {"Stage", label, 0},
                       {SHARE_KEY_SCENE, s->share->scene, 1},
                       {SHARE_KEY_VERSION, s->share->version, 1},
                       {SHARE_KEY_NEEDS, s->share->needs, 1}};
    /* no command line: a frame's file is the same bytes whichever command,
     * -j or -o wrote it (render -s, frames --frames last) */
    return png_write_bgra(path, px, s->r->frame->width, s->r->frame->height,
                          stride, texts, 7, err);
}

static int nothing_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                        const char *note, LwError *err)
{
    (void)user; (void)index; (void)q; (void)slot; (void)px; (void)stride; (void)note; (void)err;
    return LW_OK;
}

/* Hashing runs on the workers; printing, in order, on the caller. */
/* hash: what the hook and the sink share */
typedef struct {
    const Renderer *r;
    HashAlgo algo;
} HashJob;

static int hash_hook(void *user, FrameReq q, int slot, const uint8_t *px, int stride, char *note,
                     LwError *err)
{
    (void)slot;
    (void)q;
    const HashJob *h = user;
    if (hash_pixels_with(h->algo, px, h->r->frame->width, h->r->frame->height, stride, note))
        return lw_fail(err, LW_ERUNTIME, "out of memory hashing");
    return LW_OK;
}

static int hash_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                     const char *note, LwError *err)
{
    const HashJob *h = user;
    char label[64];
    (void)index; (void)slot; (void)px; (void)stride;
    renderer_label(h->r, q, label, sizeof label);
    if (printf("%d %s %s\n", q.frame, label, note) < 0)
        return lw_fail(err, LW_ERUNTIME, "cannot write to standard output: %s", strerror(errno));
    return LW_OK;
}

/* Video: colour conversion on the workers (one VideoFrame per slot), the
 * encoder fed in order on the caller. */
typedef struct {
    VideoSink *sink;
    VideoFrame **frames;   /* (RunOptions.slots) */
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

/* The frame number of a sequence file's name "frame-00042.png", or -1. */
static long sequence_index(const char *name)
{
    if (strncmp(name, "frame-", 6) != 0) return -1;
    const char *d = name + 6, *p = d;
    while (isdigit((unsigned char)*p)) p++;
    if (p - d < 5 || p - d > 9 || strcmp(p, ".png") != 0) return -1;
    return strtol(d, NULL, 10);
}

/* A whole sequence rendered again: the frames of an earlier, longer render
 * that this one did not write would play on after its end.  Only after the
 * new frames are all written, so a failed render loses nothing. */
static int remove_stale_frames(const char *dir, const FrameReq *kept, int n, LwError *err)
{
    DIR *d = opendir(dir);
    if (!d) return lw_fail(err, LW_ERUNTIME, "%s: %s", dir, strerror(errno));
    int rc = LW_OK;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        long f = sequence_index(e->d_name);
        int ours = f < 0;
        for (int k = 0; k < n && !ours; k++) ours = kept[k].frame == f;
        char path[LW_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!ours && unlink(path) != 0 && errno != ENOENT)
            rc = lw_fail(err, LW_ERUNTIME, "%s: cannot remove an earlier render's frame: %s",
                         path, strerror(errno));
    }
    closedir(d);
    return rc;
}

/* Frames as DIR/frame-00042.png, encoded on the workers; `replace`: the
 * folder's other frame-*.png files (an earlier render's) go. */
static int write_png_sequence(const Job *j, const FrameReq *reqs, int n, const RunOptions *ro,
                              const char *dir_arg, int replace, int *written, LwError *err)
{
    char dir[LW_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", dir_arg);
    for (size_t len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
        dir[len - 1] = '\0'; /* "out/seq/" names the folder "out/seq" */
    int rc = make_dirs(dir, SEQUENCE_NAME_ROOM, err);
    PngSink ps = {&j->r, j->scene.path, &j->share, dir, "frame-%05d.png", NULL};
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
    if (!rc && replace) rc = remove_stale_frames(dir, unique, nu, err);
    free(unique);
    if (written) *written = rc ? 0 : nu;
    if (rc == LW_EINTR) /* each PNG is whole: say what is there */
        return lw_fail(err, LW_EINTR, "layerwarp: interrupted; the frames finished before it "
                       "are in %s, no partial file", dir);
    return rc;
}

/* One frame as one PNG file (or stdout for "-"), written whole. */
static int write_png_still(const Job *j, FrameReq q, const RunOptions *ro, const char *path,
                           LwError *err)
{
    int rc = strcmp(path, "-") == 0 ? LW_OK : parent_dirs(path, err);
    PngSink ps = {&j->r, j->scene.path, &j->share, NULL, NULL, path};
    RunOptions with_png = *ro;
    with_png.hook = png_hook;
    with_png.hook_user = &ps;
    if (!rc) rc = render_run(&j->r, &q, 1, &with_png, nothing_sink, NULL, err);
    return rc;
}

static RunOptions run_options(const Options *o, int progress)
{
    RunOptions ro = {.threads = worker_count(o),
                     .progress = progress && !o->quiet && isatty(2), .stop = &g_stop};
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

/* What render writes: a video (a file, or stdout), a PNG sequence, or one
 * PNG (render -s), worked out from -o, -s, --format and the scene. */
typedef enum { TARGET_VIDEO, TARGET_SEQUENCE, TARGET_STILL, TARGET_PAGE } TargetKind;

typedef struct {
    TargetKind kind;
    char path[LW_PATH_MAX + 300];  /* "-" for stdout; a page's video */
    char page[LW_PATH_MAX + 300];  /* TARGET_PAGE: the web page, beside its video */
    const char *format;            /* a video's --format, or NULL: its extension's */
} RenderTarget;

static int has_extension(const char *path, const char *ext)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot && strcasecmp(dot, ext) == 0;
}

/* "layerwarp render: MESSAGE (see 'layerwarp help render')" */
__attribute__((format(printf, 2, 3)))
static int render_refuse(LwError *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (len >= (int)sizeof msg - 48) /* keep the pointer to help whole */
        snprintf(msg + sizeof msg - 52, 52, "...");
    return lw_fail(err, LW_EINPUT, "layerwarp render: %.*s (see 'layerwarp help render')",
                   (int)sizeof msg - 60, msg);
}

/* render -s: one PNG at -o FILE.png, -o - (stdout), DIR/NAME.png, or beside
 * the scene's own output (out/NAME.mp4 gives out/NAME.png). */
static int still_target(const Options *o, const Scene *sc, const char *out, RenderTarget *t,
                        LwError *err)
{
    t->kind = TARGET_STILL;
    if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
        return render_refuse(err, "-o -: standard output is a terminal, no place for a PNG "
                             "(pipe it, or give -o FILE.png)");
    if (o->frames || o->n_at)
        return render_refuse(err, "-s is the last frame; for others use 'layerwarp frames'");
    if (o->format && strcmp(o->format, "png") != 0)
        return render_refuse(err, "-s writes a PNG, not --format %s", o->format);
    if (o->gave_crf || o->gave_preset)
        return render_refuse(err, "--%s does not apply to a PNG (-s)",
                             o->gave_crf ? "crf" : "preset");
    if (strcmp(out, "-") == 0 || (o->output && has_extension(out, ".png")))
        snprintf(t->path, sizeof t->path, "%s", out);
    else if (o->output && is_dir_target(out))
        snprintf(t->path, sizeof t->path, "%s%s%s.png", out,
                 out[strlen(out) - 1] == '/' ? "" : "/", sc->name);
    else if (o->output)
        return render_refuse(err, "-s writes one PNG, but -o %s is no .png (give -o "
                             "FILE.png, -o DIR/ or -o -)", out);
    else { /* the scene's video, as a .png */
        snprintf(t->path, sizeof t->path, "%s", out);
        char *slash = strrchr(t->path, '/'), *dot = strrchr(slash ? slash : t->path, '.');
        if (dot && dot != (slash ? slash + 1 : t->path)) *dot = '\0';
        if (strlen(t->path) + 5 > sizeof t->path)
            return render_refuse(err, "output path too long: '%s'", out);
        strcat(t->path, ".png");
    }
    return LW_OK;
}

/* An encoder setting the format has no use for: refused when the command
 * line gave it, said once on stderr when the scene did. */
static int check_encoder_settings(const Options *o, const Scene *sc, const RenderTarget *t,
                                  LwError *err)
{
    unsigned takes = video_format_takes(t->path, t->format);
    const char *name = video_format_name(t->path, t->format);
    if (o->gave_crf && !(takes & VIDEO_TAKES_CRF))
        return render_refuse(err, "--crf does not apply to %s (only .mp4 and .webm have a "
                             "quality setting)", name);
    if (o->gave_preset && !(takes & VIDEO_TAKES_PRESET))
        return render_refuse(err, "--preset does not apply to %s (only .mp4 and .webm have "
                             "presets)", name);
    VideoOptions vo = {.crf = sc->output.crf, .alpha = sc->render.style.transparency > 0};
    snprintf(vo.preset, sizeof vo.preset, "%s", sc->output.preset);
    if (t->format) snprintf(vo.format, sizeof vo.format, "%s", t->format);
    LwError inner;
    if (video_check_settings(t->path, &vo, &inner)) {
        /* a setting the scene made: its file and line, not the output's name */
        int line = o->gave_preset ? 0 : strstr(inner.msg, "preset") ? sc->output.preset_line
                 : o->gave_crf ? 0 : sc->output.crf_line;
        size_t skip = strlen(t->path) + 2;
        if (line && strncmp(inner.msg, t->path, skip - 2) == 0 && strlen(inner.msg) >= skip)
            return lw_fail(err, LW_EINPUT, "%s:%d: %s (for %s)", sc->path, line,
                           inner.msg + skip, name);
        return render_refuse(err, "%s", inner.msg);
    }
    if (!o->gave_crf && sc->output.crf >= 0 && !(takes & VIDEO_TAKES_CRF))
        fprintf(stderr, "layerwarp: warning: %s: [render] crf does not apply to %s; ignored\n",
                sc->path, name);
    if (!o->gave_preset && sc->output.preset[0] && !(takes & VIDEO_TAKES_PRESET))
        fprintf(stderr, "layerwarp: warning: %s: [render] preset does not apply to %s; "
                "ignored\n", sc->path, name);
    return LW_OK;
}

/* -o DIR/NAME.html: the page and, beside it, DIR/NAME.webm (VP9 in WebM:
 * what every browser plays, Debian's Chromium included; docs/sharing.md). */
static int page_target(const Options *o, const Scene *sc, const char *out, RenderTarget *t,
                       LwError *err)
{
    t->kind = TARGET_PAGE;
    if (o->format && strcmp(o->format, "webm") != 0)
        return render_refuse(err, "-o %s: a page plays a WebM video beside it, not --format %s",
                             out, o->format);
    snprintf(t->page, sizeof t->page, "%s", out);
    snprintf(t->path, sizeof t->path, "%.*s.webm", (int)(strlen(out) - 5), out);
    t->format = NULL;
    return check_encoder_settings(o, sc, t, err);
}

/* render --piece: a video file that join can read back, of a scene that
 * can be read again to hash it. */
static int piece_target(const Options *o, const char *out, LwError *err)
{
    if (strcmp(o->scene_path, "-") == 0)
        return render_refuse(err, "--piece needs the scene in a file (its hash tells join "
                             "which pieces belong together), not standard input");
    if (strcmp(out, "-") == 0)
        return render_refuse(err, "--piece writes a file for 'layerwarp join', not "
                             "standard output");
    if (has_extension(out, ".html"))
        return render_refuse(err, "--piece writes a video for 'layerwarp join'; make the page "
                             "from the joined video's scene (-o NAME.html), not from a piece");
    const char *name = video_format_name(out, o->format);
    if (name && strcmp(name, ".gif") == 0)
        return render_refuse(err, "--piece: a GIF's palette is made from the whole video, so "
                             "GIF pieces cannot be joined; render .mkv pieces and join them "
                             "into -o FILE.gif");
    return LW_OK;
}

/* Where and what render writes; LW_EINPUT naming the option for a
 * combination that cannot be made.  Runs before anything is trained. */
static int render_target(const Options *o, const Scene *sc, void *user, LwError *err)
{
    RenderTarget *t = user;
    const char *out = o->output ? o->output : sc->output.path;
    int rc;
    if (o->piece_n && (o->last || o->frames || o->n_at))
        return render_refuse(err, "--piece takes its own frames; it does not go with %s",
                             o->last ? "-s" : o->frames ? "--frames" : "--at");
    if (o->last) return still_target(o, sc, out, t, err);
    snprintf(t->path, sizeof t->path, "%s", out);
    int to_stdout = strcmp(out, "-") == 0;
    t->format = o->format;
    if (o->format && strcmp(o->format, "png") == 0) {
        if (to_stdout)
            return render_refuse(err, "a PNG on stdout holds one frame: add -s");
        if (!is_dir_target(out))
            return render_refuse(err, "--format png writes a sequence into a folder: give "
                                 "-o DIR/ (or -s for one PNG)");
    }
    if (!to_stdout && is_dir_target(out)) {
        t->kind = TARGET_SEQUENCE;
        if (o->piece_n)
            return render_refuse(err, "--piece writes a video; a PNG sequence is cut into "
                                 "pieces with --frames A:B");
        if (o->gave_crf || o->gave_preset)
            return render_refuse(err, "--%s does not apply to a PNG sequence",
                                 o->gave_crf ? "crf" : "preset");
        return LW_OK;
    }
    t->kind = TARGET_VIDEO;
    if ((rc = video_lib_load(err))) return rc;
    if (o->piece_n && (rc = piece_target(o, out, err))) return rc;
    if (!to_stdout && has_extension(out, ".html")) return page_target(o, sc, out, t, err);
    if (to_stdout && isatty(STDOUT_FILENO))
        return render_refuse(err, "-o -: standard output is a terminal, no place for a video "
                             "(pipe it: -o - --format mkv | ffplay -)");
    if (to_stdout && !o->format)
        return render_refuse(err, "-o - needs --format mp4, webm, mkv, gif or mov (a pipe has "
                             "no file name to say which)");
    if (!to_stdout && has_extension(out, ".png"))
        return render_refuse(err, "-o %s is one PNG: add -s for the last frame, or give "
                             "-o DIR/ for every frame", out);
    const char *named = to_stdout ? NULL : video_format_name(out, NULL);
    if (o->format && named && strcmp(named + 1, o->format) != 0)
        return render_refuse(err, "--format %s but -o %s names %s", o->format, out, named);
    if (!o->format && !named) {
        LwError inner;
        video_format_check(out, &inner);
        return render_refuse(err, "-o %s: %s", out, inner.msg);
    }
    return check_encoder_settings(o, sc, t, err);
}

/* A piece's place in the whole and its tag (piece.h). */
static int piece_options(const Options *o, const Job *j, const FrameReq *reqs, int n,
                         VideoOptions *vo, LwError *err)
{
    PieceInfo p = {.k = o->piece_k, .n = o->piece_n, .first = reqs[0].frame,
                   .last = reqs[n - 1].frame, .total = j->r.timeline.n_frames,
                   .width = vo->width, .height = vo->height};
    snprintf(p.fps, sizeof p.fps, "%g", vo->fps);
    snprintf(p.version, sizeof p.version, "%s", LW_VERSION);
    int rc = piece_scene_hash(o->scene_path, o->sets, o->n_sets, p.scene, err);
    if (rc) return rc;
    vo->first_frame = p.first;
    piece_tag_format(&p, vo->piece, sizeof vo->piece);
    return LW_OK;
}

static int write_video(const Options *o, const Job *j, const RenderTarget *t, const FrameReq *reqs, int n,
                       RunOptions *ro, LwError *err)
{
    VideoSink *v = NULL;
    const RenderConfig *cfg = &j->scene.render;
    VideoOptions vo = {.width = cfg->style.width, .height = cfg->style.height,
                       .fps = cfg->timeline.fps, .crf = j->scene.output.crf, .n_frames = n,
                       .alpha = cfg->style.transparency > 0};
    VideoTag tags[5];
    vo.tags = tags;
    vo.n_tags = share_video_tags(&j->share, tags);
    /* the whole timeline's chapters; a piece carries them as a tag, for join */
    VideoChapter *chapters = NULL;
    int n_chapters = 0, whole = n == j->r.timeline.n_frames;
    char *chapter_text = NULL;
    if ((whole || o->piece_n) && share_chapters(&j->r, &chapters, &n_chapters, err))
        return LW_ERUNTIME;
    if (whole) {
        vo.chapters = chapters;
        vo.n_chapters = n_chapters;
    } else if (o->piece_n) {
        if (!(chapter_text = share_chapters_text(chapters, n_chapters))) {
            free(chapters);
            return lw_fail(err, LW_ERUNTIME, "out of memory");
        }
        tags[vo.n_tags++] = (VideoTag){SHARE_KEY_CHAPTERS, chapter_text};
    }
    snprintf(vo.preset, sizeof vo.preset, "%s", j->scene.output.preset);
    if (t->format) snprintf(vo.format, sizeof vo.format, "%s", t->format);
    vo.stop = ro->stop;
    int rc = strcmp(t->path, "-") == 0 ? LW_OK : parent_dirs(t->path, err);
    if (!rc && o->piece_n) rc = piece_options(o, j, reqs, n, &vo, err);
    if (!rc) rc = video_open(&v, t->path, &vo, err);
    free(chapters);
    free(chapter_text);
    int slots = video_slots(ro->threads, vo.width, vo.height);
    VideoJob vj = {v, calloc(slots, sizeof(VideoFrame *))};
    if (!rc && !vj.frames) rc = lw_fail(err, LW_ERUNTIME, "out of memory");
    for (int i = 0; !rc && i < slots; i++) rc = video_frame_new(v, &vj.frames[i], err);
    ro->hook = video_hook;
    ro->hook_user = &vj;
    ro->repeat_pixels = 1; /* a hold's frame is drawn and converted once */
    ro->hook_takes_pixels = 1; /* the slot's VideoFrame is what video_sink sends */
    ro->slots = slots;
    ro->behind_encoder = 1;
    if (!rc) rc = render_run(&j->r, reqs, n, ro, video_sink, &vj, err);
    if (!rc) rc = video_close(&v, err);
    video_abort(&v);
    for (int i = 0; vj.frames && i < slots; i++) video_frame_free(&vj.frames[i]);
    free(vj.frames);
    return rc;
}

/* The page beside the video just written (render -o NAME.html). */
static int write_page(const Job *j, const RenderTarget *t, int n, LwError *err)
{
    VideoChapter *chapters = NULL;
    int n_chapters = 0;
    int whole = n == j->r.timeline.n_frames;
    if (whole && share_chapters(&j->r, &chapters, &n_chapters, err)) return LW_ERUNTIME;
    const char *slash = strrchr(t->path, '/');
    const RenderConfig *cfg = &j->scene.render;
    HtmlPage page = {.title = j->scene.name, .video = slash ? slash + 1 : t->path,
                     .width = cfg->style.width, .height = cfg->style.height,
                     .fps = cfg->timeline.fps, .n_frames = n, .chapters = chapters,
                     .n_chapters = n_chapters, .scene = j->share.scene,
                     .command = j->share.command};
    int rc = html_page_write(t->page, &page, err);
    free(chapters);
    return rc;
}

static int cmd_render(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    double t0 = now();
    FrameReq *reqs = NULL;
    RenderTarget t = {0};
    int n = 0;
    int rc = load_requests(o, &j, render_target, &t, &reqs, &n, &err);
    RunOptions ro = run_options(o, t.kind != TARGET_STILL);
    if (!rc && t.kind == TARGET_SEQUENCE)
        rc = write_png_sequence(&j, reqs, n, &ro, t.path, 1, NULL, &err);
    else if (!rc && t.kind == TARGET_STILL)
        rc = write_png_still(&j, reqs[0], &ro, t.path, &err);
    else if (!rc)
        rc = write_video(o, &j, &t, reqs, n, &ro, &err);
    if (!rc && t.kind == TARGET_PAGE)
        rc = write_page(&j, &t, n, &err);
    if (rc == LW_EINTR && strcmp(t.path, "-") == 0) /* a pipe keeps what it was sent */
        lw_fail(&err, LW_EINTR, "layerwarp: interrupted; standard output got the frames before "
                "it, a stream cut short");
    if (!rc && !o->quiet) {
        double el = now() - t0;
        /* the one summary line (the progress bar, on a terminal, came before) */
        struct stat st;
        int piped = strcmp(t.path, "-") == 0;
        long long size = !piped && stat(t.path, &st) == 0 && S_ISREG(st.st_mode)
                             ? (long long)st.st_size : -1;
        fprintf(stderr, "rendered %d frame%s in %.2f s (%.1f fps) to %s", n, n == 1 ? "" : "s",
                el, n / el, piped ? "standard output" : t.path);
        if (size >= 0) fprintf(stderr, " (%.1f KiB)", size / 1024.0);
        if (t.kind == TARGET_PAGE) fprintf(stderr, " and its page %s", t.page);
        fputc('\n', stderr);
    }
    free(reqs);
    free_job(&j);
    return report(rc, &err);
}

/* frames -o FILE.png or -o -: one PNG, so one frame. */
static int is_still_path(const char *path)
{
    return path && (strcmp(path, "-") == 0 ||
                    (has_extension(path, ".png") && !is_dir_target(path)));
}

/* The frames asked for, each once. */
static int distinct_frames(const FrameReq *reqs, int n)
{
    int d = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int k = 0; k < i && !seen; k++) seen = reqs[k].frame == reqs[i].frame;
        d += !seen;
    }
    return d;
}

static int cmd_frames(const Options *o)
{
    LwError err = {""};
    Job j = {0};
    FrameReq *reqs = NULL;
    int n = 0;
    int rc = load_requests(o, &j, NULL, NULL, &reqs, &n, &err);
    char dir[LW_PATH_MAX];
    if (o->output) snprintf(dir, sizeof dir, "%s", o->output);
    else snprintf(dir, sizeof dir, "out/%s-frames", j.scene.name);
    RunOptions ro = run_options(o, 1);
    int written = 0, still = is_still_path(o->output);
    if (!rc && still && strcmp(o->output, "-") == 0 && isatty(STDOUT_FILENO))
        rc = lw_fail(&err, LW_EINPUT, "layerwarp frames: -o -: standard output is a terminal, "
                     "no place for a PNG (pipe it, or give -o FILE.png)");
    if (!rc && still && distinct_frames(reqs, n) != 1)
        rc = lw_fail(&err, LW_EINPUT, "layerwarp frames: -o %s holds one frame, but %d are "
                     "asked for (give a folder, or one frame: --frames last)", o->output,
                     distinct_frames(reqs, n));
    if (!rc && still) {
        rc = write_png_still(&j, reqs[0], &ro, o->output, &err);
        if (!rc && !o->quiet && strcmp(o->output, "-") != 0)
            fprintf(stderr, "wrote frame %d to %s\n", reqs[0].frame, o->output);
    } else if (!rc) {
        rc = write_png_sequence(&j, reqs, n, &ro, dir, 0, &written, &err);
        if (!rc && !o->quiet)
            fprintf(stderr, "wrote %d frame%s to %s/\n", written, written == 1 ? "" : "s", dir);
    }
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
    int rc = load_requests(o, &j, NULL, NULL, &reqs, &n, &err);
    RunOptions ro = run_options(o, 0);
    HashJob h = {&j.r, (HashAlgo)o->hash_algo};
    ro.hook = hash_hook;
    ro.hook_user = &h;
    ro.repeat_pixels = 1; /* a hold's frame is drawn and hashed once */
    ro.hook_takes_pixels = 1; /* hash_sink prints the note only */
    if (!rc) rc = render_run(&j.r, reqs, n, &ro, hash_sink, &h, &err);
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

#define STILL_TEXTS 6
/* The text chunks of a still: what drew it, and what shows it again. */
static void still_texts(const Job *j, const char *what, PngText texts[STILL_TEXTS])
{
    PngText t[STILL_TEXTS] = {{"Software", "layerwarp " LW_VERSION, 0},
                              {"Scene", j->scene.path, 0}, {"Stage", what, 0},
                              {SHARE_KEY_SCENE, j->share.scene, 1},
                              {SHARE_KEY_VERSION, j->share.version, 1},
                              {SHARE_KEY_NEEDS, j->share.needs, 1}};
    memcpy(texts, t, sizeof t);
}

static int write_still(const uint8_t *px, int width, int height, int stride, const char *path,
                       const Job *j, const char *what, LwError *err)
{
    PngText texts[STILL_TEXTS];
    still_texts(j, what, texts);
    return png_write_bgra(path, px, width, height, stride, texts, STILL_TEXTS, err);
}

/* The sheet of the show's layer `layer` (0-based), titled by its name as
 * the command line gave it ("2", "D1"): *sheet (owned by the caller) of
 * w x h pixels. */
static int contact_sheet(const Job *j, const StepSink *s, int layer, const char *name,
                         uint8_t **sheet, int *w, int *h, int *stride, LwError *err)
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
    const uint8_t *frames[4] = {s->frames[0], s->frames[1], s->frames[2], s->frames[3]};
    return draw_contact_sheet(st, frames, s->stride, names, 4, sheet, w, h, stride, err);
}

/* step's five files: the layer's four states and their sheet, written at
 * once on the run's threads (PNG compression is most of their cost). */
static int write_step_files(const Job *j, const StepSink *ss, int layer, const char *name,
                            const char *dir, int threads, const char *sheet_path, LwError *err)
{
    static const char *const names[4] = {"input", "linear", "bias", "activation"};
    const Style *st = &j->scene.render.style;
    char paths[4][LW_PATH_MAX + 64];
    PngText texts[5][STILL_TEXTS];
    PngFile files[5];
    uint8_t *sheet = NULL;
    int w = 0, h = 0, stride = 0;
    int rc = contact_sheet(j, ss, layer, name, &sheet, &w, &h, &stride, err);
    for (int i = 0; i < 4; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/layer%s-%d-%s.png", dir, name, i, names[i]);
        still_texts(j, names[i], texts[i]);
        files[i] = (PngFile){paths[i], ss->frames[i], st->width, st->height, ss->stride,
                             texts[i], STILL_TEXTS};
    }
    still_texts(j, "contact sheet", texts[4]);
    files[4] = (PngFile){sheet_path, sheet, w, h, stride, texts[4], STILL_TEXTS};
    if (!rc) rc = png_write_all(files, 5, threads, stopped, err);
    free(sheet);
    return rc;
}

/* With activation_steps = hadamard, a second sheet: the layer's
 * pre-activation and the state after each element-wise step of its
 * activation, each framed on its own.  Nothing when the layer has none. */
static int hadamard_sheet(Job *j, int layer, const char *name, const char *dir,
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
    if (n && !rc) rc = renderer_prepare(&j->r, q, n, err);
    if (n && !rc) rc = render_run(&j->r, q, n, ro, step_copy, &copy, err);
    if (n && !rc)
        rc = draw_contact_sheet(st, (const uint8_t *const *)ss.frames, ss.stride, names, n, &sheet,
                                &w, &h, &stride, err);
    snprintf(path, n_path, "%s/layer%s-hadamard-sheet.png", dir, name);
    if (n && !rc)
        rc = write_still(sheet, w, h, stride, path, j, "element-wise steps", err);
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
    if (o->output && strcmp(o->output, "-") == 0) {
        fprintf(stderr, "layerwarp step: -o - : step writes several PNG files; give a folder "
                "(see 'layerwarp help step')\n");
        return 2;
    }
    int rc = load_job(o, &j, !o->quiet, RENDER_ON_REQUEST, &err);
    /* the show's layer (0-based); its name as given, normalised ("g2" is G2) */
    LayerRef ref;
    cli_layer_ref(o->layer, &ref);
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
    if (!rc) rc = make_dirs(dir, STEP_NAME_ROOM, &err);
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
        if (!rc) rc = renderer_prepare(&j.r, q, 4, &err);
        if (!rc) rc = render_run(&j.r, q, 4, &ro, step_copy, &copy, &err);
        char sheet[LW_PATH_MAX + 64], steps[LW_PATH_MAX + 64];
        snprintf(sheet, sizeof sheet, "%s/layer%s-sheet.png", dir, name);
        if (!rc) rc = stopped(&err);
        if (!rc) rc = write_step_files(&j, &ss, layer, name, dir, worker_count(o), sheet, &err);
        if (!rc) rc = stopped(&err);
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
    TrainCache cache;
    train_cache_locate(&cache, o->no_cache);
    int rc = scene_build_cached(sc, &m, &cache, NULL, NULL, err);
    if (!rc && o->output) install_signals(); /* a temporary may exist from here */
    if (!rc && o->output) rc = parent_dirs(o->output, err);
    if (!rc) rc = stopped(err);
    if (!rc && o->output)
        rc = m.kind == MODEL_GAN ? gen_weights_save_gan(&m.gan, o->output, err)
                                 : gen_weights_save_vae(&m.vae, sc->model.prior, o->output, err);
    /* the weights on stdout: the report beside them, on stderr */
    FILE *line = o->output && strcmp(o->output, "-") == 0 ? stderr : stdout;
    if (!rc && m.kind == MODEL_GAN)
        fprintf(line, "final: steps=%d d_loss=%.4f g_loss=%.4f mmd2=%.5f mmd2_untrained=%.5f "
               "seconds=%.2f%s\n", m.gan_report.steps, m.gan_report.d_loss, m.gan_report.g_loss,
               m.mmd2, m.mmd2_untrained, m.gan_report.seconds, m.gen_cached ? " cached" : "");
    else if (!rc)
        fprintf(line, "final: steps=%d recon=%.4f kl=%.4f coverage=%.3f mmd2=%.5f mmd2_untrained=%.5f "
               "seconds=%.2f%s\n", m.vae_report.steps, m.vae_report.recon, m.vae_report.kl,
               m.coverage, m.mmd2, m.mmd2_untrained, m.vae_report.seconds,
               m.gen_cached ? " cached" : "");
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
    TrainCache cache;
    train_cache_locate(&cache, o->no_cache);
    if (!rc) rc = train_network_cached(&cache, &sc.net, &sc.train, sc.path, &ds, &m,
                                       train_progress, &watch, &rep, &err);
    if (!rc && o->output) install_signals(); /* a temporary may exist from here */
    if (!rc && o->output) rc = parent_dirs(o->output, &err);
    if (!rc) rc = stopped(&err);
    if (!rc && o->output) rc = weights_save(&m, o->output, &err);
    if (!rc) {
        double loss = m.has_readout ? mlp_loss_grad(&m, ds.x, ds.label, ds.n, sc.train.l2, NULL) : 0;
        double acc = m.has_readout ? mlp_accuracy(&m, ds.x, ds.label, ds.n) : 0;
        FILE *line = o->output && strcmp(o->output, "-") == 0 ? stderr : stdout;
        /* a cached network says so: its seconds are the original training's */
        fprintf(line, "final: steps=%d loss=%.4f accuracy=%.4f seconds=%.2f%s\n", rep.steps,
                loss, acc, rep.seconds, rep.cached ? " cached" : "");
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
    cli_layer_ref(o->layer, &ref);
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
    int rc = load_job(o, &j, !o->quiet, RENDER_PLANS, &err);
    int layer = 0;
    const Segment *seg = NULL;
    if (!rc) rc = dump_layer(o, &j, &seg, &layer, &err);
    FILE *f = stdout;
    AtomicFile out = {0};
    if (!rc) install_signals(); /* from here on, a temporary may exist */
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
        for (int i = 0; i < ps->n && !rc; i++) {
            double state[LW_MAX_WIDTH];
            if (i % 1024 == 0) rc = stopped(&err);
            stage_start_state(&plan, s, ps->x + (size_t)i * ps->dim, state);
            if (!input) stage_end(&plan, s, state, state);
            fprintf(f, "%d,%d", i, ps->label[i]);
            for (int d = 0; d < dim; d++) fprintf(f, ",%.17g", state[d]);
            fputc('\n', f);
        }
        if (rc)
            ;
        else if (o->output)
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
        else printf("training:   %d steps taken (%s, learning rate %g, readable %g), %.2f s%s\n",
                    m->report.steps, sc->train.optimizer == OPT_ADAM ? "adam" : "sgd",
                    sc->train.learning_rate, sc->train.readable, m->report.seconds,
                    m->report.cached ? ", read from the cache" : "");
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
    if (!sc->net.has_weights && m->gen_cached)
        printf("            read from the cache of trained networks\n");
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

/* training = replay or morph for a GAN: its checkpoints with the losses and
 * the MMD. */
static void info_gan_replay(const GanHistory *h, int morph)
{
    if (!h->n_snapshots) return;
    printf(morph ? "morph:      the generator through " : "replayed:   ");
    for (int k = 0; k < h->n_snapshots; k++)
        printf("%sstep %d (d_loss %.3f, g_loss %.3f, MMD\xc2\xb2 %.4f)", k ? ", " : "",
               h->step[k], h->d_loss[k], h->g_loss[k], h->mmd2[k]);
    printf("\n");
}

/* The data and the model of one panel. */
static int info_model(const Scene *sc, const SceneModel *m, LwError *err)
{
    printf("dataset:    %s, %d points, %d classes%s\n", dataset_kind_name(sc->data.kind),
           m->data.n, m->data.classes, sc->data.draw == DRAW_CURVES ? ", drawn as curves" : "");
    if (m->kind != MODEL_CLASSIFIER) {
        info_generative(sc, m);
        info_gan_replay(&m->gan_history, sc->training == TRAINING_MORPH);
        return LW_OK;
    }
    int rc = info_classifier(sc, m, err);
    const History *h = &m->history;
    if (!rc && h->n_snapshots) { /* training = replay, or morph (layer L from one to the next) */
        if (sc->training == TRAINING_MORPH)
            printf("morph:      layer %d through ", sc->training_layer);
        else
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
    int rc = load_job(o, &j, !o->quiet, RENDER_PLANS, &err);
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
        if (r->segs[0].plan.morph.on) {
            printf("stages:     %d (%d morphs from checkpoint to checkpoint, 3 stages each)\n",
                   r->n_stages, r->n_segments);
        } else {
            printf("stages:     %d (%d layers%s x linear, bias, activation", r->n_stages, hidden,
                   readouts ? " and the readout" : "");
            if (r->n_segments > 1) printf(", in %d segments", r->n_segments);
            printf("), %s motion\n", cfg->interpolation == INTERP_POLAR ? "polar" : "straight");
        }
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

/* layerwarp scene FILE: the scene a render embeds, on stdout; --set
 * values are checked as the scene's own and written in. */
static int cmd_scene(const Options *o)
{
    LwError err = {""};
    ShareInfo s;
    char *changed = NULL;
    /* a video's tags are read by the video library; a PNG's do not need it,
     * but one load is cheaper than guessing what the file is twice */
    int rc = video_lib_load(&err);
    if (!rc) rc = share_read(o->scene_path, &s, &err);
    if (!rc && o->n_sets) {
        Scene check;
        rc = scene_load_string_with(o->scene_path, s.scene, strlen(s.scene), o->sets, o->n_sets,
                                    &check, &err);
        scene_free(&check);
        if (!rc) rc = share_apply_sets(s.scene, o->sets, o->n_sets, &changed, &err);
        if (!rc) {
            free(s.scene);
            s.scene = changed;
        }
    }
    if (!rc && share_print(stdout, &s, o->quiet) != 0)
        rc = lw_fail(&err, LW_ERUNTIME, "cannot write to standard output: %s", strerror(errno));
    share_info_free(&s);
    return report(rc, &err);
}

/* ---- beyond one machine: join, sweep, montage ------------------------------------ */

/* join and montage write one file they cannot name themselves. */
static int need_output(const Options *o, LwError *err)
{
    if (o->output) return LW_OK;
    return lw_fail(err, LW_EINPUT, "layerwarp %s: missing -o FILE (see 'layerwarp help %s')",
                   o->cmd_name, o->cmd_name);
}

static int cmd_join(const Options *o)
{
    LwError err = {""};
    double t0 = now();
    int rc = need_output(o, &err);
    if (!rc) rc = video_lib_load(&err);
    if (!rc) rc = parent_dirs(o->output, &err);
    install_signals(); /* a temporary file exists from here on */
    if (!rc) rc = join_pieces(o->inputs, o->n_inputs, o->output, &g_stop, &err);
    if (!rc && !o->quiet)
        fprintf(stderr, "joined %d piece%s in %.2f s to %s\n", o->n_inputs,
                o->n_inputs == 1 ? "" : "s", now() - t0, o->output);
    return report(rc, &err);
}

/* Prints the sweep's jobs (or one, or its montage) after checking every
 * job's scene as render would read it. */
static int cmd_sweep(const Options *o)
{
    LwError err = {""};
    Sweep s;
    Scene sc;
    int rc = sweep_parse(&s, o->sets, o->n_sets, &err);
    if (!rc && !strcmp(o->scene_path, "-"))
        rc = lw_fail(&err, LW_EINPUT, "layerwarp sweep: the jobs read the scene again: give "
                     "it as a file, not standard input");
    if (!rc && o->index >= s.n_jobs)
        rc = lw_fail(&err, LW_EINPUT, "layerwarp sweep: --index %d, but the sweep has %ld "
                     "job%s (0-%ld)", o->index, s.n_jobs, s.n_jobs == 1 ? "" : "s",
                     s.n_jobs - 1);
    char name[256] = "", dir[LW_PATH_MAX], ext[8];
    snprintf(ext, sizeof ext, ".%s", o->format ? o->format : "mp4");
    if (!strcmp(ext, ".png")) ext[0] = '\0'; /* a folder per job: -o DIR/NAME/ */
    for (long j = 0; !rc && j < s.n_jobs; j++) {
        const char *sets[SWEEP_MAX_AXES];
        char text[SWEEP_MAX_AXES][1024];
        for (int a = 0; a < s.n_axes; a++) {
            sweep_override(&s, j, a, text[a], sizeof text[a]);
            sets[a] = text[a];
        }
        rc = scene_load_file_with(o->scene_path, sets, s.n_axes, &sc, &err);
        if (!rc) snprintf(name, sizeof name, "%s", sc.name);
        if (!rc) scene_free(&sc);
    }
    if (o->output) snprintf(dir, sizeof dir, "%.*s", (int)strcspn(o->output, "\n"), o->output);
    else snprintf(dir, sizeof dir, "out/%s-sweep", name);
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dir[--dl] = '\0';
    size_t cap = 65536;
    char *line = rc ? NULL : malloc(cap);
    if (!rc && !line) rc = lw_fail(&err, LW_ERUNTIME, "out of memory");
    if (!rc && o->montage) {
        rc = sweep_montage_line(&s, o->program, name, dir, ext, line, cap, &err);
        if (!rc) printf("%s\n", line);
    }
    for (long j = o->index >= 0 ? o->index : 0; !rc && !o->montage && j < s.n_jobs; j++) {
        if (sweep_job_line(&s, j, o->program, o->scene_path, name, dir, ext, line, cap))
            rc = lw_fail(&err, LW_EINPUT, "layerwarp sweep: job %ld's command is too long", j);
        else if (!strcmp(ext, "") && strlen(line) + 1 < cap) strcat(line, "/");
        if (!rc) printf("%s\n", line);
        if (o->index >= 0) break;
    }
    free(line);
    sweep_free(&s);
    return report(rc, &err);
}

static int cmd_montage(const Options *o)
{
    LwError err = {""};
    double t0 = now();
    int rows = o->grid_rows, cols = o->grid_cols;
    if (!rows) { /* from the labels, else one row */
        cols = o->n_col_labels ? o->n_col_labels : o->n_inputs;
        rows = o->n_row_labels ? o->n_row_labels : (o->n_inputs + cols - 1) / cols;
    }
    MontageSpec m = {.inputs = o->inputs, .n_inputs = o->n_inputs, .rows = rows, .cols = cols,
                     .row_labels = o->row_labels, .n_row_labels = o->n_row_labels,
                     .col_labels = o->col_labels, .n_col_labels = o->n_col_labels,
                     .output = o->output, .stop = &g_stop};
    int frames = 0, rc = need_output(o, &err);
    if (!rc) rc = video_lib_load(&err);
    if (!rc) rc = parent_dirs(o->output, &err);
    install_signals();
    if (!rc) rc = montage_write(&m, &frames, &err);
    if (!rc && !o->quiet)
        fprintf(stderr, "montage of %d video%s, %d frames, in %.2f s to %s\n", o->n_inputs,
                o->n_inputs == 1 ? "" : "s", frames, now() - t0, o->output);
    return report(rc, &err);
}

static int run_command(const Options *o)
{
    switch (o->cmd) {
    case CMD_RENDER: return cmd_render(o);
    case CMD_FRAMES: return cmd_frames(o);
    case CMD_STEP: return cmd_step(o);
    case CMD_HASH: return cmd_hash(o);
    case CMD_TRAIN: return cmd_train(o);
    case CMD_DUMP: return cmd_dump(o);
    case CMD_SCENE: return cmd_scene(o);
    case CMD_JOIN: return cmd_join(o);
    case CMD_SWEEP: return cmd_sweep(o);
    case CMD_MONTAGE: return cmd_montage(o);
    default: return cmd_info(o);
    }
}

/* layerwarp help [COMMAND] */
static int help(int argc, char **argv)
{
    if (argc < 3 || !strcmp(argv[2], "help")) {
        cli_usage_all(stdout);
        return 0;
    }
    int c = cli_command(argv[2]);
    if (c < 0) {
        fprintf(stderr, "layerwarp help: unknown command '%s' (commands: render, frames, step, "
                "hash, train, dump, info, scene, join, sweep, montage)\n", argv[2]);
        return 2;
    }
    cli_usage_command(stdout, (CommandId)c);
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage_all(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("layerwarp %s (cairo %s)\n", LW_VERSION, draw_cairo_version());
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        cli_usage_all(stdout);
        return 0;
    }
    if (!strcmp(cmd, "help")) return help(argc, argv);
    if (cli_command(cmd) < 0) {
        fprintf(stderr, "layerwarp: unknown command '%s' (see 'layerwarp --help')\n", cmd);
        return 2;
    }
    Options o;
    LwError err = {""};
    int rc = cli_parse(argc - 1, argv + 1, &o, &err);
    if (rc) return report(rc, &err);
    o.program = argv[0];
    if (o.help) {
        cli_usage_command(stdout, o.cmd);
        return 0;
    }
    return run_command(&o);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* we check GSL's return codes */
    int status = run(argc, argv);
    /* Results went to stdout: a full disk or closed pipe there is a failure
     * too, not a silent success. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
        /* (a command that failed has said why already) */
        fprintf(stderr, "layerwarp: cannot write to standard output: %s\n", strerror(errno));
        status = 1;
    }
    /* hand back the font caches Cairo and fontconfig keep for the process,
     * so leak checkers see only our own memory */
    draw_release_caches();
    return status;
}
