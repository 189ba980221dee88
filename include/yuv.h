/* yuv.h — Cairo's BGRA frames into BT.709 limited-range yuv420p, the
 * format of the MP4 and WebM videos.  libswscale does it at its accurate
 * settings in two and a half times the time (1.7 against 0.7 ms a 720p
 * frame); at veryfast the render keeps both cores busy, so the conversion
 * is paid in wall time.
 *
 * Each Y sample is 16 + 219/255 (0.2126 R + 0.7152 G + 0.0722 B) rounded;
 * U and V are those of the 2x2 block's average colour (a box filter, chroma
 * centred in its block).  Fixed point: levels in 1/256 steps, coefficients
 * in 1/65536; a sample is the exact value rounded, or one off when that
 * lies within 3/256 of a half; a grey is exactly U = V = 128. */
#ifndef YUV_H
#define YUV_H

#include <stdint.h>

/* `width` x `height` opaque BGRA pixels (rows `stride` bytes apart; alpha
 * ignored) into the planes y (width x height), u and v (width/2 x height/2),
 * rows linesize[0..2] bytes apart.  width and height even. */
void yuv420_from_bgra(const uint8_t *bgra, int stride, int width, int height,
                      uint8_t *const planes[3], const int linesize[3]);

/* The same with SSE2 only, what yuv420_from_bgra does on a processor
 * without AVX2: the same bytes, for the test to compare. */
void yuv420_from_bgra_sse2(const uint8_t *bgra, int stride, int width, int height,
                           uint8_t *const planes[3], const int linesize[3]);

#endif
