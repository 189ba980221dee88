/* hash.h — a frame's raw pixels hashed row by row without the stride
 * padding, so the hash names the picture and not the memory layout.
 *
 * Two hashes: XXH3-128 (libxxhash; the default: about ten times faster than
 * SHA-256 on a 720p frame, and a regression hash needs no resistance to an
 * attacker) and SHA-256 (libcrypto), for hashes made before or checked by
 * other tools. */
#ifndef HASH_H
#define HASH_H

#include "lw_common.h"

typedef enum { HASH_XXH3_128, HASH_SHA256 } HashAlgo;

/* Writes the hash as lowercase hex digits and a NUL into hex (32 digits for
 * XXH3-128, 64 for SHA-256).  Returns LW_OK or LW_ERUNTIME (no memory). */
int hash_pixels_with(HashAlgo algo, const uint8_t *data, int width, int height, int stride,
                     char hex[65]);
/* The default hash, XXH3-128. */
int hash_pixels(const uint8_t *data, int width, int height, int stride, char hex[65]);

/* "xxh3" or "sha256" (as --algo and the goldens' "# hash:" line spell them);
 * parse returns -1 for any other word. */
const char *hash_algo_name(HashAlgo algo);
int hash_algo_parse(const char *word, HashAlgo *algo);

#endif
