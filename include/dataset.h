/* dataset.h — labelled 2-D points generated from a seed (or read from CSV).
 *
 * Generation uses GSL's mt19937 seeded with the scene's seed, so the same
 * scene gives the same points on every run.  Curve datasets (curves, spiral)
 * keep each class's points in order along its curve; curve_start lets the
 * renderer draw them as polylines. */
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
} Dataset;

/* Builds the dataset the scene describes.  CSV errors name file:line.
 * On failure *ds is left freeable. */
int dataset_make(const DatasetSpec *spec, Dataset *ds, LwError *err);

/* Bounding box of the points: box = xmin, xmax, ymin, ymax, zmin, zmax
 * (0, 0 for axes beyond the dimension). */
void dataset_bounds(const Dataset *ds, double box[6]);

void dataset_free(Dataset *ds);

const char *dataset_kind_name(DatasetKind k);
/* Input dimension of a dataset kind: 1 (interval), 3 (rings, unlinked), else 2. */
int dataset_kind_dim(DatasetKind k);

#endif
