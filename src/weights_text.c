/* weights_text.c — lines, tokens and named matrices of the weights files
 * (see weights_text.h).  Line numbers count every line read, blank and
 * comment lines too, so a message points where an editor does. */
#include "weights_text.h"
#include "input_file.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int weights_reader_open(WeightsReader *r, const char *path, LwError *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    return input_open(path, WEIGHTS_MAX_BYTES, "weights file", &r->f, err);
}

void weights_reader_close(WeightsReader *r)
{
    if (r && r->f)
        fclose(r->f);
    if (r)
        r->f = NULL;
}

int weights_next_line(WeightsReader *r)
{
    int got;
    while ((got = lw_read_line(r->f, r->line, sizeof r->line)) != 0) {
        if (got < 0) {
            r->failure = got;
            return 0;
        }
        r->lineno++;
        r->ntok = 0;
        char *save = NULL;
        for (char *s = strtok_r(r->line, " \t\r\n", &save); s;
             s = strtok_r(NULL, " \t\r\n", &save)) {
            if (r->ntok == 0 && s[0] == '#')
                break;
            if (r->ntok < WEIGHTS_MAX_TOK)
                r->tok[r->ntok] = s;
            r->ntok++;
        }
        if (r->ntok > 0)
            return 1;
    }
    return 0;
}

int weights_need_line(WeightsReader *r, const char *what, LwError *err)
{
    if (weights_next_line(r))
        return LW_OK;
    if (r->failure == LW_ERUNTIME)
        return lw_fail(err, LW_EINPUT, "%s: %s", r->path, strerror(errno));
    if (r->failure == LW_EINPUT)
        return lw_fail(err, LW_EINPUT, "%s:%d: not a line of text (longer than %d characters, "
                       "or binary data)", r->path, r->lineno + 1, LW_LINE_MAX - 2);
    return lw_fail(err, LW_EINPUT, "%s:%d: unexpected end of file (expected %s)", r->path,
                   r->lineno ? r->lineno : 1, what);
}

int weights_parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < -1000000 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

static int is_number(const char *s)
{
    char *end;
    strtod(s, &end);
    return end != s && *end == '\0';
}

/* A line that names a matrix or starts a block, not a row of numbers: where
 * a row was due, the matrix before it is short of rows. */
static int is_heading(const WeightsReader *r)
{
    return r->ntok == 1 && !is_number(r->tok[0]) &&
           (r->tok[0][0] == 'W' || r->tok[0][0] == 'b' || strcmp(r->tok[0], "network") == 0);
}

/* "W1 of the generator has more than 16 rows" when a number stands where a
 * matrix's name (or the end) was due, else the caller's message. */
static int surplus_row(WeightsReader *r, LwError *err)
{
    return lw_fail(err, LW_EINPUT, "%s:%d: %s has more than %d row%s", r->path, r->lineno,
                   r->last_name, r->last_rows, r->last_rows == 1 ? "" : "s");
}

static int read_row(WeightsReader *r, const char *name, const char *of, double *row, int i,
                    int rows, int cols, LwError *err)
{
    char what[160];
    snprintf(what, sizeof what, "row %d of %s%s", i + 1, name, of);
    int ret = weights_need_line(r, what, err);
    if (ret)
        return ret;
    if (is_heading(r))
        return lw_fail(err, LW_EINPUT, "%s:%d: %s%s has %d row%s (expected %d), found '%s'",
                       r->path, r->lineno, name, of, i, i == 1 ? "" : "s", rows, r->tok[0]);
    if (r->ntok != cols)
        return lw_fail(err, LW_EINPUT, "%s:%d: %s has %d number%s (expected %d)", r->path,
                       r->lineno, what, r->ntok, r->ntok == 1 ? "" : "s", cols);
    for (int j = 0; j < cols; j++) {
        char *end;
        double v = strtod(r->tok[j], &end);
        if (end == r->tok[j] || *end || !isfinite(v))
            return lw_fail(err, LW_EINPUT, "%s:%d: bad number '%s' in %s%s", r->path,
                           r->lineno, r->tok[j], name, of);
        row[j] = v;
    }
    return LW_OK;
}

int weights_read_matrix(WeightsReader *r, const char *name, const char *of, double *a,
                        int rows, int cols, LwError *err)
{
    char what[160];
    snprintf(what, sizeof what, "%s%s", name, of);
    int ret = weights_need_line(r, what, err);
    if (ret)
        return ret;
    if (r->ntok != 1 || strcmp(r->tok[0], name) != 0) {
        if (r->last_name[0] && is_number(r->tok[0]))
            return surplus_row(r, err);
        return lw_fail(err, LW_EINPUT, "%s:%d: expected '%s'%s, found '%s'", r->path,
                       r->lineno, name, of, r->tok[0]);
    }
    for (int i = 0; i < rows; i++)
        if ((ret = read_row(r, name, of, a + (size_t)i * cols, i, rows, cols, err)))
            return ret;
    snprintf(r->last_name, sizeof r->last_name, "%s", what);
    r->last_rows = rows;
    return LW_OK;
}

int weights_read_end(WeightsReader *r, LwError *err)
{
    if (weights_next_line(r)) {
        if (r->last_name[0] && is_number(r->tok[0]))
            return surplus_row(r, err);
        return lw_fail(err, LW_EINPUT, "%s:%d: unexpected '%s' after the last matrix", r->path,
                       r->lineno, r->tok[0]);
    }
    if (r->failure == LW_EINPUT)
        return lw_fail(err, LW_EINPUT, "%s:%d: not a line of text (longer than %d characters, "
                       "or binary data)", r->path, r->lineno + 1, LW_LINE_MAX - 2);
    if (r->failure || ferror(r->f))
        return lw_fail(err, LW_EINPUT, "%s: %s", r->path, strerror(errno));
    return LW_OK;
}

void weights_write_matrix(FILE *f, const char *name, const double *a, int rows, int cols)
{
    fprintf(f, "%s\n", name);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            fprintf(f, "%.17g%c", a[(size_t)i * cols + j], j + 1 == cols ? '\n' : ' ');
}
