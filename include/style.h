/* style.h — how a frame looks: its size, colours, line widths, font and
 * which layers of the picture are drawn.  Plain data, no Cairo: the scene
 * fills it, draw.c reads it. */
#ifndef STYLE_H
#define STYLE_H

#include "lw_common.h"

typedef struct { double r, g, b; } Rgb;

/* What tints the background under the grid: nothing, the predicted class
 * (a classifier's cells), or how much the map so far stretches or squashes
 * area (area.h; warm stretched, cool squashed). */
typedef enum { SHADE_NONE, SHADE_CLASS, SHADE_AREA } ShadeMode;

typedef struct {
    int width, height;     /* pixels, even */
    Rgb background, grid, domain, boundary, text;
    double transparency;   /* of the background: 0 opaque (the default), 1 see-through
                              (PNG, WebM, MOV and MKV keep it as alpha) */
    Rgb arrow;             /* arrows on points (a generator's push) */
    Rgb classes[LW_MAX_CLASSES];
    double point_radius;   /* px at 720p; scaled with height */
    double grid_width, domain_width, curve_width, boundary_width; /* px at 720p */
    double caption_size;   /* px at 720p */
    double min_text;       /* px: no text smaller than this at any frame size (the
                              caption's own floor is 4/3 of it), so 640x360 reads */
    char font[64];
    int show_grid, show_domain, show_points, show_boundary, show_captions, show_progress;
    ShadeMode shade;       /* the background's tint */
    int scale_bar;         /* draw a scale bar (the camera zooms) */
    int axes;              /* draw ticked axes in the layer's units (flat frames) */
    int show_numbers;      /* a corner panel with W and det W, b, or the activation */
    int show_legend;       /* class swatches and names (two or more classes) */
    int curve_inset;       /* a training curve is plotted bottom right: the content
                              stays above its band (training = replay | morph) */
    int title_line;        /* the segment's title on a line of its own above the caption
                              (a panel of a side-by-side frame, whose corner has no room) */
    int depth_cues;        /* 3-D frames: axis arrows, far things lighter and thinner,
                              curves broken where they pass behind one another */
} Style;

#endif
