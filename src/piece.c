/* piece.c — which frames piece K of N holds, and the tag that says so
 * (piece.h).  The ranges are integer arithmetic on the frame count alone, so
 * every machine that renders a piece agrees on it. */
#include "piece.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int piece_parse(const char *arg, int *k, int *n, LwError *err)
{
    char *end;
    errno = 0;
    long a = strtol(arg, &end, 10), b = 0;
    int ok = end != arg && *end == '/' && !errno;
    if (ok) {
        const char *s = end + 1;
        b = strtol(s, &end, 10);
        ok = end != s && *end == '\0' && !errno && a >= 1 && b >= 1 && a <= b && b <= 100000;
    }
    if (!ok)
        return lw_fail(err, LW_EINPUT, "--piece needs K/N with 1 <= K <= N (piece K of N), "
                       "got '%s'", arg);
    *k = (int)a;
    *n = (int)b;
    return LW_OK;
}

int piece_range(int k, int n, int total, int *first, int *last, LwError *err)
{
    if (total < n)
        return lw_fail(err, LW_EINPUT, "--piece %d/%d: the scene has only %d frame%s, fewer "
                       "than %d pieces", k, n, total, total == 1 ? "" : "s", n);
    *first = (int)((int64_t)(k - 1) * total / n);
    *last = (int)((int64_t)k * total / n) - 1;
    return LW_OK;
}

/* render.crf, render.preset, render.tune: they change the bytes, not the
 * frames, and join compares the encoders' settings itself. */
static int encoder_setting(const char *set)
{
    static const char *const KEYS[] = {"render.crf", "render.preset", "render.tune", NULL};
    for (int i = 0; KEYS[i]; i++) {
        size_t n = strlen(KEYS[i]);
        if (strncmp(set, KEYS[i], n) == 0 && (set[n] == '=' || set[n] == ' '))
            return 1;
    }
    return 0;
}

int piece_scene_hash(const char *path, const char *const *sets, int n_sets, char hex[65],
                     LwError *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    char buf[65536];
    size_t got;
    while (ok && (got = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, got);
    int read_error = ferror(f);
    fclose(f);
    for (int i = 0; ok && i < n_sets; i++)
        if (!encoder_setting(sets[i]))
            ok = EVP_DigestUpdate(ctx, sets[i], strlen(sets[i]) + 1);
    unsigned char md[32];
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &len) && len == 32;
    EVP_MD_CTX_free(ctx);
    if (read_error)
        return lw_fail(err, LW_EINPUT, "%s: cannot read the scene again", path);
    if (!ok)
        return lw_fail(err, LW_ERUNTIME, "cannot hash %s", path);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return LW_OK;
}

void piece_tag_format(const PieceInfo *p, char *buf, size_t cap)
{
    snprintf(buf, cap, "%d/%d frames %d-%d of %d, scene sha256 %s, %dx%d at %s fps, "
             "layerwarp %s", p->k, p->n, p->first, p->last, p->total, p->scene, p->width,
             p->height, p->fps, p->version);
}

int piece_tag_parse(const char *text, PieceInfo *p)
{
    memset(p, 0, sizeof *p);
    int used = 0;
    if (sscanf(text, "%d/%d frames %d-%d of %d, scene sha256 %64[0-9a-f], %dx%d at %31s "
               "fps, layerwarp %31s%n", &p->k, &p->n, &p->first, &p->last, &p->total,
               p->scene, &p->width, &p->height, p->fps, p->version, &used) != 10 ||
        text[used] != '\0' || strlen(p->scene) != 64)
        return -1;
    if (p->k < 1 || p->k > p->n || p->first < 0 || p->first > p->last || p->last >= p->total)
        return -1;
    return 0;
}
