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

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- CSV ---- */

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
    return end != s && *end == '\0' && errno != ERANGE && isfinite(*out) ? 0 : -1;
}

/* Splits line at commas into at most 4 trimmed fields; returns how many. */
static int split_fields(char *line, char *field[4])
{
    int nf = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (nf < 4)
            field[nf] = trim(p);
        nf++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return nf;
}

static int read_csv(const char *path, Dataset *ds, LwError *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
    char line[LW_LINE_MAX];
    int got;
    int ret = LW_OK, lineno = 0, cap = 0, n = 0, seen_content = 0, max_label = -1;
    int present[LW_MAX_CLASSES] = {0};
    double *x = NULL;
    int *label = NULL;
    while ((got = lw_read_line(f, line, sizeof line)) != 0) {
        lineno++;
        if (got < 0) {
            ret = got == LW_EINPUT
                      ? lw_fail(err, LW_EINPUT, "%s:%d: not a line of text (longer than %d characters, or binary data)",
                                path, lineno, LW_LINE_MAX - 2)
                      : lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
            goto done;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *field[4];
        int nf = split_fields(s, field);
        double vx, vy, vl;
        int first = !seen_content;
        seen_content = 1;
        /* a first line whose first field is not a number is a header */
        if (first && parse_double(field[0], &vx) != 0)
            continue;
        if (nf != 3) {
            ret = lw_fail(err, LW_EINPUT, "%s:%d: %d field%s (expected x,y,label)", path,
                          lineno, nf, nf == 1 ? "" : "s");
            goto done;
        }
        if (parse_double(field[0], &vx) != 0) {
            ret = lw_fail(err, LW_EINPUT, "%s:%d: bad number '%s' (expected x,y,label)",
                          path, lineno, field[0]);
            goto done;
        }
        if (parse_double(field[1], &vy) != 0) {
            ret = lw_fail(err, LW_EINPUT, "%s:%d: bad number '%s' (expected x,y,label)",
                          path, lineno, field[1]);
            goto done;
        }
        if (parse_double(field[2], &vl) != 0 || vl != floor(vl) || vl < 0 ||
            vl >= LW_MAX_CLASSES) {
            ret = lw_fail(err, LW_EINPUT,
                          "%s:%d: bad label '%s', not an integer 0..%d (expected x,y,label)",
                          path, lineno, field[2], LW_MAX_CLASSES - 1);
            goto done;
        }
        if (n == LW_MAX_POINTS) {
            ret = lw_fail(err, LW_EINPUT, "%s:%d: more than %d points", path, lineno,
                          LW_MAX_POINTS);
            goto done;
        }
        if (n == cap) {
            int ncap = cap ? 2 * cap : 256;
            if (ncap > LW_MAX_POINTS)
                ncap = LW_MAX_POINTS;
            double *nx = realloc(x, (size_t)ncap * 2 * sizeof *x);
            if (!nx) {
                ret = lw_fail(err, LW_ERUNTIME, "%s: out of memory", path);
                goto done;
            }
            x = nx;
            int *nl = realloc(label, (size_t)ncap * sizeof *label);
            if (!nl) {
                ret = lw_fail(err, LW_ERUNTIME, "%s: out of memory", path);
                goto done;
            }
            label = nl;
            cap = ncap;
        }
        x[2 * n] = vx;
        x[2 * n + 1] = vy;
        label[n] = (int)vl;
        present[label[n]] = 1;
        if (label[n] > max_label)
            max_label = label[n];
        n++;
    }
    if (ferror(f)) {
        ret = lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
        goto done;
    }
    int n_present = 0;
    for (int c = 0; c < LW_MAX_CLASSES; c++)
        n_present += present[c];
    if (n_present < 2) {
        ret = lw_fail(err, LW_EINPUT, "%s: %s (need points of at least 2 classes)", path,
                      n == 0 ? "no points" : "all points have one label");
        goto done;
    }
    /* the labels present, in order of value, are the classes: labels 1 and 2
     * make two classes, not three with an empty one */
    int class_of[LW_MAX_CLASSES], k = 0;
    for (int c = 0; c <= max_label; c++)
        class_of[c] = present[c] ? k++ : -1;
    for (int i = 0; i < n; i++)
        label[i] = class_of[label[i]];
    ds->n = n;
    ds->dim = 2;
    ds->classes = k;
    ds->x = x;
    ds->label = label;
    x = NULL;
    label = NULL;
done:
    free(x);
    free(label);
    fclose(f);
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
        return read_csv(spec->csv_path, ds, err);

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
