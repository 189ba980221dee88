/* montage.h — finished videos laid out as one grid video: rows and columns
 * of cells, each cell one input scaled to a common size, column labels
 * above and row labels to the left (`layerwarp montage`, e.g. the videos of
 * a sweep, widths x datasets, side by side for a class).
 *
 * The inputs are decoded with libavformat/libavcodec, scaled with
 * libswscale, composed with Cairo and written through a VideoSink, so any
 * format render writes works.  All inputs must share one frame rate; a
 * shorter one holds its last frame until the longest ends. */
#ifndef MONTAGE_H
#define MONTAGE_H

#include <signal.h>

#include "lw_common.h"

typedef struct {
    const char *const *inputs;    /* videos, filling the rows in order */
    int n_inputs;
    int rows, cols;               /* rows * cols >= n_inputs */
    const char *const *row_labels; /* n_row_labels (0 or rows) */
    int n_row_labels;
    const char *const *col_labels;
    int n_col_labels;
    const char *output;           /* .mp4 .webm .mkv .gif */
    volatile sig_atomic_t *stop;  /* set by a signal handler: stop soon */
} MontageSpec;

/* Writes the grid video; returns the number of frames written in *frames.
 * LW_EINPUT for inputs that do not fit (unreadable, another frame rate, more
 * than the grid holds), LW_ERUNTIME for I/O and libav failures, LW_EINTR. */
int montage_write(const MontageSpec *m, int *frames, LwError *err);

#endif
