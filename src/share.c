/* share.c — an output that says how to make it again (see share.h): the
 * scene text with the command line's overrides written in, the version,
 * the command line, the files the scene reads; the chapters of a video;
 * and all of it read back from a PNG (libpng, png_out.c) or a video
 * (share_video.c).
 *
 * Owns: the strings of a ShareInfo, the chapter array it hands out. */
#include "share.h"

#include "png_out.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>


/* ---- a growing string ------------------------------------------------------ */

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_str(Buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* The finished string (never NULL unless out of memory), owned by the caller. */
static char *buf_take(Buf *b, LwError *err)
{
    if (!b->oom && !b->s)
        buf_add(b, "", 0);
    if (b->oom) {
        free(b->s);
        lw_fail(err, LW_ERUNTIME, "out of memory");
        return NULL;
    }
    return b->s;
}

/* ---- overrides written into the text ---------------------------------------- */

/* s[0..n) without the white space around it. */
static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1])) (*n)--;
}

static int same(const char *a, size_t na, const char *b, size_t nb)
{
    return na == nb && memcmp(a, b, na) == 0;
}

/* The text with one override written in (see share_apply_sets). */
static int apply_one(const char *text, const char *set, Buf *out)
{
    const char *eq = strchr(set, '='), *dot = eq ? memchr(set, '.', (size_t)(eq - set)) : NULL;
    if (!dot)
        return -1; /* the scene accepted every override: not reached */
    const char *sec = set, *key = dot + 1, *val = eq + 1;
    size_t nsec = (size_t)(dot - set), nkey = (size_t)(eq - key), nval = strlen(val);
    trim(&sec, &nsec);
    trim(&key, &nkey);
    trim(&val, &nval);
    int in_section = 0, done = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        const char *t = line;
        size_t nt = n;
        trim(&t, &nt);
        if (nt && t[0] == '[' && t[nt - 1] == ']') {
            const char *name = t + 1;
            size_t nn = nt - 2;
            trim(&name, &nn);
            in_section = same(name, nn, sec, nsec);
        } else if (in_section && !done && nt && t[0] != ';' && t[0] != '#' &&
                   !isspace((unsigned char)line[0])) {
            size_t nk = strcspn(t, "=:");
            const char *k = t;
            if (nk < nt) {
                trim(&k, &nk);
                if (same(k, nk, key, nkey)) { /* the key's line, written anew */
                    buf_add(out, key, nkey);
                    buf_str(out, " = ");
                    buf_add(out, val, nval);
                    buf_str(out, end ? "\n" : "");
                    done = 1;
                    line += n + (end ? 1 : 0);
                    continue;
                }
            }
        }
        buf_add(out, line, n + (end ? 1 : 0));
        line += n + (end ? 1 : 0);
    }
    if (!done) { /* under the text's last section when it is this one */
        if (out->len && out->s[out->len - 1] != '\n')
            buf_str(out, "\n");
        if (!in_section) {
            buf_str(out, "\n[");
            buf_add(out, sec, nsec);
            buf_str(out, "]\n");
        }
        buf_add(out, key, nkey);
        buf_str(out, " = ");
        buf_add(out, val, nval);
        buf_str(out, "\n");
    }
    return 0;
}

int share_apply_sets(const char *text, const char *const *sets, int n_sets, char **out,
                     LwError *err)
{
    *out = NULL;
    Buf cur = {0};
    buf_str(&cur, text);
    for (int i = 0; i < n_sets && !cur.oom; i++) {
        Buf next = {0};
        if (apply_one(cur.s, sets[i], &next) == 0) {
            free(cur.s);
            cur = next;
        } else {
            free(next.s);
        }
    }
    *out = buf_take(&cur, err);
    return *out ? LW_OK : LW_ERUNTIME;
}

/* ---- what a render embeds ------------------------------------------------------- */

/* A word as a POSIX shell reads it back: as it is when it is plain, else
 * in single quotes. */
static void quote_word(Buf *b, const char *w)
{
    if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "-_./=:,+@%") == strlen(w)) {
        buf_str(b, w);
        return;
    }
    buf_str(b, "'");
    for (const char *p = w; *p; p++) {
        if (*p == '\'') buf_str(b, "'\\''");
        else buf_add(b, p, 1);
    }
    buf_str(b, "'");
}

/* The files a scene reads besides itself, as paths from where it was
 * rendered: "dataset file = scenes/iris-like.csv\n". */
static void scene_needs(const Scene *sc, Buf *b)
{
    if (sc->data.csv_path[0]) {
        buf_str(b, "[dataset] file = ");
        buf_str(b, sc->data.csv_path);
        buf_str(b, "\n");
    }
    if (sc->net.weights_path[0]) {
        buf_str(b, "[weights] file = ");
        buf_str(b, sc->net.weights_path);
        buf_str(b, "\n");
    }
    if (sc->compare && sc->compare->data.csv_path[0] &&
        strcmp(sc->compare->data.csv_path, sc->data.csv_path) != 0) {
        buf_str(b, "[compare] dataset.file = ");
        buf_str(b, sc->compare->data.csv_path);
        buf_str(b, "\n");
    }
}

int share_info_make(ShareInfo *s, const Scene *sc, const char *const *sets, int n_sets,
                    int argc, char *const *argv, LwError *err)
{
    memset(s, 0, sizeof *s);
    int rc = share_apply_sets(sc->text ? sc->text : "", sets, n_sets, &s->scene, err);
    if (rc)
        return rc;
    Buf cmd = {0}, needs = {0}, version = {0};
    buf_str(&cmd, "layerwarp");
    for (int i = 0; i < argc; i++) {
        buf_str(&cmd, " ");
        quote_word(&cmd, argv[i]);
    }
    scene_needs(sc, &needs);
    buf_str(&version, LW_VERSION);
    s->command = buf_take(&cmd, err);
    s->needs = buf_take(&needs, err);
    s->version = buf_take(&version, err);
    return s->command && s->needs && s->version ? LW_OK : LW_ERUNTIME;
}

void share_info_free(ShareInfo *s)
{
    if (!s)
        return;
    free(s->scene);
    free(s->command);
    free(s->needs);
    free(s->version);
    memset(s, 0, sizeof *s);
}

int share_video_tags(const ShareInfo *s, VideoTag tags[4])
{
    tags[0] = (VideoTag){SHARE_KEY_SCENE, s->scene};
    tags[1] = (VideoTag){SHARE_KEY_VERSION, s->version};
    tags[2] = (VideoTag){SHARE_KEY_COMMAND, s->command};
    tags[3] = (VideoTag){SHARE_KEY_NEEDS, s->needs};
    return 4;
}

/* ---- chapters ------------------------------------------------------------------- */

/* A stage's name as the caption says it: "layer 2 · + b", "readout · × W",
 * "layer G2 · tanh" for a network other than a classifier. */
static void chapter_title(const Renderer *r, int stage, char *out, size_t n)
{
    int local;
    const SegmentRender *sr = renderer_segment(r, stage, &local);
    const Stage *st = &sr->plan.stages[local];
    const Segment *seg = sr->seg;
    int readout = sr->plan.readout && st->layer == sr->plan.n_layers - 1;
    const char *move = st->kind == STAGE_LINEAR ? "\xc3\x97 W"
                       : st->kind == STAGE_BIAS ? "+ b"
                       : readout                ? (sr->plan.n_scores == 1 ? "sigmoid" : "softmax")
                                                : act_name(sr->plan.act[st->layer]);
    char who[48], when[48] = "";
    if (seg->morph_layer) {
        snprintf(who, sizeof who, "layer %d", seg->morph_layer);
        snprintf(when, sizeof when, ", steps %d \xe2\x86\x92 %d, %d/3", seg->at_step,
                 seg->morph_step, st->kind + 1);
        move = "training";
    } else if (readout) {
        snprintf(who, sizeof who, "readout");
    } else if (sr->tag != 'L') {
        snprintf(who, sizeof who, "layer %c%d", sr->tag, sr->net_first_layer + st->layer + 1);
    } else {
        snprintf(who, sizeof who, "layer %d", sr->net_first_layer + st->layer + 1);
    }
    if (seg->has_step && !seg->morph_layer)
        snprintf(when, sizeof when, " (step %d)", seg->at_step);
    snprintf(out, n, "%s \xc2\xb7 %s%s", who, move, when);
}

int share_chapters(const Renderer *r, VideoChapter **out, int *n_out, LwError *err)
{
    const Timeline *tl = &r->timeline;
    *out = NULL;
    *n_out = 0;
    VideoChapter *c = calloc((size_t)tl->n_stages + 1, sizeof *c);
    if (!c)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    int n = 0;
    if (tl->hold_start > 0)
        c[n++] = (VideoChapter){0, "input"};
    /* a stage begins where its first frame in motion is: after the hold
     * (and, for an activation in steps, the gap) before it */
    int stage = 0;
    for (int f = 0; f < tl->n_frames && stage < tl->n_stages; f++) {
        FramePos p = timeline_at(tl, f);
        if (p.stage != stage || p.hold || p.group < 0)
            continue;
        c[n].start = f;
        chapter_title(r, stage, c[n].title, sizeof c[n].title);
        n++;
        stage++;
    }
    if (n > 0 && c[0].start != 0) /* a show without an opening hold */
        c[0].start = 0;
    *out = c;
    *n_out = n;
    return LW_OK;
}

char *share_chapters_text(const VideoChapter *c, int n)
{
    Buf b = {0};
    char start[24];
    for (int i = 0; i < n; i++) {
        snprintf(start, sizeof start, "%d ", c[i].start);
        buf_str(&b, start);
        buf_str(&b, c[i].title);
        buf_str(&b, "\n");
    }
    LwError err;
    return buf_take(&b, &err);
}

int share_chapters_parse(const char *text, VideoChapter *out, int cap)
{
    int n = 0;
    for (const char *p = text; *p && n < cap;) {
        char *end;
        long start = strtol(p, &end, 10);
        if (end == p || *end != ' ' || start < 0 || start > INT_MAX ||
            (n > 0 && start < out[n - 1].start))
            return -1;
        size_t len = strcspn(end + 1, "\n");
        out[n].start = (int)start;
        snprintf(out[n].title, sizeof out[n].title, "%.*s", (int)len, end + 1);
        n++;
        p = end + 1 + len + (end[1 + len] == '\n');
    }
    return n;
}

/* ---- reading back ---------------------------------------------------------------- */

static int read_png(const char *path, ShareInfo *s, LwError *err)
{
    static const char *const keys[4] = {SHARE_KEY_SCENE, SHARE_KEY_VERSION, SHARE_KEY_COMMAND,
                                        SHARE_KEY_NEEDS};
    char **fields[4] = {&s->scene, &s->version, &s->command, &s->needs};
    int rc = LW_OK;
    for (int i = 0; i < 4 && !rc; i++)
        rc = png_read_text(path, keys[i], fields[i], err);
    return rc;
}

int share_read(const char *path, ShareInfo *s, LwError *err)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f)
        return lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
    unsigned char sig[8] = {0};
    size_t got = fread(sig, 1, sizeof sig, f);
    fclose(f);
    static const unsigned char PNG_SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    int rc = got == 8 && memcmp(sig, PNG_SIG, 8) == 0 ? read_png(path, s, err)
                                                      : share_read_video(path, s, err);
    if (!rc && !s->scene)
        rc = lw_fail(err, LW_EINPUT, "%s: carries no layerwarp scene (rendered before "
                     "layerwarp embedded it, edited since, or a GIF, which has no place for "
                     "one)", path);
    if (!rc && ((!s->version && !(s->version = strdup("?"))) ||
                (!s->command && !(s->command = strdup(""))) ||
                (!s->needs && !(s->needs = strdup("")))))
        rc = lw_fail(err, LW_ERUNTIME, "out of memory");
    if (rc)
        share_info_free(s);
    return rc;
}

/* One line of text as comment lines of at most COMMENT_WIDTH columns (a
 * scene's lines are limited), broken at spaces, a longer word cut. */
#define COMMENT_WIDTH 78
static void print_comment(FILE *f, const char *first, const char *text, size_t n)
{
    const char *lead = first;
    while (n > 0) {
        size_t room = COMMENT_WIDTH - strlen(lead), take = n;
        if (take > room) {
            take = room;
            while (take > 0 && text[take] != ' ') take--;
            if (take == 0) take = room;
        }
        fprintf(f, "%s%.*s\n", lead, (int)take, text);
        text += take;
        n -= take;
        while (n > 0 && *text == ' ') text++, n--;
        lead = "#     ";
    }
}

int share_print(FILE *f, const ShareInfo *s, int bare)
{
    if (!bare) {
        fprintf(f, "# scene embedded by layerwarp %s\n", s->version);
        if (s->command[0]) {
            fprintf(f, "# rendered with:\n");
            print_comment(f, "#   ", s->command, strlen(s->command));
        }
        fprintf(f, "# the command line's settings are written into the text below\n");
        if (s->needs[0]) {
            fprintf(f, "# it reads these files, which are not embedded (a relative path is\n"
                       "# read from this scene file's folder; paths as at render time):\n");
            for (const char *p = s->needs; *p;) {
                size_t n = strcspn(p, "\n");
                print_comment(f, "#   ", p, n);
                p += n + (p[n] == '\n');
            }
        }
        fputc('\n', f);
    }
    size_t n = strlen(s->scene);
    if (fwrite(s->scene, 1, n, f) != n || (n && s->scene[n - 1] != '\n' && fputc('\n', f) == EOF)
        || fflush(f) != 0)
        return -1;
    return 0;
}
