/* cli.c — the command line's words (see cli.h): the command table, the
 * option table, help printed from them, and argv parsed into Options.
 *
 * Invariant: a command accepts exactly the option rows whose mask names it,
 * and its help prints exactly those rows; an option that only other
 * commands take is refused with the commands that do take it. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "piece.h"
#include "video.h"

/* Where `make install` puts the documentation (the Makefile passes it). */
#ifndef LW_DOCDIR
#define LW_DOCDIR "/usr/local/share/doc/layerwarp"
#endif

#define BIT(c) (1u << (c))
#define ALL_CMDS (BIT(CMD_COUNT) - 1)
/* the commands that draw frames, where size, rate and quality mean something */
#define DRAWING (BIT(CMD_RENDER) | BIT(CMD_FRAMES) | BIT(CMD_STEP) | BIT(CMD_HASH) | \
                 BIT(CMD_INFO))

typedef struct {
    const char *name, *args, *summary;
} CommandSpec;

static const CommandSpec COMMANDS[CMD_COUNT] = {
    [CMD_RENDER] = {"render", "SCENE [-o FILE|DIR/|-] [-s] [-ql|-qm|-qh|-qk] [options]",
                    "render the animation as a video (.mp4 .webm .mkv .gif .mov), a PNG\n"
                    "            sequence, or with -s its last frame as one PNG"},
    [CMD_FRAMES] = {"frames",
                    "SCENE [--frames A:B | --frames N,M,... | --at L:STAGE:T] [-o DIR|FILE.png]",
                    "write chosen frames as PNG files DIR/frame-00042.png (one frame:\n"
                    "            -o FILE.png)"},
    [CMD_STEP] = {"step", "SCENE --layer K [-o DIR] [-j N]",
                  "one layer's four states (input, after W, after +b, after the activation) as\n"
                  "            PNG stills and a labelled contact sheet; with activation_steps =\n"
                  "            hadamard also a sheet of the activation's element-wise steps"},
    [CMD_HASH] = {"hash", "SCENE [--frames A:B | --at L:STAGE:T] [--algo xxh3|sha256] [-j N]",
                  "print frame index, stage label and hash (XXH3-128, or SHA-256) of the raw\n"
                  "            pixels of each frame (the label names the network and its layer:\n"
                  "            G2.bias t=0.50)"},
    [CMD_TRAIN] = {"train", "SCENE [-o WEIGHTS|-]",
                   "train the scene's network and report loss and accuracy"},
    [CMD_DUMP] = {"dump", "SCENE --layer K --stage input|linear|bias|activation [-o FILE.csv|-]",
                  "data point positions at the end of a stage, as CSV index,label,x1,x2,..."},
    [CMD_INFO] = {"info", "SCENE", "describe the network, its parameters, frame count and output"},
    [CMD_SCENE] = {"scene", "FILE [--set S.KEY=V] [-q]",
                   "print the scene a video or PNG rendered by layerwarp carries, with the\n"
                   "            command line's settings written in: render it to get the same\n"
                   "            frames (-q: the scene alone, without the comment header)"},
    [CMD_JOIN] = {"join", "PIECE... -o FILE",
                  "put the pieces of a render (render --piece K/N) back into one video,\n"
                  "            without re-encoding, after checking they are one scene's and\n"
                  "            hold every frame once"},
    [CMD_SWEEP] = {"sweep", "SCENE --set S.KEY=V1,V2 --set S.KEY=A..B [-o DIR] [--index I]",
                   "print one render command per line, for every combination of the\n"
                   "            values (run them with GNU parallel or a Slurm job array)"},
    [CMD_MONTAGE] = {"montage", "VIDEO... --grid RxC [--row L]... [--col L]... -o FILE",
                     "lay finished videos out as one grid video, rows and columns\n"
                     "            labelled"},
};

enum {
    O_OUTPUT = 256, O_JOBS, O_QUIET, O_LAYER, O_STAGE, O_HELP, O_FRAMES, O_AT, O_CRF, O_PRESET,
    O_FPS, O_SIZE, O_SET, O_QUALITY, O_LAST, O_FORMAT, O_TRANSPARENT, O_PIECE, O_INDEX,
    O_MONTAGE, O_GRID, O_ROW, O_COL, O_ALGO, O_NO_CACHE
};

/* One option as a set of commands takes it.  The same long name may have a
 * row per meaning (-o is a video for render, a folder for frames). */
typedef struct {
    int id;            /* O_* */
    const char *name;  /* long name */
    char letter;       /* short name, 0 for none */
    int has_arg;
    unsigned cmds;     /* BIT(CMD_*) */
    const char *help;  /* "ARG  text", lines after the first indented */
} OptionSpec;

static const OptionSpec OPTIONS[] = {
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_RENDER),
     "FILE   output file; its extension picks the format (default: the\n"
     "scene's [render] output, else out/SCENE.mp4); a directory (existing,\n"
     "or ending in /) gets a PNG sequence, replacing an earlier one's\n"
     "frames; '-' writes to stdout (give --format); NAME.html writes a\n"
     "web page playing NAME.webm, written beside it"},
    {O_LAST, "last", 's', 0, BIT(CMD_RENDER),
     "       only the last frame, as one PNG: -o FILE.png, -o - (stdout),\n"
     "or beside the video the scene names (out/SCENE.png)"},
    {O_FORMAT, "format", 0, 1, BIT(CMD_RENDER),
     "F      mp4, webm, mkv, gif, mov or png: the format when the output has no\n"
     "file name to say it (stdout); an MP4 on a pipe is fragmented"},
    {O_PIECE, "piece", 0, 1, BIT(CMD_RENDER),
     "K/N    only piece K of N: one contiguous range of frames, a video\n"
     "that starts with a key frame and keeps its frames' times in the\n"
     "whole; 'layerwarp join' puts the pieces together (not for .gif)"},
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_FRAMES),
     "DIR    folder for the PNG files (default out/SCENE-frames); with one\n"
     "frame, -o FILE.png writes that file and -o - writes it to stdout"},
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_STEP), "DIR    folder (default out/SCENE-step)"},
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_JOIN),
     "FILE   the joined video, in the pieces' own container (.mp4, .webm\n"
     "or .mkv); required"},
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_SWEEP),
     "DIR    folder of the jobs' videos (default out/SCENE-sweep)"},
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_MONTAGE),
     "FILE   the grid video (.mp4, .webm, .mkv or .gif); required"},
    {O_FORMAT, "format", 0, 1, BIT(CMD_SWEEP),
     "F      mp4, webm, mkv or gif: the jobs' videos (default mp4)"},
    {O_INDEX, "index", 0, 1, BIT(CMD_SWEEP),
     "I      print only job I (0-based), e.g. a Slurm array task's\n"
     "$SLURM_ARRAY_TASK_ID"},
    {O_MONTAGE, "montage", 0, 0, BIT(CMD_SWEEP),
     "       print the montage command that lays the jobs' videos out as a\n"
     "grid: the first swept key's values as rows, the second's as columns"},
    {O_GRID, "grid", 0, 1, BIT(CMD_MONTAGE),
     "RxC    rows and columns; the videos fill the rows in order (default:\n"
     "from the labels, else one row)"},
    {O_ROW, "row", 0, 1, BIT(CMD_MONTAGE), "L      the next row's label (repeatable)"},
    {O_COL, "col", 0, 1, BIT(CMD_MONTAGE), "L      the next column's label (repeatable)"},
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_TRAIN),
     "FILE   save the weights: a classifier's, or every network of a gan,\n"
     "vae or autoencoder; a scene uses them with [weights] file = FILE\n"
     "instead of training (format: " LW_DOCDIR "/docs/weights-format.md;\n"
     "FILE.npz or FILE.safetensors is NumPy's or safetensors);\n"
     "'-' writes them to stdout (the final line then goes to stderr)"},
    {O_OUTPUT, "output", 'o', 1, BIT(CMD_DUMP), "FILE   CSV file (default, or '-': stdout)"},
    {O_FRAMES, "frames", 0, 1, BIT(CMD_FRAMES) | BIT(CMD_HASH) | BIT(CMD_RENDER),
     "A:B    frames A to B inclusive (0-based); or a list N,M,...; 'last'\n"
     "and negative numbers count from the end (-1 is the last frame)"},
    {O_AT, "at", 0, 1, BIT(CMD_FRAMES) | BIT(CMD_HASH) | BIT(CMD_RENDER),
     "L:STAGE:T  the frame of layer L, stage linear|bias|activation, time T\n"
     "(repeatable); L is a number counted over the whole show, or a\n"
     "network's letter and its own layer: G2 (generator or decoder), D1\n"
     "(discriminator), E1 (encoder), L2 (classifier); with\n"
     "activation_steps = hadamard, STAGE may be a step: activation.K\n"
     "(1-based) or its name (exp)"},
    {O_LAYER, "layer", 'l', 1, BIT(CMD_STEP),
     "K      the layer (1-based, counted over the whole show), or a network's\n"
     "letter and its own layer (G2, D1, E1, L2)"},
    {O_LAYER, "layer", 'l', 1, BIT(CMD_DUMP),
     "K      the layer (1-based) of the first network, or a network's letter\n"
     "and its own layer (G2, D1): the points it carries"},
    {O_STAGE, "stage", 's', 1, BIT(CMD_DUMP),
     "S      input (the layer's input), linear, bias or activation"},
    {O_ALGO, "algo", 0, 1, BIT(CMD_HASH),
     "NAME   the hash: xxh3 (XXH3-128, 32 hex digits; the default) or sha256\n"
     "(64 digits)"},
    {O_JOBS, "jobs", 'j', 1,
     BIT(CMD_RENDER) | BIT(CMD_FRAMES) | BIT(CMD_STEP) | BIT(CMD_HASH),
     "N      worker threads (default: number of cores)"},
    {O_CRF, "crf", 0, 1, BIT(CMD_RENDER),
     "N      quality of .mp4 (x264, 0-51) and .webm (VP9, 0-63); lower is\n"
     "better; refused for .mkv (lossless), .gif and PNG"},
    {O_PRESET, "preset", 0, 1, BIT(CMD_RENDER), NULL /* from video.c's table */},
    {O_FPS, "fps", 0, 1, DRAWING, "F      frames per second"},
    {O_SIZE, "size", 0, 1, DRAWING, "WxH    frame size in pixels (even numbers)"},
    {O_QUALITY, "quality", 0, 1, DRAWING,
     "Q      a size and frame rate as manim names them: -ql (low, 480p15),\n"
     "-qm (medium, 720p30), -qh (high, 1080p60), -qp (1440p60),\n"
     "-qk (4k, 2160p60); a later --size or --fps wins"},
    {O_TRANSPARENT, "transparent", 't', 0, DRAWING,
     "       a see-through background (as style background = transparent):\n"
     "PNG with alpha, .webm (VP9 with alpha), .mov (ProRes 4444) or .mkv;\n"
     "text gets a halo; .mp4 and .gif refuse"},
    {O_SET, "set", 0, 1, ALL_CMDS & ~(BIT(CMD_JOIN) | BIT(CMD_MONTAGE)),
     "S.KEY=V  set a scene key, as if written in [S] of the scene\n"
     "(repeatable; e.g. --set train.steps=500); checked like the file\n"
     "(man layerwarp-scene); sweep: values V1,V2 or a range A..B or\n"
     "A..B..STEP of integers, or V1|V2 when a value holds commas"},
    {O_QUIET, "quiet", 'q', 0, ALL_CMDS & ~BIT(CMD_SCENE), "       no progress or summary on stderr"},
    {O_QUIET, "quiet", 'q', 0, BIT(CMD_SCENE),
     "       the scene alone, without the comment header"},
    {O_NO_CACHE, "no-cache", 0, 0,
     BIT(CMD_RENDER) | BIT(CMD_FRAMES) | BIT(CMD_STEP) | BIT(CMD_HASH) | BIT(CMD_TRAIN) |
         BIT(CMD_DUMP) | BIT(CMD_INFO),
     "       train the network again instead of reading it from the cache of\n"
     "trained networks (LAYERWARP_CACHE_DIR, else ~/.cache/layerwarp), and do not\n"
     "store it there"},
    {O_HELP, "help", 'h', 0, ALL_CMDS, "       this help"},
};
enum { N_OPTIONS = sizeof OPTIONS / sizeof OPTIONS[0] };

/* manim's presets: -ql and the rest are words of their own */
typedef struct {
    const char *word, *letter, *name;
    int width, height, fps;
} Quality;

static const Quality QUALITIES[] = {
    {"-ql", "l", "low", 854, 480, 15},       {"-qm", "m", "medium", 1280, 720, 30},
    {"-qh", "h", "high", 1920, 1080, 60},    {"-qp", "p", "production", 2560, 1440, 60},
    {"-qk", "k", "4k", 3840, 2160, 60},
};
enum { N_QUALITIES = sizeof QUALITIES / sizeof QUALITIES[0] };

int cli_command(const char *name)
{
    for (int i = 0; i < CMD_COUNT; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            return i;
    return -1;
}

const char *cli_command_name(CommandId cmd)
{
    return COMMANDS[cmd].name;
}

/* ---- help ----------------------------------------------------------------------- */

void cli_usage_all(FILE *f)
{
    fprintf(f, "usage: layerwarp COMMAND SCENE [options]\n\n"
               "Animates how a small neural network bends space, layer by layer:\n"
               "each layer as multiply by W, shift by b, apply the activation.\n\ncommands:\n");
    for (int i = 0; i < CMD_COUNT; i++)
        fprintf(f, "  %-7s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\n  layerwarp help COMMAND    options of one command\n"
               "  layerwarp --version\n\n"
               "SCENE '-' reads the scene from stdin.\n"
               "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input,\n"
               "130 interrupted (SIGINT; 143 SIGTERM).\n"
               "Scene format: man layerwarp-scene, or " LW_DOCDIR "/docs/scene-format.md\n"
               "Commands and options: man layerwarp\n");
}

#define HELP_INDENT 22
#define HELP_WIDTH 79

/* "  -o, --output FILE   text", the text's words wrapped at HELP_WIDTH
 * columns under its first line (the table's line breaks are only spaces). */
static void print_option(FILE *f, const OptionSpec *s, const char *help)
{
    char head[64];
    size_t arg_len = strcspn(help, " \n");
    snprintf(head, sizeof head, "%c%c%c --%s%s%.*s", s->letter ? '-' : ' ',
             s->letter ? s->letter : ' ', s->letter ? ',' : ' ', s->name, arg_len ? " " : "",
             (int)arg_len, help);
    int col;
    if (strlen(head) > HELP_INDENT - 4)
        col = fprintf(f, "  %s\n%*s", head, HELP_INDENT, "") - (int)strlen(head) - 3;
    else
        col = fprintf(f, "  %-*s", HELP_INDENT - 2, head);
    int first = 1;
    for (const char *p = help + arg_len; *p;) {
        while (*p == ' ' || *p == '\n') p++;
        size_t n = strcspn(p, " \n");
        if (!n) break;
        if (!first && col + 1 + (int)n > HELP_WIDTH) {
            fprintf(f, "\n%*s", HELP_INDENT, "");
            col = HELP_INDENT;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        col += fprintf(f, "%.*s", (int)n, p);
        first = 0;
        p += n;
    }
    fputc('\n', f);
}

void cli_usage_command(FILE *f, CommandId cmd)
{
    const CommandSpec *c = &COMMANDS[cmd];
    fprintf(f, "usage: layerwarp %s %s\n\n%s\n\n", c->name, c->args, c->summary);
    for (int i = 0; i < N_OPTIONS; i++) {
        const OptionSpec *s = &OPTIONS[i];
        if (!(s->cmds & BIT(cmd))) continue;
        if (s->id == O_PRESET) {
            char help[512], words[400];
            snprintf(help, sizeof help, "P      the encoder's speed: %s",
                     video_preset_words(words, sizeof words));
            print_option(f, s, help);
        } else {
            print_option(f, s, s->help);
        }
    }
}

/* ---- parsing ----------------------------------------------------------------------- */

const char *cli_layer_ref(const char *s, LayerRef *ref)
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

/* "layerwarp CMD: " + the message + " (see 'layerwarp help CMD')" */
__attribute__((format(printf, 3, 4)))
static int usage_fail(const Options *o, LwError *err, const char *fmt, ...)
{
    char msg[sizeof err->msg - 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lw_fail(err, LW_EINPUT, "layerwarp %s: %s (see 'layerwarp help %s')", o->cmd_name,
                   msg, o->cmd_name);
}

/* Adds a scene key override; `key` NULL: value is already "section.key=value". */
static int add_set(Options *o, const char *key, const char *value, LwError *err)
{
    if (o->n_sets == CLI_MAX_SETS)
        return usage_fail(o, err, "more than 64 scene keys set on the command line");
    const char *set = value;
    if (key) {
        char *buf = o->spelled[o->n_sets];
        size_t cap = sizeof o->spelled[0];
        if ((size_t)snprintf(buf, cap, "%s=%s", key, value) >= cap)
            return usage_fail(o, err, "option value too long: '%s'", value);
        set = buf;
    }
    /* an encoder setting given here must reach a format that uses it */
    if (strncmp(set, "render.crf", 10) == 0 && strchr("= ", set[10])) o->gave_crf = 1;
    if (strncmp(set, "render.preset", 13) == 0 && strchr("= ", set[13])) o->gave_preset = 1;
    o->sets[o->n_sets++] = set;
    return LW_OK;
}

static int add_size_fps(Options *o, int w, int h, int fps, LwError *err)
{
    char num[3][16];
    snprintf(num[0], sizeof num[0], "%d", w);
    snprintf(num[1], sizeof num[1], "%d", h);
    snprintf(num[2], sizeof num[2], "%d", fps);
    int rc = add_set(o, "render.width", num[0], err);
    if (!rc) rc = add_set(o, "render.height", num[1], err);
    if (!rc) rc = add_set(o, "render.fps", num[2], err);
    return rc;
}

/* --size WxH: the scene's width and height (their ranges are the scene's). */
static int add_size(Options *o, const char *arg, LwError *err)
{
    char w[32], h[32];
    const char *x = strpbrk(arg, "xX");
    if (!x || x == arg || !x[1] || (size_t)(x - arg) >= sizeof w || strlen(x + 1) >= sizeof h)
        return usage_fail(o, err, "--size needs WxH, e.g. 1280x720, got '%s'", arg);
    snprintf(w, sizeof w, "%.*s", (int)(x - arg), arg);
    snprintf(h, sizeof h, "%s", x + 1);
    int rc = add_set(o, "render.width", w, err);
    return rc ? rc : add_set(o, "render.height", h, err);
}

/* --quality l|low|480p15 ... */
static int add_quality(Options *o, const char *arg, LwError *err)
{
    for (int i = 0; i < N_QUALITIES; i++) {
        const Quality *q = &QUALITIES[i];
        char res[16];
        snprintf(res, sizeof res, "%dp%d", q->height, q->fps);
        if (!strcasecmp(arg, q->letter) || !strcasecmp(arg, q->name) || !strcasecmp(arg, res))
            return add_size_fps(o, q->width, q->height, q->fps, err);
    }
    return usage_fail(o, err, "--quality '%s': expected l (low, 480p15), m (medium, 720p30), "
                      "h (high, 1080p60), p (production, 1440p60) or k (4k, 2160p60)", arg);
}

static int set_format(Options *o, const char *arg, LwError *err)
{
    static const char *const FORMATS[] = {"mp4", "webm", "mkv", "gif", "mov", "png", NULL};
    const char *word = arg[0] == '.' ? arg + 1 : arg;
    for (int i = 0; FORMATS[i]; i++)
        if (!strcasecmp(word, FORMATS[i])) {
            o->format = FORMATS[i];
            return LW_OK;
        }
    return usage_fail(o, err, "--format '%s': expected mp4, webm, mkv, gif, mov or png", arg);
}

/* "step, dump": the commands that take an option row's name or letter */
static void takers(const char *name, char letter, char *buf, size_t cap)
{
    unsigned cmds = 0;
    for (int i = 0; i < N_OPTIONS; i++)
        if ((name && !strcmp(OPTIONS[i].name, name)) || (letter && OPTIONS[i].letter == letter))
            cmds |= OPTIONS[i].cmds;
    size_t n = 0;
    buf[0] = '\0';
    for (int c = 0; c < CMD_COUNT && n < cap; c++)
        if (cmds & BIT(c))
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", COMMANDS[c].name);
}

/* The option row of this command with this id. */
static const OptionSpec *own_row(CommandId cmd, int id)
{
    for (int i = 0; i < N_OPTIONS; i++)
        if (OPTIONS[i].id == id && (OPTIONS[i].cmds & BIT(cmd)))
            return &OPTIONS[i];
    return NULL;
}

/* getopt's tables for one command: its own rows (val = O_*) and, to say
 * who takes them, every other long name (val = FOREIGN + row). */
enum { FOREIGN = 1000 };
typedef struct {
    struct option longs[N_OPTIONS + 1];
    char shorts[2 * N_OPTIONS + 2];
} GetoptTables;

static void build_tables(CommandId cmd, GetoptTables *t)
{
    int n = 0;
    size_t ns = 0;
    t->shorts[ns++] = ':';
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < N_OPTIONS; i++) {
            const OptionSpec *s = &OPTIONS[i];
            int own = (s->cmds & BIT(cmd)) != 0, seen = 0;
            if (own != !pass) continue;
            for (int k = 0; k < n; k++) seen |= !strcmp(t->longs[k].name, s->name);
            if (seen) continue;
            t->longs[n++] = (struct option){s->name, s->has_arg ? required_argument : no_argument,
                                            NULL, own ? s->id : FOREIGN + i};
            if (own && s->letter) {
                t->shorts[ns++] = s->letter;
                if (s->has_arg) t->shorts[ns++] = ':';
            }
        }
    t->longs[n] = (struct option){NULL, 0, NULL, 0};
    t->shorts[ns] = '\0';
}

/* The id of a short letter in this command, or 0. */
static int short_id(CommandId cmd, int letter)
{
    for (int i = 0; i < N_OPTIONS; i++)
        if (OPTIONS[i].letter == letter && (OPTIONS[i].cmds & BIT(cmd)))
            return OPTIONS[i].id;
    return 0;
}

static int not_taken(const Options *o, const char *spelled, const char *name, char letter,
                     LwError *err)
{
    char who[128];
    takers(name, letter, who, sizeof who);
    if (!who[0])
        return usage_fail(o, err, "unknown option '%s'", spelled);
    return usage_fail(o, err, "%s takes no %s (%s %s)", o->cmd_name, spelled, who,
                      strchr(who, ',') ? "do" : "does");
}

static int take_option(Options *o, int id, const char *arg, LwError *err)
{
    switch (id) {
    case O_OUTPUT:
        if (!arg[0]) return usage_fail(o, err, "-o needs a file or folder name");
        o->output = arg;
        return LW_OK;
    case O_JOBS:
        if (parse_int(arg, 1, 256, &o->jobs))
            return usage_fail(o, err, "-j needs a number of threads from 1 to 256, got '%s'",
                              arg);
        return LW_OK;
    case O_QUIET: o->quiet = 1; return LW_OK;
    case O_NO_CACHE: o->no_cache = 1; return LW_OK;
    case O_HELP: o->help = 1; return LW_OK;
    case O_LAST: o->last = 1; return LW_OK;
    case O_LAYER: {
        LayerRef ref;
        const char *rest = cli_layer_ref(arg, &ref);
        if (!rest || *rest)
            return usage_fail(o, err, "--layer needs a layer number from 1 (or a network's "
                              "layer such as G2), got '%s'", arg);
        o->layer = arg;
        return LW_OK;
    }
    case O_STAGE: o->stage = arg; return LW_OK;
    case O_FRAMES: o->frames = arg; return LW_OK;
    case O_PIECE: {
        LwError inner;
        if (piece_parse(arg, &o->piece_k, &o->piece_n, &inner))
            return usage_fail(o, err, "%s", inner.msg);
        return LW_OK;
    }
    case O_AT:
        if (o->n_at == CLI_MAX_AT) return usage_fail(o, err, "too many --at options");
        o->at[o->n_at++] = arg;
        return LW_OK;
    case O_CRF: return add_set(o, "render.crf", arg, err);
    case O_PRESET: return add_set(o, "render.preset", arg, err);
    case O_FPS: return add_set(o, "render.fps", arg, err);
    case O_SIZE: return add_size(o, arg, err);
    case O_SET: return add_set(o, NULL, arg, err);
    case O_QUALITY: return add_quality(o, arg, err);
    case O_FORMAT: return set_format(o, arg, err);
    case O_TRANSPARENT: return add_set(o, "style.background", "transparent", err);
    case O_INDEX:
        if (parse_int(arg, 0, 1000000, &o->index))
            return usage_fail(o, err, "--index needs a job number from 0, got '%s'", arg);
        return LW_OK;
    case O_MONTAGE: o->montage = 1; return LW_OK;
    case O_GRID: {
        char *x;
        long r = strtol(arg, &x, 10), c = 0;
        if (x != arg && (*x == 'x' || *x == 'X')) c = strtol(x + 1, &x, 10);
        if (*x || r < 1 || c < 1 || r > CLI_MAX_LABELS || c > CLI_MAX_LABELS)
            return usage_fail(o, err, "--grid needs RxC, rows and columns from 1 to %d, "
                              "e.g. 2x3, got '%s'", CLI_MAX_LABELS, arg);
        o->grid_rows = (int)r;
        o->grid_cols = (int)c;
        return LW_OK;
    }
    case O_ROW: case O_COL: {
        int *n = id == O_ROW ? &o->n_row_labels : &o->n_col_labels;
        if (*n == CLI_MAX_LABELS)
            return usage_fail(o, err, "more than %d --%s labels", CLI_MAX_LABELS,
                              id == O_ROW ? "row" : "col");
        (id == O_ROW ? o->row_labels : o->col_labels)[(*n)++] = arg;
        return LW_OK;
    }
    case O_ALGO: {
        HashAlgo a;
        if (hash_algo_parse(arg, &a))
            return usage_fail(o, err, "--algo takes xxh3 or sha256, got '%s'", arg);
        o->hash_algo = (int)a;
        return LW_OK;
    }
    }
    return usage_fail(o, err, "unknown option");
}

/* argv with manim's -ql, -qm, ... spelled --quality=l: getopt would read
 * -ql as -q -l.  Only before "--". */
static char **spell_presets(int argc, char **argv, char *words[N_QUALITIES])
{
    char **v = malloc(sizeof *v * (size_t)(argc + 1));
    if (!v) return NULL;
    int options = 1;
    for (int i = 0; i < argc; i++) {
        v[i] = argv[i];
        if (options && i > 0 && !strcmp(argv[i], "--")) options = 0;
        for (int q = 0; options && q < N_QUALITIES; q++)
            if (!strcmp(argv[i], QUALITIES[q].word)) v[i] = words[q];
    }
    v[argc] = NULL;
    return v;
}

static int parse_words(int argc, char **argv, Options *o, LwError *err)
{
    GetoptTables t;
    build_tables(o->cmd, &t);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
        const char *spelled = argv[optind - 1];
        if (c == ':') return usage_fail(o, err, "option '%s' needs a value", spelled);
        if (c == '?') {
            if (optopt && optopt < 256) {
                char s[3] = {'-', (char)optopt, '\0'};
                return not_taken(o, s, NULL, (char)optopt, err);
            }
            return usage_fail(o, err, "unknown option '%s'", spelled);
        }
        if (c >= FOREIGN) {
            char name[64];
            snprintf(name, sizeof name, "--%s", OPTIONS[c - FOREIGN].name);
            return not_taken(o, name, OPTIONS[c - FOREIGN].name, 0, err);
        }
        int id = c < 256 ? short_id(o->cmd, c) : c;
        int rc = take_option(o, id, own_row(o->cmd, id) && own_row(o->cmd, id)->has_arg
                                        ? optarg : NULL, err);
        if (rc) return rc;
        if (o->help) return LW_OK;
    }
    if (o->cmd == CMD_JOIN || o->cmd == CMD_MONTAGE) {
        const char *what = o->cmd == CMD_JOIN ? "PIECE" : "VIDEO";
        if (optind >= argc) return usage_fail(o, err, "missing %s files", what);
        if (argc - optind > CLI_MAX_INPUTS)
            return usage_fail(o, err, "more than %d %s files", CLI_MAX_INPUTS, what);
        while (optind < argc) o->inputs[o->n_inputs++] = argv[optind++];
        return LW_OK;
    }
    if (optind >= argc)
        return usage_fail(o, err, "missing %s", o->cmd == CMD_SCENE ? "FILE" : "SCENE");
    if (optind + 1 < argc)
        return usage_fail(o, err, "unexpected argument '%s'", argv[optind + 1]);
    o->scene_path = argv[optind];
    return LW_OK;
}

int cli_parse(int argc, char **argv, Options *o, LwError *err)
{
    int cmd = cli_command(argv[0]);
    memset(o, 0, sizeof *o);
    if (cmd < 0) return lw_fail(err, LW_EINPUT, "layerwarp: unknown command '%s'", argv[0]);
    o->cmd = (CommandId)cmd;
    o->index = -1;
    o->cmd_name = COMMANDS[cmd].name;
    o->argc = argc;
    o->argv = argv;
    char spelled[N_QUALITIES][24], *words[N_QUALITIES];
    for (int q = 0; q < N_QUALITIES; q++) {
        snprintf(spelled[q], sizeof spelled[q], "--quality=%s", QUALITIES[q].letter);
        words[q] = spelled[q];
    }
    char **v = spell_presets(argc, argv, words);
    if (!v) return lw_fail(err, LW_ERUNTIME, "layerwarp: out of memory");
    /* v holds argv's own strings (getopt permutes v, not argv); the
     * preset words it points to are read at once by add_quality */
    int rc = parse_words(argc, v, o, err);
    free(v);
    return rc;
}
