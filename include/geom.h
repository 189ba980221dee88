/* geom.h — the things that move, in input space, and their positions in a
 * frame: data points, grid lines, the outline of the input domain, the
 * decision boundary and data curves.
 *
 * geom_build computes everything that does not depend on time once per
 * render: the lines in input space, their base samples, and the state of
 * every base sample and data point at the start of every stage.  geom_frame
 * then evaluates one frame: each state moved by its stage to time t,
 * projected to the display, and (grid_adaptive) every segment whose image
 * bends by more than a quarter pixel is split, its midpoint pushed through
 * exactly the same stage maps, so lines stay smooth whatever the warp. */
#ifndef GEOM_H
#define GEOM_H

#include "camera.h"
#include "dataset.h"
#include "stage.h"

typedef enum { LINE_GRID, LINE_DOMAIN, LINE_BOUNDARY, LINE_CURVE } LineKind;

typedef struct {
    int n_lines;
    LineKind *kind;     /* (n_lines) */
    int *label;         /* (n_lines) class of a data curve, else -1 */
    int *start;         /* (n_lines + 1) offsets into the samples */
    double *x;          /* (n_samples, 3) base samples in input space (zero-padded) */
    int subdivide;      /* lines are straight between samples in input space */
} LineSet;

/* How a layer's states become display points (up to 3 coordinates).  A
 * layer that moves in 3 or fewer dimensions is shown as it is; a wider one
 * is projected (render key wide_view): onto its top three principal axes
 * (pca), through a slow rotation of those axes into the others (tour, a
 * Grand-Tour-like walk), or onto chosen units (units).  All three stages of a
 * layer share its projection, and the linear stage blends from the previous
 * layer's projection to its own, so the view never jumps. */
typedef enum { PROJ_IDENTITY, PROJ_BASIS, PROJ_UNITS } ProjMode;

typedef struct {
    ProjMode mode;
    int n;                      /* dimension of the layer's space */
    int tour;                   /* PROJ_BASIS: rotate through all axes over time */
    double B[LW_MAX_WIDTH * LW_MAX_WIDTH]; /* (n, n) principal axes as rows */
    int units[3];               /* PROJ_UNITS: 0-based units shown as x, y, z */
} Projection3;

typedef struct {
    const StagePlan *plan;      /* borrowed */
    const Dataset *data;        /* borrowed */
    int n_stages;
    LineSet lines;              /* grid, domain, boundary */
    int n_samples;
    double *sample_state;       /* (n_stages, n_samples, LW_MAX_WIDTH) */
    double *point_state;        /* (n_stages, n_points, LW_MAX_WIDTH) */
    Projection3 proj[LW_MAX_LAYERS]; /* one per layer */
    double region[6];           /* input region: xmin, xmax, ymin, ymax, zmin, zmax */
    int adaptive;
    /* Background shading by predicted class: an S x S mesh of cells over the
     * region, each coloured by the class the network gives its centre; the
     * (S+1)^2 corners move through the stages like everything else. */
    int shade_cells;            /* S, 0 when off */
    int *shade_class;           /* (S, S) row-major, j then i */
    double *shade_state;        /* (n_stages, (S+1)^2, LW_MAX_WIDTH) */
} Geometry;

/* One frame's geometry in pixels.  Owned by a worker and reused. */
typedef struct {
    int n_points;
    double *px, *py, *pdepth;   /* (n_points) */
    int *order;                 /* (n_points) drawing order: far to near */
    int *order_tmp;             /* (n_points) scratch for sorting it */
    int n_lines;
    int *line_start;            /* (n_lines + 1) into lxy */
    LineKind *line_kind;
    int *line_label;
    double *lxy;                /* (n, 2) */
    int cap_xy, cap_lines;
    int shade_cells;            /* S, copied from the Geometry */
    double *shade_xy;           /* ((S+1)^2, 2) corner pixels */
} FrameGeom;

int geom_build(Geometry *g, const StagePlan *plan, const Dataset *ds, const Mlp *net,
               const SceneRender *r, LwError *err);
void geom_free(Geometry *g);

/* Display coordinates (3) of data point i at (stage, t); `seconds` is the
 * frame's time in the video (the tour view turns with it). */
void geom_point_display(const Geometry *g, int stage, double t, double seconds, int i,
                        double out[3]);

/* Evaluates one frame into fg (grown as needed; returns LW_ERUNTIME on
 * allocation failure). */
int geom_frame(const Geometry *g, int stage, double t, double seconds, const View *view,
               FrameGeom *fg);
void geom_frame_free(FrameGeom *fg);

#endif
