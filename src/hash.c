/* hash.c — frame hashes with libavutil's SHA-256 (already a dependency). */
#include "hash.h"

#include <libavutil/hash.h>

int hash_pixels(const uint8_t *data, int width, int height, int stride, char hex[65])
{
    struct AVHashContext *ctx = NULL;
    if (av_hash_alloc(&ctx, "SHA256") < 0)
        return LW_ERUNTIME;
    av_hash_init(ctx);
    for (int y = 0; y < height; y++)
        av_hash_update(ctx, data + (size_t)y * stride, (size_t)width * 4);
    av_hash_final_hex(ctx, (uint8_t *)hex, 65);
    av_hash_freep(&ctx);
    return LW_OK;
}
