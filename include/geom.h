/* geom.h — the things that move, in input space, and their positions in a
 * frame: points, grid lines, the outline of the input domain, a segment's
 * overlay lines (a decision boundary) and curves through the points.
 *
 * geom_build computes everything that does not depend on time once per
 * segment: the lines in input space, their base samples, and the state of
 * every base sample and point at the start of every stage (at that stage's
 * width: StateCache).  geom_frame then
 * evaluates one frame: each state moved by its stage to time t, projected to
 * the display, and (grid_adaptive) every segment whose image bends by more
 * than a fifth of a pixel is split, its midpoint pushed through exactly the
 * same stage maps, so lines stay smooth whatever the warp.
 *
 * The work is split by job: geom_grid.c builds the lines in input space,
 * geom_project.c shows layers wider than 3, geom.c holds the states and
 * evaluates frames (adaptive sampling, simplification, depth order). */
#ifndef GEOM_H
#define GEOM_H

#include "camera.h"
#include "show.h"
#include "stage.h"

/* Cells per side of the area mesh (shade = area): four or five to a cell
 * of the default grid, so the colour steps follow the warp without showing
 * cells as blocks where a layer zooms in. */
#define GEOM_AREA_CELLS 90

/* Layers wider than 3: principal axes, a slow tour through them, or units. */
typedef enum { WIDE_PCA, WIDE_TOUR, WIDE_UNITS } WideView;

/* What the geometry is built of (the scene's [render] keys of the same names). */
typedef struct {
    int grid_lines;        /* lines per direction */
    int grid_samples;      /* base samples per line */
    int grid_adaptive;     /* subdivide where a line bends on screen */
    int show_grid, show_domain;
    WideView wide_view;
    int n_units, units[3]; /* wide_view = units: 0-based units for x, y(, z) */
    int area_cells;        /* S > 0: shade an S x S mesh over a 2-D input by the change
                              of area (area.h); 0: off */
    int threads;           /* not a scene key: threads a space's boundary may be traced
                              on (the command's -j; 0 or 1: one); any count gives the
                              same lines */
} GeomConfig;

/* grid lines, the input box's outline, overlay lines (drawn dashed: where
 * score regions meet), curves through points, a mark (a one-sample line: a
 * threshold on a line), a plane (a closed line drawn filled, translucent),
 * a latent path and a latent vector (drawn solid in the path colour, the
 * vector with an arrowhead), a fixed reference (thin, dashed, under
 * everything: a prior's grid) */
typedef enum {
    LINE_GRID, LINE_DOMAIN, LINE_OVERLAY, LINE_CURVE, LINE_MARK, LINE_PLANE, LINE_PATH,
    LINE_VECTOR, LINE_REFERENCE
} LineKind;

/* Lines in input space and what each is. */
typedef struct {
    Polylines p;
    LineKind *kind;     /* (p.n_lines) */
    int cap_kind;
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

/* The states of n things (points, grid samples, corners) at the start of
 * each of a run of stages (or of layers): one block per stage, each state
 * stored at its block's width, the coordinates it can have there (a state
 * is zero beyond its width, stage.h), so a 2-wide network keeps 2 doubles a
 * state, not LW_MAX_WIDTH.  geom_states_get gives one back padded with
 * zeros, as stage.c takes it. */
#define GEOM_MAX_BLOCKS (STAGE_KIND_COUNT * LW_MAX_LAYERS)
typedef struct {
    double *x;                  /* block b's (n, width[b]) at x + at[b]; NULL: none */
    int n;                      /* things per block */
    int n_blocks;
    int full;                   /* doubles in a padded thing: LW_MAX_WIDTH, or 2 x that for
                                   Jacobians */
    int width[GEOM_MAX_BLOCKS];
    size_t at[GEOM_MAX_BLOCKS + 1]; /* at[n_blocks]: doubles in all */
} StateCache;

/* Lines traced in one of the spaces the layers pass through (space l: the
 * input of layer l, the state at the start of stage 3 l). */
typedef struct {
    LineSet lines;
    int base;                   /* 3 l */
    StateCache state;           /* (n_stages - base) blocks of n samples at the starts of
                                   stages base ..; none (x NULL) in the last space */
} SpaceLines;

typedef struct {
    const StagePlan *plan;      /* borrowed */
    const Segment *seg;         /* borrowed */
    int n_stages;
    LineSet lines;              /* grid, domain, the segment's overlay lines */
    int n_samples;
    StateCache sample_state;    /* (n_stages) blocks of n_samples */
    int n_points;               /* all points of all sets, set after set */
    int *point_label;           /* (n_points) */
    int *point_order;           /* (n_points) the order flat frames draw them in */
    unsigned char *point_fixed; /* (n_points) 1: a fixed overlay point */
    int *point_from;            /* (n_points) the first layer a fixed point shows in */
    unsigned char *point_disc;  /* (n_points) 1: drawn as a disc */
    StateCache point_state;     /* (n_stages) blocks of n_points (a fixed point's unused) */
    double *point_fixed_at;     /* (n_points, 3) a fixed point's display coordinates
                                   (a moving point's unused), or NULL: none fixed */
    double *point_spread;       /* (n_points, 3) or NULL: the semi-axes of each point's
                                   spread along the last space's display axes (sigma_k *
                                   sigma, units 1 and 2 swapped with the last layer's);
                                   zeros for a point without one */
    int spread_dim;             /* axes of the spreads: the last space's width */
    Projection3 proj[LW_MAX_LAYERS]; /* one per layer */
    /* Arrows on points (geom_arrows.c), or none (NULL): per point none, a
     * tip that moves with the space, or a displacement in the last space */
    unsigned char *arrow_kind;  /* (n_points) */
    StateCache arrow_state;     /* (n_stages) blocks of n_points: the tips' states */
    double *arrow_out;          /* (n_points, 3) last-space arrows in its display axes */
    int adaptive;
    int n_marks;                /* the segment's labelled codes */
    StateCache mark_state;      /* (n_stages) blocks of n_marks */
    /* Background shading by class: an S x S mesh of cells over the region,
     * the (S+1)^2 corners moving through the stages like everything else. */
    int shade_cells;            /* S, 0 when off */
    StateCache shade_state;     /* (n_stages) blocks of (S+1)^2 */
    /* Shading by the change of area (GeomConfig.area_cells, 2-D inputs): an
     * S x S mesh over the region: the states of its corners, and at each
     * cell's centre the state and the Jacobian of the map so far (area.h),
     * at the start of every layer (its linear stage). */
    int area_cells;             /* S, 0 when off */
    StateCache area_corner_state; /* (n_layers) blocks of (S+1)^2 */
    StateCache area_centre_state; /* (n_layers) blocks of S^2 */
    StateCache area_centre_jac;   /* (n_layers) blocks of S^2 AreaJacobians, each at 2 x
                                     its layer's width (the rows it can have) */
    /* Where the segment's score regions meet, traced in each space
     * (geom_trace_scores); during layer l's stages space l's lines move with
     * it, and once the layer is done space l + 1's are shown as traced. */
    int n_space;
    SpaceLines space[LW_MAX_LAYERS + 1];
    /* Built as frames ask (geom_prepare): the per-stage caches above (points,
     * grid samples, tips, codes, shading corners) hold blocks 0 ..
     * states_ready - 1, and proj[] the layers 0 .. proj_ready - 1; the rest
     * is allocated but not computed yet.  The counters count that work, for
     * tests: stage blocks filled and principal axes computed. */
    GeomConfig cfg;             /* a copy: the projections read it when built */
    int states_ready, proj_ready;
    int blocks_filled, pca_count;
} Geometry;

/* One frame's geometry in pixels.  Owned by a worker and reused. */
typedef struct {
    int n_points;
    double *px, *py, *pdepth;   /* (n_points) */
    int *order;                 /* (n_points) drawing order: far to near */
    int *order_tmp;             /* (n_points) scratch for sorting it */
    const int *label;           /* (n_points) borrowed from the Geometry */
    const unsigned char *disc;  /* (n_points) borrowed: drawn as a disc */
    int n_lines;
    int *line_start;            /* (n_lines + 1) into lxy */
    LineKind *line_kind;
    int *line_label;
    double *lxy;                /* (n, 2) */
    double *ldepth;             /* (n) depth of each line vertex, larger = nearer */
    int cap_xy, cap_lines, cap_points;
    int shade_cells;            /* S, copied from the Geometry */
    const int *shade_class;     /* (S, S) borrowed from the segment */
    double *shade_xy;           /* ((S+1)^2, 2) corner pixels */
    int *morph_class;           /* (S, S) a training morph's cells, classed by the network
                                   of the frame's moment (shade_class points here) */
    /* Shading by the change of area: the mesh's corners in pixels and, per
     * cell (row j, column i at j S + i), the log of the area element of the
     * map so far at its centre (natural log; -INFINITY where the sheet
     * collapses) and the sign of det J in a plane (-1: turned over, a fold;
     * 0 in a space of 3 or more dimensions). */
    int area_cells;             /* S, 0: none */
    double *area_xy;            /* ((S+1)^2, 2) */
    double *area_log;           /* (S^2) */
    signed char *area_sign;     /* (S^2) */
    int n_marks;                /* labelled codes on latent paths */
    const PathMark *marks;      /* (n_marks) borrowed from the segment: the labels */
    double *mark_xy;            /* (n_marks, 2) their pixels */
    Polylines score_scratch;    /* this frame's own tracing of the score boundary */
    /* The readout's two half-planes (one score, once turned so the score
     * runs along x): left of pixel column half_x the first class, right of
     * it the second, tinted with opacity half_alpha (0: none). */
    double half_x, half_alpha;
    /* The points' spreads on screen (a posterior about each point): closed
     * polygons in pixels — the ellipse, the projected outline of an
     * ellipsoid, a bar along a line — shown in the segment's last stage,
     * fading in with it (blob_alpha 0..1; 0: none this frame). */
    int n_blobs, cap_blobs, cap_bxy;
    int *blob_start;            /* (n_blobs + 1) into bxy */
    int *blob_label;            /* (n_blobs) the colour of the point */
    double *bxy;                /* (blob_start[n_blobs], 2) */
    double blob_alpha;
    int blob_dim;               /* the axes they span: 1 a bar, 2 an ellipse, 3 an outline */
    /* Arrows on points: tail x, y and tip x, y in pixels and the opacity
     * (0..1, fading in) of each, in the points' drawing order. */
    int n_arrows, cap_arrows;
    double *axy;                /* (n_arrows, 5) */
} FrameGeom;

/* Builds everything: geom_build_lazy, then geom_prepare of the last stage. */
int geom_build(Geometry *g, const Segment *seg, const StagePlan *plan, const GeomConfig *cfg,
               LwError *err);
/* Builds the lines, point arrays and meshes, allocates the state caches and
 * fills their first block (the inputs themselves); no stage is computed and
 * no projection chosen until geom_prepare asks. */
int geom_build_lazy(Geometry *g, const Segment *seg, const StagePlan *plan,
                    const GeomConfig *cfg, LwError *err);
/* Makes g hold what a frame at any stage up to `stage` reads: the states at
 * the starts of stages 0 .. stage and the projections of layers up to its
 * layer (a projection reads its layer's four stage ends, so the states up
 * to the next layer's start).  Each block and projection is computed once,
 * in order, with the numbers geom_build gives: call it before frames are
 * drawn (not from two threads at once).  LW_ERUNTIME when the eigensolver
 * fails. */
int geom_prepare(Geometry *g, int stage, LwError *err);
/* 1 when g holds what a frame at `stage` reads (geom_prepare has reached it). */
int geom_ready(const Geometry *g, int stage);
void geom_free(Geometry *g);

/* ---- state caches (StateCache) ---- */

/* Blocks for stages first .. first + count - 1 of plan, n things each, at
 * the width of the state each stage starts from.  -1 when out of memory. */
int geom_states_alloc(StateCache *c, const StagePlan *plan, int first, int count, int n);
/* Blocks of the given widths (doubles per thing, at most `full`, the
 * doubles of a padded thing), n things each.  -1 when out of memory. */
int geom_states_alloc_widths(StateCache *c, const int *width, int n_blocks, int n, int full);
void geom_states_free(StateCache *c);
/* Stores thing i's state st in block b: its first width[b] coordinates (the
 * rest must be zero). */
void geom_states_put(StateCache *c, int b, int i, const double *st);
/* Thing i's state in block b into buf (`full` doubles, zero beyond the
 * block's width); returns buf. */
const double *geom_states_get(const StateCache *c, int b, int i, double *buf);
/* How a state moves from the start of stage s to the start of the next
 * (stage_next_start; stage_end for an arrow's tip). */
typedef void (*GeomStageMove)(const StagePlan *plan, int s, const double *start, double *out);
/* Fills blocks from .. to (from >= 1) of things i0 .. i0 + n - 1 with
 * which[i] == value (all of them when which is NULL): the state in the
 * block before, moved by `move`. */
void geom_states_extend(StateCache *c, const StagePlan *plan, GeomStageMove move, int from,
                        int to, int i0, int n, const unsigned char *which, int value);
/* Bytes a cache holds. */
size_t geom_states_bytes(const StateCache *c);
/* Bytes of every state cache of a geometry (its points, samples, arrows,
 * codes, shading and area meshes and the lines of its spaces). */
size_t geom_state_bytes(const Geometry *g);

/* Display coordinates (3) of point i at (stage, t); `seconds` is the
 * frame's time in the video (the tour view turns with it). */
void geom_point_display(const Geometry *g, int stage, double t, double seconds, int i,
                        double out[3]);
/* Box (xmin, xmax, ymin, ymax) in camera coordinates (display coordinates
 * turned by R, 3x3 row-major) of every point and marked code and, with
 * `outline`, of the samples of the input box's outline, at (stage, t). */
void geom_content_box(const Geometry *g, int stage, double t, double seconds, const double *R,
                      int outline, double box[4]);
/* The part of geom_content_box that is not the points: grows b by the
 * arrows' tips, the marked codes and, with `outline`, the reference and the
 * input box's outline. */
void geom_content_box_rest(const Geometry *g, int stage, double t, double seconds,
                           const double *R, int outline, double box[4]);
/* How far from a line the points look on screen at (stage, t) through the
 * rotation R (3x3, row-major): the smaller over the larger spread of their
 * projection onto R's first two rows (0: seen as a line). */
/* Grows box b (xmin, xmax, ymin, ymax) to hold display point d seen
 * through the rotation R (3x3, row-major; its first two rows). */
void geom_grow_box(double *b, const double *R, const double *d);
double geom_view_spread(const Geometry *g, int stage, double t, double seconds, const double *R);
/* State (LW_MAX_WIDTH) of point i at the start of stage s, as cached. */
void geom_point_start_state(const Geometry *g, int s, int i, double *out);
/* State (LW_MAX_WIDTH) of point i at the end of stage s, in the drawing's
 * own units (a swapped layer's units 1 and 2 swapped). */
void geom_point_end_state(const Geometry *g, int s, int i, double *out);

/* 1 when the frame at (stage, t) shows the segment's fixed reference: once
 * layer reference_from's linear stage has reached its space.  And the
 * share (0..1) to which it shows the points' spreads: the stack's last
 * stage's time, 0 elsewhere or without spreads.  (The captions' legend
 * names what the frame shows.) */
int geom_reference_shown(const Geometry *g, int stage, double t);
double geom_spreads_shown(const Geometry *g, int stage, double t);

/* Evaluates one frame into fg (grown as needed; returns LW_ERUNTIME on
 * allocation failure). */
int geom_frame(const Geometry *g, int stage, double t, double seconds, const View *view,
               FrameGeom *fg);
void geom_frame_free(FrameGeom *fg);

/* ---- geom_extent.c: content boxes from the points that can hold an edge ---- */

/* The skylines of a Geometry's points, per stage and sign pattern, built
 * as boxes ask for them (geom_extent.c says why they hold every edge). */
typedef struct GeomExtent GeomExtent;

/* NULL when out of memory.  g must outlive it. */
GeomExtent *geom_extent_create(const Geometry *g);
void geom_extent_free(GeomExtent *e);
/* geom_content_box, the same four doubles, evaluating only the points that
 * can hold an edge where the stage's motion allows it (every point where it
 * does not); adds the moving points it moved through their stage to
 * *evaluated.  Builds skylines on first use: not for two threads at once. */
void geom_extent_box(GeomExtent *e, int stage, double t, double seconds, const double *R,
                     int outline, double box[4], long long *evaluated);

/* ---- geom_arrows.c: arrows on points (PointSet.arrow) ---- */

/* Builds the Geometry's arrow arrays from its segment's sets (needs the
 * points built); nothing without arrows.  -1 when out of memory. */
int geom_arrows_build(Geometry *g);
void geom_arrows_free(Geometry *g);
/* The tips' states at the starts of stages from .. to (the blocks before
 * filled). */
void geom_arrows_extend(Geometry *g, int from, int to);
/* Grows box b (as geom_content_box) to hold the arrows' tips shown in the
 * layer of (stage, t): input-space arrows always, last-space ones in the
 * last layer's view. */
void geom_arrows_grow_box(const Geometry *g, int stage, double t, double seconds,
                          const double *R, double b[4]);
/* The frame's arrows in pixels into fg (its points' order must be set).
 * -1 when out of memory. */
int geom_arrows_frame(const Geometry *g, int stage, double t, double seconds, const View *view,
                      FrameGeom *fg);

/* ---- geom_grid.c: lines in input space ---- */

/* Appends the grid and domain outline of the box reg (dim 1, 2 or 3) as
 * cfg asks; a 2-D grid's lines stand at the fractions `at` of the box
 * (n_at of them) when given, else evenly.  -1 when out of memory. */
int geom_grid_lines(LineSet *ls, const double reg[6], int dim, const GeomConfig *cfg,
                    const double *at, int n_at);
/* Appends the segment's latent paths (LINE_PATH, or LINE_VECTOR for a
 * vector), each straight piece from code to code in `samples` samples, as a
 * grid line is sampled; geom_frame refines them on screen the same way.
 * -1 when out of memory. */
int geom_path_lines(LineSet *ls, const SegmentPath *paths, int n_paths, int samples);
/* Starts a line of the given kind; then polylines_add(&ls->p, ...). */
int geom_lines_begin(LineSet *ls, LineKind kind);
/* Gives every line of ls (filled through ls->p) the kind. -1 when out of memory. */
int geom_lines_kind_all(LineSet *ls, LineKind kind);
/* Appends lines with the given kind. -1 when out of memory. */
int geom_lines_append(LineSet *ls, const Polylines *src, LineKind kind);
void geom_lines_free(LineSet *ls);

/* ---- geom_boundary.c: where the scores' regions meet ---- */

/* Traces the boundary of the plan's scores in space l (0 <= l <= n_hidden)
 * over box (xmin, xmax, ymin, ymax of that space): lines in a 2-D space,
 * thresholds in a 1-D one, the plane in a 3-D last space.  A plan without
 * scores traces nothing.  LW_ERUNTIME when out of memory. */
int geom_trace_scores(Geometry *g, int l, const double box[4], LwError *err);

/* Traces, for one frame, where the score regions meet across the whole
 * visible part of the space on screen (display coordinates into out, reused
 * scratch): exact at every moment of a stage that moves a plane invertibly,
 * seen straight down.  Returns 1 when traced, 0 when the frame must use the
 * lines of its spaces instead, -1 when out of memory. */
int geom_frame_scores(const Geometry *g, int stage, double t, const View *view, Polylines *out);
/* A training morph's boundary at (stage, t), for the network of that
 * moment (into out, reused scratch): in a 2-D shown space seen straight
 * down, across the whole visible part of it (display coordinates: returns
 * 2); else in the 2-D input box (input coordinates, which the frame moves
 * as it moves the grid: returns 1).  0 when there is nothing to trace, -1
 * when out of memory. */
int geom_morph_scores(const Geometry *g, int stage, double t, const View *view, Polylines *out);
/* The same with that moment's network already worked out (stage_morph_net),
 * as a frame has it. */
int geom_morph_scores_with(const Geometry *g, int stage, double t, const View *view,
                           const MorphNet *net, Polylines *out);

/* ---- geom_project.c: layers wider than 3 ---- */

/* Chooses layer l's projection from g->cfg (needs the point states up to
 * the next layer's start and the projection of layer l - 1).  LW_ERUNTIME
 * when out of memory or the eigensolver fails. */
int geom_projection(Geometry *g, int l, LwError *err);
/* Display coordinates of state st of stage `stage` at time t. */
void geom_to_display(const Geometry *g, int stage, double t, double seconds, const double *st,
                     double out[3]);

#endif
