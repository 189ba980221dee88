/* alpha.h — Cairo's premultiplied ARGB32 into the straight alpha that PNG
 * and video encoders expect.  A frame over an opaque background is passed
 * on as it is; only a see-through one (style.transparency) needs this. */
#ifndef ALPHA_H
#define ALPHA_H

#include <stddef.h>
#include <stdint.h>

/* 1 if every pixel's alpha is 255 (BGRA rows, `stride` bytes apart). */
int alpha_all_opaque(const uint8_t *bgra, int width, int height, int stride);

/* One row of `width` pixels: premultiplied BGRA in, straight BGRA out,
 * each channel rounded as Cairo's own PNG writer does (c * 255 + a/2) / a;
 * colour 0 where alpha is 0.  src and dst may be the same row. */
void alpha_unpremultiply_row(const uint8_t *src, uint8_t *dst, int width);

#endif
