/* alpha.c — premultiplied to straight alpha (see alpha.h).  Neither
 * libswscale nor libpng undoes Cairo's premultiplication, so it is done
 * here, once per row, before either sees the pixels. */
#include "alpha.h"

int alpha_all_opaque(const uint8_t *bgra, int width, int height, int stride)
{
    for (int y = 0; y < height; y++) {
        const uint8_t *row = bgra + (size_t)y * stride;
        for (int x = 0; x < width; x++)
            if (row[4 * x + 3] != 255)
                return 0;
    }
    return 1;
}

void alpha_unpremultiply_row(const uint8_t *src, uint8_t *dst, int width)
{
    for (int x = 0; x < width; x++) {
        const uint8_t *s = src + 4 * x;
        uint8_t *d = dst + 4 * x;
        unsigned a = s[3];
        if (a == 255) {
            d[0] = s[0], d[1] = s[1], d[2] = s[2];
        } else if (a == 0) {
            d[0] = d[1] = d[2] = 0;
        } else {
            for (int c = 0; c < 3; c++)
                d[c] = (uint8_t)((s[c] * 255u + a / 2) / a);
        }
        d[3] = (uint8_t)a;
    }
}
