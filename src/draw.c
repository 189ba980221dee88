/* draw.c — paints a frame with Cairo: background, warped grid, the outline
 * of the input domain, data (points or curves), decision boundary, captions
 * and a strip showing where in the network the frame is.
 *
 * Sizes in the scene are pixels at 720p and scale with the frame height, so a
 * 1080p render looks like a sharper 720p one. */
#include "draw.h"

#include <cairo.h>

#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAPTION_BAND 2.9  /* caption band height, in caption sizes */
#define STRIP_BAND 22.0   /* progress strip band at the bottom, px at 720p */

static double unit(const Style *sc)
{
    return sc->height / 720.0;
}

void draw_content_rect(const Style *sc, double rect[4])
{
    double k = unit(sc), top = 0, bottom = 0;
    if (sc->show_captions)
        top = CAPTION_BAND * sc->caption_size * k;
    if (sc->show_progress)
        bottom = STRIP_BAND * k;
    rect[0] = 0;
    rect[1] = top;
    rect[2] = sc->width;
    rect[3] = sc->height - top - bottom;
}

static void set_rgb(cairo_t *cr, Rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void stroke_line(cairo_t *cr, const FrameGeom *fg, int l)
{
    int a = fg->line_start[l], b = fg->line_start[l + 1];
    if (b - a < 2) return;
    cairo_move_to(cr, fg->lxy[2 * a], fg->lxy[2 * a + 1]);
    for (int i = a + 1; i < b; i++)
        cairo_line_to(cr, fg->lxy[2 * i], fg->lxy[2 * i + 1]);
    /* one stroke per line: cheaper in Cairo 1.16 than one huge path */
    cairo_stroke(cr);
}

static void draw_lines(cairo_t *cr, const Style *sc, const FrameGeom *fg, LineKind kind,
                       Rgb color, double width)
{
    set_rgb(cr, color);
    cairo_set_line_width(cr, width * unit(sc));
    for (int l = 0; l < fg->n_lines; l++) {
        if (fg->line_kind[l] != kind) continue;
        if (kind == LINE_CURVE)
            set_rgb(cr, sc->classes[fg->line_label[l] % LW_MAX_CLASSES]);
        stroke_line(cr, fg, l);
    }
}

static void draw_points(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    double r = sc->point_radius * unit(sc);
    double w = sc->width, h = sc->height;
    for (int k = 0; k < fg->n_points; k++) {
        int i = fg->order[k];
        double x = fg->px[i], y = fg->py[i];
        if (!fg->disc[i] || x < -r || y < -r || x > w + r || y > h + r) continue;
        set_rgb(cr, sc->classes[fg->label[i] % LW_MAX_CLASSES]);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

/* Cells of one class, row by row: each run of neighbours becomes one
 * polygon, and all of a class's polygons one fill, so no seams show inside a
 * region; the seams between classes are the decision boundary. */
static void draw_shade(cairo_t *cr, const Style *sc, const FrameGeom *fg, const int *cls,
                       int n_classes)
{
    int S = fg->shade_cells;
    const double *xy = fg->shade_xy;
    const double tint = 0.16; /* share of the class colour over the background */
    for (int c = 0; c < n_classes; c++) {
        Rgb k = sc->classes[c % LW_MAX_CLASSES], b = sc->background;
        cairo_set_source_rgb(cr, b.r + tint * (k.r - b.r), b.g + tint * (k.g - b.g),
                             b.b + tint * (k.b - b.b));
        for (int j = 0; j < S; j++)
            for (int i = 0; i < S; i++) {
                if (cls[j * S + i] != c) continue;
                int i1 = i;
                while (i1 + 1 < S && cls[j * S + i1 + 1] == c) i1++;
                int lo = j * (S + 1), hi = (j + 1) * (S + 1);
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

/* The readout's two half-planes, tinted by the class each side gives. */
static void draw_halves(cairo_t *cr, const Style *sc, const FrameGeom *fg)
{
    const double tint = 0.16 * fg->half_alpha;
    Rgb b = sc->background;
    for (int side = 0; side < 2; side++) {
        Rgb k = sc->classes[side];
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
        cairo_set_source_rgba(cr, sc->boundary.r, sc->boundary.g, sc->boundary.b, 0.12);
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

/* ---- captions -------------------------------------------------------------- */

typedef struct {
    const char *text;
    int part;   /* 0 always dark; 1 linear; 2 bias; 3 activation */
} Piece;

static void draw_formula(cairo_t *cr, const Style *sc, const Caption *cap, double x, double y)
{
    double k = unit(sc), size = sc->caption_size * k;
    char act[48];
    snprintf(act, sizeof act, "%s(", act_name(cap->act));
    Piece pieces[] = {{"layer ", 0}, {"", 0}, {"h = ", 0}, {act, 3}, {"W", 1},
                      {" x", 0}, {" + b", 2}, {")", 3}};
    char num[32];
    snprintf(num, sizeof num, "%d/%d  ", cap->layer, cap->n_layers);
    pieces[1].text = num;
    const Rgb accent = {0.84, 0.15, 0.16}, faint = {0.72, 0.72, 0.72};
    int active = cap->before_start ? 0 : (int)cap->kind + 1;
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        const Piece *p = &pieces[i];
        int bold = p->part && p->part == active;
        cairo_select_font_face(cr, sc->font, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, size);
        if (p->part == 0 || (!cap->before_start && p->part < active))
            set_rgb(cr, sc->text);
        else if (bold)
            set_rgb(cr, accent);
        else
            set_rgb(cr, faint);
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, p->text);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, p->text, &ext);
        x += ext.x_advance;
    }
}

static void describe_stage(const Caption *cap, char *out, size_t n);

static void describe(const Caption *cap, char *out, size_t n)
{
    describe_stage(cap, out, n);
    size_t len = strlen(out);
    if (cap->view_note[0] && len + 4 < n)
        snprintf(out + len, n - len, "  (%s)", cap->view_note);
}

static void describe_stage(const Caption *cap, char *out, size_t n)
{
    if (cap->before_start) {
        snprintf(out, n, "the input: each point and grid line as the network receives it");
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
        snprintf(out, n, "apply %s to each coordinate", act_name(cap->act));
        break;
    }
}

static void draw_captions(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double k = unit(sc), size = sc->caption_size * k;
    double x = 0.9 * size, y = 1.25 * size;
    draw_formula(cr, sc, cap, x, y);
    char line[200];
    describe(cap, line, sizeof line);
    cairo_select_font_face(cr, sc->font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 0.68 * size);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    cairo_move_to(cr, x, y + 1.05 * size);
    cairo_show_text(cr, line);
    if (cap->summary[0]) {
        cairo_text_extents_t ext;
        cairo_text_extents(cr, cap->summary, &ext);
        cairo_move_to(cr, sc->width - x - ext.x_advance, y);
        cairo_show_text(cr, cap->summary);
    }
}

/* The camera follows the data, so a uniform stretch would not show by
 * itself: a bar of a round length in data units shows the scale instead. */
static void draw_scale_bar(cairo_t *cr, const Style *sc, double px_per_unit)
{
    double k = unit(sc), want = 100 * k;
    /* the length among 1, 2, 5 x 10^e whose bar is closest to `want` pixels */
    double e = pow(10, floor(log10(want / px_per_unit))), len = e, best = INFINITY;
    for (int m = 0; m < 4; m++) {
        double cand = e * (double[]){1, 2, 5, 10}[m];
        double miss = fabs(log(cand * px_per_unit / want));
        if (miss < best) { best = miss; len = cand; }
    }
    double w = len * px_per_unit, margin = 0.9 * sc->caption_size * k;
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
    cairo_select_font_face(cr, sc->font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 0.55 * sc->caption_size * k);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text, &ext);
    cairo_move_to(cr, x0 + (w - ext.x_advance) / 2, y - 6 * k);
    cairo_show_text(cr, text);
}

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

static void tick_label(cairo_t *cr, double v, double step, double x, double y, int right)
{
    char text[32];
    if (fabs(v) < 1e-9 * step) v = 0;
    snprintf(text, sizeof text, "%g", v);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text, &ext);
    cairo_move_to(cr, right ? x - ext.x_advance : x - ext.x_advance / 2, y);
    cairo_show_text(cr, text);
}

/* Olah's ticked axes, in the units of the space on screen: the view holds its
 * scale through a layer, so the ticks say how far W stretched.  Along the
 * bottom and left of the content, thin and grey. */
static void draw_axes(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double k = unit(sc), rect[4];
    draw_content_rect(sc, rect);
    double s = cap->px_per_unit, step = round_step(s, 90 * k), size = 0.5 * sc->caption_size * k;
    double x0 = rect[0] + 3.2 * size, x1 = rect[0] + rect[2] - 1.2 * size;
    double y0 = rect[1] + 0.6 * size, y1 = rect[1] + rect[3] - 1.6 * size;
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 1.0 * k);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x0, y1);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
    cairo_select_font_face(cr, sc->font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    /* display x = cx + (px - ox) / s; y = cy - (py - oy) / s */
    double lo = cap->view_cx + (x0 - cap->view_ox) / s, hi = cap->view_cx + (x1 - cap->view_ox) / s;
    for (double v = ceil(lo / step) * step; v <= hi; v += step) {
        double px = cap->view_ox + s * (v - cap->view_cx);
        cairo_move_to(cr, px, y1);
        cairo_line_to(cr, px, y1 + 4 * k);
        cairo_stroke(cr);
        tick_label(cr, v, step, px, y1 + 4 * k + size, 0);
    }
    lo = cap->view_cy - (y1 - cap->view_oy) / s;
    hi = cap->view_cy - (y0 - cap->view_oy) / s;
    for (double v = ceil(lo / step) * step; v <= hi; v += step) {
        double py = cap->view_oy - s * (v - cap->view_cy);
        cairo_move_to(cr, x0 - 4 * k, py);
        cairo_line_to(cr, x0, py);
        cairo_stroke(cr);
        tick_label(cr, v, step, x0 - 6 * k, py + 0.35 * size, 1);
    }
}

/* A strip of one cell per stage: done cells dark, the current one filling. */
static void draw_strip(cairo_t *cr, const Style *sc, const Caption *cap)
{
    double k = unit(sc), h = 5 * k, gap = 3 * k, margin = 0.9 * sc->caption_size * k;
    double y = sc->height - (STRIP_BAND * k + h) / 2;
    double total = sc->width - 2 * margin;
    double cell = (total - gap * (cap->n_stages - 1)) / cap->n_stages;
    for (int s = 0; s < cap->n_stages; s++) {
        double x = margin + s * (cell + gap);
        /* a wider gap between layers reads as grouping */
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_rectangle(cr, x, y, cell, h);
        cairo_fill(cr);
        double fill = cap->before_start ? 0 : s < cap->stage ? 1 : s == cap->stage ? cap->u : 0;
        if (fill > 0) {
            set_rgb(cr, s == cap->stage ? (Rgb){0.84, 0.15, 0.16} : sc->text);
            cairo_rectangle(cr, x, y, cell * fill, h);
            cairo_fill(cr);
        }
    }
}

int draw_frame(cairo_t *cr, const Style *sc, const FrameGeom *fg, const Caption *cap)
{
    const Style *r = sc, *st = sc;
    set_rgb(cr, st->background);
    cairo_paint(cr);
    if (fg->half_alpha > 0 && cap)
        draw_halves(cr, sc, fg);
    if (r->show_shade && fg->shade_cells && cap && fg->shade_class)
        draw_shade(cr, sc, fg, fg->shade_class, cap->n_classes);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_tolerance(cr, 0.25); /* discs of a few pixels need no finer polygons */
    if (r->show_grid)
        draw_lines(cr, sc, fg, LINE_GRID, st->grid, st->grid_width);
    if (r->show_domain)
        draw_lines(cr, sc, fg, LINE_DOMAIN, st->domain, st->domain_width);
    if (r->show_points) {
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        draw_lines(cr, sc, fg, LINE_CURVE, st->classes[0], st->curve_width);
        draw_points(cr, sc, fg);
    }
    if (r->show_boundary) {
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        draw_planes(cr, sc, fg);
        cairo_set_dash(cr, (double[]){8 * unit(sc), 5 * unit(sc)}, 2, 0);
        draw_lines(cr, sc, fg, LINE_OVERLAY, st->boundary, st->boundary_width);
        cairo_set_dash(cr, NULL, 0, 0);
        draw_marks(cr, sc, fg);
    }
    if (r->show_captions && cap) {
        /* a white band keeps text legible over content that strays up */
        double rect[4];
        draw_content_rect(sc, rect);
        set_rgb(cr, st->background);
        cairo_rectangle(cr, 0, 0, r->width, rect[1]);
        cairo_fill(cr);
        draw_captions(cr, sc, cap);
    }
    if (r->show_progress && cap)
        draw_strip(cr, sc, cap);
    if (r->show_captions && cap && cap->px_per_unit > 0 && r->scale_bar)
        draw_scale_bar(cr, sc, cap->px_per_unit);
    if (r->axes && cap && cap->px_per_unit > 0 && cap->flat)
        draw_axes(cr, sc, cap);
    return cairo_status(cr);
}

/* ---- the contact sheet ------------------------------------------------------ */

static void paint_sheet(cairo_t *cr, const Style *st, cairo_surface_t *const *frames,
                        const char *const *titles, int n)
{
    double scale = 0.5, pad = 12, title = 34;
    int cw = (int)(st->width * scale), ch = (int)(st->height * scale);
    cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
    cairo_paint(cr);
    for (int i = 0; i < n; i++) {
        double x = pad + i * (cw + pad), y = pad + title;
        cairo_select_font_face(cr, st->font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, 20);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_move_to(cr, x, pad + 22);
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

int draw_contact_sheet(const Style *st, const uint8_t *const *frames, int stride,
                       const char *const *titles, int n, uint8_t **sheet, int *width,
                       int *height, int *sheet_stride, LwError *err)
{
    double pad = 12, title = 34;
    int cw = (int)(st->width * 0.5), ch = (int)(st->height * 0.5);
    int W = (int)(n * cw + (n + 1) * pad), H = (int)(ch + 2 * pad + title);
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

const char *draw_cairo_version(void)
{
    return cairo_version_string();
}

void draw_release_caches(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
