/* dataset.h — labelled 2-D points generated from a seed (or read from CSV).
 *
 * Generation uses GSL's mt19937 seeded with the scene's seed, so the same
 * scene gives the same points on every run.  Curve datasets (curves, spiral,
 * interval, rings, unlinked) keep each curve's points in order; curve_start
 * lets the renderer draw them as polylines.  What each kind is (name,
 * dimension, defaults) comes from one table, read through dataset_kind_*. */
#ifndef DATASET_H
#define DATASET_H

#include "lw_common.h"

typedef enum {
    DATA_MOONS,
    DATA_CIRCLES,
    DATA_SPIRAL,
    DATA_XOR,
    DATA_GAUSSIANS,
    DATA_CURVES,
    DATA_CSV,
    DATA_INTERVAL,   /* 1-D: Olah's A = [-1/3,1/3], B = [-1,-2/3] u [2/3,1] */
    DATA_RINGS,      /* 3-D: two linked rings */
    DATA_UNLINKED,   /* 3-D: two rings side by side, not linked */
    DATA_COUNT
} DatasetKind;

typedef enum { DRAW_POINTS, DRAW_CURVES } DrawAs;

#define DATASET_MAX_COLUMNS 4  /* a CSV's chosen columns: up to 3 coordinates and the label */
#define DATASET_COLUMN_MAX 64  /* bytes of a chosen column's name, with its NUL */
#define CSV_MAX_BYTES ((size_t)256 << 20) /* a CSV dataset: LW_MAX_POINTS rows and room to spare */

/* What to generate (the scene's [dataset] section). */
typedef struct {
    DatasetKind kind;
    int n_points;          /* total points, all classes together */
    double noise;          /* std-dev of Gaussian jitter, data units */
    uint64_t seed;
    int classes;           /* gaussians: blobs; spiral: arms; others: 2 */
    double turns;          /* spiral: turns of each arm */
    double factor;         /* circles: inner radius / outer radius */
    char csv_path[LW_PATH_MAX]; /* csv: resolved against the scene's folder */
    int csv_dim;           /* csv: coordinates per point, 2 or 3 (0: 2); the scene
                              decides it (its columns or widths) before the file is read */
    int n_columns;         /* csv: columns chosen by the scene (the coordinates, then
                              the label), or 0: a header's x, y, (z), label, else
                              the file's own order x,y,(z),label */
    char column[DATASET_MAX_COLUMNS][DATASET_COLUMN_MAX]; /* each a header's name or a
                              1-based column number */
    DrawAs draw;           /* curves only for curve datasets (curves, spiral) */
} DatasetSpec;

typedef struct {
    int n;            /* number of points */
    int dim;          /* input dimension: 1, 2 or 3 */
    int classes;      /* number of classes, labels are 0..classes-1 */
    double *x;        /* (n, dim) row-major */
    int *label;       /* (n) */
    /* Curves: points [curve_start[c], curve_start[c+1]) form curve c, in order.
     * n_curves = 0 for point clouds. */
    int n_curves;
    int *curve_start; /* (n_curves + 1) or NULL */
    /* A CSV's labels written as names: class c's name, in order of first
     * appearance (UTF-8, shortened to fit); "" for every class otherwise. */
    char class_name[LW_MAX_CLASSES][LW_CLASS_NAME_MAX];
} Dataset;

/* Builds the dataset the scene describes.  CSV errors name file:line.
 * On failure *ds is left freeable.
 *
 * A CSV file (read with libcsv: quoted fields, CRLF, a byte-order mark) has
 * one point per row.  Its first row is a header when the field where x
 * would be is not a number; a header names the columns (x, y, z, label, in
 * any order; others are ignored), the scene may choose them (spec->column),
 * and a file without either (or with a header naming none of them) is
 * x,y(,z),label.  Labels
 * that are all whole numbers 0..7 give the classes in order of value;
 * otherwise every label is a class name, in order of first appearance. */
int dataset_make(const DatasetSpec *spec, Dataset *ds, LwError *err);

/* Bounding box of the points: box = xmin, xmax, ymin, ymax, zmin, zmax
 * (0, 0 for axes beyond the dimension). */
void dataset_bounds(const Dataset *ds, double box[6]);

void dataset_free(Dataset *ds);

/* ---- the kinds ---- */

#define DATASET_CURVE_PER_CLASS (-1) /* DatasetInfo.curves: one curve per class */

/* One row of the table of kinds: what the scene parser needs to know. */
typedef struct {
    DatasetKind kind;
    const char *name;     /* as written in a scene: kind = moons */
    int dim;              /* input dimension: 1, 2 or 3 */
    int curves;           /* 0: a point cloud; else a curve dataset (points in order
                             along curves, drawable with draw = curves) of this many
                             curves, or DATASET_CURVE_PER_CLASS */
    double noise;         /* noise when the scene leaves it out */
    int classes;          /* classes when the scene leaves them out */
    int classes_settable; /* the scene may set classes; else only to the default */
    DrawAs draw;          /* draw when the scene leaves it out */
    int reads_file;       /* points come from [dataset] file (csv), not a generator */
} DatasetInfo;

/* The row of a kind, or NULL for a value outside DatasetKind. */
const DatasetInfo *dataset_kind_info(DatasetKind kind);

/* The kind named `name` ("moons"), or -1. */
int dataset_kind_by_name(const char *name);

/* Kind names for messages, joined with ", " and `last` before the final one
 * ("gaussians and spiral"): every kind in DatasetKind order when has is NULL,
 * else those for which has() is true, in the table's order.  Returns out,
 * always terminated (truncated to cap). */
char *dataset_kind_names(int (*has)(const DatasetInfo *), const char *last, char *out,
                         size_t cap);

/* The kind's name ("moons"), "?" outside the enum. */
const char *dataset_kind_name(DatasetKind k);
/* Input dimension of a dataset kind: 1 (interval), 3 (rings, unlinked), else 2. */
int dataset_kind_dim(DatasetKind k);
/* Dimension of the data a spec makes: the kind's, or a CSV's csv_dim (2 or 3). */
int dataset_spec_dim(const DatasetSpec *spec);

#endif
