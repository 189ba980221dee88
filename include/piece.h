/* piece.h — a render cut into N contiguous pieces (render --piece K/N), and
 * the tag each piece carries so that join can check what it is given.
 *
 * Frames depend only on the scene and their index, so piece K of N holds
 * frames [floor((K-1)T/N), floor(KT/N) - 1] of the T-frame whole, with pts
 * at their place in it; the pieces together cover every frame once.
 * The tag, one line in the container's metadata (key layerwarp_piece):
 *   "2/3 frames 40-79 of 120, scene sha256 HEX, 640x360 at 30 fps, layerwarp 0.1.0"
 * The hash is over the scene file's bytes and the --set overrides, in order,
 * but those of the encoder (render.crf, .preset, .tune), which join checks
 * through the codec parameters instead. */
#ifndef PIECE_H
#define PIECE_H

#include "lw_common.h"

#define PIECE_TAG_KEY "layerwarp_piece"

typedef struct {
    int k, n;           /* piece k (1-based) of n */
    int first, last;    /* its frames, inclusive, 0-based */
    int total;          /* frames of the whole */
    char scene[65];     /* SHA-256 of the scene and its overrides, hex */
    int width, height;
    char fps[32];       /* as the scene gives it, %g */
    char version[32];   /* layerwarp's */
} PieceInfo;

/* "K/N" with 1 <= K <= N <= 100000; LW_EINPUT naming --piece otherwise. */
int piece_parse(const char *arg, int *k, int *n, LwError *err);
/* Piece k of n of a total-frame render: its first and last frame.  LW_EINPUT
 * when there are fewer frames than pieces. */
int piece_range(int k, int n, int total, int *first, int *last, LwError *err);
/* SHA-256 of the scene file's bytes followed by each override but the
 * encoder's and a NUL.
 * LW_EINPUT when the scene cannot be read ("-", standard input, cannot be
 * read twice: the caller refuses it first). */
int piece_scene_hash(const char *path, const char *const *sets, int n_sets, char hex[65],
                     LwError *err);
/* The tag text of p. */
void piece_tag_format(const PieceInfo *p, char *buf, size_t cap);
/* Reads a tag back; 0, or -1 when the text is no tag. */
int piece_tag_parse(const char *text, PieceInfo *p);

#endif
