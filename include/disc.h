/* disc.h — many small filled discs of one colour each, stamped into a frame
 * from coverage masks drawn once per frame (the data points: hundreds a
 * frame, a few radii).
 *
 * Cairo draws a small disc as a polygon it scan-converts, then lays the
 * colour through the coverage it found; that costs about 2 us a disc,
 * nearly all of it the same work again and again.  A disc's coverage
 * depends only on its radius and on where its centre falls within a pixel,
 * so the stamper has Cairo draw each (radius, quarter-pixel position) once
 * into a mask, then lays the colour through that mask into the frame's
 * pixels with Cairo's own arithmetic.  A disc stamped with its centre on a
 * quarter pixel is Cairo's disc bit for bit; anywhere else it is that disc
 * moved by at most 1/8 pixel each way.
 *
 * The stamper draws only where Cairo would draw the same thing: an ARGB32
 * image (or a rectangle of one) as the target, no group pushed, an identity
 * transform, one rectangle of clip, the OVER operator, opaque colours,
 * radii up to DISC_MAX_RADIUS.  Elsewhere disc_begin says no and the
 * caller draws with cairo_arc.  Between disc_begin and disc_end the caller
 * draws nothing else with Cairo. */
#ifndef DISC_H
#define DISC_H

#include <cairo.h>
#include <stdint.h>

/* px: the masks' memory stays small (at most 64 radii x 16 phases of 67 x 67
 * bytes, 4.6 MB, in a 3-D frame); speed is no limit: at 30 px a stamped
 * frame of the reference scene still takes a third fewer instructions */
#define DISC_MAX_RADIUS 32.0
#define DISC_PHASES 4        /* positions of a centre per pixel, each way */
#define DISC_MAX_RADII 64    /* masks' radii between the smallest and largest asked */

typedef struct {
    cairo_surface_t *target, *image; /* the frame, and its pixels mapped (shared, not copied) */
    uint8_t *px;                     /* premultiplied ARGB32, stride bytes a row */
    int stride;
    int clip[4];                     /* x0, y0, x1, y1: pixels drawn (x0 <= x < x1) */
    double r_min, r_step;            /* a mask's radius: r_min + k r_step, k < n_radii */
    int n_radii;
    int cell, centre;      /* a mask is cell x cell; a disc at phase 0 is centred at (centre, centre) */
    uint8_t *masks;        /* n_radii * DISC_PHASES^2 masks of cell * cell coverages */
    uint8_t *row_span;     /* per mask and row: first and last + 1 column with coverage */
    uint8_t *ready;        /* per mask: drawn yet */
    cairo_surface_t *scratch; /* A8, where Cairo draws a mask */
    cairo_t *scr;
    int masks_drawn;       /* how many masks Cairo drew (tests count them) */
} DiscStamper;

/* Readies ds to stamp discs of radii r_min..r_max (px) into what cr draws
 * on.  Returns 1 when it can; 0 when the caller should draw with Cairo
 * (then ds holds nothing).  Flushes the target. */
int disc_begin(DiscStamper *ds, cairo_t *cr, double r_min, double r_max);

/* A disc of radius r (r_min..r_max, rounded to a mask's radius) centred at
 * (x, y) in pixels, opaque red, green, blue in [0, 1], over what is there;
 * clipped to the frame.  A centre not finite draws nothing. */
void disc_stamp(DiscStamper *ds, double x, double y, double r, double red, double green,
                double blue);

/* Hands the pixels back to Cairo (marked dirty) and frees the masks.
 * Returns Cairo's status of the masks' drawing, 0 for success. */
int disc_end(DiscStamper *ds);

#endif
