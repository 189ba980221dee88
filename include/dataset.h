/* dataset.h — labelled 2-D points generated from a seed (or read from CSV).
 *
 * Generation uses GSL's mt19937 seeded with the scene's seed, so the same
 * scene gives the same points on every run.  Curve datasets (curves, spiral)
 * keep each class's points in order along its curve; curve_start lets the
 * renderer draw them as polylines. */
#ifndef DATASET_H
#define DATASET_H

#include "scene.h"

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
int dataset_make(const SceneDataset *spec, Dataset *ds, LwError *err);

/* Bounding box of the points: box = xmin, xmax, ymin, ymax, zmin, zmax
 * (0, 0 for axes beyond the dimension). */
void dataset_bounds(const Dataset *ds, double box[6]);

void dataset_free(Dataset *ds);

#endif
