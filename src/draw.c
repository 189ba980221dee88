/* draw.c — paints a frame with Cairo: background, warped grid, the outline
 * of the input domain, data (points or curves), decision boundary, captions,
 * a corner panel with the stage's numbers and the class legend, and a strip
 * showing where in the network the frame is.
 *
 * Sizes in the scene are pixels at 720p and scale with the frame height, so a
 * 1080p render looks like a sharper 720p one; text never shrinks below the
 * style's minimum, so a 640x360 GIF still reads.  A frame seen from an angle
 * (3-D) gets depth cues: axis arrows, far things lighter and thinner, and
 * curves broken by a halo where they pass behind one another. */
#include "draw.h"
#include "disc.h"

#include <cairo.h>

#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRIP_BAND 22.0   /* progress strip band at the bottom, px at 720p */
#define MINUS "\xe2\x88\x92"  /* U+2212: a minus as wide as a plus */

static const Rgb ACCENT = {0.84, 0.15, 0.16};
#define REFERENCE_RGB ((Rgb){0.45, 0.45, 0.45}) /* a fixed reference's dashes */
#define SPREAD_STEP (4.0 / 255) /* what one spread adds to its class's count (exact in 8 bits) */
#define SPREAD_DEEPEST 0.55     /* opacity where 64 or more overlap: another class shows through */
#define SPREAD_RIM 0.10         /* opacity of each spread's rim */

static double unit(const Style *sc)
{
    return sc->height / 720.0;
}

double draw_text_size(const Style *sc, TextRole role)
{
    static const double share[] = {1.0, 0.68, 0.5};         /* of caption_size */
    static const double floor_share[] = {4.0 / 3, 10.0 / 9, 1.0}; /* of min_text */
    double px = share[role] * sc->caption_size * unit(sc);
    double lo = floor_share[role] * sc->min_text;
    return px > lo ? px : lo;
}

/* Baselines of the two caption lines and the height of the band they sit
 * in; the second line's gap follows its own (possibly floored) size. */
typedef struct {
    double x, y0, y1, y2, band;   /* y0: the title line's baseline, when there is one */
} CaptionLayout;

static CaptionLayout caption_layout(const Style *sc)
{
    double cap = draw_text_size(sc, TEXT_CAPTION), small = draw_text_size(sc, TEXT_SMALL);
    double title = sc->title_line ? 1.6 * small : 0;
    CaptionLayout l = {0.9 * cap, 0.9 * cap + 0.3 * small, title + 1.25 * cap, 0, 0};
    l.y2 = l.y1 + 0.37 * cap + small;
    l.band = l.y2 + 0.88 * small;
    return l;
}

/* Where the training curve's plot goes (x0, y0 its top left, w x h), and
 * the top of its backing with the text row above it. */
static double curve_inset_box(const Style *sc, double *x0, double *y0, double *w, double *h)
{
    double k = unit(sc), small = draw_text_size(sc, TEXT_TINY);
    *w = fmin(0.26 * sc->width, 330 * k);
    *h = 0.11 * sc->height;
    *x0 = sc->width - *w - 24 * k;
    *y0 = sc->height - *h - (STRIP_BAND + 40) * k;
    if (sc->scale_bar) /* clear of the scale bar under it (view = follow) */
        *y0 -= 24 * k;
    return *y0 - 2.2 * small - 4 * k;
}

void draw_content_rect(const Style *sc, double rect[4])
{
    double k = unit(sc), top = 0, bottom = 0;
    if (sc->show_captions)
        top = caption_layout(sc).band;
    if (sc->show_progress)
        bottom = STRIP_BAND * k;
    if (sc->show_captions && sc->curve_inset) { /* nothing drawn under the plot */
        double x0, y0, w, h;
        bottom = fmax(bottom, sc->height - curve_inset_box(sc, &x0, &y0, &w, &h) + 6 * k);
    }
    rect[0] = 0;
    rect[1] = top;
    rect[2] = sc->width;
    rect[3] = sc->height - top - bottom;
}

static void set_rgb(cairo_t *cr, Rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* c moved a share f of the way toward `to`. */
#define SHADE_TINT 0.16 /* share of a shading cell's colour over the background */

static Rgb mix(Rgb c, Rgb to, double f)
{
    return (Rgb){c.r + f * (to.r - c.r), c.g + f * (to.g - c.g), c.b + f * (to.b - c.b)};
}

/* ---- a background that is not there (style.transparency > 0) ------------------- */

/* Over a slide of any colour, text needs a rim of its own: the captions'
 * layer's coverage is spread by HALO_PX (at 720p) each way, in whole
 * pixels (pixman's fast path; a fractional shift would resample every
 * pixel), across and then down, and painted in a colour opposite to the
 * text's, HALO_ALPHA opaque, beneath the text.  The same colour backs the
 * panels instead of the background's. */
#define HALO_PX 2.5
#define HALO_ALPHA 0.8

static int see_through(const Style *sc)
{
    return sc->transparency > 0;
}

/* White behind dark text, black behind light text. */
static Rgb halo_colour(const Style *sc)
{
    double luma = 0.2126 * sc->text.r + 0.7152 * sc->text.g + 0.0722 * sc->text.b;
    return luma < 0.5 ? (Rgb){1, 1, 1} : (Rgb){0, 0, 0};
}

/* What a panel's box is filled with: the background, or over a missing
 * one the halo's colour. */
static Rgb backing(const Style *sc)
{
    return see_through(sc) ? halo_colour(sc) : sc->background;
}

/* Replaces what is under the current path (or the whole surface) by the
 * background with its alpha: painting over nothing would leave the old
 * pixels, so the operator is SOURCE. */
static void clear_to_background(cairo_t *cr, const Style *sc, int whole)
{
    cairo_save(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_rgba(cr, sc->background.r, sc->background.g, sc->background.b,
                          1 - sc->transparency);
    if (whole)
        cairo_paint(cr);
    else
        cairo_fill(cr);
    cairo_restore(cr);
}

/* `src` stamped at whole-pixel shifts -r..r along x (or y) into a new
 * alpha-only group: a max filter, near enough (the stamps add up by OVER). */
static cairo_pattern_t *spread(cairo_t *cr, cairo_pattern_t *src, int r, int along_x)
{
    cairo_matrix_t shift;
    cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
    cairo_set_source(cr, src);
    for (int d = -r; d <= r; d++) {
        cairo_matrix_init_translate(&shift, along_x ? d : 0, along_x ? 0 : d);
        cairo_pattern_set_matrix(src, &shift);
        cairo_paint(cr);
    }
    cairo_matrix_init_identity(&shift);
    cairo_pattern_set_matrix(src, &shift);
    return cairo_pop_group(cr);
}

/* Ends the group pushed before the captions' layer: its halo first, then
 * the layer itself. */
static void pop_with_halo(cairo_t *cr, const Style *sc)
{
    cairo_pattern_t *ink = cairo_pop_group(cr);
    int r = (int)fmax(1, round(HALO_PX * unit(sc)));
    cairo_pattern_t *across = spread(cr, ink, r, 1);
    cairo_pattern_t *halo = spread(cr, across, r, 0);
    Rgb h = halo_colour(sc);
    cairo_set_source_rgba(cr, h.r, h.g, h.b, HALO_ALPHA);
    cairo_mask(cr, halo);
    cairo_set_source(cr, ink);
    cairo_paint(cr);
    cairo_pattern_destroy(halo);
    cairo_pattern_destroy(across);
    cairo_pattern_destroy(ink);
}

static void set_font(cairo_t *cr, const Style *sc, double size, int bold)
{
    cairo_select_font_face(cr, sc->font, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_width(cairo_t *cr, const char *text)
{
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text, &ext);
    return ext.x_advance;
}

/* Cairo keeps coordinates in 24.8 fixed point: beyond about 8 million
 * pixels they wrap and draw lines where there are none.  An element-wise
 * exp step sends grid samples that far, so what reaches further than
 * SAFE_PX off the frame is clipped to that box first (exactly: the part on
 * screen keeps its direction); anything nearer is drawn as it is. */
#define SAFE_PX 1048576.0

static int safe_xy(const double *p)
{
    return fabs(p[0]) <= SAFE_PX && fabs(p[1]) <= SAFE_PX;
}

/* Liang-Barsky: the part of segment p-q inside |x|, |y| <= SAFE_PX, as
 * parameters t0 <= t1 along it; 0 when none (or not finite). */
static int clip_segment(const double *p, const double *q, double *t0, double *t1)
{
    double d[2] = {q[0] - p[0], q[1] - p[1]};
    *t0 = 0;
    *t1 = 1;
    if (!isfinite(p[0]) || !isfinite(p[1]) || !isfinite(q[0]) || !isfinite(q[1])) return 0;
    for (int a = 0; a < 2; a++)
        for (int side = -1; side <= 1; side += 2) {
            double num = SAFE_PX - side * p[a], den = side * d[a]; /* side * x <= SAFE_PX */
            if (den == 0) {
                if (num < 0) return 0;
            } else if (den > 0) {
                *t1 = fmin(*t1, num / den);
            } else {
                *t0 = fmax(*t0, num / den);
            }
        }
    return *t0 <= *t1;
}

/* The polyline a..b segment by segment, each clipped to the safe box. */
static void path_range_clipped(cairo_t *cr, const FrameGeom *fg, int a, int b)
{
    int open = 0;
    for (int i = a; i < b; i++) {
        const double *p = fg->lxy + 2 * i, *q = p + 2;
        double t0, t1;
        if (!clip_segment(p, q, &t0, &t1)) {
            open = 0;
            continue;
        }
        if (!open || t0 > 0)
            cairo_move_to(cr, p[0] + t0 * (q[0] - p[0]), p[1] + t0 * (q[1] - p[1]));
        cairo_line_to(cr, p[0] + t1 * (q[0] - p[0]), p[1] + t1 * (q[1] - p[1]));
        open = t1 == 1;
    }
}

static void path_range(cairo_t *cr, const FrameGeom *fg, int a, int b)
{
    for (int i = a; i <= b; i++)
        if (!safe_xy(fg->lxy + 2 * i)) {
            path_range_clipped(cr, fg, a, b);
            return;
        }
    cairo_move_to(cr, fg->lxy[2 * a], fg->lxy[2 * a + 1]);
    for (int i = a + 1; i <= b; i++)
        cairo_line_to(cr, fg->lxy[2 * i], fg->lxy[2 * i + 1]);
}

/* Adds line l to the path; returns its number of vertices (0: too short
 * to draw, not added). */
static int path_line(cairo_t *cr, const FrameGeom *fg, int l)
{
    int a = fg->line_start[l], b = fg->line_start[l + 1];
    if (b - a < 2) return 0;
    path_range(cr, fg, a, b - 1);
    return b - a;
}

static void stroke_line(cairo_t *cr, const FrameGeom *fg, int l)
{
    /* one stroke per line: with the default anti-aliasing, cheaper in Cairo
     * 1.16 than one huge path */
    if (path_line(cr, fg, l))
        cairo_stroke(cr);
}

/* Vertices a grid path holds before it is stroked: bounds its memory on
 * grids of thousands of samples a line (the reference scene's 42 lines
 * have about 1300). */
#define GRID_PATH_VERTICES 65536

/* The grid's lines in as few strokes as GRID_PATH_VERTICES allows.  With
 * the fast anti-aliasing Cairo 1.16 then sweeps the frame's rows once for
 * all the lines instead of once a line: 10 against 14 M instructions for
 * the reference scene's 720p grid.  Where two lines cross, their union is
 * drawn instead of one over the other, the same colour: the crossing's
 * anti-aliased edge differs, nothing else. */
static void stroke_grid(cairo_t *cr, const FrameGeom *fg)
{
    int held = 0;
    for (int l = 0; l < fg->n_lines; l++) {
        if (fg->line_kind[l] != LINE_GRID) continue;
        held += path_line(cr, fg, l);
        if (held >= GRID_PATH_VERTICES) {
            cairo_stroke(cr);
            held = 0;
        }
    }
    if (held)
        cairo_stroke(cr);
}

/* The grid's thin grey lines are most of what Cairo strokes in a frame:
 * they are rasterised with its fast anti-aliasing (4 x 4 samples a pixel
 * instead of 256 x 15), a tenth less of a frame's work, the same look at 1:1
 * (looked at side by side, zoomed 8x: the same weight, edges a hair less
 * soft).  Every other line keeps the default. */
static void grid_antialias(cairo_t *cr, LineKind kind)
{
    cairo_set_antialias(cr, kind == LINE_GRID ? CAIRO_ANTIALIAS_FAST : CAIRO_ANTIALIAS_DEFAULT);
}

static void draw_lines(cairo_t *cr, const Style *sc, const FrameGeom *fg, LineKind kind,
                       Rgb color, double width)
{
    set_rgb(cr, color);
    cairo_set_line_width(cr, width * unit(sc));
    grid_antialias(cr, kind);
    if (kind == LINE_GRID) {
        stroke_grid(cr, fg);
    } else {
        for (int l = 0; l < fg->n_lines; l++) {
            if (fg->line_kind[l] != kind) continue;
            if (kind == LINE_CURVE)
                set_rgb(cr, sc->classes[fg->line_label[l] % LW_MAX_CLASSES]);
            stroke_line(cr, fg, l);
        }
    }
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
}

/* A data point's disc: stamped from a mask when the stamper can (disc.h),
 * else filled by Cairo. */
static void point_disc(cairo_t *cr, DiscStamper *ds, int stamp, double x, double y, double r,
                       Rgb c)
{
    if (stamp) {
        disc_stamp(ds, x, y, r, c.r, c.g, c.b);
        return;
    }
    set_rgb(cr, c);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    cairo_fill(cr);
}

/* Returns the stamper's status (Cairo's), 0 for success. */
static int draw_points(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    double r = sc->point_radius * unit(sc);
    double w = sc->width, h = sc->height;
    DiscStamper ds;
    int stamp = fg->n_points > 0 && disc_begin(&ds, cr, r, r);
    for (int k = 0; k < fg->n_points; k++) {
        int i = fg->order[k];
        double x = fg->px[i], y = fg->py[i];
        if (!fg->disc[i] || x < -r || y < -r || x > w + r || y > h + r) continue;
        point_disc(cr, &ds, stamp, x, y, r, sc->classes[fg->label[i] % LW_MAX_CLASSES]);
    }
    return stamp ? disc_end(&ds) : 0;
}

/* 1 when the corners of cells i..i1 of the row between corner rows lo and
 * hi are all within the safe box. */
static int safe_run(const double *xy, int lo, int hi, int i, int i1)
{
    for (int k = i; k <= i1 + 1; k++)
        if (!safe_xy(xy + 2 * (lo + k)) || !safe_xy(xy + 2 * (hi + k))) return 0;
    return 1;
}

/* One shading cell clipped to the safe box (Sutherland-Hodgman: each of the
 * box's four sides in turn; a quadrilateral becomes at most 8 corners). */
static void shade_cell_clipped(cairo_t *cr, const double *xy, int lo, int hi, int i)
{
    double poly[2][16][2];
    int n = 4, cur = 0;
    const int idx[4] = {lo + i, lo + i + 1, hi + i + 1, hi + i};
    for (int k = 0; k < 4; k++) {
        poly[0][k][0] = xy[2 * idx[k]];
        poly[0][k][1] = xy[2 * idx[k] + 1];
        if (!isfinite(poly[0][k][0]) || !isfinite(poly[0][k][1])) return;
    }
    for (int a = 0; a < 2; a++)
        for (int side = -1; side <= 1; side += 2) {
            int m = 0;
            for (int k = 0; k < n; k++) {
                const double *p = poly[cur][k], *q = poly[cur][(k + 1) % n];
                double fp = SAFE_PX - side * p[a], fq = SAFE_PX - side * q[a];
                if (fp >= 0) memcpy(poly[!cur][m++], p, sizeof poly[0][0]);
                if ((fp >= 0) != (fq >= 0)) {
                    double u = fp / (fp - fq);
                    poly[!cur][m][0] = p[0] + u * (q[0] - p[0]);
                    poly[!cur][m][1] = p[1] + u * (q[1] - p[1]);
                    m++;
                }
            }
            n = m;
            cur = !cur;
        }
    if (n < 3) return;
    cairo_move_to(cr, poly[cur][0][0], poly[cur][0][1]);
    for (int k = 1; k < n; k++) cairo_line_to(cr, poly[cur][k][0], poly[cur][k][1]);
    cairo_close_path(cr);
}

/* Cells of one class, row by row: each run of neighbours becomes one
 * polygon, and all of a class's polygons one fill, so no seams show inside a
 * region; the seams between classes are the decision boundary. */
static void draw_shade(cairo_t *cr, const Style *sc, const FrameGeom *fg, const int *cls)
{
    int S = fg->shade_cells;
    const double *xy = fg->shade_xy;
    const double tint = SHADE_TINT;
    /* every colour a cell may hold: the classes, and beyond them the
     * colours of a verdict that is not a class (a discriminator's) */
    for (int c = 0; c < LW_MAX_CLASSES; c++) {
        Rgb cc = sc->classes[c % LW_MAX_CLASSES];
        if (see_through(sc)) /* the same tint over a white slide, and lets others through */
            cairo_set_source_rgba(cr, cc.r, cc.g, cc.b, tint);
        else
            set_rgb(cr, mix(sc->background, cc, tint));
        for (int j = 0; j < S; j++)
            for (int i = 0; i < S; i++) {
                if (cls[j * S + i] != c) continue;
                int i1 = i;
                while (i1 + 1 < S && cls[j * S + i1 + 1] == c) i1++;
                int lo = j * (S + 1), hi = (j + 1) * (S + 1);
                if (!safe_run(xy, lo, hi, i, i1)) {
                    for (int k2 = i; k2 <= i1; k2++) shade_cell_clipped(cr, xy, lo, hi, k2);
                    i = i1;
                    continue;
                }
                cairo_move_to(cr, xy[2 * (lo + i)], xy[2 * (lo + i) + 1]);
                for (int k2 = i + 1; k2 <= i1 + 1; k2++)
                    cairo_line_to(cr, xy[2 * (lo + k2)], xy[2 * (lo + k2) + 1]);
                for (int k2 = i1 + 1; k2 >= i; k2--)
                    cairo_line_to(cr, xy[2 * (hi + k2)], xy[2 * (hi + k2) + 1]);
                cairo_close_path(cr);
                i = i1;
            }
        cairo_fill(cr);
    }
}

/* ---- shading by the change of area ---------------------------------------------- */

/* The colours run from area x1/16 (cool) through area kept (the
 * background) to x16 (warm), in AREA_LEVELS steps each way (each x sqrt 2),
 * clamped beyond: symmetric in log area, so halving and doubling look
 * equally strong.  The map so far of a deep tanh network spans about x2^-24 to
 * x2^7 (spiral-area.scene), so a narrower range saturates from the third
 * layer on; x16 leaves the middle's growth readable and still shows one
 * layer's |det W| of 1.8 as two steps.  Steps rather than a continuous ramp
 * let a row's run of equal cells be one polygon. */
#define AREA_RANGE 16.0
#define AREA_LEVELS 8
#define AREA_TINT 0.45 /* opacity of the end colours at the clamp: grid and data read over it */
static const Rgb AREA_WARM = {0.84, 0.19, 0.15}; /* stretched */
static const Rgb AREA_COOL = {0.13, 0.40, 0.67}; /* squashed */
static const Rgb AREA_FOLD = {0.33, 0.18, 0.50}; /* where the sheet turns over */

/* The colour step of a log area element (natural log): -AREA_LEVELS (x1/16
 * or less, a collapse included) .. AREA_LEVELS; 0 where it is not a number. */
static int area_level(double log_area)
{
    if (isnan(log_area)) return 0;
    double v = log_area / log(AREA_RANGE) * AREA_LEVELS;
    return v <= -AREA_LEVELS ? -AREA_LEVELS : v >= AREA_LEVELS ? AREA_LEVELS : (int)lround(v);
}

static void set_area_colour(cairo_t *cr, int level)
{
    Rgb c = level > 0 ? AREA_WARM : AREA_COOL;
    cairo_set_source_rgba(cr, c.r, c.g, c.b, AREA_TINT * abs(level) / AREA_LEVELS);
}

/* The area mesh: each row's run of cells of one colour step is one polygon,
 * filled on its own, so where a fold lays the sheet over itself the two
 * layers add up rather than cancel (one path's winding would).
 * Translucent, over the readout's halves and under the grid; without
 * antialiasing, so neighbouring runs meet without the hairline seams that
 * two antialiased edges leave (the domain's outline covers the mesh's rim). */
static void draw_area(cairo_t *cr, const FrameGeom *fg)
{
    int S = fg->area_cells;
    const double *xy = fg->area_xy;
    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (int j = 0; j < S; j++)
        for (int i = 0; i < S; i++) {
            int q = area_level(fg->area_log[j * S + i]), i1 = i;
            while (i1 + 1 < S && area_level(fg->area_log[j * S + i1 + 1]) == q) i1++;
            int lo = j * (S + 1), hi = (j + 1) * (S + 1);
            if (q == 0) { /* area kept: the background itself */
                i = i1;
                continue;
            }
            if (!safe_run(xy, lo, hi, i, i1)) {
                for (int k = i; k <= i1; k++) shade_cell_clipped(cr, xy, lo, hi, k);
            } else {
                cairo_move_to(cr, xy[2 * (lo + i)], xy[2 * (lo + i) + 1]);
                for (int k = i + 1; k <= i1 + 1; k++)
                    cairo_line_to(cr, xy[2 * (lo + k)], xy[2 * (lo + k) + 1]);
                for (int k = i1 + 1; k >= i; k--)
                    cairo_line_to(cr, xy[2 * (hi + k)], xy[2 * (hi + k) + 1]);
                cairo_close_path(cr);
            }
            set_area_colour(cr, q);
            cairo_fill(cr);
            i = i1;
        }
    cairo_restore(cr);
}

/* The edge between corners a and b of the mesh, when both are where Cairo
 * can draw them. */
static void fold_edge(cairo_t *cr, const double *xy, int a, int b)
{
    if (!safe_xy(xy + 2 * a) || !safe_xy(xy + 2 * b)) return;
    cairo_move_to(cr, xy[2 * a], xy[2 * a + 1]);
    cairo_line_to(cr, xy[2 * b], xy[2 * b + 1]);
}

/* Folds: in a plane, where det J changes sign between two neighbouring
 * cells the map has turned the sheet over, and the crease runs along their
 * shared edge: a thin line there (a collapse, det J = 0, is no crease). */
static void draw_folds(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    int S = fg->area_cells;
    const signed char *sg = fg->area_sign;
    const double *xy = fg->area_xy;
    for (int j = 0; j < S; j++)
        for (int i = 0; i < S; i++) {
            int k = j * S + i, lo = j * (S + 1), hi = (j + 1) * (S + 1);
            if (i + 1 < S && sg[k] * sg[k + 1] < 0) fold_edge(cr, xy, lo + i + 1, hi + i + 1);
            if (j + 1 < S && sg[k] * sg[k + S] < 0) fold_edge(cr, xy, hi + i, hi + i + 1);
        }
    cairo_save(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND); /* the crease's pieces meet */
    set_rgb(cr, AREA_FOLD);
    cairo_set_line_width(cr, 1.6 * unit(sc));
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* ---- depth cues (frames seen from an angle) ------------------------------------ */

#define FOG 0.6      /* share of the background over the farthest things */
#define THIN 0.35    /* share of the width the farthest things lose */
#define MAX_PIECES 4096 /* line pieces sorted by depth; 96 KB of stack */

/* Depths of this frame's content: farness(z) is 0 for the nearest thing and
 * 1 for a depth as far behind it as the content is wide.  Measuring against
 * the width as well keeps a plane that only starts to tilt (a 2 -> 3 layer)
 * nearly unfogged, instead of fogging its tiny depth range to the full. */
typedef struct {
    double zmax, span;
} DepthRange;

static void grow(double v, double *lo, double *hi)
{
    if (v < *lo) *lo = v;
    if (v > *hi) *hi = v;
}

static DepthRange depth_range(const FrameGeom *fg, double px_per_unit)
{
    double z0 = INFINITY, z1 = -INFINITY, x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY,
           y1 = -INFINITY;
    for (int i = 0; i < fg->n_points; i++) {
        grow(fg->pdepth[i], &z0, &z1);
        grow(fg->px[i], &x0, &x1);
        grow(fg->py[i], &y0, &y1);
    }
    int nv = fg->n_lines ? fg->line_start[fg->n_lines] : 0;
    for (int i = 0; i < nv; i++) {
        grow(fg->ldepth[i], &z0, &z1);
        grow(fg->lxy[2 * i], &x0, &x1);
        grow(fg->lxy[2 * i + 1], &y0, &y1);
    }
    DepthRange d = {z1, 0};
    if (z1 < z0) return (DepthRange){0, 1};
    double wide = px_per_unit > 0 ? fmax(x1 - x0, y1 - y0) / px_per_unit : 0;
    d.span = fmax(z1 - z0, wide);
    if (!(d.span > 0)) d.span = 1;
    return d;
}

static double farness(const DepthRange *d, double z)
{
    double f = (d->zmax - z) / d->span;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* Mean depth of vertices a..b of the frame's lines. */
static double mean_depth(const FrameGeom *fg, int a, int b)
{
    double s = 0;
    for (int i = a; i <= b; i++)
        s += fg->ldepth[i];
    return s / (b - a + 1);
}

/* Length in pixels of the segment from line vertex i to i + 1. */
static double segment_px(const FrameGeom *fg, int i)
{
    return hypot(fg->lxy[2 * (i + 1)] - fg->lxy[2 * i],
                 fg->lxy[2 * (i + 1) + 1] - fg->lxy[2 * i + 1]);
}

/* Pieces of about `len` pixels along the polyline from vertex a to the
 * line's end (vertex e - 1): the end vertex of the piece that starts at a. */
static int piece_end(const FrameGeom *fg, int a, int e, double len)
{
    double acc = 0;
    int i = a;
    while (i + 1 < e && acc < len) {
        acc += segment_px(fg, i);
        i++;
    }
    return i;
}

typedef struct {
    int line, a, b;   /* vertices a..b of line `line` */
    double z;         /* mean depth, larger = nearer */
} LinePiece;

static int by_depth(const void *pa, const void *pb)
{
    const LinePiece *a = pa, *b = pb;
    if (a->z != b->z) return a->z < b->z ? -1 : 1;
    /* ties in a fixed order, so frames do not depend on qsort's whims */
    if (a->line != b->line) return a->line - b->line;
    return a->a - b->a;
}

/* Which lines a 3-D frame draws (the boundary overlay is drawn apart:
 * its dashes would restart at every piece). */
static int drawn_3d(const Style *sc, LineKind k)
{
    return (k == LINE_GRID && sc->show_grid) || (k == LINE_DOMAIN && sc->show_domain) ||
           (k == LINE_CURVE && sc->show_points);
}

/* Cuts the drawn lines into pieces of about the same length on screen,
 * long enough that there are at most `max`. */
static int cut_lines(const Style *sc, const FrameGeom *fg, LinePiece *out, int max)
{
    double total = 0;
    for (int l = 0; l < fg->n_lines; l++)
        if (drawn_3d(sc, fg->line_kind[l]))
            for (int i = fg->line_start[l]; i + 1 < fg->line_start[l + 1]; i++)
                total += segment_px(fg, i);
    /* twice the even share: a piece may run past `len` by one segment */
    double len = fmax(10 * unit(sc), 2 * total / max);
    int n = 0;
    for (int l = 0; l < fg->n_lines; l++) {
        if (!drawn_3d(sc, fg->line_kind[l])) continue;
        int e = fg->line_start[l + 1];
        for (int a = fg->line_start[l]; a + 1 < e && n < max;) {
            int b = piece_end(fg, a, e, len);
            out[n++] = (LinePiece){l, a, b, mean_depth(fg, a, b)};
            a = b;
        }
    }
    return n;
}

/* A curve's piece over a halo of background: where a near curve crosses a
 * far line, the far one is visibly broken, so a still shows which ring
 * passes over which.  The halo has butt ends (so it never bites the piece's
 * own neighbours); the colour has round ends (so pieces join without
 * notches). */
static void stroke_curve_piece(cairo_t *cr, const Style *sc, Rgb c, double w)
{
    double halo = fmax(0.6 * w, 2.0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_width(cr, w + 2 * halo);
    set_rgb(cr, sc->background);
    cairo_stroke_preserve(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_width(cr, w);
    set_rgb(cr, c);
    cairo_stroke(cr);
}

/* Grid, outline and curves from far to near, each piece lighter and
 * thinner the farther it is; curves over a halo. */
static void draw_lines_3d(cairo_t *cr, const Style *sc, const FrameGeom *fg, const DepthRange *d)
{
    LinePiece pieces[MAX_PIECES];
    int n = cut_lines(sc, fg, pieces, MAX_PIECES);
    qsort(pieces, (size_t)n, sizeof pieces[0], by_depth);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int i = 0; i < n; i++) {
        const LinePiece *p = &pieces[i];
        LineKind k = fg->line_kind[p->line];
        double f = farness(d, p->z), shrink = 1 - THIN * f;
        Rgb c = k == LINE_GRID ? sc->grid : k == LINE_DOMAIN ? sc->domain
              : sc->classes[fg->line_label[p->line] % LW_MAX_CLASSES];
        double w = (k == LINE_GRID ? sc->grid_width : k == LINE_DOMAIN ? sc->domain_width
                                                                     : sc->curve_width);
        path_range(cr, fg, p->a, p->b);
        grid_antialias(cr, k);
        if (k == LINE_CURVE) {
            stroke_curve_piece(cr, sc, mix(c, sc->background, FOG * f), w * unit(sc) * shrink);
        } else {
            set_rgb(cr, mix(c, sc->background, FOG * f));
            cairo_set_line_width(cr, w * unit(sc) * shrink);
            cairo_stroke(cr);
        }
    }
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
}

/* Returns the stamper's status (Cairo's), 0 for success. */
static int draw_points_3d(cairo_t *cr, const Style *sc, const FrameGeom *fg,
                          const DepthRange *d)
{
    double r0 = sc->point_radius * unit(sc);
    double w = sc->width, h = sc->height;
    DiscStamper ds;
    int stamp = fg->n_points > 0 && disc_begin(&ds, cr, r0 * (1 - THIN), r0);
    for (int k = 0; k < fg->n_points; k++) { /* order: far to near */
        int i = fg->order[k];
        double x = fg->px[i], y = fg->py[i], f = farness(d, fg->pdepth[i]);
        if (!fg->disc[i] || x < -r0 || y < -r0 || x > w + r0 || y > h + r0) continue;
        point_disc(cr, &ds, stamp, x, y, r0 * (1 - THIN * f),
                   mix(sc->classes[fg->label[i] % LW_MAX_CLASSES], sc->background, FOG * f));
    }
    return stamp ? disc_end(&ds) : 0;
}

static double round_step(double px_per_unit, double want);

/* An arrow from (x0, y0) to (x1, y1) with a small open head. */
static void arrow(cairo_t *cr, double x0, double y0, double x1, double y1, double head)
{
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
    double len = hypot(x1 - x0, y1 - y0);
    if (len < 2 * head) return; /* seen end-on: a head would be a blot */
    double ux = (x1 - x0) / len, uy = (y1 - y0) / len, c = cos(0.45), s = sin(0.45);
    cairo_move_to(cr, x1 - head * (c * ux - s * uy), y1 - head * (s * ux + c * uy));
    cairo_line_to(cr, x1, y1);
    cairo_line_to(cr, x1 - head * (c * ux + s * uy), y1 - head * (-s * ux + c * uy));
    cairo_stroke(cr);
}

/* The tips of the space's three axes in pixels, a round number of units
 * (about a fifth of the content's height) from the origin (ox, oy). */
static void axis_tips(const Style *sc, const View *v, double *ox, double *oy, double tip[3][2])
{
    double rect[4];
    draw_content_rect(sc, rect);
    double len = round_step(v->scale, 0.22 * fmin(rect[2], rect[3]));
    view_project(v, (double[3]){0, 0, 0}, ox, oy, NULL);
    for (int a = 0; a < 3; a++) {
        double p[3] = {0, 0, 0};
        p[a] = len;
        view_project(v, p, &tip[a][0], &tip[a][1], NULL);
    }
}

/* How far the view has tilted away from looking straight down, 0 to 1:
 * the on-screen length of the third axis, full from about 25 degrees.  The
 * arrows fade in with it, so they do not pop up as a flat layer starts to
 * tilt into 3-D. */
static double tilt_share(const View *v)
{
    return fmin(1.0, hypot(v->rot[2], v->rot[5]) / 0.42);
}

/* The space's named axes as thin grey arrows from its origin, under the
 * content: in a still they say which way each coordinate runs and how the
 * view is turned.  Unnamed axes (a tour turning through a wide space) get
 * none: an arrow would claim a direction that is not fixed. */
static void draw_axis_arrows(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double k = unit(sc), ox, oy, tip[3][2];
    axis_tips(sc, &cap->view, &ox, &oy, tip);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_width(cr, fmax(1.2 * k, 1.0));
    cairo_set_source_rgba(cr, 0.55, 0.55, 0.55, tilt_share(&cap->view));
    for (int a = 0; a < 3; a++)
        if (cap->axis_name[a][0])
            arrow(cr, ox, oy, tip[a][0], tip[a][1], fmax(7 * k, 4.0));
}

/* Their names just beyond the tips, over the content and on a halo of
 * background, so no curve hides them. */
static void draw_axis_names(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double ox, oy, tip[3][2], size = draw_text_size(sc, TEXT_TINY);
    axis_tips(sc, &cap->view, &ox, &oy, tip);
    set_font(cr, sc, size, 0);
    for (int a = 0; a < 3; a++) {
        double dx = tip[a][0] - ox, dy = tip[a][1] - oy, d = hypot(dx, dy);
        const char *name = cap->axis_name[a];
        if (!name[0]) continue;
        if (d < 1) dx = d = 1, dy = 0; /* seen end-on: beside the tip */
        double lx = tip[a][0] + dx / d * 0.9 * size, ly = tip[a][1] + dy / d * 0.9 * size;
        cairo_move_to(cr, lx - text_width(cr, name) / 2, ly + 0.35 * size);
        cairo_text_path(cr, name);
        cairo_set_source_rgba(cr, sc->background.r, sc->background.g, sc->background.b,
                              tilt_share(&cap->view));
        cairo_set_line_width(cr, 0.3 * size);
        cairo_stroke_preserve(cr);
        cairo_set_source_rgba(cr, 0.3, 0.3, 0.3, tilt_share(&cap->view));
        cairo_fill(cr);
    }
}

/* A fixed reference (a prior's grid in a latent space): thin grey dashes
 * under everything, so it reads as a frame of reference, not as content. */
static void draw_reference(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    cairo_set_dash(cr, (double[]){5 * unit(sc), 4 * unit(sc)}, 2, 0);
    draw_lines(cr, sc, fg, LINE_REFERENCE, REFERENCE_RGB, 0.9 * sc->grid_width);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void blob_path(cairo_t *cr, const FrameGeom *fg, int k)
{
    int a = fg->blob_start[k], b = fg->blob_start[k + 1];
    cairo_move_to(cr, fg->bxy[2 * a], fg->bxy[2 * a + 1]);
    for (int i = a + 1; i < b; i++) cairo_line_to(cr, fg->bxy[2 * i], fg->bxy[2 * i + 1]);
    cairo_close_path(cr);
}

/* The points' spreads, class by class: first counted into an alpha mask
 * (each adds SPREAD_STEP where it covers, so the mask is how many spreads
 * cover a pixel: a density of the posteriors' union, saturating at
 * 1/SPREAD_STEP of them), then the class's colour painted once through it,
 * so its hue stays true however many overlap (a hundred faint fills, each
 * rounded to 8 bits, would drift); then each one's faint rim, so a lone
 * spread still shows its extent. */
static void draw_spreads(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    /* an ellipsoid's outline stands for its whole depth: rims crowd twice as fast */
    double rim = SPREAD_RIM * fg->blob_alpha * (fg->blob_dim == 3 ? 0.5 : 1.0);
    for (int c = 0; c < LW_MAX_CLASSES; c++) {
        int any = 0;
        for (int k = 0; k < fg->n_blobs && !any; k++) any = fg->blob_label[k] % LW_MAX_CLASSES == c;
        if (!any) continue;
        cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
        cairo_set_operator(cr, CAIRO_OPERATOR_ADD);
        cairo_set_source_rgba(cr, 0, 0, 0, SPREAD_STEP);
        for (int k = 0; k < fg->n_blobs; k++) {
            if (fg->blob_label[k] % LW_MAX_CLASSES != c) continue;
            blob_path(cr, fg, k);
            cairo_fill(cr);
        }
        cairo_pattern_t *count = cairo_pop_group(cr);
        Rgb k = sc->classes[c];
        cairo_set_source_rgba(cr, k.r, k.g, k.b, SPREAD_DEEPEST * fg->blob_alpha);
        cairo_mask(cr, count);
        cairo_pattern_destroy(count);
    }
    cairo_set_line_width(cr, fmax(0.7 * unit(sc), 0.6));
    for (int k = 0; k < fg->n_blobs; k++) {
        Rgb c = sc->classes[fg->blob_label[k] % LW_MAX_CLASSES];
        blob_path(cr, fg, k);
        cairo_set_source_rgba(cr, c.r, c.g, c.b, rim);
        cairo_stroke(cr);
    }
}

#define ARROW_WIDTH 1.3  /* px at 720p: an arrow on a point, thinner than the grid's bold */
#define ARROW_HEAD 5.0   /* px at 720p: its head */

/* Arrows on points (a generator's push on its samples): thin, each with a
 * small head, faded in with their share; over the points they start from. */
static void draw_point_arrows(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    if (!fg->n_arrows) return;
    double k = unit(sc);
    cairo_save(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_width(cr, ARROW_WIDTH * k);
    for (int i = 0; i < fg->n_arrows; i++) {
        const double *a = fg->axy + 5 * (size_t)i;
        cairo_set_source_rgba(cr, sc->arrow.r, sc->arrow.g, sc->arrow.b, 0.9 * a[4]);
        arrow(cr, a[0], a[1], a[2], a[3], ARROW_HEAD * k);
    }
    cairo_restore(cr);
}

/* Grid, outline, axes and data of a frame seen from an angle.  Returns the
 * points' status (Cairo's), 0 for success. */
static int draw_content_3d(cairo_t *cr, const Style *sc, const FrameGeom *fg,
                            const Caption *cap)
{
    DepthRange d = depth_range(fg, cap->view.scale);
    int rc = 0;
    draw_axis_arrows(cr, sc, cap);
    draw_lines_3d(cr, sc, fg, &d);
    if (sc->show_points && fg->blob_alpha > 0)
        draw_spreads(cr, sc, fg);
    if (sc->show_points) {
        rc = draw_points_3d(cr, sc, fg, &d);
        draw_point_arrows(cr, sc, fg);
    }
    draw_axis_names(cr, sc, cap);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    return rc;
}

/* Grid, outline and data of a frame seen straight down.  Returns the
 * points' status (Cairo's), 0 for success. */
static int draw_content_flat(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    int rc = 0;
    if (sc->show_grid)
        draw_lines(cr, sc, fg, LINE_GRID, sc->grid, sc->grid_width);
    if (sc->show_domain)
        draw_lines(cr, sc, fg, LINE_DOMAIN, sc->domain, sc->domain_width);
    if (sc->show_points && fg->blob_alpha > 0)
        draw_spreads(cr, sc, fg);
    if (sc->show_points) {
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        draw_lines(cr, sc, fg, LINE_CURVE, sc->classes[0], sc->curve_width);
        rc = draw_points(cr, sc, fg);
        draw_point_arrows(cr, sc, fg);
    }
    return rc;
}

/* The readout's two half-planes, tinted by the class each side gives. */
static void draw_halves(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    const double tint = 0.16 * fg->half_alpha;
    Rgb b = sc->background;
    for (int side = 0; side < 2; side++) {
        Rgb k = sc->classes[side];
        if (see_through(sc)) /* the tint alone, over whatever is behind */
            cairo_set_source_rgba(cr, k.r, k.g, k.b, tint);
        else
            cairo_set_source_rgb(cr, b.r + tint * (k.r - b.r), b.g + tint * (k.g - b.g),
                                 b.b + tint * (k.b - b.b));
        double x0 = side ? fmax(fg->half_x, 0) : 0, x1 = side ? sc->width : fmin(fg->half_x, sc->width);
        if (x1 > x0) {
            cairo_rectangle(cr, x0, 0, x1 - x0, sc->height);
            cairo_fill(cr);
        }
    }
}

/* A plane where score regions meet in a 3-D space: translucent, so what is
 * behind it shows, with a dashed rim. */
static void draw_planes(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    for (int l = 0; l < fg->n_lines; l++) {
        int a = fg->line_start[l], b = fg->line_start[l + 1];
        if (fg->line_kind[l] != LINE_PLANE || b - a < 3) continue;
        cairo_move_to(cr, fg->lxy[2 * a], fg->lxy[2 * a + 1]);
        for (int i = a + 1; i < b; i++) cairo_line_to(cr, fg->lxy[2 * i], fg->lxy[2 * i + 1]);
        cairo_close_path(cr);
        cairo_set_source_rgba(cr, sc->boundary.r, sc->boundary.g, sc->boundary.b, 0.07);
        cairo_fill_preserve(cr);
        cairo_set_dash(cr, (double[]){8 * unit(sc), 5 * unit(sc)}, 2, 0);
        set_rgb(cr, sc->boundary);
        cairo_set_line_width(cr, 0.6 * sc->boundary_width * unit(sc));
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
}

/* A threshold on a line (a 1-D space): a bold bar across where it lies. */
static void draw_marks(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    double k = unit(sc), h = 9 * k;
    set_rgb(cr, sc->boundary);
    cairo_set_line_width(cr, sc->boundary_width * k);
    for (int l = 0; l < fg->n_lines; l++) {
        int a = fg->line_start[l];
        if (fg->line_kind[l] != LINE_MARK || fg->line_start[l + 1] <= a) continue;
        cairo_move_to(cr, fg->lxy[2 * a], fg->lxy[2 * a + 1] - h);
        cairo_line_to(cr, fg->lxy[2 * a], fg->lxy[2 * a + 1] + h);
        cairo_stroke(cr);
    }
}

/* ---- latent paths ------------------------------------------------------------ */

#define PATH_WIDTH 3.0   /* px at 720p: bolder than the grid, lighter than the outline */
#define MARK_RADIUS 4.8  /* px at 720p: a code's disc, larger than a data point */

/* The palette's first colour after the data's classes (the generated
 * samples keep the last, grey), so a path never reads as data. */
static Rgb path_colour(const Style *sc, const Caption *cap)
{
    int k = cap && cap->n_classes >= 2 ? cap->n_classes : 2;
    return sc->classes[k < LW_MAX_CLASSES - 1 ? k : 2];
}

/* An arrowhead of length len at the end of line l, pointing along the
 * curve's last stretch and stopping `back` pixels short of its end (the
 * edge of the end's mark). */
static void arrow_head(cairo_t *cr, const FrameGeom *fg, int l, double len, double back)
{
    int a = fg->line_start[l], e = fg->line_start[l + 1] - 1, i = e;
    double ex = fg->lxy[2 * e], ey = fg->lxy[2 * e + 1], dx = 0, dy = 0;
    while (i > a && hypot(dx, dy) < len + back) { /* along the curve, not its last chord */
        i--;
        dx = ex - fg->lxy[2 * i];
        dy = ey - fg->lxy[2 * i + 1];
    }
    double d = hypot(dx, dy);
    if (d < len + back) return; /* too short on screen to point anywhere */
    double ux = dx / d, uy = dy / d, w = 0.4 * len, tx = ex - back * ux, ty = ey - back * uy;
    cairo_move_to(cr, tx, ty);
    cairo_line_to(cr, tx - len * ux - w * uy, ty - len * uy + w * ux);
    cairo_line_to(cr, tx - len * ux + w * uy, ty - len * uy - w * ux);
    cairo_close_path(cr);
    cairo_fill(cr);
}

/* Latent paths over everything else, solid, on a thin halo of background
 * so they read across the grid and the samples; vectors with arrowheads. */
static void draw_path_lines(cairo_t *cr, const Style *sc, const FrameGeom *fg, Rgb colour)
{
    double k = unit(sc), w = PATH_WIDTH * k;
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int pass = 0; pass < 2; pass++)
        for (int l = 0; l < fg->n_lines; l++) {
            LineKind kind = fg->line_kind[l];
            if (kind != LINE_PATH && kind != LINE_VECTOR) continue;
            set_rgb(cr, pass ? colour : sc->background);
            cairo_set_line_width(cr, pass ? w : w + 2.4 * k);
            stroke_line(cr, fg, l);
            if (pass && kind == LINE_VECTOR) arrow_head(cr, fg, l, 13 * k, MARK_RADIUS * k);
        }
}

/* Each marked code: a disc ringed in background, its label beside it on a
 * halo so no line hides it. */
static void draw_path_marks(cairo_t *cr, const Style *sc, const FrameGeom *fg, Rgb colour)
{
    double k = unit(sc), r = MARK_RADIUS * k, size = draw_text_size(sc, TEXT_SMALL);
    for (int i = 0; i < fg->n_marks; i++) {
        double x = fg->mark_xy[2 * i], y = fg->mark_xy[2 * i + 1];
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        set_rgb(cr, sc->background);
        cairo_set_line_width(cr, 2.4 * k);
        cairo_stroke_preserve(cr);
        set_rgb(cr, colour);
        cairo_fill(cr);
    }
    set_font(cr, sc, size, 1);
    for (int i = 0; i < fg->n_marks; i++) {
        double x = fg->mark_xy[2 * i] + r + 0.25 * size, y = fg->mark_xy[2 * i + 1] - r;
        cairo_move_to(cr, x, y);
        cairo_text_path(cr, fg->marks[i].label);
        set_rgb(cr, sc->background);
        cairo_set_line_width(cr, 0.3 * size);
        cairo_stroke_preserve(cr);
        set_rgb(cr, colour);
        cairo_fill(cr);
    }
}

/* ---- captions -------------------------------------------------------------- */

typedef struct {
    const char *text;
    int part;   /* 0 always dark; 1 linear; 2 bias; 3 activation */
} Part;

/* A training morph's first line: which layer, and the steps the weights
 * run between (the checkpoint it has reached dark, the way there accented). */
static double draw_morph_formula(cairo_t *cr, const Style *sc, const Caption *cap, double x,
                                 double y)
{
    double size = draw_text_size(sc, TEXT_CAPTION);
    char head[64], from[32], to[32];
    snprintf(head, sizeof head, "%s over training   ", cap->morph_head);
    /* at a checkpoint its step alone; on the way, both */
    int moving = cap->morph_u > 0 && cap->morph_u < 1;
    snprintf(from, sizeof from, "step %d", cap->morph_u >= 1 ? cap->morph_to : cap->at_step);
    to[0] = '\0';
    if (moving) snprintf(to, sizeof to, " \xe2\x86\x92 %d", cap->morph_to);
    const char *text[3] = {head, from, to};
    for (int i = 0; i < 3; i++) {
        set_font(cr, sc, size, i > 0);
        if (i == 2 && cap->morph_u < 1.0) set_rgb(cr, ACCENT);
        else set_rgb(cr, sc->text);
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, text[i]);
        x += text_width(cr, text[i]);
    }
    return x;
}

/* Returns where the formula ends (pixels). */
static double draw_formula(cairo_t *cr, const Style *sc, const Caption *cap, double x, double y)
{
    if (cap->morph) return draw_morph_formula(cr, sc, cap, x, y);
    double size = draw_text_size(sc, TEXT_CAPTION);
    char act[48];
    snprintf(act, sizeof act, "%s(", act_name(cap->act));
    Part parts[] = {{"layer ", 0}, {"", 0}, {"h = ", 0}, {act, 3}, {"W", 1},
                    {" x", 0}, {" + b", 2}, {")", 3}};
    char num[32];
    snprintf(num, sizeof num, "%d/%d  ", cap->layer, cap->n_layers);
    parts[1].text = num;
    if (cap->readout) { /* p = sigmoid(w.h + b), or softmax of the k scores */
        parts[0].text = "readout  ";
        parts[1].text = "";
        parts[2].text = "p = ";
        parts[3].text = cap->n_scores == 1 ? "\xcf\x83(" : "softmax(";
        parts[4].text = cap->n_scores == 1 ? "w" : "W";
        parts[5].text = cap->n_scores == 1 ? "\xc2\xb7h" : " h";
    }
    const Rgb faint = {0.72, 0.72, 0.72};
    /* at a layer's input nothing of the layer has happened yet */
    int waiting = cap->before_start || cap->layer_input;
    int active = waiting ? 0 : (int)cap->kind + 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const Part *p = &parts[i];
        int bold = p->part && p->part == active;
        set_font(cr, sc, size, bold);
        if (p->part == 0 || (!waiting && p->part < active))
            set_rgb(cr, sc->text);
        else if (bold)
            set_rgb(cr, ACCENT);
        else
            set_rgb(cr, faint);
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, p->text);
        x += text_width(cr, p->text);
    }
    return x;
}

static void describe_readout(const Caption *cap, char *out, size_t n)
{
    int one = cap->n_scores == 1;
    switch (cap->kind) {
    case STAGE_LINEAR:
        snprintf(out, n, one ? "the readout: turn so x1 is the score w\xc2\xb7h, and the boundary "
                               "stands upright"
                             : "the readout: the %d class scores W h as the axes", cap->n_scores);
        break;
    case STAGE_BIAS:
        snprintf(out, n, one ? "shift by b: the boundary at x1 = 0, one class on each side"
                             : "shift by b: the scores W h + b");
        break;
    default:
        snprintf(out, n, one ? "squash x1 by the sigmoid: the probability of class 2, even "
                               "odds at 0.5"
                             : "softmax: the scores become class probabilities");
        break;
    }
}

/* A panel formula ("1/(1+e^-x)") for a plain line of text: the raised
 * term as superscript characters (U+207B minus, U+02E3 x), a true minus. */
static void plain_formula(const char *math, char *out, size_t n)
{
    size_t len = 0;
    int sup = 0;
    for (const char *c = math; *c && len + 4 < n; c++) {
        const char *put = NULL;
        if (*c == '^') { sup = 1; continue; }
        if (sup && (*c == ')' || *c == ' ')) sup = 0;
        if (sup && *c == '-') put = "\xe2\x81\xbb";
        else if (sup && *c == 'x') put = "\xcb\xa3";
        else if (*c == '-') put = MINUS;
        if (put) {
            memcpy(out + len, put, strlen(put));
            len += strlen(put);
        } else {
            out[len++] = *c;
        }
    }
    out[len] = '\0';
}

static void describe_stage(const Caption *cap, char *out, size_t n)
{
    if (cap->morph && cap->morph_gan) {
        snprintf(out, n, "both networks' weights move in a straight line from step %d's to "
                 "step %d's: each frame is that moment's generator, and D's verdict (dashed: "
                 "D = 0)", cap->at_step, cap->morph_to);
        return;
    }
    if (cap->morph) {
        snprintf(out, n, "the weights move in a straight line from step %d's to step %d's: "
                 "each frame is that network's layer %d, grid, data and boundary",
                 cap->at_step, cap->morph_to, cap->layer);
        return;
    }
    if (cap->before_start) {
        snprintf(out, n, "the input: each point and grid line as the network receives it");
        return;
    }
    if (cap->layer_input) {
        snprintf(out, n, "the input of layer %d (the output of layer %d), before W",
                 cap->layer, cap->layer - 1);
        return;
    }
    if (cap->readout) {
        describe_readout(cap, out, n);
        return;
    }
    switch (cap->kind) {
    case STAGE_LINEAR:
        if (cap->flip)
            snprintf(out, n, "multiply by W (%dx%d); det W < 0, so first a reflection",
                     cap->dim_out, cap->dim_in);
        else if (cap->swapped)
            snprintf(out, n, "multiply by W (%dx%d); units 1 and 2 swapped so det W > 0 "
                     "(same network)", cap->dim_out, cap->dim_in);
        else if (cap->dim_in != cap->dim_out)
            snprintf(out, n, "multiply by W (%dx%d): from %d-D into %d-D", cap->dim_out,
                     cap->dim_in, cap->dim_in, cap->dim_out);
        else
            snprintf(out, n, "multiply by the weight matrix W (%dx%d)", cap->dim_out,
                     cap->dim_in);
        break;
    case STAGE_BIAS:
        snprintf(out, n, "shift by the bias b");
        break;
    default:
        if (cap->n_steps && cap->step > cap->n_steps) {
            char f[64];
            plain_formula(cap->act_formula, f, sizeof f);
            snprintf(out, n, "%s done: its %d steps make each coordinate x \xe2\x86\xa6 %s",
                     act_name(cap->act), cap->n_steps, f);
        }
        else if (cap->n_steps && cap->step)
            snprintf(out, n, "%s, step %d of %d: each coordinate x \xe2\x86\xa6 %s",
                     act_name(cap->act), cap->step, cap->n_steps, cap->step_formula[cap->step - 1]);
        else if (cap->n_steps)
            snprintf(out, n, "apply %s in %d element-wise step%s", act_name(cap->act),
                     cap->n_steps, cap->n_steps == 1 ? "" : "s");
        else
            snprintf(out, n, "apply %s to each coordinate", act_name(cap->act));
        break;
    }
}

static void describe(const Caption *cap, char *out, size_t n)
{
    if (cap->end_note[0]) /* the segment's words on where it ends say more than the stage */
        snprintf(out, n, "%s", cap->end_note);
    else
        describe_stage(cap, out, n);
    size_t len = strlen(out);
    if (cap->view_note[0] && len + 4 < n)
        snprintf(out + len, n - len, "  (%s)", cap->view_note);
}

/* One line of small text at (x, y) within `room` pixels: as it is when it
 * fits; else smaller, down to the style's smallest text; else cut at a
 * word with an ellipsis (a half-width panel has less room than the
 * caption's longest sentences). */
static void show_fitted(cairo_t *cr, const Style *sc, const char *text, double x, double y,
                        double room)
{
    double size = draw_text_size(sc, TEXT_SMALL);
    set_font(cr, sc, size, 0);
    double w = text_width(cr, text);
    if (w > room) {
        size = fmax(sc->min_text, size * room / w);
        set_font(cr, sc, size, 0);
    }
    char cut[240];
    snprintf(cut, sizeof cut, "%s", text);
    size_t n = strlen(cut);
    while (n > 0 && text_width(cr, cut) > room) {
        while (n > 0 && cut[n - 1] != ' ') n--;      /* back to the last word */
        while (n > 0 && cut[n - 1] == ' ') n--;
        snprintf(cut + n, sizeof cut - n, "\xe2\x80\xa6");
    }
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, cut);
}

static void draw_captions(cairo_t *cr, const Style *sc, const Caption *cap)
{
    CaptionLayout l = caption_layout(sc);
    double formula_end = draw_formula(cr, sc, cap, l.x, l.y1);
    char line[240];
    describe(cap, line, sizeof line);
    if (see_through(sc)) /* the same grey for dark text; a light one for light text */
        set_rgb(cr, mix(sc->text, halo_colour(sc), 0.28));
    else
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    show_fitted(cr, sc, line, l.x, l.y2, sc->width - 2 * l.x);
    if (sc->title_line) {
        set_font(cr, sc, draw_text_size(sc, TEXT_SMALL), 1);
        set_rgb(cr, sc->text);
        cairo_move_to(cr, l.x, l.y0);
        cairo_show_text(cr, cap->summary);
        return;
    }
    /* the summary only where it clears the formula (a small frame has room
     * for one of them, and the formula says what moves) */
    double summary_x = sc->width - l.x - text_width(cr, cap->summary);
    if (cap->summary[0] && summary_x > formula_end + l.x) {
        cairo_move_to(cr, summary_x, l.y1);
        cairo_show_text(cr, cap->summary);
    }
}

/* ---- the numbers panel and the legend ------------------------------------------ */

/* The panel is laid out twice by the same code: once to measure (draw = 0),
 * once to paint, so its box always fits what is in it. */
typedef struct {
    cairo_t *cr;
    const Style *sc;
    double size;   /* text size, px */
    int draw;
    double x, y;   /* top left of the next item */
    double w;      /* widest item so far */
} Panel;

static void panel_grow(Panel *p, double w, double h)
{
    if (w > p->w) p->w = w;
    p->y += h;
}

/* A number with two significant digits and, after append_minus, a true
 * minus sign.  Matrix entries below 0.0005 read "0.000": rounded, honestly,
 * instead of an exponent nobody reads at a glance; a lone number (det W)
 * keeps its size as m x 10^e (the panel raises "^e"). */
static void format_number(double v, int entry, char *out, size_t n)
{
    if (entry && fabs(v) < 5e-4)
        snprintf(out, n, "0.000");
    else if (fabs(v) >= 100)
        snprintf(out, n, "%.0f", v);
    else if (v != 0 && fabs(v) < 1e-4)
        snprintf(out, n, "%.1f\xc3\x97" "10^%d", v / pow(10, floor(log10(fabs(v)))),
                 (int)floor(log10(fabs(v))));
    else
        snprintf(out, n, "%.2g", v);
    if (!strcmp(out, "-0")) snprintf(out, n, "0");
}

/* Appends src[0..n) to out, each '-' as a true minus. */
static void append_minus(char *out, size_t cap, const char *src, size_t n)
{
    size_t len = strlen(out);
    for (size_t i = 0; i < n && len + 4 < cap; i++) {
        if (src[i] == '-') {
            memcpy(out + len, MINUS, 3);
            len += 3;
        } else {
            out[len++] = src[i];
        }
    }
    out[len] = '\0';
}

/* Text with '-' as a true minus and "^..." raised (up to the next ')' or
 * space), so "1/(1+e^-x)" reads as a formula.  Returns the advance. */
static double show_math(Panel *p, const char *s, double x, double y)
{
    double x0 = x;
    int sup = 0;
    while (*s) {
        /* one run: plain text up to a '^', or a raised term */
        size_t n = sup ? strcspn(s, ") ") : strcspn(s, "^");
        char run[160] = "";
        append_minus(run, sizeof run, s, n);
        set_font(p->cr, p->sc, sup ? 0.7 * p->size : p->size, 0);
        if (p->draw) {
            cairo_move_to(p->cr, x, sup ? y - 0.42 * p->size : y);
            cairo_show_text(p->cr, run);
        }
        x += text_width(p->cr, run);
        s += n;
        if (*s == '^') s++;
        sup = !sup && s[-1] == '^';
    }
    set_font(p->cr, p->sc, p->size, 0);
    return x - x0;
}

static void panel_text(Panel *p, const char *text, double gray)
{
    cairo_set_source_rgb(p->cr, gray, gray, gray);
    double w = show_math(p, text, p->x, p->y + 0.95 * p->size);
    panel_grow(p, w, 1.3 * p->size);
}

/* Swatches and names of the classes, four to a row. */
/* One legend swatch of side sz at (x, top): a class's square, a spread's
 * translucent ellipse, or a reference's dashed stroke. */
typedef enum { SWATCH_CLASS, SWATCH_SPREAD, SWATCH_REFERENCE } Swatch;

static void draw_swatch(Panel *p, Swatch kind, int colour, double x, double top, double sz)
{
    cairo_t *cr = p->cr;
    const Style *sc = p->sc;
    if (kind == SWATCH_CLASS) {
        set_rgb(cr, sc->classes[colour % LW_MAX_CLASSES]);
        cairo_rectangle(cr, x, top, sz, sz);
        cairo_fill(cr);
        return;
    }
    if (kind == SWATCH_SPREAD) {
        cairo_new_path(cr); /* not joined to the text before it */
        cairo_save(cr);
        cairo_translate(cr, x + 0.8 * sz, top + 0.5 * sz);
        cairo_scale(cr, 0.8 * sz, 0.5 * sz);
        cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
        cairo_restore(cr);
        Rgb k = sc->text;
        cairo_set_source_rgba(cr, k.r, k.g, k.b, 0.25);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, k.r, k.g, k.b, 0.6);
        cairo_set_line_width(cr, 1.0);
        cairo_stroke(cr);
        return;
    }
    cairo_set_dash(cr, (double[]){0.35 * sz, 0.25 * sz}, 2, 0);
    set_rgb(cr, REFERENCE_RGB);
    cairo_set_line_width(cr, fmax(1.2 * unit(sc), 1.0));
    cairo_move_to(cr, x, top + 0.5 * sz);
    cairo_line_to(cr, x + 1.6 * sz, top + 0.5 * sz);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* Class swatches and names, then (when the segment has them) generated
 * samples; four to a row; the points' spreads and the fixed reference on a
 * row of their own (a narrower panel covers less of the picture). */
static void panel_legend(Panel *p, const Caption *cap)
{
    double s = 0.75 * p->size, x = p->x, row = 1.3 * p->size, w = 0;
    int n_classes = cap->n_classes, generated = cap->generated;
    int n = n_classes + (generated >= 0) + (cap->spread_name[0] != 0) +
            (cap->reference_name[0] != 0);
    for (int k = 0; k < n; k++) {
        int extra = k - n_classes - (generated >= 0); /* 0: spreads (or the reference) */
        if (k && (extra == 0 || (extra < 0 && k % 4 == 0))) {
            panel_grow(p, w, row);
            x = p->x;
        }
        Swatch kind = k < n_classes || extra < 0 ? SWATCH_CLASS
                    : extra == 0 && cap->spread_name[0] ? SWATCH_SPREAD : SWATCH_REFERENCE;
        int c = k < n_classes ? k : generated;
        char name[64];
        double sw = kind == SWATCH_CLASS ? s : 1.6 * s;
        if (kind == SWATCH_SPREAD)
            snprintf(name, sizeof name, "%s", cap->spread_name);
        else if (kind == SWATCH_REFERENCE)
            snprintf(name, sizeof name, "%s", cap->reference_name);
        else if (k < n_classes && cap->class_name[c][0]) /* a CSV's label names */
            snprintf(name, sizeof name, "%s", cap->class_name[c]);
        else if (k < n_classes)
            snprintf(name, sizeof name, n_classes > 1 ? "class %d" : "data", c + 1);
        else
            snprintf(name, sizeof name, "generated");
        if (p->draw) {
            draw_swatch(p, kind, c, x, p->y + 0.95 * p->size - s, s);
            set_rgb(p->cr, p->sc->text);
            cairo_move_to(p->cr, x + sw + 0.35 * p->size, p->y + 0.95 * p->size);
            cairo_show_text(p->cr, name);
        }
        x += sw + 0.35 * p->size + text_width(p->cr, name);
        w = x - p->x;
        x += 0.9 * p->size;
    }
    panel_grow(p, w, row);
}

/* Widths of an entry left and right of its decimal point, to align columns
 * on it. */
static void split_width(cairo_t *cr, const char *e, double *left, double *right)
{
    const char *dot = strchr(e, '.');
    char head[32];
    snprintf(head, sizeof head, "%.*s", dot ? (int)(dot - e) : (int)strlen(e), e);
    *left = text_width(cr, head);
    *right = dot ? text_width(cr, dot) : 0;
}

/* A bracket as tall as h at x, its serifs pointing by `dir` (+1 right). */
static void bracket(cairo_t *cr, double x, double y, double h, double dir, double serif)
{
    cairo_move_to(cr, x + dir * serif, y);
    cairo_line_to(cr, x, y);
    cairo_line_to(cr, x, y + h);
    cairo_line_to(cr, x + dir * serif, y + h);
    cairo_stroke(cr);
}

/* Matrices up to 4x4 are listed, and thin ones up to 6 long (a 2 -> 6
 * layer's W, a 6-unit b): a panel of more numbers is not read, only seen. */
#define MAX_LISTED 6
static int listed(int rows, int cols)
{
    return rows <= MAX_LISTED && cols <= MAX_LISTED && rows * cols <= 16;
}

/* "name =" and a bracketed (rows, cols) matrix, row-major in v, columns
 * aligned on the decimal point. */
static void panel_matrix(Panel *p, const char *name, const double *v, int rows, int cols)
{
    char e[MAX_LISTED][MAX_LISTED][40];
    double left[MAX_LISTED] = {0}, right[MAX_LISTED] = {0}, pad = 0.45 * p->size,
           row = 1.2 * p->size;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double a, b;
            char raw[32];
            format_number(v[i * cols + j], 1, raw, sizeof raw);
            e[i][j][0] = '\0';
            append_minus(e[i][j], sizeof e[i][j], raw, strlen(raw));
            split_width(p->cr, e[i][j], &a, &b);
            left[j] = fmax(left[j], a);
            right[j] = fmax(right[j], b);
        }
    char label[32];
    snprintf(label, sizeof label, "%s = ", name);
    double lw = text_width(p->cr, label), h = rows * row + 0.2 * p->size;
    double x = p->x + lw + pad;
    set_rgb(p->cr, p->sc->text);
    if (p->draw) {
        cairo_move_to(p->cr, p->x, p->y + h / 2 + 0.35 * p->size);
        cairo_show_text(p->cr, label);
        cairo_set_line_width(p->cr, fmax(0.08 * p->size, 1.0));
        bracket(p->cr, p->x + lw, p->y, h, 1, 0.3 * p->size);
    }
    for (int j = 0; j < cols; j++) {
        for (int i = 0; i < rows && p->draw; i++) {
            double a, b;
            split_width(p->cr, e[i][j], &a, &b);
            cairo_move_to(p->cr, x + left[j] - a, p->y + 0.1 * p->size + i * row + 0.95 * p->size);
            cairo_show_text(p->cr, e[i][j]);
        }
        x += left[j] + right[j] + (j + 1 < cols ? 0.9 * p->size : pad);
    }
    if (p->draw) bracket(p->cr, x, p->y, h, -1, 0.3 * p->size);
    panel_grow(p, x - p->x + 1, h + 0.3 * p->size);
}

static void panel_linear(Panel *p, const Caption *cap)
{
    char text[96], num[32];
    if (listed(cap->w_rows, cap->w_cols))
        panel_matrix(p, "W", cap->W, cap->w_rows, cap->w_cols);
    else {
        snprintf(text, sizeof text, "W is %d\xc3\x97%d: %d numbers, not listed", cap->w_rows,
                 cap->w_cols, cap->w_rows * cap->w_cols);
        panel_text(p, text, 0.1);
    }
    if (cap->has_det) {
        format_number(cap->det, 0, num, sizeof num);
        snprintf(text, sizeof text, "det W = %s", num);
        panel_text(p, text, 0.1);
    }
    if (cap->swapped) panel_text(p, "rows 1, 2 swapped (units 1, 2)", 0.45);
    if (cap->inputs_swapped) {
        snprintf(text, sizeof text, "columns 1, 2 swapped (layer %d's units)", cap->layer - 1);
        panel_text(p, text, 0.45);
    }
}

static void panel_bias(Panel *p, const Caption *cap)
{
    if (listed(cap->w_rows, 1))
        panel_matrix(p, "b", cap->b, cap->w_rows, 1);
    else {
        char text[64];
        snprintf(text, sizeof text, "b has %d entries, not listed", cap->w_rows);
        panel_text(p, text, 0.1);
    }
    if (cap->swapped) panel_text(p, "entries 1, 2 swapped (units 1, 2)", 0.45);
}

/* A vector as the worked example writes it: "[0.368, 0.135]", whole
 * numbers without decimals, at most four entries. */
static void worked_vector(const double *v, int n, char *out, size_t cap)
{
    char raw[160] = "[", num[32];
    for (int i = 0; i < n && i < 4; i++) {
        double a = fabs(v[i]);
        if (fabs(v[i] - nearbyint(v[i])) < 5e-4 || a >= 1000)
            snprintf(num, sizeof num, "%.0f", v[i]);
        else
            snprintf(num, sizeof num, "%.3f", v[i]);
        for (size_t e = strlen(num); strchr(num, '.') && num[e - 1] == '0'; e--)
            num[e - 1] = '\0'; /* 0.500 as 0.5: the digits that say something */
        if (!strcmp(num, "-0")) snprintf(num, sizeof num, "0");
        strncat(raw, i ? ", " : "", sizeof raw - strlen(raw) - 1);
        strncat(raw, num, sizeof raw - strlen(raw) - 1);
    }
    strncat(raw, n > 4 ? ", \xe2\x80\xa6]" : "]", sizeof raw - strlen(raw) - 1);
    out[0] = '\0';
    append_minus(out, cap, raw, strlen(raw));
}

/* The ring that marks the worked point, as in the frame. */
static void worked_ring(cairo_t *cr, const Style *sc, double x, double y, double r)
{
    cairo_new_path(cr); /* not joined to where text left the current point */
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    cairo_set_source_rgb(cr, sc->background.r, sc->background.g, sc->background.b);
    cairo_set_line_width(cr, 0.9 * r);
    cairo_stroke_preserve(cr);
    set_rgb(cr, sc->text);
    cairo_set_line_width(cr, 0.35 * r);
    cairo_stroke(cr);
}

/* A split activation: its steps in order, the one playing in the accent,
 * those to come faint; with a worked point, its coordinates before the
 * steps (z, ringed in the frame) and after each step done or playing. */
static void panel_steps(Panel *p, const Caption *cap)
{
    const Rgb faint = {0.72, 0.72, 0.72};
    double row = 1.3 * p->size, num_w = 0, form_w = 0;
    char num[16];
    for (int k = 0; k < cap->n_steps; k++) {
        snprintf(num, sizeof num, "%d", k + 1);
        num_w = fmax(num_w, text_width(p->cr, num));
        form_w = fmax(form_w, text_width(p->cr, cap->step_formula[k]));
    }
    double x_form = p->x + num_w + 0.6 * p->size, x_vec = x_form + form_w + 1.2 * p->size;
    double w = x_form - p->x;
    for (int k = -1; k < cap->n_steps; k++) {
        char vec[200] = "";
        int shown = k < cap->step; /* done, or playing */
        if (k < 0 && !cap->worked_dim) continue;
        if (cap->worked_dim && shown)
            worked_vector(cap->worked[k + 1], cap->worked_dim, vec, sizeof vec);
        Rgb c = k + 1 == cap->step ? ACCENT : shown ? p->sc->text : faint;
        double y = p->y + 0.95 * p->size;
        if (p->draw) {
            set_rgb(p->cr, c);
            if (k < 0) {
                cairo_move_to(p->cr, x_form, y);
                cairo_show_text(p->cr, "z");
                worked_ring(p->cr, p->sc, x_form + text_width(p->cr, "z") + 0.75 * p->size,
                            y - 0.33 * p->size, 0.32 * p->size);
            } else {
                snprintf(num, sizeof num, "%d", k + 1);
                cairo_move_to(p->cr, p->x, y);
                cairo_show_text(p->cr, num);
                cairo_move_to(p->cr, x_form, y);
                cairo_show_text(p->cr, cap->step_formula[k]);
            }
            set_rgb(p->cr, c);
            cairo_move_to(p->cr, x_vec, y);
            cairo_show_text(p->cr, vec);
        }
        double line = (vec[0] ? x_vec + text_width(p->cr, vec) : x_form + form_w) - p->x;
        panel_grow(p, fmax(w, line), row);
    }
}

/* The key of the area shading: its colour steps in a bar from x1/16 to x16,
 * the middle (area kept) the background, on a row of its own. */
static void panel_area_key(Panel *p)
{
    cairo_t *cr = p->cr;
    double s = 0.75 * p->size, cell = 0.42 * p->size, gap = 0.35 * p->size;
    double x = p->x, base = p->y + 0.95 * p->size, top = base - s;
    const char *name = "area", *lo = "\xc3\x97" "1/16", *hi = "\xc3\x97" "16";
    double bar = (2 * AREA_LEVELS + 1) * cell;
    if (p->draw) {
        set_rgb(cr, p->sc->text);
        cairo_move_to(cr, x, base);
        cairo_show_text(cr, name);
    }
    x += text_width(cr, name) + gap;
    if (p->draw) {
        cairo_move_to(cr, x, base);
        cairo_show_text(cr, lo);
    }
    x += text_width(cr, lo) + gap;
    if (p->draw) {
        cairo_save(cr);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE); /* no seams between the steps */
        for (int q = -AREA_LEVELS; q <= AREA_LEVELS; q++) {
            cairo_rectangle(cr, x + (q + AREA_LEVELS) * cell, top, cell, s);
            set_rgb(cr, p->sc->background);
            cairo_fill_preserve(cr);
            set_area_colour(cr, q);
            cairo_fill(cr);
        }
        cairo_restore(cr);
        cairo_rectangle(cr, x, top, bar, s);
        cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
        cairo_set_line_width(cr, 1.0);
        cairo_stroke(cr);
        /* area kept: a tick over the middle step */
        double mid = x + (AREA_LEVELS + 0.5) * cell;
        set_rgb(cr, p->sc->text);
        cairo_move_to(cr, mid, top - 0.2 * s);
        cairo_line_to(cr, mid, top + 1.2 * s);
        cairo_stroke(cr);
        cairo_move_to(cr, x + bar + gap, base);
        cairo_show_text(cr, hi);
    }
    x += bar + gap + text_width(cr, hi);
    panel_grow(p, x - p->x, 1.3 * p->size);
}

/* The shading's colours when they are not the classes' (a discriminator's
 * verdict): a tinted square and a name each, on a row of their own. */
static void panel_tints(Panel *p, const Caption *cap)
{
    double s = 0.75 * p->size, x = p->x, w = 0;
    for (int k = 0; k < 2; k++) {
        const char *name = cap->tint_name[k];
        if (p->draw) {
            set_rgb(p->cr, mix(p->sc->background, p->sc->classes[cap->tint_colour[k] %
                                                                  LW_MAX_CLASSES], SHADE_TINT));
            cairo_rectangle(p->cr, x, p->y + 0.95 * p->size - s, s, s);
            cairo_fill_preserve(p->cr);
            set_rgb(p->cr, p->sc->grid);
            cairo_set_line_width(p->cr, 1.0);
            cairo_stroke(p->cr);
            set_rgb(p->cr, p->sc->text);
            cairo_move_to(p->cr, x + s + 0.35 * p->size, p->y + 0.95 * p->size);
            cairo_show_text(p->cr, name);
        }
        x += s + 0.35 * p->size + text_width(p->cr, name);
        w = x - p->x;
        x += 0.9 * p->size;
    }
    panel_grow(p, w, 1.3 * p->size);
}

static void panel_items(Panel *p, const Caption *cap)
{
    int entries = cap->n_classes >= 2 || cap->generated >= 0 || cap->spread_name[0] ||
                  cap->reference_name[0];
    int legend = p->sc->show_legend && (entries || cap->area_key);
    if (legend && entries) panel_legend(p, cap);
    if (legend && cap->area_key) panel_area_key(p);
    if (p->sc->show_legend && p->sc->shade == SHADE_CLASS && cap->tint_name[0][0]) panel_tints(p, cap);
    /* a morph moves every weight at once: the curve inset says where it is */
    if (!p->sc->show_numbers || cap->before_start || cap->layer_input || cap->morph) return;
    if (legend) p->y += 0.3 * p->size;
    char text[96];
    switch (cap->kind) {
    case STAGE_LINEAR: panel_linear(p, cap); break;
    case STAGE_BIAS: panel_bias(p, cap); break;
    default:
        snprintf(text, sizeof text, cap->readout ? "%s" : "each unit: x \xe2\x86\xa6 %s",
                 cap->act_formula);
        panel_text(p, text, 0.1);
        if (cap->n_steps) panel_steps(p, cap);
        break;
    }
}

/* The panel's box in the top right corner, under the captions, on a light
 * backing so it stays legible over content that strays under it. */
static void draw_panel(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double size = draw_text_size(sc, TEXT_SMALL), pad = 0.55 * size, rect[4];
    draw_content_rect(sc, rect);
    Panel m = {cr, sc, size, 0, 0, 0, 0};
    set_font(cr, sc, size, 0);
    panel_items(&m, cap);
    if (m.w <= 0) return;
    double w = m.w + 2 * pad, h = m.y + 2 * pad - 0.3 * size;
    double x = sc->width - caption_layout(sc).x - w, y = rect[1] + 0.3 * size;
    Rgb back = backing(sc);
    cairo_set_source_rgba(cr, back.r, back.g, back.b, 0.88);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    Panel p = {cr, sc, size, 1, x + pad, y + pad, 0};
    panel_items(&p, cap);
}

/* ---- scale, axes, progress --------------------------------------------------------- */

/* The spacing among 1, 2, 5 x 10^e units closest to `want` pixels. */
static double round_step(double px_per_unit, double want)
{
    double e = pow(10, floor(log10(want / px_per_unit))), best = INFINITY, step = e;
    for (int m = 0; m < 4; m++) {
        double cand = e * (double[]){1, 2, 5, 10}[m];
        double miss = fabs(log(cand * px_per_unit / want));
        if (miss < best) {
            best = miss;
            step = cand;
        }
    }
    return step;
}

/* The camera follows the data, so a uniform stretch would not show by
 * itself: a bar of a round length in data units shows the scale instead. */
static void draw_scale_bar(cairo_t *cr, const Style *sc, double px_per_unit)
{
    double k = unit(sc), len = round_step(px_per_unit, 100 * k);
    double w = len * px_per_unit, margin = caption_layout(sc).x;
    double y = sc->height - (sc->show_progress ? STRIP_BAND * k : 0) - 12 * k;
    double x0 = sc->width - margin - w;
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr, 1.5 * k);
    cairo_move_to(cr, x0, y - 4 * k);
    cairo_line_to(cr, x0, y);
    cairo_line_to(cr, x0 + w, y);
    cairo_line_to(cr, x0 + w, y - 4 * k);
    cairo_stroke(cr);
    char text[32];
    snprintf(text, sizeof text, "%g", len);
    set_font(cr, sc, draw_text_size(sc, TEXT_TINY), 0);
    cairo_move_to(cr, x0 + (w - text_width(cr, text)) / 2, y - 6 * k);
    cairo_show_text(cr, text);
}

static void tick_label(cairo_t *cr, double v, double step, double x, double y, int right)
{
    char text[32];
    if (fabs(v) < 1e-9 * step) v = 0;
    char raw[32] = "";
    snprintf(raw, sizeof raw, "%g", v);
    /* 2e+13 as 2e13: an exp step's axes reach that far, and a label must
     * fit the margin */
    char *e = strchr(raw, 'e');
    if (e) {
        char *d = e + 1 + (e[1] == '+' || e[1] == '-'), *z = d;
        while (*z == '0' && z[1]) z++;
        memmove(e[1] == '+' ? e + 1 : d, z, strlen(z) + 1);
    }
    text[0] = '\0';
    append_minus(text, sizeof text, raw, strlen(raw));
    double w = text_width(cr, text);
    cairo_move_to(cr, right ? x - w : x - w / 2, y);
    cairo_show_text(cr, text);
}

/* Olah's ticked axes, in the units of the space on screen: the view holds its
 * scale through a layer, so the ticks say how far W stretched.  Along the
 * bottom and left of the content, thin and grey. */
static void draw_axes(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double k = unit(sc), rect[4];
    draw_content_rect(sc, rect);
    double size = draw_text_size(sc, TEXT_TINY);
    double s = cap->px_per_unit, step = round_step(s, fmax(90 * k, 5 * size));
    /* a view fitted per axis (an element-wise step) has a y scale of its own */
    double sy = cap->view.scale_y > 0 ? cap->view.scale_y : s;
    double step_y = sy == s ? step : round_step(sy, fmax(90 * k, 5 * size));
    double x0 = rect[0] + 3.2 * size, x1 = rect[0] + rect[2] - 1.2 * size;
    double y0 = rect[1] + 0.6 * size, y1 = rect[1] + rect[3] - 1.6 * size;
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, fmax(1.0 * k, 0.75));
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x0, y1);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
    set_font(cr, sc, size, 0);
    /* display x = cx + (px - ox) / s; y = cy - (py - oy) / s */
    double lo = cap->view_cx + (x0 - cap->view_ox) / s, hi = cap->view_cx + (x1 - cap->view_ox) / s;
    for (double v = ceil(lo / step) * step; v <= hi; v += step) {
        double px = cap->view_ox + s * (v - cap->view_cx);
        cairo_move_to(cr, px, y1);
        cairo_line_to(cr, px, y1 + 4 * k);
        cairo_stroke(cr);
        tick_label(cr, v, step, px, y1 + 4 * k + size, 0);
    }
    lo = cap->view_cy - (y1 - cap->view_oy) / sy;
    hi = cap->view_cy - (y0 - cap->view_oy) / sy;
    for (double v = ceil(lo / step_y) * step_y; v <= hi; v += step_y) {
        double py = cap->view_oy - sy * (v - cap->view_cy);
        cairo_move_to(cr, x0 - 4 * k, py);
        cairo_line_to(cr, x0, py);
        cairo_stroke(cr);
        tick_label(cr, v, step_y, x0 - 6 * k, py + 0.35 * size, 1);
    }
}

/* A strip of one cell per stage: done cells dark, the current one filling. */
static void draw_strip(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double k = unit(sc), h = 5 * k, gap = 3 * k, margin = caption_layout(sc).x;
    double y = sc->height - (STRIP_BAND * k + h) / 2;
    double total = sc->width - 2 * margin;
    double cell = (total - gap * (cap->n_stages - 1)) / cap->n_stages;
    for (int s = 0; s < cap->n_stages; s++) {
        double x = margin + s * (cell + gap);
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_rectangle(cr, x, y, cell, h);
        cairo_fill(cr);
        double fill = cap->before_start ? 0 : s < cap->stage ? 1 : s == cap->stage ? cap->u : 0;
        if (fill > 0) {
            set_rgb(cr, s == cap->stage ? ACCENT : sc->text);
            cairo_rectangle(cr, x, y, cell * fill, h);
            cairo_fill(cr);
        }
    }
}

/* ---- the training curve --------------------------------------------------------- */

/* x of a step in the inset: log(1 + step), so the first steps, where most
 * changes, get room. */
static double curve_x(double step, int last, double x0, double w)
{
    return x0 + w * log1p(step) / log1p(last > 0 ? last : 1);
}

static void curve_path(cairo_t *cr, const Caption *cap, const double *v, double lo, double hi,
                       double x0, double y0, double w, double h)
{
    int last = cap->curve_step[cap->n_curve - 1];
    for (int i = 0; i < cap->n_curve; i++) {
        double f = hi > lo ? (v[i] - lo) / (hi - lo) : 0.5;
        double x = curve_x(cap->curve_step[i], last, x0, w), y = y0 + h * (1 - f);
        if (i) cairo_line_to(cr, x, y);
        else cairo_move_to(cr, x, y);
    }
}

/* The inset's row: at a checkpoint its step, loss and accuracy as training
 * measured them; on a morph's way between two, the steps and the accuracy
 * of the network on screen (its loss was never a training step's). */
static void curve_texts(const Caption *cap, int at, char text[3][64])
{
    int between = cap->morph && cap->morph_u > 0 && cap->morph_u < 1;
    if (cap->morph && cap->morph_u >= 1) /* arrived: the next checkpoint's figures */
        for (int i = at; i < cap->n_curve && cap->curve_step[i] <= cap->morph_to; i++) at = i;
    if (!between) {
        snprintf(text[0], 64, "step %d", cap->morph && cap->morph_u >= 1 ? cap->morph_to
                                                                           : cap->at_step);
        if (cap->curve_name[0] && cap->curve_name[0][0]) { /* two losses (a GAN's) */
            snprintf(text[1], 64, "%s %.3f", cap->curve_name[0], cap->curve_loss[at]);
            snprintf(text[2], 64, "%s %.3f", cap->curve_name[1], cap->curve_accuracy[at]);
            return;
        }
        snprintf(text[1], 64, "loss %.3f", cap->curve_loss[at]);
        snprintf(text[2], 64, "accuracy %.1f %%", 100 * cap->curve_accuracy[at]);
        return;
    }
    snprintf(text[0], 64, "step %d \xe2\x86\x92 %d", cap->at_step, cap->morph_to);
    snprintf(text[1], 64, "%s", "");
    if (cap->morph_accuracy >= 0)
        snprintf(text[2], 64, "accuracy %.1f %%", 100 * cap->morph_accuracy);
    else
        snprintf(text[2], 64, "%s", "");
}

/* A small plot, bottom right: the loss (dark, from 0 to its largest) and
 * the accuracy (green, from 0 to 1) over the training steps on a log axis,
 * with a cursor at the step the frame shows. */
static void draw_curve_inset(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double k = unit(sc), small = draw_text_size(sc, TEXT_TINY), x0, y0, w, h;
    curve_inset_box(sc, &x0, &y0, &w, &h);
    double max_loss = 0;
    int at = 0, last = cap->curve_step[cap->n_curve - 1];
    /* two losses (a GAN's) share one scale; a loss and an accuracy do not */
    int two = cap->curve_name[0] && cap->curve_name[0][0];
    for (int i = 0; i < cap->n_curve; i++) {
        max_loss = fmax(max_loss, cap->curve_loss[i]);
        if (two) max_loss = fmax(max_loss, cap->curve_accuracy[i]);
        if (cap->curve_step[i] <= cap->at_step) at = i;
    }
    Rgb second = two ? sc->arrow : sc->classes[2];
    Rgb back = backing(sc);
    cairo_set_source_rgba(cr, back.r, back.g, back.b, 0.88);
    cairo_rectangle(cr, x0 - 8 * k, y0 - 2.2 * small - 4 * k, w + 16 * k, h + 3.6 * small + 8 * k);
    cairo_fill_preserve(cr);
    set_rgb(cr, sc->grid);
    cairo_set_line_width(cr, fmax(1.0, k));
    cairo_stroke(cr);
    cairo_move_to(cr, x0, y0 + h);
    cairo_line_to(cr, x0 + w, y0 + h);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 2 * k);
    set_rgb(cr, sc->text);
    curve_path(cr, cap, cap->curve_loss, 0, max_loss, x0, y0, w, h);
    cairo_stroke(cr);
    set_rgb(cr, second);
    curve_path(cr, cap, cap->curve_accuracy, 0, two ? max_loss : 1, x0, y0, w, h);
    cairo_stroke(cr);
    double cx = curve_x(cap->cursor_step, last, x0, w);
    cairo_set_source_rgb(cr, 0.84, 0.15, 0.16);
    cairo_move_to(cr, cx, y0 - 2);
    cairo_line_to(cr, cx, y0 + h);
    cairo_stroke(cr);
    /* the step, loss and accuracy in a row across the plot's width, the
     * text made smaller when the row would not fit */
    char text[3][64];
    curve_texts(cap, at, text);
    double gap = 0.8 * small, need = 2 * gap;
    for (int i = 0; i < 3; i++) {
        set_font(cr, sc, small, i == 0);
        need += text_width(cr, text[i]);
    }
    double size = need > w ? small * w / need : small, x = x0;
    const Rgb colour[3] = {{0.84, 0.15, 0.16}, sc->text, second};
    for (int i = 0; i < 3; i++) {
        set_font(cr, sc, size, i == 0);
        set_rgb(cr, colour[i]);
        cairo_move_to(cr, x, y0 - 0.8 * small);
        cairo_show_text(cr, text[i]);
        x += text_width(cr, text[i]) + gap * size / small;
    }
    set_font(cr, sc, small, 0);
    set_rgb(cr, sc->text);
    cairo_move_to(cr, x0, y0 + h + 1.2 * small);
    cairo_show_text(cr, "0");
    char steps[64];
    snprintf(steps, sizeof steps, "%d steps (log)", last);
    cairo_move_to(cr, x0 + w - text_width(cr, steps), y0 + h + 1.2 * small);
    cairo_show_text(cr, steps);
}

int draw_frame(cairo_t *cr, const Style *sc, const FrameGeom *fg, const Caption *cap)
{
    if (see_through(sc)) {
        clear_to_background(cr, sc, 1);
    } else {
        set_rgb(cr, sc->background);
        cairo_paint(cr);
    }
    if (fg->half_alpha > 0 && cap)
        draw_halves(cr, sc, fg);
    if (sc->shade == SHADE_CLASS && fg->shade_cells && cap && fg->shade_class)
        draw_shade(cr, sc, fg, fg->shade_class);
    if (sc->shade == SHADE_AREA && fg->area_cells) {
        draw_area(cr, fg);
        draw_folds(cr, sc, fg);
    }
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_tolerance(cr, 0.25); /* discs of a few pixels need no finer polygons */
    if (sc->show_grid) /* the reference is a grid too (a prior's) */
        draw_reference(cr, sc, fg);
    int points_rc = cap && !cap->flat && sc->depth_cues ? draw_content_3d(cr, sc, fg, cap)
                                                        : draw_content_flat(cr, sc, fg);
    if (fg->n_marks) { /* latent paths: every path has marked codes */
        Rgb c = path_colour(sc, cap);
        draw_path_lines(cr, sc, fg, c);
        draw_path_marks(cr, sc, fg, c);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    }
    if (sc->show_boundary) {
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        draw_planes(cr, sc, fg);
        cairo_set_dash(cr, (double[]){8 * unit(sc), 5 * unit(sc)}, 2, 0);
        draw_lines(cr, sc, fg, LINE_OVERLAY, sc->boundary, sc->boundary_width);
        cairo_set_dash(cr, NULL, 0, 0);
        draw_marks(cr, sc, fg);
    }
    if (cap && cap->worked_mark && sc->show_points)
        worked_ring(cr, sc, cap->worked_px, cap->worked_py, 2.6 * sc->point_radius * unit(sc));
    if (sc->show_captions && cap) {
        /* a white band keeps text legible over content that strays up */
        double rect[4];
        draw_content_rect(sc, rect);
        cairo_rectangle(cr, 0, 0, sc->width, rect[1]);
        if (see_through(sc)) {
            clear_to_background(cr, sc, 0);
        } else {
            set_rgb(cr, sc->background);
            cairo_fill(cr);
        }
    }
    /* the captions' layer: over a missing background, in a group that gets a halo */
    if (see_through(sc))
        cairo_push_group(cr);
    if (sc->show_captions && cap)
        draw_captions(cr, sc, cap);
    /* the panel is part of the captions: without them, a clean picture */
    if (sc->show_captions && cap && (sc->show_numbers || sc->show_legend))
        draw_panel(cr, sc, cap);
    if (sc->show_progress && cap)
        draw_strip(cr, sc, cap);
    if (sc->show_captions && cap && cap->px_per_unit > 0 && sc->scale_bar)
        draw_scale_bar(cr, sc, cap->px_per_unit);
    if (sc->axes && cap && cap->px_per_unit > 0 && cap->flat)
        draw_axes(cr, sc, cap);
    if (sc->show_captions && cap && cap->has_step && cap->n_curve > 1)
        draw_curve_inset(cr, sc, cap);
    if (see_through(sc))
        pop_with_halo(cr, sc);
    return points_rc ? points_rc : (int)cairo_status(cr);
}

/* ---- the contact sheet ------------------------------------------------------ */

/* Frames per row: up to four in one row, more in two (a sheet of an
 * activation's element-wise steps has up to eight). */
static int sheet_columns(int n)
{
    return n <= 4 ? n : (n + 1) / 2;
}

static void paint_sheet(cairo_t *cr, const Style *st, cairo_surface_t *const *frames,
                        const char *const *titles, int n)
{
    double scale = 0.5, pad = 12, title = 34;
    int cw = (int)(st->width * scale), ch = (int)(st->height * scale), cols = sheet_columns(n);
    cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
    cairo_paint(cr);
    for (int i = 0; i < n; i++) {
        double top = (i / cols) * (ch + pad + title);
        double x = pad + (i % cols) * (cw + pad), y = top + pad + title;
        cairo_select_font_face(cr, st->font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, 20);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_move_to(cr, x, top + pad + 22);
        cairo_show_text(cr, titles[i]);
        cairo_save(cr);
        cairo_translate(cr, x, y);
        cairo_scale(cr, scale, scale);
        cairo_set_source_surface(cr, frames[i], 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
        cairo_set_line_width(cr, 1);
        cairo_rectangle(cr, x - 0.5, y - 0.5, cw + 1, ch + 1);
        cairo_stroke(cr);
    }
}

void draw_panel_divider(cairo_t *cr, const Style *sc, double x)
{
    set_rgb(cr, sc->grid);
    cairo_set_line_width(cr, fmax(1.0, 1.5 * unit(sc)));
    cairo_move_to(cr, x, 0);
    cairo_line_to(cr, x, sc->height);
    cairo_stroke(cr);
}

int draw_contact_sheet(const Style *st, const uint8_t *const *frames, int stride,
                       const char *const *titles, int n, uint8_t **sheet, int *width,
                       int *height, int *sheet_stride, LwError *err)
{
    double pad = 12, title = 34;
    int cw = (int)(st->width * 0.5), ch = (int)(st->height * 0.5);
    int cols = sheet_columns(n > 0 ? n : 1), rows = (n + cols - 1) / cols;
    int W = (int)(cols * cw + (cols + 1) * pad);
    int H = (int)(rows * (ch + title) + (rows + 1) * pad);
    int ss = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, W);
    cairo_surface_t *src[8] = {NULL};
    uint8_t *px = calloc((size_t)ss * H, 1);
    cairo_surface_t *out = px ? cairo_image_surface_create_for_data(px, CAIRO_FORMAT_ARGB32,
                                                                     W, H, ss)
                              : NULL;
    int rc = LW_OK;
    if (!px || n > 8 || cairo_surface_status(out) != CAIRO_STATUS_SUCCESS)
        rc = lw_fail(err, LW_ERUNTIME, "cannot allocate a %dx%d contact sheet", W, H);
    for (int i = 0; i < n && !rc; i++) {
        /* Cairo reads, never writes, a source surface */
        src[i] = cairo_image_surface_create_for_data((uint8_t *)frames[i], CAIRO_FORMAT_ARGB32,
                                                     st->width, st->height, stride);
        if (cairo_surface_status(src[i]) != CAIRO_STATUS_SUCCESS)
            rc = lw_fail(err, LW_ERUNTIME, "cannot read frame %d for the contact sheet", i);
    }
    if (!rc) {
        cairo_t *cr = cairo_create(out);
        paint_sheet(cr, st, src, titles, n);
        cairo_status_t cs = cairo_status(cr); /* before destroy: the context's own errors */
        cairo_destroy(cr);
        cairo_surface_flush(out);
        if (cs != CAIRO_STATUS_SUCCESS || cairo_surface_status(out) != CAIRO_STATUS_SUCCESS)
            rc = lw_fail(err, LW_ERUNTIME, "drawing the contact sheet failed: %s",
                         cairo_status_to_string(cs));
    }
    for (int i = 0; i < n && i < 8; i++)
        if (src[i]) cairo_surface_destroy(src[i]);
    if (out) cairo_surface_destroy(out);
    if (rc) {
        free(px);
        return rc;
    }
    *sheet = px;
    *width = W;
    *height = H;
    *sheet_stride = ss;
    return LW_OK;
}

/* Both weights at the size of small text: fontconfig's configuration and
 * the font file are loaded once for the process; the frames' own sizes
 * then only scale what is loaded. */
static void *load_fonts(void *arg)
{
    const FontLoader *f = arg;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(s);
    for (int bold = 0; bold < 2; bold++) {
        cairo_text_extents_t ext;
        set_font(cr, &f->style, draw_text_size(&f->style, TEXT_SMALL), bold);
        cairo_text_extents(cr, "0123456789", &ext);
    }
    cairo_destroy(cr); /* an error here is met again, and reported, by the frame */
    cairo_surface_destroy(s);
    return NULL;
}

void draw_fonts_start(FontLoader *f, const Style *st)
{
    f->style = *st;
    f->started = pthread_create(&f->thread, NULL, load_fonts, f) == 0;
}

void draw_fonts_wait(FontLoader *f)
{
    if (f->started) pthread_join(f->thread, NULL);
    f->started = 0;
}

const char *draw_cairo_version(void)
{
    return cairo_version_string();
}

void draw_release_caches(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
