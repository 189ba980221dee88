/* test_yuv.c — yuv420_from_bgra against the BT.709 limited-range formula
 * written out in doubles (the naive reference), and against libswscale at
 * the accurate settings video.c used before it:
 *   - every 2x2 block of one colour, over a lattice of the RGB cube: Y, U
 *     and V the formula rounded, but for values within the fixed point's
 *     truncations of a half (under 1% of them);
 *   - greys give U = V = 128 exactly, black Y 16, white Y 235;
 *   - a block of four colours: U and V those of its average colour;
 *   - padding between rows (stride and linesize wider than the frame) is
 *     neither read as pixels nor written;
 *   - a frame of lines and discs: Y within 1 of libswscale's everywhere;
 *   - the SSE2-only conversion gives the same bytes as the one this
 *     processor takes (AVX2 where it has it), at every even width up to
 *     70 (the vector loops' tails) and on a 1280x720 frame. */
#include "check.h"
#include "yuv.h"

#include <libavutil/frame.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* BT.709, limited range, from 8-bit full-range R, G, B: the textbook form */
static void reference(double r, double g, double b, double *y, double *u, double *v)
{
    double luma = 0.2126 * r + 0.7152 * g + 0.0722 * b; /* 0..255 */
    *y = 16 + luma * 219 / 255;
    *u = 128 + (b - luma) / (2 * (1 - 0.0722)) * 224 / 255;
    *v = 128 + (r - luma) / (2 * (1 - 0.2126)) * 224 / 255;
}

static void put(uint8_t *bgra, int stride, int x, int y, int r, int g, int b)
{
    uint8_t *p = bgra + (size_t)y * stride + 4 * x;
    p[0] = (uint8_t)b, p[1] = (uint8_t)g, p[2] = (uint8_t)r, p[3] = 255;
}

typedef struct {
    uint8_t *plane[3];
    int linesize[3];
} Planes;

static void planes_alloc(Planes *p, int width, int height, int pad)
{
    for (int i = 0; i < 3; i++) {
        int w = i ? width / 2 : width, h = i ? height / 2 : height;
        p->linesize[i] = w + pad;
        p->plane[i] = malloc((size_t)p->linesize[i] * h);
        memset(p->plane[i], 0xA5, (size_t)p->linesize[i] * h);
    }
}

static void planes_free(Planes *p)
{
    for (int i = 0; i < 3; i++)
        free(p->plane[i]);
}

/* Each colour of the lattice (step 5: 0, 5, ..., 255) as one 2x2 block of a
 * 104 x 2 frame per (r, g) row: 52 blocks of b. */
static void check_lattice(void)
{
    const int step = 5, n = 256 / step + 1, width = 2 * n, height = 2;
    uint8_t *bgra = malloc((size_t)width * 4 * height);
    Planes p;
    planes_alloc(&p, width, height, 0);
    double worst[3] = {0, 0, 0};
    long off[3] = {0, 0, 0}, total = 0;
    for (int r = 0; r <= 255; r += step)
        for (int g = 0; g <= 255; g += step) {
            for (int k = 0; k < n; k++) {
                int b = k * step;
                for (int d = 0; d < 4; d++)
                    put(bgra, width * 4, 2 * k + d % 2, d / 2, r, g, b);
            }
            yuv420_from_bgra(bgra, width * 4, width, height, p.plane, p.linesize);
            for (int k = 0; k < n; k++) {
                double want[3];
                reference(r, g, k * step, &want[0], &want[1], &want[2]);
                int got[3] = {p.plane[0][2 * k], p.plane[1][k], p.plane[2][k]};
                for (int c = 0; c < 3; c++) {
                    double e = fabs(got[c] - want[c]);
                    worst[c] = fmax(worst[c], e);
                    off[c] += got[c] != (int)lround(want[c]);
                }
                /* the block's four Y samples are one colour's */
                CHECK(p.plane[0][2 * k + 1] == got[0] && p.plane[0][width + 2 * k] == got[0] &&
                      p.plane[0][width + 2 * k + 1] == got[0]);
                total++;
            }
        }
    /* the rounded formula but where the fixed point's truncations (3/256 of a
     * level at most) tip a value lying within them of a half */
    for (int c = 0; c < 3; c++) {
        CHECK_MSG(worst[c] < 0.5 + 3.0 / 256, "plane %d: %.3f from the formula", c, worst[c]);
        CHECK_MSG(off[c] * 100 < total, "plane %d: %ld of %ld not the rounded formula", c,
                  off[c], total);
    }
    printf("  %ld colours: largest error Y %.3f U %.3f V %.3f; not the rounded value "
           "Y %.1f%% U %.1f%% V %.1f%%\n",
           total, worst[0], worst[1], worst[2], 100.0 * off[0] / total,
           100.0 * off[1] / total, 100.0 * off[2] / total);
    planes_free(&p);
    free(bgra);
}

/* Greys (every level), black and white: exact. */
static void check_greys(void)
{
    uint8_t bgra[2 * 4 * 2];
    Planes p;
    planes_alloc(&p, 2, 2, 0);
    int greys_exact = 1;
    for (int k = 0; k <= 255; k++) {
        for (int d = 0; d < 4; d++)
            put(bgra, 8, d % 2, d / 2, k, k, k);
        yuv420_from_bgra(bgra, 8, 2, 2, p.plane, p.linesize);
        greys_exact &= p.plane[1][0] == 128 && p.plane[2][0] == 128;
        if (k == 0)
            CHECK_MSG(p.plane[0][0] == 16, "black: Y %d", p.plane[0][0]);
        if (k == 255)
            CHECK_MSG(p.plane[0][0] == 235, "white: Y %d", p.plane[0][0]);
    }
    CHECK_MSG(greys_exact, "a grey's U or V is not 128");
    planes_free(&p);
}

/* Four colours in one block: chroma of their average. */
static void check_block_average(void)
{
    const int colours[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
    uint8_t bgra[2 * 4 * 2];
    for (int d = 0; d < 4; d++)
        put(bgra, 8, d % 2, d / 2, colours[d][0], colours[d][1], colours[d][2]);
    Planes p;
    planes_alloc(&p, 2, 2, 0);
    yuv420_from_bgra(bgra, 8, 2, 2, p.plane, p.linesize);
    double y, u, v;
    reference(127.5, 127.5, 127.5, &y, &u, &v);
    CHECK_NEAR(p.plane[1][0], u, 1);
    CHECK_NEAR(p.plane[2][0], v, 1);
    for (int d = 0; d < 4; d++) {
        reference(colours[d][0], colours[d][1], colours[d][2], &y, &u, &v);
        CHECK_NEAR(p.plane[0][(d / 2) * p.linesize[0] + d % 2], y, 1);
    }
    planes_free(&p);
}

/* A 6x4 frame in rows of 8 pixels, into planes with 5 bytes of padding. */
static void check_padding(void)
{
    const int width = 6, height = 4, stride = 8 * 4, pad = 5;
    uint8_t bgra[8 * 4 * 4];
    memset(bgra, 0, sizeof bgra); /* the padding pixels black, the frame white */
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            put(bgra, stride, x, y, 255, 255, 255);
    Planes p;
    planes_alloc(&p, width, height, pad);
    yuv420_from_bgra(bgra, stride, width, height, p.plane, p.linesize);
    int frame_white = 1, padding_kept = 1;
    for (int i = 0; i < 3; i++) {
        int w = i ? width / 2 : width, h = i ? height / 2 : height;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w + pad; x++) {
                uint8_t s = p.plane[i][y * p.linesize[i] + x];
                if (x < w)
                    frame_white &= s == (i ? 128 : 235);
                else
                    padding_kept &= s == 0xA5;
            }
    }
    CHECK_MSG(frame_white, "a white frame beside black padding is not white");
    CHECK_MSG(padding_kept, "the planes' padding was written");
    planes_free(&p);
}

/* Antialiased lines and discs on a light background, as a frame has. */
static void draw_test_frame(uint8_t *bgra, int width, int height)
{
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            double line = fabs(fmod(x * 0.37 + y * 0.61, 17.0) - 8.5) / 8.5;
            double dx = fmod(x, 40.0) - 20, dy = fmod(y, 40.0) - 20;
            double disc = fmin(fmax(12 - sqrt(dx * dx + dy * dy), 0), 1);
            int r = (int)(250 - 90 * line - 200 * disc), g = (int)(248 - 40 * line - 60 * disc),
                b = (int)(240 - 10 * line - 150 * disc * line);
            put(bgra, width * 4, x, y, r, g, b);
        }
}

static void check_against_swscale(void)
{
    const int width = 320, height = 180;
    uint8_t *bgra = malloc((size_t)width * 4 * height);
    draw_test_frame(bgra, width, height);
    AVFrame *f = av_frame_alloc();
    f->format = AV_PIX_FMT_YUV420P, f->width = width, f->height = height;
    CHECK(av_frame_get_buffer(f, 0) == 0);
    struct SwsContext *sws =
        sws_getContext(width, height, AV_PIX_FMT_BGRA, width, height, AV_PIX_FMT_YUV420P,
                       SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    CHECK(sws && sws_setColorspaceDetails(sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16) >= 0);
    const uint8_t *src[1] = {bgra};
    const int src_stride[1] = {width * 4};
    CHECK(sws_scale(sws, src, src_stride, 0, height, f->data, f->linesize) == height);
    Planes p;
    planes_alloc(&p, width, height, 0);
    yuv420_from_bgra(bgra, width * 4, width, height, p.plane, p.linesize);
    int worst = 0;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            int d = abs(p.plane[0][y * p.linesize[0] + x] - f->data[0][y * f->linesize[0] + x]);
            worst = d > worst ? d : worst;
        }
    CHECK_MSG(worst <= 1, "Y differs from libswscale's by %d", worst);
    printf("  a %dx%d frame of lines and discs: Y within %d of libswscale's\n", width, height,
           worst);
    planes_free(&p);
    sws_freeContext(sws);
    av_frame_free(&f);
    free(bgra);
}

/* Random pixels, widths 2..70 and 1280x720: both conversions, byte for byte. */
static void check_sse2_same(void)
{
    unsigned seed = 2014;
    int same = 1, sizes = 0;
    for (int width = 2; width <= 1280; width = width < 70 ? width + 2 : 1280) {
        int height = width == 1280 ? 720 : 6;
        size_t n = (size_t)width * 4 * height;
        uint8_t *bgra = malloc(n);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            bgra[i] = (uint8_t)(seed >> 16);
        }
        if (width == 1280) draw_test_frame(bgra, width, height / 2); /* half drawn, half noise */
        Planes a, b;
        planes_alloc(&a, width, height, 3);
        planes_alloc(&b, width, height, 3);
        yuv420_from_bgra(bgra, width * 4, width, height, a.plane, a.linesize);
        yuv420_from_bgra_sse2(bgra, width * 4, width, height, b.plane, b.linesize);
        for (int i = 0; i < 3; i++) {
            size_t bytes = (size_t)a.linesize[i] * (i ? height / 2 : height);
            same &= memcmp(a.plane[i], b.plane[i], bytes) == 0;
        }
        planes_free(&a);
        planes_free(&b);
        free(bgra);
        sizes++;
        if (width == 1280) break;
    }
    CHECK_MSG(same, "the SSE2 conversion differs from the one taken here");
    printf("  %d frame sizes: the SSE2 conversion gives the same bytes%s\n", sizes,
           __builtin_cpu_supports("avx2") ? " as the AVX2 one" : " (no AVX2 here)");
}

int main(void)
{
    check_lattice();
    check_greys();
    check_block_average();
    check_padding();
    check_against_swscale();
    check_sse2_same();
    return check_done("test_yuv");
}
