/* show.h — what is shown: an ordered list of segments.
 *
 * A segment is one layer stack warping one input domain: an immutable
 * snapshot of the stack (W, b and activation per layer), the box it warps,
 * the point sets it carries (data by class, samples, or a reference overlay
 * that stays where it is) and optional overlays that move with space (lines
 * such as a classifier's decision boundary, and shading cells coloured by
 * class).  Whoever builds a segment (a classifier, later a generator or a
 * decoder) fills these; the renderer draws any segment the same way and
 * never learns where it came from.
 *
 * Ownership: a Show owns its segments, and a segment owns every array in it. */
#ifndef SHOW_H
#define SHOW_H

#include "layers.h"

#define SHOW_MAX_SETS 4
#define SHOW_MAX_GRID 64
#define SHOW_MAX_PATHS 8       /* latent paths and vectors of a segment */
#define SHOW_PATH_CODES 4      /* codes one path runs through */
#define SHOW_MAX_MARKS 24      /* labelled codes of a segment */

typedef struct {
    int n, dim;            /* points and their dimension (the stack's input width) */
    double *x;             /* (n, dim) row-major; a fixed set: display coordinates */
    int *label;            /* (n) colour index (class) of each point */
    int n_curves;          /* > 0: points [curve_start[c], curve_start[c+1]) are curve c */
    int *curve_start;      /* (n_curves + 1) or NULL */
    int as_curves;         /* draw the curves as lines instead of the points as discs */
    int fixed;             /* a reference overlay: shown where it is, never moved */
    int from_layer;        /* a fixed set shows from this (0-based) layer of the stack on:
                              data-space points only once the space is the data's */
    /* A spread per point in the stack's last space (a VAE encoder's
     * posterior sigma per latent axis), or none: in the stack's last stage
     * each point is drawn with the axis-aligned ellipse (an interval on a
     * line, the ellipsoid's outline in 3-D) of semi-axes sigma_k * sigma
     * about it, fading in during that stage; the stack ends in at most 3
     * units. */
    double *sigma;         /* (n, sigma_dim) owned, or NULL */
    int sigma_dim;         /* the stack's output width */
    double sigma_k;        /* semi-axes in units of sigma */
    /* An arrow per point (a GAN generator's push on its samples), or none:
     * a displacement, the arrow drawn from the point to the point moved by
     * it, in the units of the space arrow_space names:
     * - ARROWS_INPUT: the stack's input space.  The tip is a point of that
     *   space and moves with it, so the arrow is drawn in every stage (in
     *   the last space, where the score is read, it still points to the
     *   side the push raises the score on);
     * - ARROWS_OUTPUT: the stack's last space (at most 3 units), added to
     *   the point's state there, fading in through the stack's last stage.
     * A zero vector draws nothing.  The builder chooses the length (one
     * scale for all segments it wants compared). */
    double *arrow;         /* (n, arrow_dim) owned, or NULL */
    int arrow_dim;         /* the input width (INPUT) or output width (OUTPUT) */
    int arrow_space;       /* ARROWS_INPUT or ARROWS_OUTPUT */
    /* How the push became the arrows (arrow = arrow_scale * push, no longer
     * than arrow_cap): a training morph draws the push of each frame's
     * network with them, on the points whose arrow is not zero. */
    double arrow_scale, arrow_cap;
} PointSet;

enum { ARROWS_INPUT, ARROWS_OUTPUT };

/* Polylines in the input space, each sample with three coordinates (zero
 * beyond the input dimension). */
typedef struct {
    int n_lines, cap_lines;
    int *start;            /* (n_lines + 1) offsets into x */
    int n, cap;            /* samples */
    double *x;             /* (n, 3) */
} Polylines;

/* How training went, for a small plot in the frame: loss and accuracy at
 * steps (ascending). */
typedef struct {
    int n;
    int *step;             /* (n) owned */
    double *loss, *accuracy;
    /* What the two series are: both "" for a classifier's loss and
     * accuracy (a share, 0..1); else the names of two losses drawn on one
     * scale from 0, the second in place of the accuracy ("L_D", "L_G"). */
    char name[2][16];
} TrainCurve;

/* A path through codes of the input space (a latent space): straight
 * pieces from code to code that move with the space.  Drawn solid in a
 * colour of their own, sampled and refined on screen like grid lines, so a
 * straight path is seen to bend; a vector (a difference of codes, latent
 * arithmetic) ends in an arrowhead. */
typedef struct {
    int n;                             /* codes, 2..SHOW_PATH_CODES */
    double x[SHOW_PATH_CODES][3];      /* zero beyond the input dimension */
    int vector;                        /* drawn as an arrow from x[0] to x[n - 1] */
} SegmentPath;

/* A code marked on a path and labelled ("a", "c-d+e", drawn with a true minus): a
 * point of the input space that moves with it. */
typedef struct {
    double x[3];
    char label[24];                    /* UTF-8 */
} PathMark;

typedef struct {
    LayerStack net;        /* the snapshot: W and b are views into params */
    double *params;        /* owned */
    double region[6];      /* the input domain: xmin, xmax, ymin, ymax, zmin, zmax */
    int n_sets;
    PointSet sets[SHOW_MAX_SETS];
    Polylines lines;       /* moving overlay lines in the input space, or none */
    int n_paths;           /* latent paths and vectors, or none */
    SegmentPath paths[SHOW_MAX_PATHS];
    int n_marks;           /* labelled codes on them */
    PathMark marks[SHOW_MAX_MARKS];
    /* Scores read off the last space by a linear map (a classifier's
     * readout; a discriminator's verdict): regions of the highest score are
     * told apart by a dashed line in every space, and the readout can be
     * played as a last act.  n_scores = 1: the sign of the one score. */
    int n_scores;
    double *score_W;       /* (n_scores, the stack's output width) owned */
    double *score_b;       /* (n_scores) owned */
    int show_scores;       /* draw the boundary between the score regions */
    int shade_cells;       /* S > 0: S x S cells over the region's first two axes */
    int *shade_class;      /* (S, S) row j, column i: the class colour of each cell */
    int n_classes;         /* colours in use */
    /* The shading's colours when they are not the classes' (a
     * discriminator's verdict), named for the legend; "": the classes. */
    char shade_name[2][32];
    int shade_colour[2];
    char class_name[LW_MAX_CLASSES][LW_CLASS_NAME_MAX]; /* the legend's names, "" for "class N" */
    int generated_colour;  /* the colour of generated samples (for the legend), -1: none */
    /* Where the grid lines of a 2-D box stand, as fractions 0..1 of the box
     * on each axis (a Gaussian prior's quantiles, so equal cells hold equal
     * probability); n_grid_at = 0: evenly, as the scene's grid_lines say. */
    int n_grid_at;
    double grid_at[SHOW_MAX_GRID];
    /* A fixed reference in the display coordinates of the output space of
     * layer reference_from (0-based; the stack's last space: a prior's
     * quantile lines over a latent space), drawn thin and dashed under
     * everything once that layer's linear stage has reached the space;
     * none when it has no lines. */
    Polylines reference;
    int reference_from;
    char reference_name[48];  /* its legend entry, "" for none */
    char spread_name[48];     /* the legend's name for the sets' spreads ("posterior, 2σ") */
    char end_note[160];       /* what the caption says in the stack's last stage (where
                                 the spreads fade in, or the last space is the point), or "" */
    char title[160];       /* what the segment shows, for the caption */
    char tag;              /* which network this is, naming its layers ("G2"): 'L' a
                              classifier's, 'G' a generator or decoder, 'D' a
                              discriminator, 'E' an encoder; 0 reads as 'L' */
    int panel;             /* 0, or 1: the panel drawn to the right of the first */
    int has_step;          /* the segment is the network at training step at_step: */
    int at_step;           /* its curve is drawn with a cursor there */
    TrainCurve curve;      /* how its training went (n = 0: none) */
    /* A training morph (training = morph): the whole network moves, weights
     * interpolated linearly, from `net` (at step at_step) to `morph_to` (at
     * step morph_step), and the output space of hidden layer morph_layer
     * (1-based) is shown; 0: not a morph.  Every frame is then some
     * network's forward pass, its boundary exact, and the ends are the two
     * checkpoints' own. */
    int morph_layer;
    LayerStack morph_to;   /* W and b view morph_params */
    double *morph_params;  /* owned */
    double *morph_score_W; /* (n_scores, output width) owned: morph_to's readout */
    double *morph_score_b; /* (n_scores) owned */
    int morph_step;
} Segment;

/* Panels: a show may hold two panels drawn side by side in one frame and
 * animated in step (a GAN's generator beside a VAE's decoder).  A panel is
 * the run of segments with its number; panel 0's come first. */
#define SHOW_MAX_PANELS 2

typedef struct {
    int n_segments;
    Segment *segments;     /* (n_segments) owned */
} Show;

/* Appends a zeroed segment and points *seg at it.  LW_ERUNTIME when out of
 * memory (the show is unchanged). */
int show_add_segment(Show *show, Segment **seg, LwError *err);
/* Moves every segment of src to the end of show, in panel `panel`; src is
 * left empty.  LW_ERUNTIME when out of memory (both unchanged). */
int show_take(Show *show, Show *src, int panel, LwError *err);
/* Copies a training curve into the segment (replacing any). */
int segment_set_curve(Segment *seg, const int *step, const double *loss, const double *accuracy,
                      int n, LwError *err);
/* Panels in use: 2 when segments of panel 0 and of panel 1 are present
 * (a panel's own segments alone are one panel), else 1. */
int show_panel_count(const Show *show);
/* Frees every segment; accepts a zeroed show. */
void show_free(Show *show);

/* Copies the stack (widths, activations, W, b) into the segment. */
int segment_set_layers(Segment *seg, const LayerStack *net, LwError *err);
/* Appends a point set, copying x (n, dim), label (n) and curve_start
 * (n_curves + 1, may be NULL).  LW_EINPUT when SHOW_MAX_SETS are in use. */
int segment_add_points(Segment *seg, const double *x, const int *label, int n, int dim,
                       const int *curve_start, int n_curves, int as_curves, int fixed,
                       LwError *err);
/* Gives point set `set` a spread: sigma (its n points, sigma_dim each, the
 * stack's output width) is copied; k scales it into the drawn semi-axes.
 * LW_EINPUT for no such set or a sigma_dim other than the output width,
 * LW_ERUNTIME when out of memory. */
int segment_set_spread(Segment *seg, int set, const double *sigma, int sigma_dim, double k,
                       LwError *err);
/* Gives point set `set` arrows: v (its n points, dim each) is copied;
 * space is ARROWS_INPUT (dim the input width) or ARROWS_OUTPUT (dim the
 * output width, at most 3).  LW_EINPUT for no such set, a fixed set with
 * input arrows, or a dim that does not fit; LW_ERUNTIME out of memory. */
int segment_set_arrows(Segment *seg, int set, const double *v, int dim, int space, LwError *err);
/* Makes the segment a training morph from its own network and scores (set
 * first) to `to` with scores (W, b; the segment's n_scores of them) at
 * training step `step`, showing hidden layer `layer` (1..n_layers).
 * LW_EINPUT for a `to` of another shape or no such layer. */
int segment_set_morph(Segment *seg, const LayerStack *to, const double *score_W,
                      const double *score_b, int layer, int step, LwError *err);
/* Copies the score map W (n_scores, output width) and b (n_scores). */
int segment_set_scores(Segment *seg, const double *W, const double *b, int n_scores,
                       LwError *err);
/* Total points of its sets. */
int segment_point_count(const Segment *seg);

/* Polylines: begin a line, then add its samples. Return -1 when out of memory. */
int polylines_begin(Polylines *p);
int polylines_add(Polylines *p, double x, double y, double z);
void polylines_free(Polylines *p);

#endif
