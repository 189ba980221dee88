/* disc.c — discs stamped from coverage masks (see disc.h for why).
 *
 * Invariants: a mask is Cairo's own coverage of a disc whose centre sits
 * `centre` + phase/DISC_PHASES pixels into its cell, drawn with the frame's
 * tolerance and antialiasing; the colour goes through it with the
 * arithmetic Cairo's image compositor uses for an opaque fill (a per-channel
 * lerp in 8 bits, rounded the same way), so a stamp at a quarter pixel
 * leaves the bytes cairo_arc + cairo_fill would.  Masks live for one
 * disc_begin .. disc_end: nothing is kept between frames, and a mask's
 * bytes do not depend on which disc asked for it first, so frames are the
 * same whatever thread or order draws them. */
#include "disc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RADIUS_STEP (1.0 / 16) /* px between masks' radii when a frame asks for several */
#define N_PHASES (DISC_PHASES * DISC_PHASES)

/* Two channels at once (0x00XX00YY): each times a / 255 in 8 bits, rounded
 * as Cairo's compositor rounds (t = x a + 127, (t + t / 256) / 256). */
#define TWO_CHANNELS 0x00ff00ffu
static uint32_t mul_two(uint32_t x, uint32_t a)
{
    uint32_t t = x * a + 0x007f007fu;
    return ((t + ((t >> 8) & TWO_CHANNELS)) >> 8) & TWO_CHANNELS;
}

/* Their sums, each held at 255 (a carry into bit 8 turns the channel to 0xff). */
static uint32_t add_two_saturated(uint32_t x, uint32_t y)
{
    uint32_t t = x + y;
    t |= 0x01000100u - ((t >> 8) & TWO_CHANNELS);
    return t & TWO_CHANNELS;
}

/* The colour a share `a` of the way over dst, every channel (alpha too: a
 * see-through frame's alpha grows as Cairo's would). */
static uint32_t lerp_pixel(uint32_t src, uint32_t a, uint32_t dst)
{
    uint32_t rb = add_two_saturated(mul_two(src & TWO_CHANNELS, a), mul_two(dst & TWO_CHANNELS, 255 - a));
    uint32_t ag = add_two_saturated(mul_two((src >> 8) & TWO_CHANNELS, a),
                                    mul_two((dst >> 8) & TWO_CHANNELS, 255 - a));
    return rb | ag << 8;
}

/* A channel in [0, 1] as Cairo stores a colour: 16 bits, then the top 8. */
static uint32_t channel(double v)
{
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    return (uint32_t)(uint16_t)(v * 65535.0 + 0.5) >> 8;
}

static uint32_t opaque_pixel(double r, double g, double b)
{
    return 0xff000000u | channel(r) << 16 | channel(g) << 8 | channel(b);
}

static int identity_transform(cairo_t *cr)
{
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    return m.xx == 1 && m.yy == 1 && m.xy == 0 && m.yx == 0 && m.x0 == 0 && m.y0 == 0;
}

/* The clip as one rectangle of whole pixels, or 0 when it is anything else. */
static int clip_box(cairo_t *cr, int box[4])
{
    cairo_rectangle_list_t *l = cairo_copy_clip_rectangle_list(cr);
    int ok = l->status == CAIRO_STATUS_SUCCESS && l->num_rectangles == 1;
    if (ok) {
        const cairo_rectangle_t *r = &l->rectangles[0];
        ok = r->x == floor(r->x) && r->y == floor(r->y) && r->width == floor(r->width) &&
             r->height == floor(r->height) && fabs(r->x) < 1e6 && fabs(r->y) < 1e6 &&
             r->width < 1e6 && r->height < 1e6;
        if (ok) {
            box[0] = (int)r->x;
            box[1] = (int)r->y;
            box[2] = (int)(r->x + r->width);
            box[3] = (int)(r->y + r->height);
        }
    }
    cairo_rectangle_list_destroy(l);
    return ok;
}

/* Whether Cairo would fill a disc here the way a stamp does. */
static int stampable(cairo_t *cr, double r_min, double r_max)
{
    cairo_antialias_t aa = cairo_get_antialias(cr);
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS &&
           cairo_get_target(cr) == cairo_get_group_target(cr) && identity_transform(cr) &&
           cairo_get_operator(cr) == CAIRO_OPERATOR_OVER &&
           (aa == CAIRO_ANTIALIAS_DEFAULT || aa == CAIRO_ANTIALIAS_GRAY) && r_min > 0 &&
           r_min <= r_max && r_max <= DISC_MAX_RADIUS;
}

static void release(DiscStamper *ds)
{
    if (ds->scr) cairo_destroy(ds->scr);
    if (ds->scratch) cairo_surface_destroy(ds->scratch);
    if (ds->image) cairo_surface_unmap_image(ds->target, ds->image);
    free(ds->masks);
    free(ds->row_span);
    free(ds->ready);
    memset(ds, 0, sizeof *ds);
}

int disc_begin(DiscStamper *ds, cairo_t *cr, double r_min, double r_max)
{
    memset(ds, 0, sizeof *ds);
    int box[4];
    if (!stampable(cr, r_min, r_max) || !clip_box(cr, box)) return 0;
    ds->target = cairo_get_target(cr);
    cairo_surface_flush(ds->target);
    ds->image = cairo_surface_map_to_image(ds->target, NULL);
    if (cairo_surface_status(ds->image) != CAIRO_STATUS_SUCCESS ||
        cairo_image_surface_get_format(ds->image) != CAIRO_FORMAT_ARGB32 ||
        !cairo_image_surface_get_data(ds->image)) {
        release(ds);
        return 0;
    }
    ds->px = cairo_image_surface_get_data(ds->image);
    ds->stride = cairo_image_surface_get_stride(ds->image);
    ds->clip[0] = box[0] > 0 ? box[0] : 0;
    ds->clip[1] = box[1] > 0 ? box[1] : 0;
    int w = cairo_image_surface_get_width(ds->image), h = cairo_image_surface_get_height(ds->image);
    ds->clip[2] = box[2] < w ? box[2] : w;
    ds->clip[3] = box[3] < h ? box[3] : h;

    /* one radius exactly when the frame has one (a flat frame), else steps
     * of RADIUS_STEP from the smallest to the largest asked */
    int n = r_max - r_min < 1e-9 ? 1 : (int)ceil((r_max - r_min) / RADIUS_STEP) + 1;
    ds->n_radii = n < DISC_MAX_RADII ? n : DISC_MAX_RADII;
    ds->r_min = r_min;
    ds->r_step = ds->n_radii > 1 ? (r_max - r_min) / (ds->n_radii - 1) : 0;
    ds->centre = (int)ceil(r_max) + 1;
    ds->cell = 2 * ds->centre + 1; /* the disc reaches centre + 3/4 + r_max < cell */
    size_t n_masks = (size_t)ds->n_radii * N_PHASES, area = (size_t)ds->cell * ds->cell;
    ds->masks = malloc(n_masks * area);
    ds->row_span = malloc(n_masks * 2 * ds->cell);
    ds->ready = calloc(n_masks, 1);
    ds->scratch = cairo_image_surface_create(CAIRO_FORMAT_A8, ds->cell, ds->cell);
    ds->scr = cairo_create(ds->scratch);
    if (!ds->masks || !ds->row_span || !ds->ready || cairo_status(ds->scr) != CAIRO_STATUS_SUCCESS) {
        release(ds);
        return 0;
    }
    cairo_set_tolerance(ds->scr, cairo_get_tolerance(cr));
    cairo_set_antialias(ds->scr, cairo_get_antialias(cr));
    return 1;
}

/* Mask m (radius k, phase px, py) drawn by Cairo into the scratch surface
 * and copied out, with each row's span of coverage. */
static void draw_mask(DiscStamper *ds, size_t m, int k, int px, int py)
{
    int cell = ds->cell, sstride = cairo_image_surface_get_stride(ds->scratch);
    uint8_t *s = cairo_image_surface_get_data(ds->scratch);
    cairo_surface_flush(ds->scratch);
    memset(s, 0, (size_t)sstride * cell);
    cairo_surface_mark_dirty(ds->scratch);
    cairo_new_path(ds->scr);
    cairo_arc(ds->scr, ds->centre + (double)px / DISC_PHASES, ds->centre + (double)py / DISC_PHASES,
              ds->r_min + k * ds->r_step, 0, 2 * M_PI);
    cairo_fill(ds->scr);
    cairo_surface_flush(ds->scratch);
    uint8_t *mask = ds->masks + m * cell * cell, *span = ds->row_span + m * 2 * cell;
    for (int j = 0; j < cell; j++) {
        const uint8_t *row = s + (size_t)j * sstride;
        memcpy(mask + (size_t)j * cell, row, (size_t)cell);
        int lo = 0, hi = cell;
        while (lo < hi && !row[lo]) lo++;
        while (hi > lo && !row[hi - 1]) hi--;
        span[2 * j] = (uint8_t)lo;
        span[2 * j + 1] = (uint8_t)hi;
    }
    ds->ready[m] = 1;
    ds->masks_drawn++;
}

void disc_stamp(DiscStamper *ds, double x, double y, double r, double red, double green,
                double blue)
{
    double reach = ds->cell + 1.0;
    if (!(x > ds->clip[0] - reach && x < ds->clip[2] + reach && y > ds->clip[1] - reach &&
          y < ds->clip[3] + reach))
        return; /* off the frame, or not a number */
    /* the nearest quarter pixel: its whole part places the cell, the rest picks the phase */
    long qx = lround(floor(x * DISC_PHASES + 0.5)), qy = lround(floor(y * DISC_PHASES + 0.5));
    long fx = qx - DISC_PHASES * (long)floor((double)qx / DISC_PHASES);
    long fy = qy - DISC_PHASES * (long)floor((double)qy / DISC_PHASES);
    int x0 = (int)((qx - fx) / DISC_PHASES) - ds->centre, y0 = (int)((qy - fy) / DISC_PHASES) - ds->centre;
    int k = ds->n_radii > 1 ? (int)lround((r - ds->r_min) / ds->r_step) : 0;
    k = k < 0 ? 0 : k >= ds->n_radii ? ds->n_radii - 1 : k;
    size_t m = ((size_t)k * DISC_PHASES + (size_t)fy) * DISC_PHASES + (size_t)fx;
    if (!ds->ready[m]) draw_mask(ds, m, k, (int)fx, (int)fy);

    uint32_t src = opaque_pixel(red, green, blue);
    int cell = ds->cell;
    const uint8_t *mask = ds->masks + m * cell * cell, *span = ds->row_span + m * 2 * cell;
    for (int j = 0; j < cell; j++) {
        int fyj = y0 + j;
        if (fyj < ds->clip[1] || fyj >= ds->clip[3]) continue;
        int lo = span[2 * j], hi = span[2 * j + 1];
        if (x0 + lo < ds->clip[0]) lo = ds->clip[0] - x0;
        if (x0 + hi > ds->clip[2]) hi = ds->clip[2] - x0;
        uint32_t *row = (uint32_t *)(ds->px + (size_t)fyj * ds->stride);
        const uint8_t *a = mask + (size_t)j * cell;
        for (int i = lo; i < hi; i++) {
            if (a[i] == 255)
                row[x0 + i] = src;
            else if (a[i])
                row[x0 + i] = lerp_pixel(src, a[i], row[x0 + i]);
        }
    }
}

int disc_end(DiscStamper *ds)
{
    int status = ds->scr ? (int)cairo_status(ds->scr) : 0;
    cairo_surface_t *target = ds->target;
    release(ds);
    if (target) cairo_surface_mark_dirty(target);
    return status;
}
