/* draw.h — one frame onto a Cairo context (Cairo only: no maths beyond
 * layout, no state between frames). */
#ifndef DRAW_H
#define DRAW_H

#include <cairo.h>

#include "geom.h"
#include "scene.h"
#include "stage.h"

/* What the captions say about the frame. */
typedef struct {
    int before_start;     /* the input, before the first stage moves */
    int layer, n_layers;  /* 1-based */
    StageKind kind;
    Activation act;
    int dim_in, dim_out;
    int flip;             /* this linear stage plays a reflection first */
    int swapped;          /* units 1 and 2 were swapped so that det W > 0 */
    int stage, n_stages;
    double u;             /* raw progress of the stage */
    char summary[160];    /* top-right: dataset, network, accuracy */
    const int *shade_class; /* (S, S) predicted class per shading cell, or NULL */
    double px_per_unit;   /* the camera's scale, for the scale bar (0: none) */
    char view_note[64];   /* how a layer wider than 3 is shown, or "" */
    int n_classes;
} Caption;

/* Pixel rectangle (x, y, w, h) left for content once captions are placed. */
void draw_content_rect(const Scene *sc, double rect[4]);

/* Paints a whole frame.  Returns cairo's status (CAIRO_STATUS_SUCCESS). */
cairo_status_t draw_frame(cairo_t *cr, const Scene *sc, const FrameGeom *fg,
                          const int *labels, const Caption *cap);

#endif
