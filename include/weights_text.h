/* weights_text.h — the text both weights files are made of
 * (docs/weights-format.md): lines of whitespace-separated tokens, blank
 * lines and '#' comments skipped, and named matrices written as their name
 * on a line of its own followed by one line per row.  mlp.c (a classifier's
 * file) and gen_weights.c (a generative model's) read and write through
 * these, so both say the same things about a malformed file, always as
 * "path:line: problem".
 *
 * A WeightsReader owns its open FILE until weights_reader_close. */
#ifndef WEIGHTS_TEXT_H
#define WEIGHTS_TEXT_H

#include <stdio.h>

#include "lw_common.h"

#define WEIGHTS_MAX_TOK (LW_MAX_LAYERS + 2) /* "widths" and up to 17 widths */
#define WEIGHTS_MAX_BYTES ((size_t)16 << 20) /* a weights file: 16 layers of 16 x 16 and room to spare */

typedef struct {
    FILE *f;                       /* owned */
    const char *path;              /* for messages, borrowed */
    char line[LW_LINE_MAX];
    int lineno;                    /* of the current line, 1-based */
    int ntok;                      /* tokens on it; only the first WEIGHTS_MAX_TOK are kept */
    char *tok[WEIGHTS_MAX_TOK];    /* views into line */
    int failure;                   /* after a failed next line: LW_ERUNTIME (read error)
                                      or LW_EINPUT (too long, or binary) */
    /* the matrix read last, so a surplus row after it can be named */
    char last_name[160];
    int last_rows;
} WeightsReader;

/* Opens path for reading.  LW_EINPUT "path: reason" when it cannot (a
 * missing weights file is bad input, as in a scene). */
int weights_reader_open(WeightsReader *r, const char *path, LwError *err);
/* Closes the file; accepts a reader that was never opened. */
void weights_reader_close(WeightsReader *r);

/* The next line with tokens: 1, or 0 at end of file or on a failure (then
 * r->failure says which). */
int weights_next_line(WeightsReader *r);
/* The next line, or LW_EINPUT: "path:N: unexpected end of file (expected
 * WHAT)", a read error, or a line that is not text. */
int weights_need_line(WeightsReader *r, const char *what, LwError *err);

/* A whole number token (within +-1e6); -1 when it is not one. */
int weights_parse_int(const char *s, int *out);

/* Reads matrix `name` (rows, cols) into a, row-major: the name on a line of
 * its own, then rows lines of cols finite numbers.  `of` follows the name in
 * messages (" of the generator"; "" for none).  LW_EINPUT naming the line
 * and the matrix: a different name, a missing or surplus row, a row of the
 * wrong length, a bad number. */
int weights_read_matrix(WeightsReader *r, const char *name, const char *of, double *a,
                        int rows, int cols, LwError *err);
/* LW_EINPUT when anything but blank lines and comments follows the last
 * matrix; LW_OK at a clean end of file. */
int weights_read_end(WeightsReader *r, LwError *err);

/* Writes matrix `name` (rows, cols) with every number as %.17g (which a
 * double reads back exactly). */
void weights_write_matrix(FILE *f, const char *name, const double *a, int rows, int cols);

#endif
