/* draw.h — one frame onto a Cairo context, and the contact sheet of a
 * layer's stills (Cairo only: no maths beyond layout, no state between
 * frames).  Everything Cairo is here, in disc.c (the data points' discs) and
 * in render.c. */
#ifndef DRAW_H
#define DRAW_H

#include "camera.h"
#include "geom.h"
#include "stage.h"
#include "style.h"

#include <pthread.h>

/* What the captions say about the frame. */
typedef struct Caption {
    int before_start;     /* the input, before the first stage moves */
    int layer, n_layers;  /* 1-based */
    StageKind kind;
    Activation act;
    int dim_in, dim_out;
    int flip;             /* this linear stage plays a reflection first */
    int swapped;          /* units 1 and 2 were swapped so that det W > 0 */
    int stage, n_stages;
    double u;             /* raw progress of the stage */
    char summary[160];    /* top-right: what the segment shows */
    double px_per_unit;   /* the camera's scale, for the scale bar and axes (0: none) */
    double view_cx, view_cy; /* the view's centre in display units ... */
    double view_ox, view_oy; /* ... and in pixels */
    int flat;             /* the view looks straight down on the plane (axes apply) */
    View view;            /* the frame's camera (to place 3-D axes and the like) */
    char view_note[64];   /* how a space wider than 3 is shown, or "" (only while
                             the space on screen is wider than 3) */
    int n_classes;        /* colours of the shading; >= 2: a legend is drawn */
    char class_name[LW_MAX_CLASSES][LW_CLASS_NAME_MAX]; /* each class's name, "" for "class N" */
    int readout;          /* the readout, played after the last layer */
    int generated;        /* colour of generated samples for the legend, -1: none */
    char spread_name[48]; /* the legend's name for the points' spreads, "" for none */
    char reference_name[48]; /* the legend's name for the fixed reference, "" for none */
    char end_note[160];      /* the segment's own words for its last stage, or "" */
    int area_key;         /* the frame is shaded by the change of area: the legend
                             reads its colours (x1/16 .. x16) */
    char tint_name[2][32];   /* the shading's two colours when they are not classes ("D:
                                real"), tint_colour their palette indices; "": none */
    int tint_colour[2];
    int n_scores;         /* its scores (1: a logit and a sigmoid; k: softmax) */
    int layer_input;      /* a linear stage at t = 0: the layer's input, before W */
    /* The numbers the drawing uses (the stage plan's copy: units 1 and 2
     * swapped where `swapped`, and the next layer's inputs to match). */
    int w_rows, w_cols;   /* W is (w_rows, w_cols), row-major in W */
    double W[LW_MAX_WIDTH * LW_MAX_WIDTH];
    double b[LW_MAX_WIDTH]; /* (w_rows) */
    int has_det;          /* W is square: det holds det W */
    double det;
    int inputs_swapped;   /* inputs 1 and 2 swapped, following the layer before */
    char act_formula[48]; /* the activation of one unit, "tanh(x)", "1/(1+e^-x)";
                             "^" raises the rest of its term */
    char axis_name[3][16]; /* what the display axes are: "x1", "pc1", "" */
    /* Training replayed: the segment is the network at step at_step, and
     * the segment's loss and accuracy curve (borrowed) is plotted with a
     * cursor there. */
    int has_step, at_step;
    /* A training morph (morph_to > 0 or morph_u > 0): the weights on their
     * way from step at_step's to step morph_to's, morph_u of the way, the
     * cursor at cursor_step (between the two on the curve's log axis), and
     * the accuracy of the network on screen on the data. */
    int morph, morph_to, morph_layer;
    char morph_head[32];  /* what moves: "layer 2/3", "generator" */
    int morph_gan;        /* a GAN's: both networks move, D's verdict drawn */
    double morph_u, cursor_step, morph_accuracy;
    int n_curve;
    const int *curve_step;
    const double *curve_loss, *curve_accuracy;
    const char *curve_name[2]; /* borrowed: "" for a loss and an accuracy; else two
                                  losses' names (a GAN's D and G), on one scale */
    /* activation_steps = hadamard: the activation as element-wise steps */
    int n_steps;          /* this activation stage's steps (0: one blend) */
    int step;             /* the step on screen, 1-based (0: none has moved yet;
                             n_steps + 1: all done, the result held) */
    char step_formula[STAGE_MAX_STEPS][24]; /* each step as a map of x, "e\xcb\xa3" */
    int worked_dim;       /* units of the worked point (0: none) */
    double worked[STAGE_MAX_STEPS + 1][LW_MAX_WIDTH]; /* it before and after each step */
    int worked_mark;      /* the frame rings the point at worked_px, worked_py */
    double worked_px, worked_py;
} Caption;

/* Text roles, and the size in pixels each has in a frame of this style:
 * scaled with the frame height, never below the style's minimum. */
typedef enum { TEXT_CAPTION, TEXT_SMALL, TEXT_TINY } TextRole;
double draw_text_size(const Style *st, TextRole role);

/* Pixel rectangle (x, y, w, h) left for content once captions are placed. */
void draw_content_rect(const Style *st, double rect[4]);

/* Paints a whole frame onto a Cairo context (a cairo_t: the header keeps
 * Cairo's own out of its includers).  Returns cairo's status, 0 for success. */
struct _cairo;
int draw_frame(struct _cairo *cr, const Style *st, const FrameGeom *fg, const Caption *cap);

/* A contact sheet: n (1 to 8) frames (st->width x st->height, Cairo ARGB32
 * pixels with `stride`) side by side at half size, each under its title, in
 * one row up to four, else in two rows.  Allocates
 * *sheet (free() it) of *width x *height pixels, stride *sheet_stride.
 * LW_ERUNTIME when Cairo fails. */
/* The line between two panels of one frame, at x pixels from the left. */
void draw_panel_divider(struct _cairo *cr, const Style *st, double x);

int draw_contact_sheet(const Style *st, const uint8_t *const *frames, int stride,
                       const char *const *titles, int n, uint8_t **sheet, int *width,
                       int *height, int *sheet_stride, LwError *err);

/* The scene's font loaded on a thread of its own: fontconfig reads its
 * configuration (about 8 ms) and Cairo opens the font while the command
 * does other work (a video render loads the video library meanwhile), not
 * when the first frame's text needs it with every worker waiting.
 * draw_fonts_wait joins it; it may be called again, or without a start. */
typedef struct {
    pthread_t thread;
    int started;
    Style style; /* a copy: the thread reads nothing the caller changes */
} FontLoader;
void draw_fonts_start(FontLoader *f, const Style *st);
void draw_fonts_wait(FontLoader *f);

/* Cairo's version, for --version. */
const char *draw_cairo_version(void);
/* Hands back the font caches Cairo and fontconfig keep for the process, so
 * leak checkers see only our own memory.  Call once, at exit. */
void draw_release_caches(void);

#endif
