/* png_out.c — libpng writer.  libpng reports errors by longjmp; the one
 * setjmp lives in write_rows() and nothing that owns memory is live across
 * it except what we free right after. */
#include "png_out.h"

#include "alpha.h"
#include "atomic_file.h"

#include <errno.h>
#include <png.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char msg[256];
    int errnum;   /* errno when libpng gave up, the real reason of a write error */
} PngErr;

static void on_png_error(png_structp png, png_const_charp msg)
{
    PngErr *e = png_get_error_ptr(png);
    e->errnum = errno;
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
    /* RGB for an opaque frame (every render over a background); RGBA, the
     * alpha straight, when the background lets something through */
    int opaque = alpha_all_opaque(bgra, w, h, stride);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text tx[12];
    int nt = n_texts < 12 ? n_texts : 12;
    for (int i = 0; i < nt; i++) {
        memset(&tx[i], 0, sizeof tx[i]);
        tx[i].compression = texts[i].itxt ? PNG_ITXT_COMPRESSION_zTXt
                                          : PNG_TEXT_COMPRESSION_NONE;
        tx[i].key = (png_charp)texts[i].key;
        tx[i].text = (png_charp)texts[i].text;
    }
    if (nt)
        png_set_text(png, info, tx, nt);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const uint8_t *src = bgra + (size_t)y * stride;
        if (opaque) {
            for (int x = 0; x < w; x++) { /* opaque: premultiplied == straight */
                row[3 * x] = src[4 * x + 2];
                row[3 * x + 1] = src[4 * x + 1];
                row[3 * x + 2] = src[4 * x];
            }
        } else {
            alpha_unpremultiply_row(src, row, w);
            for (int x = 0; x < w; x++) { /* BGRA -> RGBA in place */
                uint8_t b = row[4 * x];
                row[4 * x] = row[4 * x + 2];
                row[4 * x + 2] = b;
            }
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

/* "-": the PNG to stdout, as it is written (a pipe cannot be atomic). */
static int write_stdout(const uint8_t *bgra, int width, int height, int stride,
                        const PngText *texts, int n_texts, LwError *err)
{
    uint8_t *row = malloc((size_t)width * 4);
    PngErr pe = {"", 0};
    int rc = LW_OK;
    if (!row)
        rc = lw_fail(err, LW_ERUNTIME, "standard output: out of memory");
    else if (write_rows(stdout, bgra, width, height, stride, texts, n_texts, row, &pe) != 0 ||
             fflush(stdout) != 0)
        rc = lw_fail(err, LW_ERUNTIME, "cannot write to standard output: %s",
                     pe.errnum ? strerror(pe.errnum) : errno ? strerror(errno) : pe.msg);
    free(row);
    return rc;
}

int png_write_bgra(const char *path, const uint8_t *bgra, int width, int height, int stride,
                   const PngText *texts, int n_texts, LwError *err)
{
    if (strcmp(path, "-") == 0)
        return write_stdout(bgra, width, height, stride, texts, n_texts, err);
    AtomicFile out;
    int rc = atomic_open(&out, path, err);
    if (rc)
        return rc;
    uint8_t *row = malloc((size_t)width * 4);
    PngErr pe = {"", 0};
    if (!row) {
        rc = lw_fail(err, LW_ERUNTIME, "%s: out of memory", path);
    } else if (write_rows(out.f, bgra, width, height, stride, texts, n_texts, row, &pe) != 0) {
        /* libpng says only "Write Error"; the system says why */
        rc = lw_fail(err, LW_ERUNTIME, "%s: %s", path,
                     ferror(out.f) && pe.errnum ? strerror(pe.errnum)
                     : pe.msg[0]                ? pe.msg
                                                : "write failed");
    }
    free(row);
    if (rc) {
        atomic_abort(&out);
        return rc;
    }
    return atomic_commit(&out, err);
}

/* ---- several files at once ---- */

#define WRITE_MAX_THREADS 64

typedef struct {
    const PngFile *files;
    int n;
    int (*stop)(LwError *err);
    pthread_mutex_t lock;
    int next;                /* the next file to start */
    int quit;                /* a file failed or stop said so: start no more */
    int rc[PNG_WRITE_MAX];   /* each file's result */
    LwError err[PNG_WRITE_MAX];
    int stop_rc;
    LwError stop_err;
} WriteQueue;

static void *write_worker(void *arg)
{
    WriteQueue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        int i = q->quit || q->next >= q->n ? -1 : q->next++;
        if (i >= 0 && q->stop && (q->stop_rc = q->stop(&q->stop_err)) != LW_OK) {
            q->quit = 1;
            i = -1;
        }
        pthread_mutex_unlock(&q->lock);
        if (i < 0) return NULL;
        const PngFile *f = &q->files[i];
        int rc = png_write_bgra(f->path, f->bgra, f->width, f->height, f->stride, f->texts,
                                f->n_texts, &q->err[i]);
        pthread_mutex_lock(&q->lock);
        q->rc[i] = rc;
        if (rc) q->quit = 1;
        pthread_mutex_unlock(&q->lock);
    }
}

int png_write_all(const PngFile *files, int n, int threads, int (*stop)(LwError *err),
                  LwError *err)
{
    if (n > PNG_WRITE_MAX)
        return lw_fail(err, LW_ERUNTIME, "%d files at once (at most %d)", n, PNG_WRITE_MAX);
    WriteQueue *q = calloc(1, sizeof *q);
    if (!q) return lw_fail(err, LW_ERUNTIME, "out of memory writing %d files", n);
    q->files = files;
    q->n = n;
    q->stop = stop;
    pthread_mutex_init(&q->lock, NULL);
    int extra = (threads < n ? threads : n) - 1, started = 0;
    if (extra > WRITE_MAX_THREADS) extra = WRITE_MAX_THREADS;
    pthread_t tid[WRITE_MAX_THREADS];
    /* a thread that cannot be made leaves its share to the others */
    while (started < extra && pthread_create(&tid[started], NULL, write_worker, q) == 0)
        started++;
    write_worker(q);
    for (int k = 0; k < started; k++) pthread_join(tid[k], NULL);
    pthread_mutex_destroy(&q->lock);
    int rc = q->stop_rc;
    if (rc && err) *err = q->stop_err;
    for (int i = 0; i < n; i++)
        if (q->rc[i]) {
            rc = q->rc[i];
            if (err) *err = q->err[i];
            break;
        }
    free(q);
    return rc;
}

/* Reads the chunks before the image data: png_write_info puts every text
 * chunk of ours there, so the pixels need not be decoded. */
static int read_text(FILE *f, const char *key, char **out, PngErr *pe)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, pe, on_png_error,
                                             on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(pe->msg, sizeof pe->msg, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_init_io(png, f);
    png_read_info(png, info);
    png_textp tx = NULL;
    int n = png_get_text(png, info, &tx, NULL);
    for (int i = 0; i < n && !*out; i++)
        if (strcmp(tx[i].key, key) == 0) {
            size_t len = strlen(tx[i].text);
            *out = malloc(len + 1);
            if (!*out) {
                snprintf(pe->msg, sizeof pe->msg, "out of memory");
                png_destroy_read_struct(&png, &info, NULL);
                return -1;
            }
            memcpy(*out, tx[i].text, len);
            (*out)[len] = '\0';
        }
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

int png_read_text(const char *path, const char *key, char **out, LwError *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
    unsigned char sig[8];
    int rc = LW_OK;
    if (fread(sig, 1, 8, f) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        rc = lw_fail(err, LW_EINPUT, "%s: not a PNG file", path);
    } else {
        PngErr pe = {"", 0};
        rewind(f);
        if (read_text(f, key, out, &pe) != 0)
            rc = lw_fail(err, LW_EINPUT, "%s: unreadable PNG: %s", path, pe.msg);
    }
    fclose(f);
    return rc;
}
