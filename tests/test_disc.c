/* test_disc.c — discs stamped from masks (disc.c) against Cairo's own discs:
 *  - centred on a quarter pixel, a stamped disc leaves exactly the bytes
 *    cairo_arc + cairo_fill leave, for every phase and several radii, over
 *    white, over noise, over a see-through frame, and where discs overlap;
 *  - anywhere else it is within a small difference of Cairo's disc at the
 *    true centre, and its ink is centred within 1/8 pixel of it;
 *  - its coverage adds up to pi r^2, and is symmetric about its centre;
 *  - at the frame's edges (and inside a rectangle of a larger image, as a
 *    panel is drawn) it is clipped as Cairo clips, nothing written outside;
 *  - a mask is drawn once per (radius, phase): 300 discs at one phase draw
 *    one mask;
 *  - where the stamper could not match Cairo (a transform, a group, a radius
 *    too large, an A8 target), disc_begin says no. */
#include "disc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define W 64
#define H 48

typedef enum { BG_WHITE, BG_NOISE, BG_CLEAR, BG_HALF } Background;

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/* Premultiplied ARGB32 pixels of the given kind. */
static void fill_background(cairo_surface_t *s, Background bg)
{
    cairo_surface_flush(s);
    uint8_t *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s), w = cairo_image_surface_get_width(s),
        h = cairo_image_surface_get_height(s);
    rng_state = 777;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t v = 0;
            if (bg == BG_WHITE) v = 0xffffffffu;
            if (bg == BG_NOISE) v = 0xff000000u | (rng() & 0xffffff);
            if (bg == BG_HALF) { /* alpha 128, colours premultiplied under it */
                uint32_t a = 128, r = rng() % (a + 1), g = rng() % (a + 1), b = rng() % (a + 1);
                v = a << 24 | r << 16 | g << 8 | b;
            }
            ((uint32_t *)(px + (size_t)y * stride))[x] = v;
        }
    cairo_surface_mark_dirty(s);
}

static cairo_surface_t *frame(Background bg)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    fill_background(s, bg);
    return s;
}

/* Cairo's discs, as draw.c filled them before the stamper. */
static void cairo_discs(cairo_surface_t *s, const double (*d)[6], int n)
{
    cairo_t *cr = cairo_create(s);
    cairo_set_tolerance(cr, 0.25);
    for (int i = 0; i < n; i++) {
        cairo_set_source_rgb(cr, d[i][3], d[i][4], d[i][5]);
        cairo_arc(cr, d[i][0], d[i][1], d[i][2], 0, 2 * M_PI);
        cairo_fill(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(s);
}

/* The same discs stamped (radii between r_min and r_max); 1 when the
 * stamper took them, and its count of masks drawn in *masks. */
static int stamped_discs(cairo_surface_t *s, const double (*d)[6], int n, double r_min,
                         double r_max, int *masks)
{
    cairo_t *cr = cairo_create(s);
    cairo_set_tolerance(cr, 0.25);
    DiscStamper ds;
    int ok = disc_begin(&ds, cr, r_min, r_max);
    if (ok) {
        for (int i = 0; i < n; i++) disc_stamp(&ds, d[i][0], d[i][1], d[i][2], d[i][3], d[i][4], d[i][5]);
        if (masks) *masks = ds.masks_drawn;
        CHECK(disc_end(&ds) == 0);
    }
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return ok;
}

/* Largest difference of any byte, and the number of bytes that differ. */
static int max_diff(cairo_surface_t *a, cairo_surface_t *b, int *n_diff)
{
    const uint8_t *pa = cairo_image_surface_get_data(a), *pb = cairo_image_surface_get_data(b);
    size_t n = (size_t)cairo_image_surface_get_stride(a) * cairo_image_surface_get_height(a);
    int worst = 0;
    *n_diff = 0;
    for (size_t i = 0; i < n; i++) {
        int d = abs(pa[i] - pb[i]);
        if (d) ++*n_diff;
        if (d > worst) worst = d;
    }
    return worst;
}

static void check_exact_at_quarters(void)
{
    const double radii[] = {1.5, 2.08, 3.0, 3.2, 4.8, 9.6};
    const Background bgs[] = {BG_WHITE, BG_NOISE, BG_CLEAR, BG_HALF};
    int cases = 0, equal = 0;
    for (size_t ri = 0; ri < sizeof radii / sizeof radii[0]; ri++)
        for (size_t bi = 0; bi < 4; bi++)
            for (int p = 0; p < 16; p++) {
                double d[1][6] = {{20 + (p % 4) * 0.25, 17 + (p / 4) * 0.25, radii[ri], 0.12,
                                   0.47, 0.71}};
                cairo_surface_t *a = frame(bgs[bi]), *b = frame(bgs[bi]);
                cairo_discs(a, d, 1);
                CHECK(stamped_discs(b, d, 1, radii[ri], radii[ri], NULL));
                int n;
                int worst = max_diff(a, b, &n);
                CHECK_MSG(worst == 0, "r %.2f background %d phase %d: %d bytes differ, by up to %d",
                          radii[ri], (int)bgs[bi], p, n, worst);
                cases++;
                equal += worst == 0;
                cairo_surface_destroy(a);
                cairo_surface_destroy(b);
            }
    printf("test_disc: %d of %d discs at quarter pixels equal to Cairo's byte for byte\n", equal,
           cases);
}

/* Overlapping discs of several colours and radii (3-D points: far ones
 * smaller and paler), all on quarter pixels: the same bytes, in order. */
static void check_overlaps_exact(void)
{
    double d[40][6];
    rng_state = 99;
    for (int i = 0; i < 40; i++) {
        double r = 2.08 + (rng() % 19) * ((3.2 - 2.08) / 18); /* one of the stamper's radii */
        d[i][0] = 10 + (rng() % 180) * 0.25;
        d[i][1] = 8 + (rng() % 130) * 0.25;
        d[i][2] = r;
        d[i][3] = (rng() % 1000) / 999.0;
        d[i][4] = (rng() % 1000) / 999.0;
        d[i][5] = (rng() % 1000) / 999.0;
    }
    cairo_surface_t *a = frame(BG_HALF), *b = frame(BG_HALF);
    cairo_discs(a, (const double (*)[6])d, 40);
    int masks = 0;
    CHECK(stamped_discs(b, (const double (*)[6])d, 40, 2.08, 3.2, &masks));
    int n, worst = max_diff(a, b, &n);
    CHECK_MSG(worst == 0, "%d bytes differ, by up to %d", n, worst);
    CHECK(masks >= 1 && masks <= 40);
    printf("test_disc: 40 overlapping discs of 19 radii over a half-transparent frame: %d "
           "bytes differ; %d masks drawn\n", n, masks);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
}

/* Alpha-weighted centroid of a white-on-clear frame's ink, and its sum. */
static double ink(cairo_surface_t *s, double *cx, double *cy)
{
    const uint8_t *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    double sum = 0, sx = 0, sy = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double a = px[(size_t)y * stride + 4 * x + 3] / 255.0;
            sum += a;
            sx += a * (x + 0.5);
            sy += a * (y + 0.5);
        }
    *cx = sx / sum;
    *cy = sy / sum;
    return sum;
}

static void check_between_quarters(void)
{
    double worst_shift = 0, worst_area = 0;
    int worst_byte = 0;
    rng_state = 4242;
    for (int i = 0; i < 64; i++) {
        double r = 3.2, x = 20 + (rng() % 10007) / 10007.0, y = 20 + (rng() % 10009) / 10009.0;
        double d[1][6] = {{x, y, r, 1, 1, 1}};
        cairo_surface_t *a = frame(BG_CLEAR), *b = frame(BG_CLEAR);
        cairo_discs(a, d, 1);
        CHECK(stamped_discs(b, d, 1, r, r, NULL));
        int n, worst = max_diff(a, b, &n);
        double ax, ay, bx, by, area = ink(b, &bx, &by);
        ink(a, &ax, &ay);
        worst_byte = worst > worst_byte ? worst : worst_byte;
        worst_shift = fmax(worst_shift, fmax(fabs(bx - ax), fabs(by - ay)));
        worst_area = fmax(worst_area, fabs(area - M_PI * r * r) / (M_PI * r * r));
        /* at most 1/8 px off each way, which moves an edge pixel by about an eighth of 255 */
        CHECK_MSG(worst <= 48, "disc at (%.4f, %.4f): differs by up to %d", x, y, worst);
        cairo_surface_destroy(a);
        cairo_surface_destroy(b);
    }
    CHECK_MSG(worst_shift <= 0.125 + 0.01, "centroid moved by %.4f px", worst_shift);
    CHECK_MSG(worst_area < 0.01, "ink off pi r^2 by %.4f", worst_area);
    printf("test_disc: 64 discs anywhere: bytes within %d of Cairo's, centroids within %.3f px, "
           "ink within %.2f %% of pi r^2\n", worst_byte, worst_shift, 100 * worst_area);
}

static void check_symmetric(void)
{
    const double r = 3.2;
    double d[1][6] = {{24, 20, r, 1, 1, 1}}; /* centre on a pixel corner */
    cairo_surface_t *s = frame(BG_CLEAR);
    CHECK(stamped_discs(s, d, 1, r, r, NULL));
    const uint8_t *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s), asym = 0;
#define A(x, y) px[(size_t)(y) * stride + 4 * (x) + 3]
    for (int dy = 0; dy < 5; dy++)
        for (int dx = 0; dx < 5; dx++) {
            int q[4] = {A(24 + dx, 20 + dy), A(23 - dx, 20 + dy), A(24 + dx, 19 - dy),
                        A(23 - dx, 19 - dy)};
            int t[2] = {A(24 + dy, 20 + dx), A(23 - dy, 19 - dx)}; /* transposed */
            for (int k = 1; k < 4; k++) asym = fmax(asym, abs(q[k] - q[0]));
            asym = fmax(asym, abs(t[0] - q[0]));
            asym = fmax(asym, abs(t[1] - q[0]));
        }
#undef A
    double cx, cy, area = ink(s, &cx, &cy);
    /* Cairo's own disc is this far from mirror-symmetric (its scan converter
     * samples a pixel on a grid finer across than down); a disc off by a
     * pixel or a quarter would differ by far more */
    CHECK_MSG(asym <= 8, "mirror images differ by %d", asym);
    CHECK_NEAR(cx, 24, 0.01);
    CHECK_NEAR(cy, 20, 0.01);
    CHECK_NEAR(area, M_PI * r * r, 0.01 * M_PI * r * r);
    printf("test_disc: a disc on a pixel corner: mirror images within %d/255, centred at "
           "(%.3f, %.3f), ink %.2f for pi r^2 = %.2f\n", asym, cx, cy, area, M_PI * r * r);
    cairo_surface_destroy(s);
}

/* Discs over the edges of a panel: a rectangle inside a larger image. */
static void check_clipped(void)
{
    double d[5][6] = {{-1.25, 10, 3.2, 0.8, 0.1, 0.2}, {30.5, -2, 3.2, 0.1, 0.8, 0.2},
                      {39.75, 20.25, 3.2, 0.2, 0.1, 0.8}, {15, 29.5, 3.2, 0.5, 0.5, 0.1},
                      {-40, 10, 3.2, 0, 0, 0}};
    cairo_surface_t *a = frame(BG_NOISE), *b = frame(BG_NOISE);
    cairo_surface_t *pa = cairo_surface_create_for_rectangle(a, 8, 6, 40, 30);
    cairo_surface_t *pb = cairo_surface_create_for_rectangle(b, 8, 6, 40, 30);
    cairo_discs(pa, (const double (*)[6])d, 5);
    CHECK(stamped_discs(pb, (const double (*)[6])d, 5, 3.2, 3.2, NULL));
    cairo_surface_flush(a);
    cairo_surface_flush(b);
    int n, worst = max_diff(a, b, &n);
    CHECK_MSG(worst == 0, "%d bytes differ, by up to %d", n, worst);
    cairo_surface_t *untouched = frame(BG_NOISE);
    const uint8_t *pu = cairo_image_surface_get_data(untouched), *pbx = cairo_image_surface_get_data(b);
    int stride = cairo_image_surface_get_stride(b), outside = 0, inside = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int in = x >= 8 && x < 48 && y >= 6 && y < 36;
            int changed = memcmp(pu + (size_t)y * stride + 4 * x, pbx + (size_t)y * stride + 4 * x, 4) != 0;
            outside += !in && changed;
            inside += in && changed;
        }
    CHECK_MSG(outside == 0, "%d pixels changed outside the panel", outside);
    CHECK(inside > 0);
    printf("test_disc: discs over a panel's edges: %d pixels drawn inside, %d outside, equal to "
           "Cairo's\n", inside, outside);
    cairo_surface_destroy(untouched);
    cairo_surface_destroy(pa);
    cairo_surface_destroy(pb);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
}

static void check_masks_counted(void)
{
    double d[300][6];
    for (int i = 0; i < 300; i++) {
        d[i][0] = 4 + (i % 28) * 2; /* whole pixels: one phase */
        d[i][1] = 4 + (i / 28) * 3;
        d[i][2] = 3.2;
        d[i][3] = (i % 2) ? 0.84 : 0.12;
        d[i][4] = 0.3;
        d[i][5] = (i % 2) ? 0.16 : 0.71;
    }
    cairo_surface_t *s = frame(BG_WHITE);
    int masks = -1;
    CHECK(stamped_discs(s, (const double (*)[6])d, 300, 3.2, 3.2, &masks));
    CHECK_MSG(masks == 1, "%d masks drawn", masks);
    printf("test_disc: 300 discs at one phase: %d mask drawn\n", masks);
    cairo_surface_destroy(s);
}

static void check_refusals(void)
{
    DiscStamper ds;
    cairo_surface_t *s = frame(BG_WHITE);
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, 2, 2);
    CHECK(!disc_begin(&ds, cr, 3, 3)); /* a transform */
    cairo_identity_matrix(cr);
    cairo_push_group(cr);
    CHECK(!disc_begin(&ds, cr, 3, 3)); /* a group */
    cairo_pattern_destroy(cairo_pop_group(cr));
    CHECK(!disc_begin(&ds, cr, 3, DISC_MAX_RADIUS + 1)); /* too large */
    cairo_rectangle(cr, 0, 0, 10.5, 10);
    cairo_clip(cr);
    CHECK(!disc_begin(&ds, cr, 3, 3)); /* a clip not of whole pixels */
    cairo_reset_clip(cr);
    CHECK(disc_begin(&ds, cr, 3, 3));
    CHECK(disc_end(&ds) == 0);
    cairo_destroy(cr);
    cairo_surface_t *a8 = cairo_image_surface_create(CAIRO_FORMAT_A8, W, H);
    cr = cairo_create(a8);
    CHECK(!disc_begin(&ds, cr, 3, 3)); /* not ARGB32 */
    cairo_destroy(cr);
    cairo_surface_destroy(a8);
    cairo_surface_destroy(s);
    printf("test_disc: a transform, a group, a large radius, a fractional clip, an A8 target: "
           "left to Cairo\n");
}

int main(void)
{
    check_exact_at_quarters();
    check_overlaps_exact();
    check_between_quarters();
    check_symmetric();
    check_clipped();
    check_masks_counted();
    check_refusals();
    cairo_debug_reset_static_data();
    return check_done("test_disc");
}
