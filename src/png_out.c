/* png_out.c — libpng writer.  libpng reports errors by longjmp; the one
 * setjmp lives in write_rows() and nothing that owns memory is live across
 * it except what we free right after. */
#include "png_out.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char msg[256];
} PngErr;

static void on_png_error(png_structp png, png_const_charp msg)
{
    PngErr *e = png_get_error_ptr(png);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static int write_rows(FILE *f, const uint8_t *bgra, int w, int h, int stride,
                      const PngText *texts, int n_texts, uint8_t *row, PngErr *pe)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, pe, on_png_error,
                                              on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(pe->msg, sizeof pe->msg, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_init_io(png, f);
    /* Fast and still small on flat drawings (measured: see docs). */
    png_set_compression_level(png, 1);
    png_set_filter(png, 0, PNG_FILTER_NONE);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text tx[8];
    int nt = n_texts < 8 ? n_texts : 8;
    for (int i = 0; i < nt; i++) {
        memset(&tx[i], 0, sizeof tx[i]);
        tx[i].compression = PNG_TEXT_COMPRESSION_NONE;
        tx[i].key = (png_charp)texts[i].key;
        tx[i].text = (png_charp)texts[i].text;
    }
    if (nt)
        png_set_text(png, info, tx, nt);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const uint8_t *src = bgra + (size_t)y * stride;
        for (int x = 0; x < w; x++) { /* opaque: premultiplied == straight */
            row[3 * x] = src[4 * x + 2];
            row[3 * x + 1] = src[4 * x + 1];
            row[3 * x + 2] = src[4 * x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int png_write_bgra(const char *path, const uint8_t *bgra, int width, int height, int stride,
                   const PngText *texts, int n_texts, LwError *err)
{
    char tmp[LW_PATH_MAX + 32];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(tmp, sizeof tmp, "%.*s/.%s.tmp-XXXXXX", (int)(slash - path), path, slash + 1);
    else
        snprintf(tmp, sizeof tmp, ".%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return lw_fail(err, LW_ERUNTIME, "%s: cannot create file: %s", path, strerror(errno));
    FILE *f = fdopen(fd, "wb");
    uint8_t *row = malloc((size_t)width * 3);
    PngErr pe = {""};
    int rc = LW_OK;
    if (!f || !row) {
        rc = lw_fail(err, LW_ERUNTIME, "%s: out of memory", path);
    } else if (write_rows(f, bgra, width, height, stride, texts, n_texts, row, &pe) != 0) {
        rc = lw_fail(err, LW_ERUNTIME, "%s: %s", path, pe.msg[0] ? pe.msg : "write failed");
    }
    free(row);
    if (f) {
        if (fflush(f) != 0 && rc == LW_OK)
            rc = lw_fail(err, LW_ERUNTIME, "%s: %s", path, strerror(errno));
        if (fclose(f) != 0 && rc == LW_OK)
            rc = lw_fail(err, LW_ERUNTIME, "%s: %s", path, strerror(errno));
    } else {
        close(fd);
    }
    if (rc == LW_OK) {
        chmod(tmp, 0644);
        if (rename(tmp, path) != 0)
            rc = lw_fail(err, LW_ERUNTIME, "%s: %s", path, strerror(errno));
    }
    if (rc != LW_OK)
        unlink(tmp);
    return rc;
}
