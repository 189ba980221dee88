/* png_out.h — PNG files written with libpng (not Cairo's writer): fast
 * settings, text chunks naming what the frame shows, and atomic replacement
 * (a temporary file beside the target, renamed on success). */
#ifndef PNG_OUT_H
#define PNG_OUT_H

#include "lw_common.h"

typedef struct {
    const char *key, *text;
    int itxt;   /* 1: a compressed iTXt chunk (UTF-8, any length, lines kept);
                   0: a plain tEXt chunk */
} PngText;

/* Writes Cairo ARGB32 pixels (BGRA in memory, premultiplied) as 8-bit RGB
 * when every pixel is opaque, else as RGBA with straight alpha (a
 * see-through background); path "-" writes to stdout (as it goes: a pipe
 * cannot be atomic). */
int png_write_bgra(const char *path, const uint8_t *bgra, int width, int height, int stride,
                   const PngText *texts, int n_texts, LwError *err);

/* One file for png_write_all: png_write_bgra's arguments. */
#define PNG_WRITE_MAX 16 /* files png_write_all takes at once */
typedef struct {
    const char *path;
    const uint8_t *bgra;
    int width, height, stride;
    const PngText *texts;
    int n_texts;
} PngFile;

/* Writes files[0 .. n) by png_write_bgra on up to `threads` threads (the
 * calling one among them), so each file's bytes are what one thread would
 * write.  Before starting each file a worker asks `stop` (NULL: never) and
 * starts no more once it says no or a file has failed; the error returned
 * is that of the first file (by index) that failed, else stop's; more
 * than PNG_WRITE_MAX files: LW_ERUNTIME. */
int png_write_all(const PngFile *files, int n, int threads, int (*stop)(LwError *err),
                  LwError *err);

/* The text of the first text chunk (tEXt, zTXt or iTXt) named `key` in the
 * PNG at path: *out (NUL-terminated, owned by the caller) or NULL when the
 * file has none.  LW_EINPUT "path: reason" when the file cannot be opened
 * or is no PNG. */
int png_read_text(const char *path, const char *key, char **out, LwError *err);

#endif
