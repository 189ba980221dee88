/* hash.h — SHA-256 of a frame's raw pixels, row by row without the stride
 * padding, so the hash names the picture and not the memory layout. */
#ifndef HASH_H
#define HASH_H

#include "lw_common.h"

/* Writes 64 lowercase hex digits and a NUL into hex.  Returns LW_OK or
 * LW_ERUNTIME (no memory). */
int hash_pixels(const uint8_t *data, int width, int height, int stride, char hex[65]);

#endif
