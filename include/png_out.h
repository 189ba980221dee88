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

/* The text of the first text chunk (tEXt, zTXt or iTXt) named `key` in the
 * PNG at path: *out (NUL-terminated, owned by the caller) or NULL when the
 * file has none.  LW_EINPUT "path: reason" when the file cannot be opened
 * or is no PNG. */
int png_read_text(const char *path, const char *key, char **out, LwError *err);

#endif
