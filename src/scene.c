/* scene.c — reads a scene file with libinih and validates every value.
 *
 * Syntax (sections, key = value, comments) is inih's job; meaning is ours.
 * We feed inih through ini_parse_stream with our own line reader so that we
 * count lines ourselves (Debian's inih gives the handler no line numbers),
 * reject over-long lines and NUL bytes instead of letting inih split them,
 * and know whether a line is an indented continuation (used for matrices
 * written over several lines).
 *
 * Overrides ("render.fps=24", from the command line) go through the same
 * key table after the last line and before validate(); a negative line
 * number -(i+1) stands for the i-th override, so checks and messages treat
 * them like lines of the file.  What a dataset kind is (its name, dimension,
 * defaults) is asked of dataset.c's table, never listed here.
 *
 * Invariant: after scene_load_* returns LW_OK every field of the Scene is set
 * and within its documented range; the first error stops the load. */
#include "scene.h"

#include "dataset.h"
#include "input_file.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SCENE_BYTES (4 * 1024 * 1024)
#define MAX_LINE 196 /* inih's buffer is 200 with room for "\r\n\0" */

typedef enum {
    T_INT, T_DOUBLE, T_BOOL, T_ENUM, T_COLOR, T_BOX, T_STRING, T_PATH,
    T_WIDTHS, T_ACTS, T_COLORS, T_SEED, T_UNITS, T_KIND, T_CHECKPOINTS, T_LATENT,
    T_NETWORKS, T_POINT, T_COLUMNS, T_BACKGROUND
} KeyType;

typedef struct {
    const char *section, *key;
    KeyType type;
    size_t offset;      /* into Scene */
    double min, max;    /* T_INT, T_DOUBLE; T_LATENT: max is how many */
    const char *const *names; /* T_ENUM: NULL-terminated */
} KeySpec;

static const char *const DRAW_NAMES[] = {"points", "curves", NULL};
static const char *const OPT_NAMES[] = {"adam", "sgd", NULL};
static const char *const MODEL_NAMES[] = {"classifier", "gan", "vae", "autoencoder", NULL};
static const char *const PRIOR_NAMES[] = {"gaussian", "uniform", NULL};
static const char *const EASE_NAMES[] = {"smoothstep", "linear", "smootherstep", NULL};
static const char *const INTERP_NAMES[] = {"polar", "straight", NULL};
static const char *const VIEW_NAMES[] = {"auto", "fixed", "follow", NULL};
static const char *const REFLECT_NAMES[] = {"auto", "turn", "swap", NULL};
static const char *const WIDE_NAMES[] = {"pca", "tour", "units", NULL};
static const char *const PROJ_NAMES[] = {"orthographic", "perspective", NULL};
static const char *const TRAINING_NAMES[] = {"off", "replay", "morph", NULL};
static const char *const STEPS_NAMES[] = {"none", "hadamard", NULL};
static const char *const SHADE_NAMES[] = {"none", "class", "area", NULL}; /* ShadeMode */
/* worked_point's coordinates: e^20 is about 5e8, and beyond it the exp step
 * of the point alone would set the scale of the view */
#define WORKED_MAX 20

#define OFF(f) offsetof(Scene, f)
static const KeySpec KEYS[] = {
    {"dataset", "kind", T_KIND, OFF(data.kind), 0, 0, NULL},
    {"dataset", "points", T_INT, OFF(data.n_points), 4, LW_MAX_POINTS, NULL},
    {"dataset", "noise", T_DOUBLE, OFF(data.noise), 0, 10, NULL},
    {"dataset", "seed", T_SEED, OFF(data.seed), 0, 0, NULL},
    {"dataset", "classes", T_INT, OFF(data.classes), 2, LW_MAX_CLASSES, NULL},
    {"dataset", "turns", T_DOUBLE, OFF(data.turns), 0.1, 5, NULL},
    {"dataset", "factor", T_DOUBLE, OFF(data.factor), 0.05, 0.95, NULL},
    {"dataset", "file", T_PATH, OFF(data.csv_path), 0, 0, NULL},
    {"dataset", "draw", T_ENUM, OFF(data.draw), 0, 0, DRAW_NAMES},
    {"dataset", "columns", T_COLUMNS, OFF(data), 0, 0, NULL},

    {"network", "widths", T_WIDTHS, OFF(net), 0, 0, NULL},
    {"network", "activation", T_ACTS, OFF(net), 0, 0, NULL},
    {"network", "model", T_ENUM, OFF(model.kind), 0, 0, MODEL_NAMES},
    {"network", "latent", T_INT, OFF(model.latent), 1, 3, NULL},
    {"network", "prior", T_ENUM, OFF(model.prior), 0, 0, PRIOR_NAMES},
    {"network", "latent_path", T_LATENT, OFF(model.paths), 1, GEN_MAX_PATHS, NULL},
    {"network", "latent_arith", T_LATENT, OFF(model.arith), 1, GEN_MAX_ARITH, NULL},

    {"train", "optimizer", T_ENUM, OFF(train.optimizer), 0, 0, OPT_NAMES},
    {"train", "learning_rate", T_DOUBLE, OFF(train.learning_rate), 1e-6, 10, NULL},
    {"train", "steps", T_INT, OFF(train.steps), 0, 1000000, NULL},
    {"train", "batch", T_INT, OFF(train.batch), 0, LW_MAX_POINTS, NULL},
    {"train", "l2", T_DOUBLE, OFF(train.l2), 0, 1, NULL},
    {"train", "momentum", T_DOUBLE, OFF(train.momentum), 0, 0.999, NULL},
    {"train", "target_accuracy", T_DOUBLE, OFF(train.target_accuracy), 0, 1, NULL},
    {"train", "seed", T_SEED, OFF(train.seed), 0, 0, NULL},
    {"train", "readable", T_DOUBLE, OFF(train.readable), 0, 100, NULL},
    {"train", "beta", T_DOUBLE, OFF(model.beta), 0, 100, NULL},
    {"train", "checkpoints", T_CHECKPOINTS, OFF(checkpoints), 0, 0, NULL},

    {"render", "width", T_INT, OFF(render.style.width), 16, 7680, NULL},
    {"render", "height", T_INT, OFF(render.style.height), 16, 4320, NULL},
    {"render", "fps", T_DOUBLE, OFF(render.timeline.fps), 1, 120, NULL},
    {"render", "stage_seconds", T_DOUBLE, OFF(render.timeline.stage_seconds), 0.05, 60, NULL},
    {"render", "hold_start", T_DOUBLE, OFF(render.timeline.hold_start), 0, 60, NULL},
    {"render", "hold_between", T_DOUBLE, OFF(render.timeline.hold_between), 0, 60, NULL},
    {"render", "hold_end", T_DOUBLE, OFF(render.timeline.hold_end), 0, 60, NULL},
    {"render", "easing", T_ENUM, OFF(render.timeline.easing), 0, 0, EASE_NAMES},
    {"render", "interpolation", T_ENUM, OFF(render.interpolation), 0, 0, INTERP_NAMES},
    {"render", "wide_view", T_ENUM, OFF(render.geom.wide_view), 0, 0, WIDE_NAMES},
    {"render", "units", T_UNITS, OFF(render.geom), 0, 0, NULL},
    {"render", "reflection", T_ENUM, OFF(render.reflection), 0, 0, REFLECT_NAMES},
    {"render", "grid_lines", T_INT, OFF(render.geom.grid_lines), 2, 201, NULL},
    {"render", "grid_samples", T_INT, OFF(render.geom.grid_samples), 2, 4000, NULL},
    {"render", "grid_adaptive", T_BOOL, OFF(render.geom.grid_adaptive), 0, 0, NULL},
    {"render", "region", T_BOX, OFF(region), 0, 0, NULL},
    {"render", "view", T_ENUM, OFF(render.camera.view), 0, 0, VIEW_NAMES},
    {"render", "view_box", T_BOX, OFF(render.camera.view_box), 0, 0, NULL},
    {"render", "margin", T_DOUBLE, OFF(render.camera.margin), 0, 0.45, NULL},
    {"render", "zoom_seconds", T_DOUBLE, OFF(zoom_seconds), 0, 10, NULL},
    {"render", "readout", T_BOOL, OFF(render.show_readout), 0, 0, NULL},
    {"render", "training", T_ENUM, OFF(training), 0, 0, TRAINING_NAMES},
    {"render", "show_gradients", T_BOOL, OFF(show_gradients), 0, 0, NULL},
    {"render", "training_layer", T_INT, OFF(training_layer), 0, LW_MAX_LAYERS, NULL},
    {"render", "show_grid", T_BOOL, OFF(render.style.show_grid), 0, 0, NULL},
    {"render", "show_domain", T_BOOL, OFF(render.style.show_domain), 0, 0, NULL},
    {"render", "show_points", T_BOOL, OFF(render.style.show_points), 0, 0, NULL},
    {"render", "show_boundary", T_BOOL, OFF(render.style.show_boundary), 0, 0, NULL},
    {"render", "show_captions", T_BOOL, OFF(render.style.show_captions), 0, 0, NULL},
    {"render", "show_shade", T_BOOL, OFF(show_shade), 0, 0, NULL},
    {"render", "shade", T_ENUM, OFF(render.style.shade), 0, 0, SHADE_NAMES},
    {"render", "show_progress", T_BOOL, OFF(render.style.show_progress), 0, 0, NULL},
    {"render", "show_numbers", T_BOOL, OFF(render.style.show_numbers), 0, 0, NULL},
    {"render", "show_legend", T_BOOL, OFF(render.style.show_legend), 0, 0, NULL},
    {"render", "depth_cues", T_BOOL, OFF(render.style.depth_cues), 0, 0, NULL},
    {"render", "networks", T_NETWORKS, OFF(model.networks), 0, 0, NULL},
    {"render", "output", T_PATH, OFF(output.path), 0, 0, NULL},
    {"render", "crf", T_INT, OFF(output.crf), 0, 63, NULL},
    {"render", "preset", T_STRING, OFF(output.preset), 0, 0, NULL},
    {"render", "projection", T_ENUM, OFF(render.camera.projection), 0, 0, PROJ_NAMES},
    {"render", "yaw", T_DOUBLE, OFF(render.camera.yaw), -360, 360, NULL},
    {"render", "pitch", T_DOUBLE, OFF(render.camera.pitch), -89, 89, NULL},
    {"render", "orbit", T_DOUBLE, OFF(render.camera.orbit), -360, 360, NULL},
    {"render", "activation_steps", T_ENUM, OFF(render.activation_steps), 0, 0, STEPS_NAMES},
    {"render", "worked_point", T_POINT, OFF(render), 0, 0, NULL},

    {"style", "background", T_BACKGROUND, OFF(render.style.background), 0, 0, NULL},
    {"style", "grid_color", T_COLOR, OFF(render.style.grid), 0, 0, NULL},
    {"style", "domain_color", T_COLOR, OFF(render.style.domain), 0, 0, NULL},
    {"style", "boundary_color", T_COLOR, OFF(render.style.boundary), 0, 0, NULL},
    {"style", "text_color", T_COLOR, OFF(render.style.text), 0, 0, NULL},
    {"style", "arrow_color", T_COLOR, OFF(render.style.arrow), 0, 0, NULL},
    {"style", "colors", T_COLORS, OFF(render.style.classes), 0, 0, NULL},
    {"style", "point_radius", T_DOUBLE, OFF(render.style.point_radius), 0.2, 50, NULL},
    {"style", "grid_width", T_DOUBLE, OFF(render.style.grid_width), 0.1, 20, NULL},
    {"style", "domain_width", T_DOUBLE, OFF(render.style.domain_width), 0.1, 20, NULL},
    {"style", "curve_width", T_DOUBLE, OFF(render.style.curve_width), 0.1, 30, NULL},
    {"style", "boundary_width", T_DOUBLE, OFF(render.style.boundary_width), 0.1, 20, NULL},
    {"style", "caption_size", T_DOUBLE, OFF(render.style.caption_size), 4, 200, NULL},
    {"style", "min_text_size", T_DOUBLE, OFF(render.style.min_text), 0, 100, NULL},
    {"style", "font", T_STRING, OFF(render.style.font), 0, 0, NULL},
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

static const char *const SECTIONS[] = {"dataset", "network", "train", "weights",
                                       "render", "style", "compare", NULL};
#define N_SECTIONS 7
#define MAX_COMPARE 32      /* lines in [compare] */

/* A matrix or vector written in [weights], kept until shapes can be checked. */
typedef struct {
    int line;
    int rows, cols;     /* cols = -1 until the first row is read */
    int n, cap;
    double *v;
} Matrix;

typedef struct {
    Scene *sc;
    LwError *err;
    int failed;
    /* "section.key=value" overrides; a line number -(i+1) stands for the
     * i-th, so every check and message works for them as for file lines */
    const char *const *overrides;
    int n_overrides;
    const int *override_line;  /* (n_overrides) > 0: the override is that line of the
                                  file's [compare]; NULL or 0: a --set */
    /* [compare] lines as overrides for the compared scene ("network.model=vae") */
    int compare_pass;          /* this parse is the compared scene's: [compare] applies */
    int n_compare;
    char compare[MAX_COMPARE][MAX_LINE + 2];
    int compare_line[MAX_COMPARE];
    /* reader state */
    const char *text;
    size_t len, pos;
    int line;
    int line_indented;  /* current line starts with white space */
    int too_long;       /* reader stopped: line too long / binary data */
    int ini_prev_name;  /* inih has a key to continue with an indented line */
    /* bookkeeping for messages and cross-key checks */
    int seen_line[N_KEYS];
    int section_line[8];
    int any_section;
    char last_key[64];      /* key of the previous [weights] pair, for continuations */
    Matrix W[LW_MAX_LAYERS], b[LW_MAX_LAYERS], Wout, bout;
    int weights_file_line;
    int kind_line, widths_line, acts_line, n_acts, view_box_line, size_line;
    /* [render] networks as written: which names a model has is known only
     * once every key is read (validate_networks) */
    char networks[MAX_LINE + 8];
} Parser;

/* ---- small helpers ------------------------------------------------------ */

/* Bytes in the UTF-8 sequence that starts at u (left bytes available), or -1
 * when it is not valid UTF-8. */
static int utf8_len(const unsigned char *u, size_t left)
{
    unsigned char c = u[0];
    int more = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2
             : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (more < 0)
        return -1;
    for (int k = 1; k <= more; k++)
        if ((size_t)k >= left || (u[k] & 0xc0) != 0x80)
            return -1;
    return more + 1;
}

#define OVERRIDE_SHOWN 200 /* longest override quoted whole in a message */

/* An override as messages quote it: control bytes and broken UTF-8 (a
 * command line can hold any bytes) as '?', cut after OVERRIDE_SHOWN bytes, so
 * the message stays one line of text. */
static const char *show_override(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s), o = 0;
    for (size_t i = 0; i < n && o + 4 < cap;) {
        const unsigned char *u = (const unsigned char *)s + i;
        int len = utf8_len(u, n - i);
        if (i >= OVERRIDE_SHOWN) {
            snprintf(out + o, cap - o, "...");
            return out;
        }
        if (len < 0 || u[0] < 0x20 || u[0] == 0x7f) {
            out[o++] = '?';
            i++;
        } else {
            memcpy(out + o, u, (size_t)len);
            o += (size_t)len;
            i += (size_t)len;
        }
    }
    out[o] = '\0';
    return out;
}

static int fail_at(Parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(Parser *p, int line, const char *fmt, ...)
{
    if (p->failed)
        return 0;
    p->failed = 1;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *in = p->compare_pass ? "[compare] " : "";
    if (line < 0 && p->override_line && p->override_line[-line - 1] > 0) {
        lw_fail(p->err, LW_EINPUT, "%s:%d: %s%s", p->sc->path, p->override_line[-line - 1], in,
                msg);
    } else if (line < 0) {
        char shown[OVERRIDE_SHOWN + 8];
        lw_fail(p->err, LW_EINPUT, "--set %s: %s",
                show_override(p->overrides[-line - 1], shown, sizeof shown), msg);
    } else {
        lw_fail(p->err, LW_EINPUT, "%s:%d: %s%s", p->sc->path, line, in, msg);
    }
    return 0; /* tells inih to count an error; we report only the first */
}

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    int d[41][41];
    for (int i = 0; i <= la; i++) d[i][0] = i;
    for (int j = 0; j <= lb; j++) d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/* " (did you mean 'x'?)" for the closest candidate, or "". */
static void suggest(const char *word, const char *const *cands, int n,
                    char *out, size_t cap)
{
    int best = 99;
    const char *bestc = NULL;
    for (int i = 0; i < n; i++) {
        int d = edit_distance(word, cands[i]);
        if (d < best) {
            best = d;
            bestc = cands[i];
        }
    }
    int limit = (int)strlen(word) / 3 + 1;
    if (bestc && best <= (limit > 3 ? 3 : limit))
        snprintf(out, cap, " (did you mean '%s'?)", bestc);
    else
        out[0] = '\0';
}

static int section_index(const char *name)
{
    for (int i = 0; SECTIONS[i]; i++)
        if (strcmp(SECTIONS[i], name) == 0)
            return i;
    return -1;
}

/* A finite number, the whole of s.  An underflow (4.9e-324, 1e-400) is a
 * number, rounded as strtod does; an overflow is infinite and refused. */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_long(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0')
        return -1;
    if (errno == ERANGE)
        return -2; /* a whole number, but out of any range we accept */
    *out = v;
    return 0;
}

/* "#rgb", "#rrggbb" or, when alpha is wanted, "#rrggbbaa" (*alpha 0..1;
 * 1 for the opaque spellings). */
static int parse_color_alpha(const char *s, Rgb *out, double *alpha)
{
    size_t n = strlen(s);
    unsigned v[8];
    if (s[0] != '#' || (n != 7 && n != 4 && !(alpha && n == 9)))
        return -1;
    for (size_t i = 1; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return -1;
        v[i - 1] = (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0'
                                                           : tolower((unsigned char)s[i]) - 'a' + 10);
    }
    if (n == 4) {
        out->r = v[0] * 17 / 255.0;
        out->g = v[1] * 17 / 255.0;
        out->b = v[2] * 17 / 255.0;
    } else {
        out->r = (v[0] * 16 + v[1]) / 255.0;
        out->g = (v[2] * 16 + v[3]) / 255.0;
        out->b = (v[4] * 16 + v[5]) / 255.0;
    }
    if (alpha)
        *alpha = n == 9 ? (v[6] * 16 + v[7]) / 255.0 : 1.0;
    return 0;
}

static int parse_color(const char *s, Rgb *out)
{
    return parse_color_alpha(s, out, NULL);
}

/* Splits s on commas into at most max trimmed fields (modifies s).  Empty
 * fields are kept (as ""), so "2,,3" is refused by the caller, not read as 2,3. */
static int split_list(char *s, char **fields, int max)
{
    int n = 0;
    for (char *tok = s; tok;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        while (isspace((unsigned char)*tok)) tok++;
        char *e = tok + strlen(tok);
        while (e > tok && isspace((unsigned char)e[-1])) *--e = '\0';
        if (n == max)
            return max + 1;
        fields[n++] = tok;
        tok = comma ? comma + 1 : NULL;
    }
    return n;
}

static void join_names(const char *const *names, char *out, size_t cap)
{
    out[0] = '\0';
    for (int i = 0; names[i]; i++) {
        if (i) strncat(out, ", ", cap - strlen(out) - 1);
        strncat(out, names[i], cap - strlen(out) - 1);
    }
}

/* Resolves a path written in the scene against the scene file's folder. */
static void resolve_path(const Scene *sc, const char *value, char *out, size_t cap)
{
    const char *slash = strrchr(sc->path, '/');
    if (value[0] == '/' || !slash || strncmp(value, "out/", 4) == 0 || cap == 0)
        snprintf(out, cap, "%s", value);
    else
        snprintf(out, cap, "%.*s/%s", (int)(slash - sc->path), sc->path, value);
}

/* ---- typed values ------------------------------------------------------- */

static const Rgb PALETTE[LW_MAX_CLASSES] = {
    /* Okabe-Ito: clear on white and for colour-blind viewers */
    {0.000, 0.447, 0.698}, /* blue */
    {0.835, 0.369, 0.000}, /* vermillion */
    {0.000, 0.620, 0.451}, /* bluish green */
    {0.800, 0.475, 0.655}, /* reddish purple */
    {0.902, 0.624, 0.000}, /* orange */
    {0.337, 0.706, 0.914}, /* sky blue */
    {0.941, 0.894, 0.259}, /* yellow */
    {0.30, 0.30, 0.30},    /* grey */
};

/* columns = x1, x2, species: a CSV's coordinate columns (2 or 3), then its
 * label's, each a header's name or a 1-based column number; the number of
 * coordinates is the data's dimension. */
static int set_columns(Parser *p, char *value)
{
    DatasetSpec *d = &p->sc->data;
    char *f[DATASET_MAX_COLUMNS + 2];
    int n = split_list(value, f, DATASET_MAX_COLUMNS);
    if (n < 3 || n > DATASET_MAX_COLUMNS)
        return fail_at(p, p->line, "columns names 2 or 3 coordinate columns and then the "
                       "label's, e.g. columns = x1, x2, species");
    for (int i = 0; i < n; i++) {
        if (!f[i][0])
            return fail_at(p, p->line, "columns: an empty name in the list");
        if (strlen(f[i]) >= DATASET_COLUMN_MAX)
            return fail_at(p, p->line, "columns: a name longer than %d characters",
                           DATASET_COLUMN_MAX - 1);
        if (strspn(f[i], "0123456789") == strlen(f[i]) && (strlen(f[i]) > 6 || atoi(f[i]) < 1))
            return fail_at(p, p->line, "columns: '%s' is not a column number from 1 to 999999",
                           f[i]);
        for (int j = 0; j < i; j++)
            if (strcasecmp(f[i], f[j]) == 0)
                return fail_at(p, p->line, "columns names '%s' twice", f[i]);
    }
    for (int i = 0; i < n; i++)
        snprintf(d->column[i], sizeof d->column[i], "%s", f[i]);
    d->n_columns = n;
    return 1;
}

static int set_widths(Parser *p, const KeySpec *k, char *value)
{
    char *f[LW_MAX_LAYERS + 3];
    int n = split_list(value, f, LW_MAX_LAYERS + 2);
    if (n < 2 || n > LW_MAX_LAYERS + 1)
        return fail_at(p, p->line, "widths needs from 2 to %d comma-separated "
                       "layer widths (input first), e.g. 2,3,2", LW_MAX_LAYERS + 1);
    for (int i = 0; i < n; i++) {
        long long v;
        if (parse_long(f[i], &v) || v < 1 || v > LW_MAX_WIDTH)
            return fail_at(p, p->line, "widths: '%s' is not a layer width from 1 to %d",
                           f[i], LW_MAX_WIDTH);
        p->sc->net.widths[i] = (int)v;
    }
    if (p->sc->net.widths[0] > 3)
        return fail_at(p, p->line, "widths: the input width must be 1, 2 or 3 (the "
                       "dataset's dimension), got %d", p->sc->net.widths[0]);
    p->sc->net.n_widths = n;
    p->widths_line = p->line;
    (void)k;
    return 1;
}

static int set_acts(Parser *p, char *value)
{
    char *f[LW_MAX_LAYERS + 2];
    int n = split_list(value, f, LW_MAX_LAYERS);
    if (n < 1 || n > LW_MAX_LAYERS)
        return fail_at(p, p->line, "activation needs one name or one per layer");
    for (int i = 0; i < n; i++) {
        Activation a;
        if (act_parse(f[i], &a) != 0)
            return fail_at(p, p->line, "unknown activation '%s' (expected %s)", f[i],
                           act_all_names());
        p->sc->net.act[i] = a;
    }
    p->n_acts = n;
    p->acts_line = p->line;
    return 1;
}

#define CHECKPOINTS_FORM "a list of steps (0, 100, 1000), every N, or log N"

/* checkpoints = 0, 100, 1000 | every 250 | log 6 */
static int set_checkpoints(Parser *p, char *value)
{
    CheckpointSpec *c = &p->sc->checkpoints;
    memset(c, 0, sizeof *c);
    long long n;
    int every = strncmp(value, "every", 5) == 0, log = strncmp(value, "log", 3) == 0;
    if (every || log) {
        const char *arg = value + (every ? 5 : 3);
        if (!isspace((unsigned char)*arg) || parse_long(arg + 1, &n))
            return fail_at(p, p->line, "checkpoints: '%s' is not %s", value, CHECKPOINTS_FORM);
        if (every && (n < 1 || n > 1000000))
            return fail_at(p, p->line, "checkpoints = every N needs N from 1 to 1000000, got %lld",
                           n);
        if (log && (n < 2 || n > HISTORY_MAX_SNAPSHOTS))
            return fail_at(p, p->line, "checkpoints = log N needs N from 2 to %d, got %lld",
                           HISTORY_MAX_SNAPSHOTS, n);
        c->mode = every ? CHECKPOINTS_EVERY : CHECKPOINTS_LOG;
        c->every = (int)n;
        c->n = (int)n;
        return 1;
    }
    char *f[HISTORY_MAX_SNAPSHOTS + 2];
    int k = split_list(value, f, HISTORY_MAX_SNAPSHOTS + 1);
    if (k < 1 || k > HISTORY_MAX_SNAPSHOTS)
        return fail_at(p, p->line, "checkpoints lists 1 to %d steps", HISTORY_MAX_SNAPSHOTS);
    for (int i = 0; i < k; i++) {
        if (parse_long(f[i], &n) || n < 0 || n > 1000000)
            return fail_at(p, p->line, "checkpoints: '%s' is not a step from 0 to 1000000 (%s)",
                           f[i], CHECKPOINTS_FORM);
        c->steps[i] = (int)n;
    }
    c->mode = CHECKPOINTS_LIST;
    c->n = k;
    return 1;
}

/* ---- latent paths ------------------------------------------------------- */

/* How each key is written, for its messages. */
static const char *latent_form(int arith)
{
    return arith ? "write a - b + c, three codes, e.g. enc(0.9,0.4) - enc(-0.9,0.4) + 0,-1"
                 : "write codes joined by '->', e.g. -1.5,0.3 -> enc(0.9,0.4)";
}

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    return s;
}

/* Bytes of s's first `chars` characters (UTF-8), so a message quoting the
 * start of s never cuts a character in two (a pasted "\xe2\x86\x92" for "->"). */
static int utf8_prefix(const char *s, int chars)
{
    size_t n = strlen(s), i = 0;
    for (int k = 0; k < chars && i < n; k++) {
        int len = utf8_len((const unsigned char *)s + i, n - i);
        i += len > 0 ? (size_t)len : 1;
    }
    return (int)i;
}

/* Reads one code at *s, "-1.5, 0.3" or "enc(0.9, 0.4)", and moves *s past
 * it.  A code ends at its last number: what follows a number other than a
 * comma is an operator ("->", "-", "+"), so "1,0 -0.5,0" reads as 1,0 minus
 * 0.5,0, never as three numbers. */
static int read_code(Parser *p, const char *key, const char **s, LatentCode *c)
{
    const char *q = skip_space(*s);
    memset(c, 0, sizeof *c);
    if (strncmp(q, "enc", 3) == 0) {
        q = skip_space(q + 3);
        if (*q != '(')
            return fail_at(p, p->line, "%s: expected '(' after enc, as in enc(0.9,0.4)", key);
        c->enc = 1;
        q++;
    }
    for (;;) {
        char *end;
        errno = 0;
        double v = strtod(q, &end);
        if (end == q || !isfinite(v) || fabs(v) > 1e6)
            return fail_at(p, p->line, "%s: expected a number within +-1e6 at '%.*s'", key,
                           utf8_prefix(skip_space(q), 24), skip_space(q));
        if (c->n == 3)
            return fail_at(p, p->line, "%s: a code has at most 3 coordinates", key);
        c->x[c->n++] = v;
        q = skip_space(end);
        if (*q != ',') break;
        q++;
    }
    if (c->enc && *q++ != ')')
        return fail_at(p, p->line, "%s: enc( has no closing ')'", key);
    *s = q;
    return 1;
}

/* One path ("a -> b -> c") or one example of arithmetic ("a - b + c"). */
static int read_latent(Parser *p, const char *key, int arith, const char *s, LatentPath *lp)
{
    char ops[GEN_PATH_CODES];
    int n_ops = 0;
    memset(lp, 0, sizeof *lp);
    lp->line = p->line;
    for (;;) {
        if (arith && lp->n_codes == 3)
            return fail_at(p, p->line, "%s: %s", key, latent_form(1));
        if (lp->n_codes == GEN_PATH_CODES)
            return fail_at(p, p->line, "%s: at most %d codes on a path", key, GEN_PATH_CODES);
        if (!read_code(p, key, &s, &lp->code[lp->n_codes++])) return 0;
        s = skip_space(s);
        if (*s == '\0') break;
        if (s[0] == '-' && s[1] == '>') {
            ops[n_ops++] = '>';
            s += 2;
        } else if (*s == '-' || *s == '+') {
            ops[n_ops++] = *s++;
        } else {
            return fail_at(p, p->line, "%s: unexpected '%.*s' after a code (%s)", key,
                           utf8_prefix(s, 1), s, latent_form(arith));
        }
    }
    int ok = arith ? n_ops == 2 && ops[0] == '-' && ops[1] == '+' : n_ops >= 1;
    for (int i = 0; !arith && i < n_ops; i++) ok = ok && ops[i] == '>';
    if (!ok)
        return fail_at(p, p->line, "%s: %s", key, latent_form(arith));
    return 1;
}

/* latent_path / latent_arith: items split by '|', each read on its own;
 * the key replaces what it held (an override replaces the file's). */
static int set_latent(Parser *p, const KeySpec *k, char *value)
{
    int arith = strcmp(k->key, "latent_arith") == 0, max = (int)k->max;
    int *count = arith ? &p->sc->model.n_arith : &p->sc->model.n_paths;
    LatentPath *out = (LatentPath *)((char *)p->sc + k->offset);
    *count = 0;
    int n = 1;
    for (const char *c = value; *c; c++) n += *c == '|';
    if (n > max)
        return fail_at(p, p->line, "%s: at most %d %s, got %d", k->key, max,
                       arith ? "examples" : "paths", n);
    char *save = NULL;
    for (char *item = strtok_r(value, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
        if (!*skip_space(item)) break; /* blank: refused below */
        if (!read_latent(p, k->key, arith, item, &out[*count])) return 0;
        (*count)++;
    }
    if (*count < n) /* an empty item: "a -> b |" */
        return fail_at(p, p->line, "%s: an empty entry between '|' (%s)", k->key,
                       latent_form(arith));
    return 1;
}

static int set_value(Parser *p, const KeySpec *k, char *value)
{
    char *field = (char *)p->sc + k->offset;
    char names[256];
    if (k->offset == OFF(output.crf)) p->sc->output.crf_line = p->line;
    if (k->offset == OFF(output.preset)) p->sc->output.preset_line = p->line;
    switch (k->type) {
    case T_INT: {
        long long v = 0;
        int bad = parse_long(value, &v);
        if (bad == -1)
            return fail_at(p, p->line, "%s must be a whole number, got '%s'", k->key, value);
        if (bad || v < k->min || v > k->max)
            return fail_at(p, p->line, "%s must be from %.0f to %.0f, got %s", k->key,
                           k->min, k->max, value);
        *(int *)field = (int)v;
        return 1;
    }
    case T_SEED: {
        long long v;
        if (parse_long(value, &v) || v < 0)
            return fail_at(p, p->line, "%s must be a whole number >= 0, got '%s'", k->key, value);
        *(uint64_t *)field = (uint64_t)v;
        return 1;
    }
    case T_DOUBLE: {
        double v;
        if (parse_double(value, &v))
            return fail_at(p, p->line, "%s must be a number, got '%s'", k->key, value);
        if (v < k->min || v > k->max)
            return fail_at(p, p->line, "%s must be from %g to %g, got %g", k->key, k->min,
                           k->max, v);
        *(double *)field = v;
        return 1;
    }
    case T_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (int i = 0; i < 4; i++) {
            if (strcmp(value, yes[i]) == 0) { *(int *)field = 1; return 1; }
            if (strcmp(value, no[i]) == 0) { *(int *)field = 0; return 1; }
        }
        return fail_at(p, p->line, "%s must be true or false, got '%s'", k->key, value);
    }
    case T_ENUM:
        for (int i = 0; k->names[i]; i++)
            if (strcmp(value, k->names[i]) == 0) {
                *(int *)field = i;
                return 1;
            }
        join_names(k->names, names, sizeof names);
        return fail_at(p, p->line, "unknown %s '%s' (expected %s)", k->key, value, names);
    case T_KIND: {
        int kind = dataset_kind_by_name(value);
        if (kind >= 0) {
            *(DatasetKind *)field = (DatasetKind)kind;
            return 1;
        }
        return fail_at(p, p->line, "unknown %s '%s' (expected %s)", k->key, value,
                       dataset_kind_names(NULL, ", ", names, sizeof names));
    }
    case T_COLOR:
        if (parse_color(value, (Rgb *)field))
            return fail_at(p, p->line, "%s must be a colour like #1f77b4, got '%s'", k->key, value);
        return 1;
    case T_BACKGROUND: {
        /* "transparent" keeps the colour so far: it still tints what is mixed
         * with the background (fog, rings); #rrggbbaa gives both */
        double alpha = 0;
        if (strcmp(value, "transparent") != 0 && parse_color_alpha(value, (Rgb *)field, &alpha))
            return fail_at(p, p->line,
                           "%s must be a colour like #ffffff, #00000000 (with alpha) or "
                           "transparent, got '%s'", k->key, value);
        p->sc->render.style.transparency = 1 - alpha;
        return 1;
    }
    case T_COLORS: {
        char *f[LW_MAX_CLASSES + 2];
        int n = split_list(value, f, LW_MAX_CLASSES);
        if (n < 1 || n > LW_MAX_CLASSES)
            return fail_at(p, p->line, "colors takes 1 to %d colours", LW_MAX_CLASSES);
        /* colours not listed are the palette's, also when an override
         * replaces a list the file gave */
        memcpy(field, PALETTE, sizeof PALETTE);
        for (int i = 0; i < n; i++)
            if (parse_color(f[i], &((Rgb *)field)[i]))
                return fail_at(p, p->line, "colors: '%s' is not a colour like #1f77b4", f[i]);
        return 1;
    }
    case T_BOX: {
        char *f[6];
        double v[4];
        int n = split_list(value, f, 4);
        if (n != 4)
            return fail_at(p, p->line, "%s needs four numbers xmin,xmax,ymin,ymax", k->key);
        for (int i = 0; i < 4; i++)
            if (parse_double(f[i], &v[i]) || fabs(v[i]) > 1e6)
                return fail_at(p, p->line, "%s: '%s' is not a number within +-1e6", k->key, f[i]);
        if (!(v[0] < v[1] && v[2] < v[3]))
            return fail_at(p, p->line, "%s needs xmin < xmax and ymin < ymax", k->key);
        memcpy(field, v, sizeof v);
        if (strcmp(k->key, "region") == 0) p->sc->has_region = 1;
        if (strcmp(k->key, "view_box") == 0) p->view_box_line = p->line;
        return 1;
    }
    case T_STRING:
        if (strlen(value) >= (strcmp(k->key, "font") == 0 ? sizeof p->sc->render.style.font
                                                         : sizeof p->sc->output.preset))
            return fail_at(p, p->line, "%s is too long", k->key);
        strcpy(field, value);
        return 1;
    case T_PATH:
        if (value[0] == '\0' || strlen(value) >= LW_PATH_MAX / 2)
            return fail_at(p, p->line, "%s must be a path of 1 to %d characters", k->key,
                           LW_PATH_MAX / 2 - 1);
        resolve_path(p->sc, value, field, LW_PATH_MAX);
        return 1;
    case T_UNITS: {
        char *f[5];
        int n = split_list(value, f, 3);
        if (n < 2 || n > 3)
            return fail_at(p, p->line, "units needs 2 or 3 unit numbers (1-based), e.g. 1,2,3");
        for (int i = 0; i < n; i++) {
            long long u;
            if (parse_long(f[i], &u) || u < 1 || u > LW_MAX_WIDTH)
                return fail_at(p, p->line, "units: '%s' is not a unit number from 1 to %d",
                               f[i], LW_MAX_WIDTH);
            p->sc->render.geom.units[i] = (int)u - 1;
        }
        p->sc->render.geom.n_units = n;
        return 1;
    }
    case T_CHECKPOINTS:
        return set_checkpoints(p, value);
    case T_NETWORKS:
        snprintf(p->networks, sizeof p->networks, "%s", value);
        return 1;
    case T_POINT: {
        char *f[LW_MAX_WIDTH + 2];
        int n = split_list(value, f, LW_MAX_WIDTH);
        if (n < 1 || n > LW_MAX_WIDTH)
            return fail_at(p, p->line, "%s needs 1 to %d comma-separated numbers, e.g. 1,2",
                           k->key, LW_MAX_WIDTH);
        for (int i = 0; i < n; i++) {
            double *v = &p->sc->render.worked[i];
            if (parse_double(f[i], v) || fabs(*v) > WORKED_MAX)
                return fail_at(p, p->line, "%s: '%s' is not a number from -%d to %d", k->key,
                               f[i], WORKED_MAX, WORKED_MAX);
        }
        p->sc->render.n_worked = n;
        return 1;
    }
    case T_COLUMNS:
        return set_columns(p, value);
    case T_WIDTHS:
        return set_widths(p, k, value);
    case T_ACTS:
        return set_acts(p, value);
    case T_LATENT:
        return set_latent(p, k, value);
    }
    return 0;
}

/* ---- [weights] ---------------------------------------------------------- */

/* Appends one or more rows ("1.2 -0.8 | 0.6 1.1") to a matrix. */
static int matrix_append(Parser *p, const char *key, Matrix *m, const char *value)
{
    if (m->cols < 0 || m->line == 0) {
        m->line = p->line;
        m->cols = -1;
    }
    char buf[MAX_LINE + 8];
    snprintf(buf, sizeof buf, "%s", value);
    char *save_row = NULL;
    for (char *row = strtok_r(buf, "|", &save_row); row; row = strtok_r(NULL, "|", &save_row)) {
        int cols = 0;
        char *save = NULL;
        for (char *tok = strtok_r(row, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
            double v;
            if (parse_double(tok, &v))
                return fail_at(p, p->line, "%s: '%s' is not a finite number", key, tok);
            if (m->n == m->cap) {
                int cap = m->cap ? m->cap * 2 : 16;
                if (cap > LW_MAX_WIDTH * LW_MAX_WIDTH)
                    return fail_at(p, p->line, "%s has more than %d values", key,
                                   LW_MAX_WIDTH * LW_MAX_WIDTH);
                double *nv = realloc(m->v, (size_t)cap * sizeof *nv);
                if (!nv)
                    return fail_at(p, p->line, "out of memory");
                m->v = nv;
                m->cap = cap;
            }
            m->v[m->n++] = v;
            cols++;
        }
        if (cols == 0)
            continue;
        if (m->cols >= 0 && cols != m->cols)
            return fail_at(p, p->line, "%s: row %d has %d value%s, the first row has %d",
                           key, m->rows + 1, cols, cols == 1 ? "" : "s", m->cols);
        m->cols = cols;
        m->rows++;
    }
    return 1;
}

static int set_weight(Parser *p, const char *key, const char *value, int continued)
{
    if (strcmp(key, "file") == 0) {
        if (continued)
            return fail_at(p, p->line, "file takes one path");
        if (p->weights_file_line)
            return fail_at(p, p->line, "duplicate key 'file' in [weights] (first set on "
                           "line %d)", p->weights_file_line);
        if (value[0] == '\0' || strlen(value) >= LW_PATH_MAX / 2)
            return fail_at(p, p->line, "file must be a path of 1 to %d characters",
                           LW_PATH_MAX / 2 - 1);
        p->weights_file_line = p->line;
        p->sc->net.has_weights = 1;
        resolve_path(p->sc, value, p->sc->net.weights_path, LW_PATH_MAX);
        return 1;
    }
    Matrix *m = NULL;
    char kind = key[0];
    if (strcmp(key, "Wout") == 0)
        m = &p->Wout;
    else if (strcmp(key, "bout") == 0)
        m = &p->bout;
    else if ((kind == 'W' || kind == 'b') && isdigit((unsigned char)key[1])) {
        long long l;
        if (parse_long(key + 1, &l) == 0 && l >= 1 && l <= LW_MAX_LAYERS)
            m = kind == 'W' ? &p->W[l - 1] : &p->b[l - 1];
    }
    if (!m)
        return fail_at(p, p->line, "unknown key '%s' in [weights] (expected W1, b1, W2, "
                       "..., Wout, bout or file)", key);
    if (m->line && !continued)
        return fail_at(p, p->line, "duplicate key '%s' in [weights] (first set on line %d)",
                       key, m->line);
    p->sc->net.has_weights = 1;
    return matrix_append(p, key, m, value);
}

/* ---- [compare] ----------------------------------------------------------- */

/* What a [compare] line may change: the model, its data and its training,
 * and which of its networks are played; the frame is shared. */
static int comparable(const char *name)
{
    static const char *const prefixes[] = {"dataset.", "network.", "train.", NULL};
    for (int i = 0; prefixes[i]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) return 1;
    return strcmp(name, "render.networks") == 0;
}

/* Records "section.key = value" of [compare] (or of a --set compare.*),
 * checked when the compared scene is read. */
static int add_compare(Parser *p, const char *name, const char *value)
{
    if (!strchr(name, '.'))
        return fail_at(p, p->line, "[compare] takes section.key = value (e.g. network.model = "
                       "vae), got '%s'", name);
    if (!comparable(name))
        return fail_at(p, p->line, "[compare] changes the model, its data and training "
                       "(dataset.*, network.*, train.*, render.networks), not %s: the frame is "
                       "shared", name);
    if (p->n_compare == MAX_COMPARE)
        return fail_at(p, p->line, "[compare] has more than %d lines", MAX_COMPARE);
    snprintf(p->compare[p->n_compare], sizeof p->compare[0], "%s=%s", name, value);
    p->compare_line[p->n_compare++] = p->line;
    return 1;
}

/* ---- the inih callbacks ------------------------------------------------- */

static int set_key(Parser *p, const char *section, const char *name, const char *value,
                   int replace);

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    Parser *p = user;
    if (p->failed)
        return 0;
    int si = section_index(section);
    if (si < 0) {
        char hint[96];
        suggest(section, SECTIONS, N_SECTIONS, hint, sizeof hint);
        if (section[0] == '\0')
            return fail_at(p, p->line, "key '%s' is outside any section (start with "
                           "[dataset])", name);
        return fail_at(p, p->line, "unknown section [%s]%s", section, hint);
    }
    if (!p->section_line[si])
        p->section_line[si] = p->line;
    p->any_section = 1;
    if (strcmp(section, "compare") == 0) {
        if (p->line_indented)
            return fail_at(p, p->line, "unexpected indented line in [compare]");
        return p->compare_pass ? 1 : add_compare(p, name, value);
    }
    int continued = p->line_indented && strcmp(section, "weights") == 0 &&
                    strcmp(p->last_key, name) == 0;
    if (strcmp(section, "weights") == 0) {
        snprintf(p->last_key, sizeof p->last_key, "%s", name);
        return set_weight(p, name, value, continued);
    }
    p->last_key[0] = '\0';
    if (p->line_indented) {
        /* inih joins an indented line to the key above; only matrices may. */
        return fail_at(p, p->line, "unexpected indented line (only [weights] matrices may "
                       "continue on indented lines)");
    }
    return set_key(p, section, name, value, 0);
}

/* Sets key `name` of a known section other than [weights], from a line of
 * the file (replace = 0: a second time is an error) or from an override
 * (replace = 1: the last one wins). */
static int set_key(Parser *p, const char *section, const char *name, const char *value,
                   int replace)
{
    const char *cands[N_KEYS];
    int nc = 0;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(KEYS[i].section, section) != 0)
            continue;
        cands[nc++] = KEYS[i].key;
        if (strcmp(KEYS[i].key, name) != 0)
            continue;
        if (p->seen_line[i] && !replace)
            return fail_at(p, p->line, "duplicate key '%s' in [%s] (first set on line %d)",
                           name, section, p->seen_line[i]);
        p->seen_line[i] = p->line;
        if (value[0] == '\0')
            return fail_at(p, p->line, "%s has no value", name);
        char buf[MAX_LINE + 8];
        snprintf(buf, sizeof buf, "%s", value);
        if (strcmp(name, "kind") == 0) p->kind_line = p->line;
        if (strcmp(name, "width") == 0 || strcmp(name, "height") == 0) p->size_line = p->line;
        return set_value(p, &KEYS[i], buf);
    }
    char hint[96];
    suggest(name, cands, nc, hint, sizeof hint);
    if (!hint[0] && strcmp(name, "colour") == 0)
        snprintf(hint, sizeof hint, " (did you mean 'colors'?)");
    return fail_at(p, p->line, "unknown key '%s' in [%s]%s", name, section, hint);
}

/* inih's own reading of a line (r55, with multi-line values and ';' inline
 * comments after white space): blank or a comment, an indented continuation
 * of the key above, "[section]", or "name = value" ("name: value" too).  inih
 * reports a malformed line only by number, after it has handed us the lines
 * that follow, so we check each line before inih sees it: the first error in
 * the file is the one reported.  Also records where each section starts. */
static int check_syntax(Parser *p, const char *s, size_t n)
{
    size_t a = 0, e = n;
    while (a < n && isspace((unsigned char)s[a])) a++;
    while (e > a && isspace((unsigned char)s[e - 1])) e--;
    if (a == e || s[a] == ';' || s[a] == '#')
        return 1;
    if (a > 0 && p->ini_prev_name)
        return 1; /* inih hands it to on_pair as more of the key above */
    int section = s[a] == '[', was_space = 0;
    const char *stop = section ? "]" : "=:";
    size_t k = section ? a + 1 : a;
    for (; k < e && !strchr(stop, s[k]) && !(was_space && s[k] == ';'); k++)
        was_space = isspace((unsigned char)s[k]);
    int shown = e - a > 60 ? 57 : (int)(e - a);
    const char *more = e - a > 60 ? "..." : "";
    if (section) {
        if (k == e || s[k] != ']')
            return fail_at(p, p->line, "syntax error: '%.*s%s' has no closing ']'", shown,
                           s + a, more);
        char name[64], hint[96];
        snprintf(name, sizeof name, "%.*s", (int)(k - a - 1), s + a + 1);
        int si = section_index(name);
        if (si < 0) {
            suggest(name, SECTIONS, N_SECTIONS, hint, sizeof hint);
            return fail_at(p, p->line, "unknown section [%s]%s", name, hint);
        }
        if (!p->section_line[si])
            p->section_line[si] = p->line;
        p->any_section = 1;
        p->ini_prev_name = 0;
        return 1;
    }
    if (k == e)
        return fail_at(p, p->line, "syntax error: expected key = value or [section], got "
                       "'%.*s%s'", shown, s + a, more);
    if (k == a)
        return fail_at(p, p->line, "syntax error: no key name before '%c'", s[k]);
    p->ini_prev_name = 1;
    return 1;
}

/* Hands inih one line at a time, counting lines and refusing what it would
 * silently mangle (long lines, binary data) or report late (syntax errors). */
static char *read_line(char *str, int num, void *stream)
{
    Parser *p = stream;
    if (p->pos >= p->len || p->too_long || p->failed)
        return NULL;
    size_t start = p->pos, end = start;
    while (end < p->len && p->text[end] != '\n')
        end++;
    size_t n = end - start;
    p->line++;
    p->pos = end < p->len ? end + 1 : end;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *u = (const unsigned char *)p->text + start + i;
        unsigned char c = u[0];
        /* a CR only as the end of a CRLF line: a lone one would garble messages */
        if ((c < 0x20 && c != '\t' && !(c == '\r' && i + 1 == n)) || c == 0x7f) {
            p->too_long = 1;
            if (c == 0)
                fail_at(p, p->line, "binary data (a NUL byte): not a scene file");
            else
                fail_at(p, p->line, "binary data (control byte 0x%02x): not a scene file", c);
            return NULL;
        }
        /* UTF-8 only, so that messages quoting the file are text too */
        int len = utf8_len(u, n - i);
        if (len < 0) {
            p->too_long = 1;
            fail_at(p, p->line, "not UTF-8 text (byte 0x%02x in column %zu): not a scene file",
                    c, i + 1);
            return NULL;
        }
        i += (size_t)len - 1;
    }
    size_t chars = n > 0 && p->text[end - 1] == '\r' ? n - 1 : n; /* CRLF */
    if (chars > MAX_LINE || (int)n + 2 > num) {
        p->too_long = 1;
        fail_at(p, p->line, "line too long (%zu characters, at most %d; split a "
                "matrix over indented lines)", chars, MAX_LINE);
        return NULL;
    }
    memcpy(str, p->text + start, n);
    str[n] = '\n';
    str[n + 1] = '\0';
    p->line_indented = n > 0 && (str[0] == ' ' || str[0] == '\t');
    if (!check_syntax(p, str, n))
        return NULL;
    return str;
}

/* ---- overrides ---------------------------------------------------------- */

#define OVERRIDE_FORM "expected section.key=value, e.g. render.fps=24"

static const char *trimmed(const char *s, size_t n, char *out, size_t cap)
{
    while (n > 0 && isspace((unsigned char)*s)) { s++; n--; }
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    snprintf(out, cap, "%.*s", (int)n, s);
    return out;
}

/* " (did you mean 'render.fps=24'?)" when name is a key of exactly one
 * section, else the form an override takes. */
static void suggest_section(const char *name, const char *value, char *out, size_t cap)
{
    const KeySpec *found = NULL;
    int n = 0;
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(KEYS[i].key, name) == 0) {
            found = &KEYS[i];
            n++;
        }
    if (n == 1)
        snprintf(out, cap, " (did you mean '%s.%s=%s'?)", found->section, name, value);
    else
        snprintf(out, cap, " (%s)", OVERRIDE_FORM);
}

/* Applies one "section.key=value" override; p->line already stands for it. */
static int apply_override(Parser *p, const char *ov)
{
    size_t n = strlen(ov);
    /* the same limits as a line of the file, so the value fits set_value's
     * buffers and the message quoting it is one line of text */
    if (n > MAX_LINE)
        return fail_at(p, p->line, "too long (%zu characters, at most %d)", n, MAX_LINE);
    for (size_t i = 0; i < n;) {
        const unsigned char *u = (const unsigned char *)ov + i;
        if (u[0] < 0x20 || u[0] == 0x7f)
            return fail_at(p, p->line, "control byte 0x%02x in column %zu: not one line of "
                           "text", u[0], i + 1);
        int len = utf8_len(u, n - i);
        if (len < 0)
            return fail_at(p, p->line, "not UTF-8 text (byte 0x%02x in column %zu)", u[0],
                           i + 1);
        i += (size_t)len;
    }
    const char *eq = strchr(ov, '=');
    if (!eq)
        return fail_at(p, p->line, "no '=' (" OVERRIDE_FORM ")");
    char section[MAX_LINE + 1], name[MAX_LINE + 1], value[MAX_LINE + 1];
    trimmed(eq + 1, strlen(eq + 1), value, sizeof value);
    const char *dot = memchr(ov, '.', (size_t)(eq - ov));
    if (!dot) {
        trimmed(ov, (size_t)(eq - ov), name, sizeof name);
        if (!name[0])
            return fail_at(p, p->line, "no section.key before '=' (" OVERRIDE_FORM ")");
        char hint[2 * MAX_LINE + 64];
        suggest_section(name, value, hint, sizeof hint);
        return fail_at(p, p->line, "no section before '%s'%s", name, hint);
    }
    trimmed(ov, (size_t)(dot - ov), section, sizeof section);
    trimmed(dot + 1, (size_t)(eq - dot - 1), name, sizeof name);
    if (!section[0])
        return fail_at(p, p->line, "no section name before '.' (" OVERRIDE_FORM ")");
    if (!name[0])
        return fail_at(p, p->line, "no key name after '%s.' (" OVERRIDE_FORM ")", section);
    if (section_index(section) < 0) {
        char hint[96];
        suggest(section, SECTIONS, N_SECTIONS, hint, sizeof hint);
        return fail_at(p, p->line, "unknown section [%s]%s", section, hint);
    }
    if (strcmp(section, "compare") == 0) {
        return p->compare_pass ? 1 : add_compare(p, name, value);
    }
    /* matrices are written over several rows and checked as a whole against
     * the widths; one command-line word is no place for them */
    if (strcmp(section, "weights") == 0)
        return fail_at(p, p->line, "[weights] cannot be overridden (write its matrices, "
                       "or file = ..., in the scene)");
    return set_key(p, section, name, value, 1);
}

static int apply_overrides(Parser *p)
{
    int file_line = p->line;
    for (int i = 0; i < p->n_overrides && !p->failed; i++) {
        p->line = -(i + 1);
        apply_override(p, p->overrides[i]);
    }
    p->line = file_line; /* for messages about the file's end */
    return !p->failed;
}

/* ---- defaults and cross-key validation ---------------------------------- */

static void set_defaults(Scene *sc)
{
    sc->data.kind = DATA_MOONS;
    sc->data.n_points = 400;
    sc->data.noise = -1; /* the dataset's own default */
    sc->data.seed = 1;
    sc->data.classes = -1;
    sc->data.turns = 1.0;
    sc->data.factor = 0.4;
    sc->data.draw = (DrawAs)-1;

    sc->model.kind = MODEL_CLASSIFIER;
    sc->model.latent = 2;
    sc->model.prior = PRIOR_GAUSSIAN;
    sc->model.beta = 0.1;
    sc->net.n_widths = 3;
    sc->net.widths[0] = sc->net.widths[1] = sc->net.widths[2] = 2;
    for (int i = 0; i < LW_MAX_LAYERS; i++)
        sc->net.act[i] = ACT_TANH;

    sc->train.optimizer = OPT_ADAM;
    sc->train.learning_rate = 0.02;
    sc->train.steps = 2000;
    sc->train.momentum = 0.9;
    sc->train.seed = 1;
    sc->train.readable = READABLE_DEFAULT;

    RenderConfig *r = &sc->render;
    r->style.width = 1280;
    r->style.height = 720;
    r->timeline.fps = 30;
    r->timeline.stage_seconds = 1.5;
    r->timeline.hold_start = 0.5;
    r->timeline.hold_between = 0.25;
    r->timeline.hold_end = 1.0;
    r->timeline.easing = EASE_SMOOTHSTEP;
    r->interpolation = INTERP_POLAR;
    r->geom.wide_view = WIDE_PCA;
    r->geom.n_units = 3;
    r->geom.units[0] = 0;
    r->geom.units[1] = 1;
    r->geom.units[2] = 2;
    r->geom.grid_lines = 21;
    r->geom.grid_samples = 48;
    r->geom.grid_adaptive = 1;
    r->camera.view = VIEW_AUTO;
    r->camera.margin = 0.08;
    sc->zoom_seconds = 0.5;
    r->show_readout = 1;
    r->style.show_grid = r->style.show_domain = r->style.show_points = 1;
    r->style.show_boundary = r->style.show_captions = r->style.show_progress = 1;
    r->style.show_numbers = r->style.show_legend = r->style.depth_cues = 1;
    r->style.shade = SHADE_NONE;
    sc->output.crf = -1;
    r->camera.projection = PROJ_ORTHOGRAPHIC;
    r->camera.yaw = -35;
    r->camera.pitch = 55;

    Style *s = &sc->render.style;
    s->background = (Rgb){1, 1, 1};
    s->grid = (Rgb){0.62, 0.62, 0.62};
    s->domain = (Rgb){0.12, 0.12, 0.12};
    s->boundary = (Rgb){0, 0, 0};
    s->text = (Rgb){0.1, 0.1, 0.1};
    s->arrow = (Rgb){0.42, 0.24, 0.60}; /* #6a3d9a: apart from the classes and the grey */
    memcpy(s->classes, PALETTE, sizeof PALETTE);
    s->point_radius = 3.2;
    s->grid_width = 1.0;
    s->domain_width = 2.2;
    s->curve_width = 4.0;
    s->boundary_width = 2.5;
    s->caption_size = 24;
    s->min_text = 9;
    snprintf(s->font, sizeof s->font, "DejaVu Sans");
}

static int last_line(const Parser *p)
{
    return p->line > 0 ? p->line : 1;
}

/* Line where [section] key was set, else fallback. */
static int key_line(const Parser *p, const char *section, const char *key, int fallback)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(KEYS[i].section, section) == 0 && strcmp(KEYS[i].key, key) == 0)
            return p->seen_line[i] ? p->seen_line[i] : fallback;
    return fallback;
}

/* "widths on line 4" or "the default widths 2,2,2", for messages on shapes. */
static const char *widths_origin(const Parser *p, char *buf, size_t cap)
{
    const NetSpec *net = &p->sc->net;
    if (p->widths_line > 0) {
        snprintf(buf, cap, "widths on line %d", p->widths_line);
        return buf;
    }
    if (p->widths_line < 0) {
        char shown[OVERRIDE_SHOWN + 8];
        snprintf(buf, cap, "widths of --set %s",
                 show_override(p->overrides[-p->widths_line - 1], shown, sizeof shown));
        return buf;
    }
    snprintf(buf, cap, "the default widths %d", net->widths[0]);
    for (int i = 1; i < net->n_widths; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), ",%d", net->widths[i]);
    return buf;
}

static int copy_matrix(Parser *p, const char *name, const Matrix *m, int rows, int cols,
                       int sec_line, double **out)
{
    char from[OVERRIDE_SHOWN + 64];
    if (!m->line)
        return fail_at(p, sec_line, "[weights] is missing %s (%dx%d for %s)", name, rows,
                       cols, widths_origin(p, from, sizeof from));
    if (m->rows != rows || m->cols != cols)
        return fail_at(p, m->line, "%s is %dx%d, expected %dx%d (%s)", name, m->rows,
                       m->cols < 0 ? 0 : m->cols, rows, cols,
                       strcmp(name, "bout") == 0 ? "one value per row of Wout"
                                                 : widths_origin(p, from, sizeof from));
    *out = malloc((size_t)rows * cols * sizeof **out);
    if (!*out)
        return fail_at(p, m->line, "out of memory");
    memcpy(*out, m->v, (size_t)rows * cols * sizeof **out);
    return 1;
}

static int validate_weights(Parser *p)
{
    NetSpec *net = &p->sc->net;
    int sec = p->section_line[section_index("weights")];
    int L = net->n_widths - 1;
    char from[OVERRIDE_SHOWN + 64];
    for (int l = L; l < LW_MAX_LAYERS; l++) {
        if (p->W[l].line)
            return fail_at(p, p->W[l].line, "W%d given but the network has %d layer%s (%s)",
                           l + 1, L, L == 1 ? "" : "s", widths_origin(p, from, sizeof from));
        if (p->b[l].line)
            return fail_at(p, p->b[l].line, "b%d given but the network has %d layer%s (%s)",
                           l + 1, L, L == 1 ? "" : "s", widths_origin(p, from, sizeof from));
    }
    if (net->weights_path[0]) {
        for (int l = 0; l < L; l++)
            if (p->W[l].line || p->b[l].line || p->Wout.line || p->bout.line)
                return fail_at(p, p->weights_file_line, "[weights] has both file and "
                               "W/b values; use one");
        return 1;
    }
    for (int l = 0; l < L; l++) {
        char wn[8], bn[8];
        snprintf(wn, sizeof wn, "W%d", l + 1);
        snprintf(bn, sizeof bn, "b%d", l + 1);
        if (!copy_matrix(p, wn, &p->W[l], net->widths[l + 1], net->widths[l], sec, &net->W[l]))
            return 0;
        const Matrix *b = &p->b[l];
        if (b->line && b->rows > 1 && b->cols == 1) { /* a column vector is fine */
        } else if (b->line && b->rows != 1)
            return fail_at(p, b->line, "%s must be one row of %d values", bn, net->widths[l + 1]);
        Matrix flat = *b;
        if (b->line) { flat.rows = 1; flat.cols = b->n; }
        if (!copy_matrix(p, bn, &flat, 1, net->widths[l + 1], sec, &net->b[l]))
            return 0;
    }
    if (p->Wout.line || p->bout.line) {
        if (!p->Wout.line || !p->bout.line)
            return fail_at(p, p->Wout.line ? p->Wout.line : p->bout.line,
                           "give both Wout and bout, or neither");
        int n_out = p->Wout.rows;
        if (n_out < 1 || n_out > LW_MAX_CLASSES)
            return fail_at(p, p->Wout.line, "Wout must have 1 to %d rows", LW_MAX_CLASSES);
        Matrix flat = p->bout;
        flat.rows = 1;
        flat.cols = p->bout.n;
        if (!copy_matrix(p, "Wout", &p->Wout, n_out, net->widths[L], sec, &net->Wout) ||
            !copy_matrix(p, "bout", &flat, 1, n_out, sec, &net->bout))
            return 0;
        net->has_readout = 1;
        net->n_out = n_out;
    }
    return 1;
}

/* Keys that more than one module reads are parsed once and handed to each. */
static void fill_configs(Scene *sc)
{
    RenderConfig *r = &sc->render;
    r->geom.show_grid = r->style.show_grid;
    r->geom.show_domain = r->style.show_domain;
    r->geom.area_cells = r->style.shade == SHADE_AREA ? GEOM_AREA_CELLS : 0;
    r->style.scale_bar = r->camera.view == VIEW_FOLLOW; /* the camera zooms all the time */
    r->style.axes = r->camera.view != VIEW_FOLLOW;      /* the scale holds: ticks say it */
    r->style.curve_inset = sc->training != TRAINING_OFF;
    /* the held view zooms only between layers, in a gap of its own */
    r->timeline.layer_gap = r->camera.view == VIEW_AUTO ? sc->zoom_seconds : 0.0;
}

/* Subsets of the kinds, for the checks below and their messages. */
static int reads_file(const DatasetInfo *kind) { return kind->reads_file; }
static int is_curve(const DatasetInfo *kind) { return kind->curves != 0; }
static int sets_classes(const DatasetInfo *kind) { return kind->classes_settable; }

/* A CSV's dimension is the scene's to say, since the file is read later: the
 * coordinates `columns` names, else 3 when the widths start (a generative
 * model's: end) with 3, else 2.  A mismatch is then the widths' message. */
static void set_csv_dim(Parser *p, const DatasetInfo *kind)
{
    DatasetSpec *d = &p->sc->data;
    const NetSpec *net = &p->sc->net;
    int w = p->sc->model.kind == MODEL_CLASSIFIER ? net->widths[0]
                                                   : net->widths[net->n_widths - 1];
    if (!kind->reads_file)
        d->csv_dim = 0;
    else if (d->n_columns)
        d->csv_dim = d->n_columns - 1;
    else
        d->csv_dim = p->widths_line && w == 3 ? 3 : 2;
}

/* The line of the first matrix written in [weights] (0: none), its name in
 * name. */
static int first_matrix(const Parser *p, char *name, size_t size)
{
    int line = 0;
    for (int l = 0; l < LW_MAX_LAYERS; l++) {
        if (p->W[l].line && (!line || p->W[l].line < line)) {
            line = p->W[l].line;
            snprintf(name, size, "W%d", l + 1);
        }
        if (p->b[l].line && (!line || p->b[l].line < line)) {
            line = p->b[l].line;
            snprintf(name, size, "b%d", l + 1);
        }
    }
    if (p->Wout.line && (!line || p->Wout.line < line)) {
        line = p->Wout.line;
        snprintf(name, size, "Wout");
    }
    if (p->bout.line && (!line || p->bout.line < line)) {
        line = p->bout.line;
        snprintf(name, size, "bout");
    }
    return line;
}

/* [render] networks: names of the model's networks, each at most once, in
 * the order the show plays them; left out, model_default_nets. */
static int validate_networks(Parser *p)
{
    ModelSpec *ms = &p->sc->model;
    int line = key_line(p, "render", "networks", 0);
    ModelNet has[MODEL_MAX_NETS];
    int n_has = model_nets(ms->kind, has);
    if (!line) {
        ms->n_networks = model_default_nets(ms->kind, ms->networks);
        return 1;
    }
    if (!n_has)
        return fail_at(p, line, "networks is for model = gan, vae or autoencoder (a %s is "
                       "one network)", model_kind_name(ms->kind));
    char expected[64];
    snprintf(expected, sizeof expected, "%s, %s", model_net_name(has[0]), model_net_name(has[1]));
    char *f[MODEL_MAX_NETS + 2];
    int n = split_list(p->networks, f, MODEL_MAX_NETS + 1);
    if (n > MODEL_MAX_NETS + 1) n = MODEL_MAX_NETS + 1; /* a third name repeats one anyway */
    ms->n_networks = 0;
    for (int i = 0; i < n; i++) {
        ModelNet net;
        int known = model_net_parse(f[i], &net) == 0 && (net == has[0] || net == has[1]);
        if (!f[i][0])
            return fail_at(p, line, "networks: an empty name in the list (expected %s)",
                           expected);
        const char *name = model_kind_name(ms->kind);
        if (!known)
            return fail_at(p, line, "networks: %s %s has no network '%s' (expected %s)",
                           strchr("aeiou", name[0]) ? "an" : "a", name, f[i], expected);
        for (int j = 0; j < ms->n_networks; j++)
            if (ms->networks[j] == net)
                return fail_at(p, line, "networks names %s twice (each network plays once)",
                               f[i]);
        ms->networks[ms->n_networks++] = net;
    }
    return 1;
}

/* A generative model's widths run from the latent space to the data: the
 * first is `latent`, the last the data's dimension; left out, latent, 16,
 * 16, dim (tanh). */
static int validate_generative(Parser *p, const DatasetInfo *kind)
{
    Scene *sc = p->sc;
    NetSpec *net = &sc->net;
    int latent_line = key_line(p, "network", "latent", p->widths_line);
    int gan = sc->model.kind == MODEL_GAN, dim = dataset_spec_dim(&sc->data);
    sc->model.steps_given = key_line(p, "train", "steps", 0) != 0;
    sc->model.rate_given = key_line(p, "train", "learning_rate", 0) != 0;
    if (!p->widths_line) { /* latent, 16, 16(, 16 for a GAN's generator), dim */
        net->n_widths = gan ? 5 : 4;
        net->widths[0] = sc->model.latent;
        for (int l = 1; l + 1 < net->n_widths; l++) net->widths[l] = 16;
        net->widths[net->n_widths - 1] = dim;
    } else if (net->widths[0] != sc->model.latent) {
        return fail_at(p, latent_line ? latent_line : p->widths_line,
                       "widths starts with %d but latent = %d (a %s's first width is the "
                       "latent dimension)", net->widths[0], sc->model.latent,
                       model_kind_name(sc->model.kind));
    } else if (net->widths[net->n_widths - 1] != dim) {
        return fail_at(p, p->widths_line, "widths ends with %d but %s data is %d-D (a %s's "
                       "last width is the data's dimension)", net->widths[net->n_widths - 1],
                       kind->name, dim, model_kind_name(sc->model.kind));
    }
    if (gan && !p->acts_line) /* a GAN trains reliably with leaky units (gan.h) */
        for (int l = 0; l < LW_MAX_LAYERS; l++) net->act[l] = ACT_LEAKY_RELU;
    /* a generative model's several networks come whole from a file that
     * `layerwarp train -o` wrote; matrices in the scene are a classifier's */
    char name[8];
    int line = first_matrix(p, name, sizeof name);
    if (line)
        return fail_at(p, line, "%s in [weights] is for model = classifier; model = %s "
                       "reads its weights from a file (file = PATH, as layerwarp train -o "
                       "writes it)", name, model_kind_name(sc->model.kind));
    return 1;
}

/* training = replay shows a classifier or a GAN being trained: one replay
 * of its layers (a GAN's: of the networks it shows) per checkpoint (four
 * on a log scale when none are given); training = morph (a classifier's)
 * one layer's space moving from checkpoint to checkpoint,
 * at constant speed without holds (one checkpoint to the next in
 * stage_seconds), the auto camera holding one view over all of it (so the
 * scale shows how far training moves the points), or following them. */
/* A GAN's training morph shows its generator's data space, the
 * discriminator's verdict drawn in it: no other network, no layer to
 * choose, data of at most 3 dimensions. */
static int validate_gan_morph(Parser *p, int line)
{
    Scene *sc = p->sc;
    int nets = key_line(p, "render", "networks", 0), at = key_line(p, "render",
                                                                   "training_layer", 0);
    if (nets && (sc->model.n_networks != 1 || sc->model.networks[0] != NET_GENERATOR))
        return fail_at(p, nets, "training = morph shows a gan's generator, with the "
                       "discriminator's verdict drawn in its data space: networks = generator");
    if (at)
        return fail_at(p, at, "training_layer is for a classifier: a gan's morph shows the "
                       "generator's data space");
    if (dataset_spec_dim(&sc->data) > 3)
        return fail_at(p, line, "training = morph shows a space of at most 3 units; the data "
                       "have %d", dataset_spec_dim(&sc->data));
    return 1;
}

static int validate_training(Parser *p)
{
    Scene *sc = p->sc;
    int line = key_line(p, "render", "training", last_line(p));
    const char *how = sc->training == TRAINING_MORPH ? "morph" : "replay";
    if (sc->model.kind != MODEL_CLASSIFIER && sc->model.kind != MODEL_GAN)
        return fail_at(p, line, "training = %s is for model = classifier or gan, not %s (its "
                       "training is not shown yet)", how, model_kind_name(sc->model.kind));
    if (sc->net.has_weights)
        return fail_at(p, line, "training = %s needs a network trained here, not fixed "
                       "[weights]", how);
    if (sc->checkpoints.mode == CHECKPOINTS_NONE) {
        sc->checkpoints.mode = CHECKPOINTS_LOG;
        sc->checkpoints.n = sc->training == TRAINING_MORPH ? 8 : 4;
    }
    if (sc->training != TRAINING_MORPH) return 1;
    if (sc->model.kind == MODEL_GAN && !validate_gan_morph(p, line)) return 0;
    int hidden = sc->net.n_widths - 1, layer = sc->training_layer ? sc->training_layer : hidden;
    if (sc->model.kind == MODEL_GAN) layer = hidden = 0; /* the data space: checked above */
    int at = key_line(p, "render", "training_layer", line);
    if (layer > hidden)
        return fail_at(p, at, "training_layer = %d: the network has %d hidden layers", layer,
                       hidden);
    if (sc->model.kind == MODEL_CLASSIFIER && sc->net.widths[layer] > 3)
        return fail_at(p, at, "training = morph shows a space of at most 3 units; layer %d "
                       "has %d (choose another with training_layer)", layer,
                       sc->net.widths[layer]);
    sc->training_layer = layer;
    TimelineConfig *tl = &sc->render.timeline;
    tl->stage_seconds /= STAGES_PER_LAYER; /* a morph plays over a layer's stages */
    tl->easing = EASE_LINEAR;
    tl->hold_between = 0;
    sc->zoom_seconds = 0;       /* one held view over the whole morph: no zooms */
    return 1;
}

/* One path or example against the model: codes of `latent` coordinates in
 * the latent box, enc() only with an encoder and on a point of the data.
 * An enc() code is checked against the box once the encoder is trained
 * (scene_build). */
static int validate_latent_one(Parser *p, const char *key, const LatentPath *lp, int arith,
                               const DatasetInfo *kind)
{
    const ModelSpec *m = &p->sc->model;
    char t[128], box[96];
    int all_given = 1, dim = dataset_spec_dim(&p->sc->data);
    generative_box_text(m->prior, box, sizeof box);
    for (int i = 0; i < lp->n_codes; i++) {
        const LatentCode *c = &lp->code[i];
        generative_code_text(c, t, sizeof t);
        if (c->enc && m->kind == MODEL_GAN)
            return fail_at(p, lp->line, "%s: %s needs an encoder and a gan has none (write "
                           "the code's %d latent coordinates; enc() is for model = vae or "
                           "autoencoder)", key, t, m->latent);
        if (c->enc && c->n != dim)
            return fail_at(p, lp->line, "%s: %s has %d coordinate%s but %s data is %d-D "
                           "(enc() takes a point of the data)", key, t, c->n,
                           c->n == 1 ? "" : "s", kind->name, dim);
        if (!c->enc && c->n != m->latent)
            return fail_at(p, lp->line, "%s: the code %s has %d coordinate%s but latent = %d",
                           key, t, c->n, c->n == 1 ? "" : "s", m->latent);
        if (!c->enc && !generative_in_box(m->prior, c->x, c->n))
            return fail_at(p, lp->line, "%s: the code %s lies outside the latent box drawn "
                           "(%s)", key, t, box);
        all_given = all_given && !c->enc;
    }
    if (arith && all_given) {
        LatentCode end = {0, m->latent, {0, 0, 0}};
        generative_arith_end(lp->code[0].x, lp->code[1].x, lp->code[2].x, m->latent, end.x);
        if (!generative_in_box(m->prior, end.x, m->latent))
            return fail_at(p, lp->line, "%s: a - b + c = %s lies outside the latent box drawn "
                           "(%s)", key, generative_code_text(&end, t, sizeof t), box);
    }
    return 1;
}

/* latent_path and latent_arith: only for a generative model, each path and
 * example fitting it. */
static int validate_latent(Parser *p, const DatasetInfo *kind)
{
    const ModelSpec *m = &p->sc->model;
    if (m->kind == MODEL_CLASSIFIER && (m->n_paths || m->n_arith))
        return fail_at(p, m->n_paths ? m->paths[0].line : m->arith[0].line,
                       "%s draws in a latent space: it is for model = gan, vae or autoencoder",
                       m->n_paths ? "latent_path" : "latent_arith");
    for (int i = 0; i < m->n_paths; i++)
        if (!validate_latent_one(p, "latent_path", &m->paths[i], 0, kind)) return 0;
    for (int i = 0; i < m->n_arith; i++)
        if (!validate_latent_one(p, "latent_arith", &m->arith[i], 1, kind)) return 0;
    return 1;
}

/* worked_point is worked through the activation's steps, so it needs them,
 * and no more coordinates than the widest layer it can be shown in. */
static int validate_worked(Parser *p)
{
    const Scene *sc = p->sc;
    const RenderConfig *r = &sc->render;
    int line = key_line(p, "render", "worked_point", 0), widest = 0;
    if (!r->n_worked) return 1;
    if (r->activation_steps != STEPS_HADAMARD)
        return fail_at(p, line, "worked_point needs activation_steps = hadamard (the point is "
                       "worked through the activation's element-wise steps)");
    for (int l = 1; l < sc->net.n_widths; l++)
        if (sc->net.widths[l] > widest) widest = sc->net.widths[l];
    if (r->n_worked > widest)
        return fail_at(p, line, "worked_point has %d numbers but no layer has more than %d "
                       "unit%s", r->n_worked, widest, widest == 1 ? "" : "s");
    return 1;
}

/* shade, and show_shade as it was written before shade existed (yes is
 * shade = class); shade = area needs a plane to measure area on. */
static int validate_shade(Parser *p, const DatasetInfo *kind)
{
    Scene *sc = p->sc;
    Style *st = &sc->render.style;
    int line = key_line(p, "render", "shade", 0);
    if (!line) {
        st->shade = sc->show_shade ? SHADE_CLASS : SHADE_NONE;
        return 1;
    }
    if (sc->show_shade && st->shade != SHADE_CLASS)
        return fail_at(p, line, "shade = %s clashes with show_shade = yes (which is shade = "
                       "class): keep one of them", st->shade == SHADE_AREA ? "area" : "none");
    if (st->shade != SHADE_AREA) return 1;
    if (sc->training == TRAINING_MORPH)
        return fail_at(p, line, "shade = area is not drawn over training = morph (the map it "
                       "measures changes with the weights): use shade = class or none");
    int generative = sc->model.kind != MODEL_CLASSIFIER;
    if (kind->dim != 2 && !(generative && sc->model.latent == 2)) {
        char latent[48] = "";
        if (generative)
            snprintf(latent, sizeof latent, ", the latent space %d-D", sc->model.latent);
        return fail_at(p, line, "shade = area needs a 2-D input: it is the change of area of "
                       "the input plane, and %s data is %d-D%s", kind->name, kind->dim, latent);
    }
    return 1;
}

static int validate(Parser *p)
{
    Scene *sc = p->sc;
    if (!p->any_section)
        return fail_at(p, last_line(p), "empty scene: expected at least [dataset] with "
                       "kind = moons (see man layerwarp-scene)");
    if (!p->kind_line)
        return fail_at(p, p->section_line[0] ? p->section_line[0] : 1,
                       "missing required key 'kind' in [dataset]");
    const DatasetInfo *kind = dataset_kind_info(sc->data.kind);
    set_csv_dim(p, kind);
    int dim = dataset_spec_dim(&sc->data);
    if (!validate_networks(p)) return 0;
    if (sc->model.kind != MODEL_CLASSIFIER) {
        if (!validate_generative(p, kind)) return 0;
    } else if (p->widths_line && sc->net.widths[0] != dim) {
        return fail_at(p, p->widths_line, "widths starts with %d but %s data is %d-D "
                       "(the first width is the input dimension)", sc->net.widths[0],
                       kind->name, dim);
    } else if (!p->widths_line && dim != 2) { /* the default network, fitted to the data */
        sc->net.widths[0] = dim;
        sc->net.widths[1] = sc->net.widths[2] = dim == 1 ? 2 : 3;
    }
    int L = sc->net.n_widths - 1;
    if (p->n_acts > 1 && p->n_acts != L)
        return fail_at(p, p->acts_line, "activation lists %d names but the network has %d "
                       "layers", p->n_acts, L);
    if (p->n_acts == 1)
        for (int l = 1; l < L; l++)
            sc->net.act[l] = sc->net.act[0];
    if (!validate_latent(p, kind)) return 0;
    char names[256];
    if (kind->reads_file && !sc->data.csv_path[0])
        return fail_at(p, p->kind_line, "kind = %s needs file = path/to/points.csv",
                       kind->name);
    if (!kind->reads_file && sc->data.csv_path[0])
        return fail_at(p, key_line(p, "dataset", "file", p->kind_line),
                       "file is only for kind = %s",
                       dataset_kind_names(reads_file, " or ", names, sizeof names));
    if (!kind->reads_file && sc->data.n_columns)
        return fail_at(p, key_line(p, "dataset", "columns", p->kind_line),
                       "columns is only for kind = %s",
                       dataset_kind_names(reads_file, " or ", names, sizeof names));
    if ((int)sc->data.draw < 0)
        sc->data.draw = kind->draw;
    else if (sc->data.draw == DRAW_CURVES && !is_curve(kind))
        return fail_at(p, key_line(p, "dataset", "draw", p->kind_line),
                       "draw = curves needs a curve dataset (%s)",
                       dataset_kind_names(is_curve, ", ", names, sizeof names));
    if (sc->data.classes < 0)
        sc->data.classes = kind->classes;
    else if (!kind->classes_settable && sc->data.classes != kind->classes)
        return fail_at(p, key_line(p, "dataset", "classes", p->kind_line),
                       "classes is only for %s",
                       dataset_kind_names(sets_classes, " and ", names, sizeof names));
    if (!kind->reads_file && sc->data.n_points < 2 * sc->data.classes)
        return fail_at(p, key_line(p, "dataset", "points", p->kind_line),
                       "points = %d is too few for %d classes (at least %d)",
                       sc->data.n_points, sc->data.classes, 2 * sc->data.classes);
    const Style *st = &sc->render.style;
    if (st->width % 2 || st->height % 2)
        return fail_at(p, st->width % 2 ? key_line(p, "render", "width", p->size_line)
                                        : key_line(p, "render", "height", p->size_line),
                       "width and height must be even (video needs it), "
                       "got %dx%d", st->width, st->height);
    if (sc->render.camera.view == VIEW_FIXED && !p->view_box_line)
        return fail_at(p, key_line(p, "render", "view", last_line(p)),
                       "view = fixed needs view_box = xmin,xmax,ymin,ymax");
    if (!validate_worked(p)) return 0;
    if (!validate_shade(p, kind)) return 0;
    if (!sc->output.path[0])
        snprintf(sc->output.path, sizeof sc->output.path, "out/%s.mp4", sc->name);
    if (sc->training != TRAINING_OFF && !validate_training(p)) return 0;
    fill_configs(sc);
    if (sc->show_gradients && sc->model.kind != MODEL_GAN)
        return fail_at(p, key_line(p, "render", "show_gradients", last_line(p)),
                       "show_gradients draws a generator's gradient: it is for model = gan, "
                       "not %s", model_kind_name(sc->model.kind));
    if (sc->net.has_weights)
        return validate_weights(p);
    return 1;
}

/* ---- entry points ------------------------------------------------------- */

static void set_name(Scene *sc, const char *path)
{
    snprintf(sc->path, sizeof sc->path, "%s", path);
    if (strcmp(path, SCENE_STDIN) == 0) { /* its renders: out/stdin.mp4 */
        snprintf(sc->name, sizeof sc->name, "stdin");
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(sc->name, sizeof sc->name, "%s", base);
    char *dot = strrchr(sc->name, '.');
    if (dot && dot != sc->name)
        *dot = '\0';
}

static void parser_free(Parser *p)
{
    for (int l = 0; l < LW_MAX_LAYERS; l++) {
        free(p->W[l].v);
        free(p->b[l].v);
    }
    free(p->Wout.v);
    free(p->bout.v);
}

/* Reads one scene from text: the file's own (compare_pass = 0), or the
 * compared one, with the [compare] lines as overrides after the --set ones. */
static int load_text(const char *name, const char *text, size_t len, const char *const *overrides,
                     int n_overrides, const int *override_line, int compare_pass, Scene *sc,
                     LwError *err);

/* The compared scene: the same text read again with p's overrides, then
 * its [compare] lines. */
static int load_compare(const Parser *p, const char *name, Scene *sc, LwError *err)
{
    int n = p->n_overrides + p->n_compare;
    const char **ov = calloc((size_t)n, sizeof *ov);
    int *line = calloc((size_t)n, sizeof *line);
    sc->compare = calloc(1, sizeof *sc->compare);
    int rc = ov && line && sc->compare ? LW_OK : lw_fail(err, LW_ERUNTIME, "out of memory");
    for (int i = 0; !rc && i < n; i++) {
        int c = i - p->n_overrides;
        ov[i] = c < 0 ? p->overrides[i] : p->compare[c];
        line[i] = c < 0 ? 0 : p->compare_line[c];
    }
    if (!rc) rc = load_text(name, p->text, p->len, ov, n, line, 1, sc->compare, err);
    free(ov);
    free(line);
    return rc;
}

static int load_text(const char *name, const char *text, size_t len, const char *const *overrides,
                     int n_overrides, const int *override_line, int compare_pass, Scene *sc,
                     LwError *err)
{
    memset(sc, 0, sizeof *sc);
    set_name(sc, name);
    set_defaults(sc);
    Parser *p = calloc(1, sizeof *p);
    if (!p)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    p->sc = sc;
    p->err = err;
    p->text = text;
    p->len = len;
    p->overrides = overrides;
    p->n_overrides = overrides ? n_overrides : 0;
    p->override_line = override_line;
    p->compare_pass = compare_pass;
    /* a UTF-8 byte-order mark is fine */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p->pos = 3;
    int rc = ini_parse_stream(read_line, p, on_pair, p);
    if (!p->failed && rc > 0)
        fail_at(p, rc, "syntax error: expected [section] or key = value");
    if (!p->failed)
        apply_overrides(p);
    if (!p->failed)
        validate(p);
    int failed = p->failed;
    if (!failed && p->n_compare)
        failed = load_compare(p, name, sc, err) != LW_OK;
    parser_free(p);
    free(p);
    if (failed) {
        scene_free(sc);
        return LW_EINPUT;
    }
    return LW_OK;
}

int scene_load_string_with(const char *name, const char *text, size_t len,
                           const char *const *overrides, int n_overrides, Scene *sc,
                           LwError *err)
{
    int rc = load_text(name, text, len, overrides, n_overrides, NULL, 0, sc, err);
    if (rc)
        return rc;
    /* kept whole: an output embeds it (share.c) */
    if (!(sc->text = malloc(len + 1)))
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    memcpy(sc->text, text, len);
    sc->text[len] = '\0';
    sc->text_len = len;
    return LW_OK;
}

int scene_load_string(const char *name, const char *text, size_t len, Scene *sc,
                      LwError *err)
{
    return scene_load_string_with(name, text, len, NULL, 0, sc, err);
}

int scene_load_file_with(const char *path, const char *const *overrides, int n_overrides,
                         Scene *sc, LwError *err)
{
    memset(sc, 0, sizeof *sc);
    int from_stdin = strcmp(path, "-") == 0;
    if (from_stdin)
        path = SCENE_STDIN;
    FILE *f = stdin;
    int rc = from_stdin ? LW_OK : input_open(path, 0, "scene", &f, err);
    if (rc)
        return rc;
    char *buf = malloc(MAX_SCENE_BYTES + 1);
    if (!buf) {
        if (!from_stdin) fclose(f);
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    }
    size_t n = fread(buf, 1, MAX_SCENE_BYTES + 1, f);
    int read_error = ferror(f);
    int saved = errno;
    if (!from_stdin) fclose(f);
    if (read_error)
        rc = lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(saved));
    else if (n > MAX_SCENE_BYTES)
        rc = lw_fail(err, LW_EINPUT, "%s:1: file too large for a scene (more than %d MiB)",
                     path, MAX_SCENE_BYTES >> 20);
    else
        rc = scene_load_string_with(path, buf, n, overrides, n_overrides, sc, err);
    free(buf);
    return rc;
}

int scene_load_file(const char *path, Scene *sc, LwError *err)
{
    return scene_load_file_with(path, NULL, 0, sc, err);
}

void scene_free(Scene *sc)
{
    if (!sc)
        return;
    for (int l = 0; l < LW_MAX_LAYERS; l++) {
        free(sc->net.W[l]);
        free(sc->net.b[l]);
        sc->net.W[l] = sc->net.b[l] = NULL;
    }
    free(sc->net.Wout);
    free(sc->net.bout);
    sc->net.Wout = sc->net.bout = NULL;
    free(sc->text);
    sc->text = NULL;
    if (sc->compare) scene_free(sc->compare);
    free(sc->compare);
    sc->compare = NULL;
}
