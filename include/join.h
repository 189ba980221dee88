/* join.h — pieces of one render (render --piece K/N) put back together
 * without re-encoding: their packets remuxed into one file by libavformat.
 *
 * Before anything is written, join checks that the pieces come from one
 * scene (the hash in their layerwarp_piece tag), that they cover every frame
 * of the whole exactly once, and that their streams have one set of codec
 * parameters (codec, size, pixel format, extradata: an H.264 avcC must be
 * byte-equal); otherwise one line naming the file, or the missing or
 * overlapping frames.  The output is written atomically (atomic_file.h). */
#ifndef JOIN_H
#define JOIN_H

#include <signal.h>

#include "lw_common.h"

/* Joins paths[0..n) (any order) into `out`, whose extension picks the
 * container.  LW_EINPUT for pieces that do not fit together, LW_ERUNTIME
 * for I/O and libav failures, LW_EINTR when *stop was set (by a signal
 * handler; may be NULL): the temporary file is removed then too. */
int join_pieces(const char *const *paths, int n, const char *out,
                volatile sig_atomic_t *stop, LwError *err);

#endif
