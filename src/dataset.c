/* dataset.c — the toy datasets: generated from a seed with GSL's mt19937, or
 * read from a CSV file.  ROWS below is the one table of what each kind is
 * (name, dimension, defaults, generator); the scene parser asks it through
 * dataset_kind_info instead of knowing kinds itself.
 *
 * Invariants of a Dataset built here: points are grouped by class (class 0
 * first); each class gets n/classes points, the first n%classes classes one
 * more; curve datasets hold the curves their row of ROWS says (one per class
 * for curves and spiral), each curve's points in order; every generator keeps its points roughly inside
 * [-1.5,1.5]^2 so one view and one grid suit them all.  The Dataset owns x,
 * label and curve_start; dataset_free releases them. */
#include "dataset.h"
#include "input_file.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static int alloc_points(Dataset *ds, int n, int classes, int n_curves, int dim, LwError *err)
{
    ds->n = n;
    ds->dim = dim;
    ds->classes = classes;
    ds->x = calloc((size_t)n * dim, sizeof *ds->x);
    ds->label = calloc((size_t)n, sizeof *ds->label);
    if (n_curves > 0) {
        ds->n_curves = n_curves;
        ds->curve_start = calloc((size_t)n_curves + 1, sizeof *ds->curve_start);
    }
    if (!ds->x || !ds->label || (n_curves > 0 && !ds->curve_start))
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d points", n);
    return LW_OK;
}

/* Points of class c: [start, start + count). */
static int class_count(int n, int classes, int c)
{
    return n / classes + (c < n % classes ? 1 : 0);
}

/* Position along a curve of `count` points, 0 at the first and 1 at the last. */
static double along(int i, int count)
{
    return count > 1 ? (double)i / (count - 1) : 0.5;
}

static void put(Dataset *ds, int i, double x, double y, int label)
{
    ds->x[2 * i] = x;
    ds->x[2 * i + 1] = y;
    ds->label[i] = label;
}

/* The jitter draws come after the point's own draws, always two per point even
 * when noise is 0, so changing the noise never reshuffles the points. */
static void jitter(gsl_rng *r, double noise, double *x, double *y)
{
    double dx = gsl_ran_gaussian(r, 1.0), dy = gsl_ran_gaussian(r, 1.0);
    *x += noise * dx;
    *y += noise * dy;
}

/* sklearn's make_moons shifted by (-0.5, -0.25) so the pair is centred:
 * x in [-1.5, 1.5], y in [-0.75, 0.75] before noise. */
static void gen_moons(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    int i = 0;
    for (int c = 0; c < 2; c++)
        for (int k = 0, cnt = class_count(ds->n, 2, c); k < cnt; k++, i++) {
            double t = M_PI * gsl_rng_uniform(r), x, y;
            if (c == 0) {
                x = cos(t) - 0.5;
                y = sin(t) - 0.25;
            } else {
                x = 1.0 - cos(t) - 0.5;
                y = 0.5 - sin(t) - 0.25;
            }
            jitter(r, noise, &x, &y);
            put(ds, i, x, y, c);
        }
}

/* Class 0 on a circle of radius factor, class 1 on the unit circle. */
static void gen_circles(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    double factor = spec->factor > 0 && spec->factor < 1 ? spec->factor : 0.5;
    int i = 0;
    for (int c = 0; c < 2; c++)
        for (int k = 0, cnt = class_count(ds->n, 2, c); k < cnt; k++, i++) {
            double t = 2 * M_PI * gsl_rng_uniform(r), rad = c == 0 ? factor : 1.0;
            double x = rad * cos(t), y = rad * sin(t);
            jitter(r, noise, &x, &y);
            put(ds, i, x, y, c);
        }
}

/* Arm c starts at radius 0.2 and angle 2*pi*c/classes and winds `turns`
 * times out to radius 1.4; points are spaced evenly in arc length, so the
 * inner part is not crowded, and stay in order along the arm. */
static void gen_spiral(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    double turns = spec->turns > 0 ? spec->turns : 1.0;
    const double r0 = 0.2, r1 = 1.4;
    int i = 0;
    for (int c = 0; c < ds->classes; c++) {
        int cnt = class_count(ds->n, ds->classes, c);
        ds->curve_start[c] = i;
        for (int k = 0; k < cnt; k++, i++) {
            /* arc length of r = r0 + (r1-r0) t over angle 2*pi*turns*t grows
             * roughly like the swept radius squared, so t = sqrt-interpolation
             * between r0^2 and r1^2 spaces points evenly along the arm */
            double s = along(k, cnt);
            double rad = sqrt(r0 * r0 + s * (r1 * r1 - r0 * r0));
            double t = (rad - r0) / (r1 - r0);
            double a = 2 * M_PI * (turns * t + (double)c / ds->classes);
            double x = rad * cos(a), y = rad * sin(a);
            jitter(r, noise, &x, &y);
            put(ds, i, x, y, c);
        }
    }
    ds->curve_start[ds->classes] = i;
}

/* Four clusters at (+-0.75, +-0.75); a cluster's label is 0 when its centre's
 * coordinates have the same sign, 1 otherwise.  Clusters are filled in turn so
 * each class gets two of them. */
static void gen_xor(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    static const double SX[2][2] = {{1, -1}, {1, -1}}, SY[2][2] = {{1, -1}, {-1, 1}};
    int i = 0;
    for (int c = 0; c < 2; c++)
        for (int k = 0, cnt = class_count(ds->n, 2, c); k < cnt; k++, i++) {
            int q = k % 2;
            double x = 0.75 * SX[c][q], y = 0.75 * SY[c][q];
            jitter(r, noise, &x, &y);
            put(ds, i, x, y, c);
        }
}

/* Blobs on a circle of radius 1, the first at the top. */
static void gen_gaussians(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    int i = 0;
    for (int c = 0; c < ds->classes; c++) {
        double a = M_PI / 2 + 2 * M_PI * c / ds->classes;
        for (int k = 0, cnt = class_count(ds->n, ds->classes, c); k < cnt; k++, i++) {
            double x = cos(a), y = sin(a);
            jitter(r, noise, &x, &y);
            put(ds, i, x, y, c);
        }
    }
}

/* Olah's first example: two parallel sinusoids over x in [-1, 1], class 0
 * 0.5 above class 1; the wave (0.8 of a period) bends each curve across the
 * other's height, so no straight line separates them (a linear classifier
 * gets about 77%), while one 2-wide tanh layer does. */
static void gen_curves(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    int i = 0;
    for (int c = 0; c < 2; c++) {
        int cnt = class_count(ds->n, 2, c);
        ds->curve_start[c] = i;
        for (int k = 0; k < cnt; k++, i++) {
            double x = -1.0 + 2.0 * along(k, cnt);
            double y = 0.5 * sin(3.0 * x + 0.5) + (c == 0 ? 0.25 : -0.25);
            jitter(r, noise, &x, &y);
            put(ds, i, x, y, c);
        }
    }
    ds->curve_start[2] = i;
}

/* Olah's 1-D example: A = [-1/3, 1/3] (class 0) and B = [-1, -2/3] u
 * [2/3, 1] (class 1).  No line through 1-D separates them; a hidden layer of
 * two units lifts the line into the plane where one does.  Three curves:
 * A, then B's left and right pieces. */
static void gen_interval(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    int na = class_count(ds->n, 2, 0), nb = ds->n - na, nb_left = nb / 2;
    const double lo[3] = {-1.0 / 3, -1.0, 2.0 / 3}, hi[3] = {1.0 / 3, -2.0 / 3, 1.0};
    const int count[3] = {na, nb_left, nb - nb_left};
    int i = 0;
    for (int c = 0; c < 3; c++) {
        ds->curve_start[c] = i;
        for (int k = 0; k < count[c]; k++, i++) {
            double x = lo[c] + (hi[c] - lo[c]) * along(k, count[c]);
            double dx = gsl_ran_gaussian(r, 1.0);
            ds->x[i] = x + noise * dx;
            ds->label[i] = c == 0 ? 0 : 1;
        }
    }
    ds->curve_start[3] = i;
}

/* Two rings of radius 1 in perpendicular planes.  Linked: each passes
 * through the other's disk (a Hopf link: no continuous deformation of space
 * pulls them apart).  Unlinked: the same rings side by side.  Each ring is
 * one closed curve (its first point repeated at the end). */
static void rings(Dataset *ds, gsl_rng *r, double noise, int linked)
{
    double shift = linked ? 0.5 : 1.15;
    int i = 0;
    for (int c = 0; c < 2; c++) {
        int cnt = class_count(ds->n, 2, c);
        ds->curve_start[c] = i;
        for (int k = 0; k < cnt; k++, i++) {
            double th = 2 * M_PI * along(k, cnt);
            double p[3];
            if (c == 0) {
                p[0] = -shift + cos(th); p[1] = sin(th); p[2] = 0;
            } else {
                p[0] = shift - cos(th); p[1] = 0; p[2] = sin(th);
            }
            for (int a = 0; a < 3; a++) {
                double d = gsl_ran_gaussian(r, 1.0);
                ds->x[3 * i + a] = p[a] + (k + 1 < cnt && k > 0 ? noise * d : 0.0);
            }
            ds->label[i] = c;
        }
    }
    ds->curve_start[2] = i;
}

static void gen_rings(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    rings(ds, r, noise, 1);
}

static void gen_unlinked(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec)
{
    rings(ds, r, noise, 0);
}

/* ---- the table of kinds ---- */

/* Fills ds, already sized for ds->n points of ds->classes classes (and
 * curve_start for the row's curves), drawing from r; spec holds the kind's
 * own parameters (turns, factor). */
typedef void Generator(Dataset *ds, gsl_rng *r, double noise, const DatasetSpec *spec);

typedef struct {
    DatasetInfo info;
    Generator *generate; /* NULL when info.reads_file */
} DatasetRow;

/* Everything the program knows about each kind; adding a kind is a generator
 * above, a DatasetKind value and one row here (and its line in
 * docs/scene-format.md).  Default noise: enough jitter to look like data,
 * little enough that the small networks of the scenes still separate the
 * classes.  The rows are in the order messages list kinds that share a
 * property ("curves, spiral, interval, ..."), which is not DatasetKind's
 * order: each row names its kind, and dataset_kind_info finds it. */
static const DatasetRow ROWS[] = {
    /* kind, name, dim, curves, noise, classes, classes_settable, draw, reads_file */
    {{DATA_MOONS, "moons", 2, 0, 0.1, 2, 0, DRAW_POINTS, 0}, gen_moons},
    {{DATA_CIRCLES, "circles", 2, 0, 0.05, 2, 0, DRAW_POINTS, 0}, gen_circles},
    {{DATA_XOR, "xor", 2, 0, 0.15, 2, 0, DRAW_POINTS, 0}, gen_xor},
    {{DATA_GAUSSIANS, "gaussians", 2, 0, 0.2, 3, 1, DRAW_POINTS, 0}, gen_gaussians},
    {{DATA_CURVES, "curves", 2, DATASET_CURVE_PER_CLASS, 0.0, 2, 0, DRAW_CURVES, 0}, gen_curves},
    /* dense arms read better as points; draw = curves joins each arm */
    {{DATA_SPIRAL, "spiral", 2, DATASET_CURVE_PER_CLASS, 0.03, 2, 1, DRAW_POINTS, 0}, gen_spiral},
    /* A, then B's left and right pieces */
    {{DATA_INTERVAL, "interval", 1, 3, 0.0, 2, 0, DRAW_CURVES, 0}, gen_interval},
    {{DATA_RINGS, "rings", 3, 2, 0.0, 2, 0, DRAW_CURVES, 0}, gen_rings},
    {{DATA_UNLINKED, "unlinked", 3, 2, 0.0, 2, 0, DRAW_CURVES, 0}, gen_unlinked},
    {{DATA_CSV, "csv", 2, 0, 0.0, 2, 0, DRAW_POINTS, 1}, NULL},
};
#define N_ROWS (int)(sizeof ROWS / sizeof ROWS[0])
_Static_assert(sizeof ROWS / sizeof ROWS[0] == DATA_COUNT, "one row per DatasetKind");

static const DatasetRow *row_of(DatasetKind kind)
{
    for (int i = 0; i < N_ROWS; i++)
        if (ROWS[i].info.kind == kind)
            return &ROWS[i];
    return NULL;
}

const DatasetInfo *dataset_kind_info(DatasetKind kind)
{
    const DatasetRow *row = row_of(kind);
    return row ? &row->info : NULL;
}

int dataset_kind_by_name(const char *name)
{
    for (int i = 0; i < N_ROWS; i++)
        if (strcmp(ROWS[i].info.name, name) == 0)
            return (int)ROWS[i].info.kind;
    return -1;
}

const char *dataset_kind_name(DatasetKind kind)
{
    const DatasetInfo *info = dataset_kind_info(kind);
    return info ? info->name : "?";
}

int dataset_spec_dim(const DatasetSpec *spec)
{
    const DatasetInfo *info = dataset_kind_info(spec->kind);
    if (info && info->reads_file)
        return spec->csv_dim == 3 ? 3 : 2;
    return info ? info->dim : 2;
}

int dataset_kind_dim(DatasetKind kind)
{
    const DatasetInfo *info = dataset_kind_info(kind);
    return info ? info->dim : 2;
}

/* Two orders, both those of the messages before this table existed: every
 * kind in DatasetKind's order, a subset in the rows' order. */
char *dataset_kind_names(int (*has)(const DatasetInfo *), const char *last, char *out,
                         size_t cap)
{
    const DatasetInfo *pick[DATA_COUNT];
    int n = 0;
    for (int i = 0; i < N_ROWS; i++) {
        const DatasetInfo *info = has ? &ROWS[i].info : dataset_kind_info((DatasetKind)i);
        if (!has || has(info))
            pick[n++] = info;
    }
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n && len < cap; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? last : ", ";
        int w = snprintf(out + len, cap - len, "%s%s", sep, pick[i]->name);
        len += w > 0 ? (size_t)w : 0;
    }
    return out;
}

/* ---- CSV ----
 *
 * libcsv splits rows into fields (quotes, doubled quotes inside them, blanks
 * around unquoted fields).  It is fed one line at a time, so that every
 * message can name its line, a comment line can be skipped where a row would
 * start, and binary data is refused as a line too long (lw_read_line).  Only
 * '\n' ends a row; '\r' counts as a blank, so CRLF files read like LF ones.
 * The first row fixes the layout (a header, or the file's own order); each
 * later row becomes a point, or the first fault stops the reading. */

#define CSV_MAX_FIELDS 1000 /* fields in one row; a wider row is a fault */
#define CSV_SHOWN 40        /* bytes of a field quoted in a message */

/* Header names that mean each role when the scene chooses no columns. */
static const char *const ALIASES[4][6] = {
    {"x", "x1", NULL}, {"y", "x2", NULL}, {"z", "x3", NULL},
    {"label", "class", "target", "category", "species", NULL},
};
#define ROLE_LABEL 3 /* ALIASES' row of the label (the coordinates are rows 0..2) */

typedef struct {
    const char *path;
    const DatasetSpec *spec;
    LwError *err;
    int ret;              /* LW_OK until the first fault; later rows are then ignored */
    int dim;              /* coordinates per point */
    int line;             /* the line being fed */
    int row_line;         /* the line the current row started on */
    int row_ended;        /* the last line fed ended a row (no quote left open) */
    /* the current row: nf fields, field k NUL-terminated at buf + at[k] */
    char *buf;
    size_t len, cap;
    size_t at[CSV_MAX_FIELDS];
    int nf;
    /* the layout, fixed by the first row */
    int have_layout, header;
    int exact;                        /* a file without a header: exactly x,y(,z),label */
    int plain;                        /* the columns are x,y(,z),label in that order */
    int col[4];                       /* 0-based column of each coordinate, then the label */
    char col_name[4][CSV_SHOWN + 1];  /* the header's names of those columns */
    int min_fields;
    /* the points, and the distinct labels in order of first appearance */
    double *x;           /* (n, dim) */
    int *label;          /* (n) index into text */
    int n, cap_points;
    char *text[LW_MAX_CLASSES];
    int n_labels, named; /* named: some label is not a number */
} CsvReader;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return s;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*out) ? 0 : -1;
}

/* Bytes of s (at most max) that end on a whole UTF-8 character; -1 when s is
 * not UTF-8 text (broken sequences or control bytes). */
static int utf8_fit(const char *s, int max)
{
    const unsigned char *u = (const unsigned char *)s;
    int fit = 0;
    for (int i = 0; u[i];) {
        unsigned char c = u[i];
        int more = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2
                 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
        if (more < 0 || c < 0x20 || c == 0x7f)
            return -1;
        for (int k = 1; k <= more; k++)
            if ((u[i + k] & 0xc0) != 0x80)
                return -1;
        i += more + 1;
        if (i <= max)
            fit = i;
    }
    return fit;
}

/* s as a message quotes it: cut to CSV_SHOWN bytes on a character boundary. */
static const char *shown(const char *s, char out[CSV_SHOWN + 1])
{
    int fit = utf8_fit(s, CSV_SHOWN);
    if (fit < 0)
        snprintf(out, CSV_SHOWN + 1, "(not UTF-8 text)");
    else
        snprintf(out, CSV_SHOWN + 1, "%.*s", fit, s);
    return out;
}

static const char *role_name(const CsvReader *rd, int role)
{
    return role == rd->dim ? "label" : ALIASES[role][0];
}

/* What a file without a header holds, for messages: "x,y,label". */
static const char *plain_layout(const CsvReader *rd)
{
    return rd->dim == 3 ? "x,y,z,label" : "x,y,label";
}

static const char *row_field(const CsvReader *rd, int k)
{
    return rd->buf + rd->at[k];
}

static int csv_fault(CsvReader *rd, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first fault as "path:line: message" (line 0: the file). */
static int csv_fault(CsvReader *rd, int line, const char *fmt, ...)
{
    char msg[sizeof rd->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        rd->ret = lw_fail(rd->err, LW_EINPUT, "%s:%d: %s", rd->path, line, msg);
    else
        rd->ret = lw_fail(rd->err, LW_EINPUT, "%s: %s", rd->path, msg);
    return rd->ret;
}

/* ---- the layout ---- */

/* A chosen column written as a number: its 0-based index, else -1. */
static int column_number(const char *s)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
        return -1;
    return atoi(s) - 1;
}

/* Is the field where a file without a header has its first coordinate a
 * number?  Then the first row is data; otherwise it is a header (the rule
 * files without a header were always read by: "x,y,label" is a header,
 * "0.5,1,cat" and "0,nan,0" are rows). */
static int first_coordinate_is_number(const CsvReader *rd, int col)
{
    double v;
    char tmp[LW_LINE_MAX];
    if (col < 0 || col >= rd->nf)
        return 0;
    snprintf(tmp, sizeof tmp, "%s", row_field(rd, col));
    return parse_double(trim(tmp), &v) == 0;
}

/* The header's column called `name` (any case) for a role; -1 with a fault
 * when there is none, or more than one. */
static int header_column(CsvReader *rd, const char *const *names, int role)
{
    int found = -1;
    char a[CSV_SHOWN + 1], b[CSV_SHOWN + 1];
    for (int k = 0; k < rd->nf; k++)
        for (int i = 0; names[i]; i++) {
            if (strcasecmp(row_field(rd, k), names[i]) != 0)
                continue;
            if (found >= 0) {
                csv_fault(rd, rd->row_line, "the header has two columns for %s: '%s' "
                          "(column %d) and '%s' (column %d)", role_name(rd, role),
                          shown(row_field(rd, found), a), found + 1,
                          shown(row_field(rd, k), b), k + 1);
                return -1;
            }
            found = k;
        }
    if (found < 0 && !rd->spec->n_columns) {
        char list[96] = "";
        for (int i = 0; names[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                     i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
        csv_fault(rd, rd->row_line, "the header has no column for %s (named %s; or choose "
                  "the columns with columns = in [dataset])", role_name(rd, role), list);
    }
    else if (found < 0)
        csv_fault(rd, rd->row_line, "columns names '%s', which the header does not have",
                  shown(names[0], a));
    return found;
}

/* Does the header name any column ALIASES knows? */
static int header_names_a_role(const CsvReader *rd)
{
    for (int k = 0; k < rd->nf; k++)
        for (int role = 0; role < 4; role++)
            for (int i = 0; ALIASES[role][i]; i++)
                if (strcasecmp(row_field(rd, k), ALIASES[role][i]) == 0)
                    return 1;
    return 0;
}

/* The columns of a file with a header: those the scene chose (by name or
 * number), else those the header calls x, y, (z), label.  A header that
 * names none of them ("f1,f2,cls") is only skipped, as every header was
 * before headers named columns: the rows are x,y(,z),label. */
static int header_layout(CsvReader *rd)
{
    const DatasetSpec *spec = rd->spec;
    if (!spec->n_columns && !header_names_a_role(rd)) {
        rd->exact = 1;
        for (int r = 0; r <= rd->dim; r++)
            rd->col[r] = r;
        return LW_OK;
    }
    for (int r = 0; r <= rd->dim; r++) {
        int role = r == rd->dim ? ROLE_LABEL : r;
        if (spec->n_columns) {
            const char *want = spec->column[r];
            const char *one[2] = {want, NULL};
            rd->col[r] = column_number(want);
            if (rd->col[r] < 0 && (rd->col[r] = header_column(rd, one, r)) < 0)
                return rd->ret;
        } else if ((rd->col[r] = header_column(rd, ALIASES[role], r)) < 0) {
            return rd->ret;
        }
        if (rd->col[r] < rd->nf)
            shown(row_field(rd, rd->col[r]), rd->col_name[r]);
        else /* a column number beyond the header's names */
            snprintf(rd->col_name[r], sizeof rd->col_name[r], "%d", rd->col[r] + 1);
    }
    /* a z column with 2-D data is more likely a mistake than a column to drop */
    if (!spec->n_columns && rd->dim == 2) {
        for (int k = 0; k < rd->nf; k++)
            if (strcasecmp(row_field(rd, k), "z") == 0 || strcasecmp(row_field(rd, k), "x3") == 0)
                return csv_fault(rd, rd->row_line, "the header has a column z but the data is "
                                 "read as 2-D (start widths with 3 for 3-D data, or choose "
                                 "columns = x, y, label)");
    }
    return LW_OK;
}

/* Fixes the layout from the first row; a header row is used up here. */
static int choose_layout(CsvReader *rd)
{
    const DatasetSpec *spec = rd->spec;
    int by_name = 0, plain[4];
    for (int r = 0; r <= rd->dim; r++) {
        plain[r] = spec->n_columns ? column_number(spec->column[r]) : r;
        by_name |= plain[r] < 0;
    }
    rd->have_layout = 1;
    rd->header = by_name || !first_coordinate_is_number(rd, plain[0]);
    rd->exact = !rd->header && !spec->n_columns; /* header_layout may say so too */
    rd->plain = !spec->n_columns;
    if (rd->header) {
        if (header_layout(rd) != LW_OK)
            return rd->ret;
    } else {
        memcpy(rd->col, plain, sizeof plain);
        for (int r = 0; r <= rd->dim; r++)
            snprintf(rd->col_name[r], sizeof rd->col_name[r], "%d", plain[r] + 1);
    }
    rd->min_fields = 0;
    for (int r = 0; r <= rd->dim; r++) {
        if (rd->col[r] + 1 > rd->min_fields)
            rd->min_fields = rd->col[r] + 1;
        rd->plain &= rd->col[r] == r;
    }
    return LW_OK;
}

/* ---- rows into points ---- */

/* "(expected x,y,label)" for a file in its own order, else the column. */
static const char *where(const CsvReader *rd, int r, char *out, size_t cap)
{
    if (rd->plain)
        snprintf(out, cap, " (expected %s)", plain_layout(rd));
    else if (rd->header)
        snprintf(out, cap, " in column '%s'", rd->col_name[r]);
    else
        snprintf(out, cap, " in column %d", rd->col[r] + 1);
    return out;
}

/* The index of this row's label among the distinct labels, adding it when
 * new; -1 with a fault. */
static int label_of(CsvReader *rd, const char *text)
{
    char w[CSV_SHOWN + 64], s[CSV_SHOWN + 1];
    for (int i = 0; i < rd->n_labels; i++)
        if (strcmp(rd->text[i], text) == 0)
            return i;
    double v;
    if (!*text) {
        csv_fault(rd, rd->row_line, "no label%s", where(rd, rd->dim, w, sizeof w));
        return -1;
    }
    /* checked first: strtod skips a leading vertical tab or form feed, so
     * "\v0" would otherwise pass as the number 0 and keep its control byte
     * in a class name (found by fuzz_csv) */
    if (utf8_fit(text, INT_MAX) < 0) {
        csv_fault(rd, rd->row_line, "a label that is not one line of UTF-8 text%s",
                  where(rd, rd->dim, w, sizeof w));
        return -1;
    }
    if (parse_double(text, &v) == 0) {
        if (v != floor(v) || v < 0 || v >= LW_MAX_CLASSES) {
            if (rd->plain)
                csv_fault(rd, rd->row_line, "bad label '%s', not an integer 0..%d (expected %s)",
                          shown(text, s), LW_MAX_CLASSES - 1, plain_layout(rd));
            else
                csv_fault(rd, rd->row_line, "bad label '%s'%s, not an integer 0..%d",
                          shown(text, s), where(rd, rd->dim, w, sizeof w), LW_MAX_CLASSES - 1);
            return -1;
        }
    } else {
        rd->named = 1;
    }
    if (rd->n_labels == LW_MAX_CLASSES) {
        csv_fault(rd, rd->row_line, "a %dth class '%s' (at most %d classes)",
                  LW_MAX_CLASSES + 1, shown(text, s), LW_MAX_CLASSES);
        return -1;
    }
    if (!(rd->text[rd->n_labels] = strdup(text))) {
        rd->ret = lw_fail(rd->err, LW_ERUNTIME, "%s: out of memory", rd->path);
        return -1;
    }
    return rd->n_labels++;
}

static int grow_points(CsvReader *rd)
{
    int ncap = rd->cap_points ? 2 * rd->cap_points : 256;
    if (ncap > LW_MAX_POINTS)
        ncap = LW_MAX_POINTS;
    double *nx = realloc(rd->x, (size_t)ncap * rd->dim * sizeof *nx);
    if (nx)
        rd->x = nx;
    int *nl = nx ? realloc(rd->label, (size_t)ncap * sizeof *nl) : NULL;
    if (!nl)
        return rd->ret = lw_fail(rd->err, LW_ERUNTIME, "%s: out of memory", rd->path);
    rd->label = nl;
    rd->cap_points = ncap;
    return LW_OK;
}

/* Too few fields (or, in a file's own order, too many), for a message. */
static int field_count_fault(CsvReader *rd)
{
    int nf = rd->nf;
    if (rd->plain)
        return csv_fault(rd, rd->row_line, "%d field%s (expected %s%s)", nf, nf == 1 ? "" : "s",
                         plain_layout(rd),
                         nf > rd->dim + 1 ? "; a header row naming the columns lets others "
                                            "be ignored" : "");
    int missing = 0;
    for (int r = 1; r <= rd->dim; r++)
        if (rd->col[r] > rd->col[missing])
            missing = r;
    if (rd->header)
        return csv_fault(rd, rd->row_line, "%d field%s, too few for column %d ('%s')", nf,
                         nf == 1 ? "" : "s", rd->col[missing] + 1, rd->col_name[missing]);
    return csv_fault(rd, rd->row_line, "%d field%s, too few for column %d (the %s)", nf,
                     nf == 1 ? "" : "s", rd->col[missing] + 1, role_name(rd, missing));
}

static int add_point(CsvReader *rd)
{
    char w[CSV_SHOWN + 64], s[CSV_SHOWN + 1], tmp[LW_LINE_MAX];
    if (rd->nf < rd->min_fields || (rd->exact && rd->nf != rd->dim + 1))
        return field_count_fault(rd);
    if (rd->n == LW_MAX_POINTS)
        return csv_fault(rd, rd->row_line, "more than %d points", LW_MAX_POINTS);
    if (rd->n == rd->cap_points && grow_points(rd) != LW_OK)
        return rd->ret;
    for (int r = 0; r < rd->dim; r++) {
        snprintf(tmp, sizeof tmp, "%s", row_field(rd, rd->col[r]));
        char *f = trim(tmp);
        if (parse_double(f, &rd->x[(size_t)rd->n * rd->dim + r]) != 0) {
            if (rd->plain)
                return csv_fault(rd, rd->row_line, "bad number '%s' (expected %s)", shown(f, s),
                                 plain_layout(rd));
            return csv_fault(rd, rd->row_line, "bad number '%s'%s", shown(f, s),
                             where(rd, r, w, sizeof w));
        }
    }
    snprintf(tmp, sizeof tmp, "%s", row_field(rd, rd->col[rd->dim]));
    int k = label_of(rd, trim(tmp));
    if (k < 0)
        return rd->ret;
    rd->label[rd->n++] = k;
    return LW_OK;
}

/* libcsv's callbacks: one per field, one per row's end. */
static void on_field(void *s, size_t len, void *data)
{
    CsvReader *rd = data;
    if (rd->ret != LW_OK)
        return;
    if (rd->nf == CSV_MAX_FIELDS) {
        csv_fault(rd, rd->row_line, "more than %d fields in a row", CSV_MAX_FIELDS);
        return;
    }
    if (rd->len + len + 1 > rd->cap) {
        size_t ncap = 2 * (rd->len + len + 1);
        char *nb = realloc(rd->buf, ncap);
        if (!nb) {
            rd->ret = lw_fail(rd->err, LW_ERUNTIME, "%s: out of memory", rd->path);
            return;
        }
        rd->buf = nb;
        rd->cap = ncap;
    }
    if (len)
        memcpy(rd->buf + rd->len, s, len);
    rd->buf[rd->len + len] = '\0';
    rd->at[rd->nf++] = rd->len;
    rd->len += len + 1;
}

static void on_row_end(int c, void *data)
{
    CsvReader *rd = data;
    rd->row_ended = 1;
    if (rd->ret == LW_OK && rd->nf > 0) { /* a blank line is a row of no fields */
        if (!rd->have_layout) {
            if (choose_layout(rd) == LW_OK && !rd->header)
                add_point(rd);
        } else {
            add_point(rd);
        }
    }
    rd->nf = 0;
    rd->len = 0;
}

static int is_row_end(unsigned char c) { return c == '\n'; }
static int is_blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* The points, in classes: numbers 0..7 in order of value (labels 1 and 3
 * make two classes), names in order of first appearance. */
static int make_classes(CsvReader *rd, Dataset *ds)
{
    int class_of[LW_MAX_CLASSES], classes = rd->n_labels;
    for (int i = 0; i < rd->n_labels; i++)
        class_of[i] = i;
    if (!rd->named) { /* each value's rank among the values present ("1" is "1.0") */
        int present[LW_MAX_CLASSES] = {0};
        for (int i = 0; i < rd->n_labels; i++)
            present[(int)atof(rd->text[i])] = 1;
        classes = 0;
        for (int v = 0; v < LW_MAX_CLASSES; v++)
            classes += present[v];
        for (int i = 0; i < rd->n_labels; i++) {
            class_of[i] = 0;
            for (int v = 0; v < (int)atof(rd->text[i]); v++)
                class_of[i] += present[v];
        }
    }
    if (classes < 2)
        return csv_fault(rd, 0, "%s (need points of at least 2 classes)",
                         rd->n == 0 ? "no points" : "all points have one label");
    for (int i = 0; i < rd->n; i++)
        rd->label[i] = class_of[rd->label[i]];
    for (int i = 0; rd->named && i < rd->n_labels; i++) {
        int fit = utf8_fit(rd->text[i], LW_CLASS_NAME_MAX - 1);
        snprintf(ds->class_name[i], LW_CLASS_NAME_MAX, "%.*s", fit, rd->text[i]);
    }
    ds->n = rd->n;
    ds->dim = rd->dim;
    ds->classes = classes;
    ds->x = rd->x;
    ds->label = rd->label;
    rd->x = NULL;
    rd->label = NULL;
    return LW_OK;
}

/* Feeds the file to libcsv line by line. */
static int feed_lines(CsvReader *rd, FILE *f, struct csv_parser *parser)
{
    char line[LW_LINE_MAX + 1];
    int got;
    while (rd->ret == LW_OK && (got = lw_read_line(f, line, LW_LINE_MAX)) != 0) {
        rd->line++;
        if (got < 0)
            return got == LW_EINPUT
                       ? csv_fault(rd, rd->line, "not a line of text (longer than %d characters, "
                                   "or binary data)", LW_LINE_MAX - 2)
                       : (rd->ret = lw_fail(rd->err, LW_EINPUT, "%s: %s", rd->path,
                                            strerror(errno)));
        char *s = line;
        if (rd->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
            s += 3; /* a byte-order mark, as spreadsheets write it */
        if (rd->row_ended) {
            const char *t = s + strspn(s, " \t");
            if (*t == '#')
                continue; /* a comment line, where a row would start */
            rd->row_line = rd->line;
        }
        rd->row_ended = 0;
        size_t n = strlen(s);
        s[n++] = '\n'; /* lw_read_line took it off (or the file's last line had none) */
        if (csv_parse(parser, s, n, on_field, on_row_end, rd) != n && rd->ret == LW_OK)
            return rd->ret = lw_fail(rd->err, LW_ERUNTIME, "%s:%d: %s", rd->path, rd->line,
                                     csv_strerror(csv_error(parser)));
    }
    if (rd->ret == LW_OK && ferror(f))
        return rd->ret = lw_fail(rd->err, LW_EINPUT, "%s: %s", rd->path, strerror(errno));
    return rd->ret;
}

static int read_csv(const DatasetSpec *spec, Dataset *ds, LwError *err)
{
    const char *path = spec->csv_path;
    CsvReader *rd = calloc(1, sizeof *rd);
    if (!rd)
        return lw_fail(err, LW_ERUNTIME, "%s: out of memory", path);
    rd->path = path;
    rd->spec = spec;
    rd->err = err;
    rd->dim = spec->csv_dim == 3 ? 3 : 2;
    rd->row_ended = 1;
    struct csv_parser parser;
    int ret;
    FILE *f = NULL;
    if ((ret = input_open(path, CSV_MAX_BYTES, "CSV file", &f, err)) != LW_OK) {
        free(rd);
        return ret;
    }
    if (csv_init(&parser, CSV_REPALL_NL) != 0) {
        fclose(f);
        free(rd);
        return lw_fail(err, LW_ERUNTIME, "%s: out of memory", path);
    }
    csv_set_term_func(&parser, is_row_end);
    csv_set_space_func(&parser, is_blank);
    ret = feed_lines(rd, f, &parser);
    /* every line fed ends in '\n', which ends a row unless a quote is open */
    if (ret == LW_OK && !rd->row_ended)
        ret = csv_fault(rd, rd->row_line, "a quote that is never closed (a field starting "
                        "with \" needs a closing \")");
    ret = rd->ret != LW_OK ? rd->ret : ret;
    if (ret == LW_OK)
        ret = make_classes(rd, ds);
    csv_free(&parser);
    fclose(f);
    for (int i = 0; i < rd->n_labels; i++)
        free(rd->text[i]);
    free(rd->x);
    free(rd->label);
    free(rd->buf);
    free(rd);
    return ret;
}

int dataset_make(const DatasetSpec *spec, Dataset *ds, LwError *err)
{
    memset(ds, 0, sizeof *ds);
    const DatasetRow *row = row_of(spec->kind);
    if (!row)
        return lw_fail(err, LW_EINPUT, "unknown dataset kind %d", (int)spec->kind);
    const DatasetInfo *info = &row->info;
    if (info->reads_file)
        return read_csv(spec, ds, err);

    int classes = info->classes;
    if (info->classes_settable) {
        classes = spec->classes > 0 ? spec->classes : info->classes;
        if (classes < 2 || classes > LW_MAX_CLASSES)
            return lw_fail(err, LW_EINPUT, "dataset classes = %d (expected 2..%d)", classes,
                           LW_MAX_CLASSES);
    }
    if (spec->n_points < 2 * classes || spec->n_points > LW_MAX_POINTS)
        return lw_fail(err, LW_EINPUT, "dataset points = %d (expected %d..%d)",
                       spec->n_points, 2 * classes, LW_MAX_POINTS);
    /* a curve drawn through jittered points is a jagged line: drawn as
     * curves, the data are noiseless unless the scene asks for noise */
    double noise = spec->noise >= 0 ? spec->noise : spec->draw == DRAW_CURVES ? 0.0 : info->noise;
    int curves = info->curves == DATASET_CURVE_PER_CLASS ? classes : info->curves;
    int ret = alloc_points(ds, spec->n_points, classes, curves, info->dim, err);
    if (ret != LW_OK) {
        dataset_free(ds);
        return ret;
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) {
        dataset_free(ds);
        return lw_fail(err, LW_ERUNTIME, "out of memory for the random generator");
    }
    gsl_rng_set(r, (unsigned long)spec->seed);
    row->generate(ds, r, noise, spec);
    gsl_rng_free(r);
    return LW_OK;
}

void dataset_bounds(const Dataset *ds, double box[6])
{
    for (int a = 0; a < 3; a++) {
        box[2 * a] = a < ds->dim && ds->n ? INFINITY : 0;
        box[2 * a + 1] = a < ds->dim && ds->n ? -INFINITY : 0;
    }
    for (int i = 0; i < ds->n; i++)
        for (int a = 0; a < ds->dim && a < 3; a++) {
            double v = ds->x[(size_t)i * ds->dim + a];
            if (v < box[2 * a]) box[2 * a] = v;
            if (v > box[2 * a + 1]) box[2 * a + 1] = v;
        }
}

void dataset_free(Dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->label);
    free(ds->curve_start);
    memset(ds, 0, sizeof *ds);
}
