/* test_polyline.c — polyline_simplify (polyline.c) keeps exactly the points
 * the plain greedy test keeps (reference_simplify below: the algorithm as it
 * was, every point between anchor and j tested for every j), bit for bit,
 * depths included, on:
 *  - straight lines at every angle, clean and with noise below, at and above
 *    the tolerance; arcs of radii from 2 to 1e5 pixels; lines through random
 *    tanh layers (as the grid is drawn); random walks; zigzags whose
 *    amplitude straddles the tolerance;
 *  - adversarial lines: points at the tolerance to within an ulp, points
 *    that turn back (projecting before the anchor or past the chord's end),
 *    duplicates (of the anchor too), all points equal, steps around the
 *    sleeve's nearest distance (1e-3 px) and beyond its farthest (1e6 px),
 *    coordinates of 1e15, NaN and infinities, runs longer than
 *    POLYLINE_RUN;
 * and a straight 200-point line keeps points 0, 64, 128, 192 and 199. */
#include "polyline.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_N 1200

/* The algorithm as it was before the sleeve: the reference. */
static int reference_simplify(double *xy, double *depth, int n)
{
    if (n < 3) return n;
    int out = 1, anchor = 0;
    for (int j = 2; j < n; j++) {
        double ax = xy[2 * anchor], ay = xy[2 * anchor + 1];
        double dx = xy[2 * j] - ax, dy = xy[2 * j + 1] - ay;
        double len2 = dx * dx + dy * dy;
        int ok = j - anchor <= POLYLINE_RUN;
        for (int k = anchor + 1; ok && k < j; k++) {
            double px = xy[2 * k] - ax, py = xy[2 * k + 1] - ay;
            double u = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
            if (u < 0 || u > 1) { ok = 0; break; }
            double cross = px * dy - py * dx;
            ok = cross * cross <= POLYLINE_TOLERANCE * POLYLINE_TOLERANCE * len2;
        }
        if (!ok) {
            anchor = j - 1;
            xy[2 * out] = xy[2 * anchor];
            xy[2 * out + 1] = xy[2 * anchor + 1];
            depth[out] = depth[anchor];
            out++;
        }
    }
    xy[2 * out] = xy[2 * (n - 1)];
    xy[2 * out + 1] = xy[2 * (n - 1) + 1];
    depth[out] = depth[n - 1];
    return out + 1;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double uniform(void) /* [0, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}
static double between(double a, double b) { return a + (b - a) * uniform(); }

static double line_xy[2 * MAX_N], line_depth[MAX_N];
static int cases, kept_total, mismatches;

/* Runs both on copies of the line; they must agree to the bit. */
static void compare(const char *what, int n)
{
    static double xa[2 * MAX_N], da[MAX_N], xb[2 * MAX_N], db[MAX_N];
    for (int i = 0; i < n; i++) line_depth[i] = between(-1, 1);
    memcpy(xa, line_xy, sizeof(double) * 2 * n);
    memcpy(xb, line_xy, sizeof(double) * 2 * n);
    memcpy(da, line_depth, sizeof(double) * n);
    memcpy(db, line_depth, sizeof(double) * n);
    int na = polyline_simplify(xa, da, n), nb = reference_simplify(xb, db, n);
    int same = na == nb && !memcmp(xa, xb, sizeof(double) * 2 * n) &&
               !memcmp(da, db, sizeof(double) * n);
    cases++;
    kept_total += nb;
    if (!same) mismatches++;
    if (!same && mismatches <= 10)
        CHECK_MSG(same, "%s (n = %d): kept %d, the reference kept %d", what, n, na, nb);
}

static void straight(double x0, double y0, double angle, double step, double noise, int n)
{
    for (int i = 0; i < n; i++) {
        double a = between(0, 2 * M_PI), r = noise * sqrt(uniform());
        line_xy[2 * i] = x0 + i * step * cos(angle) + r * cos(a);
        line_xy[2 * i + 1] = y0 + i * step * sin(angle) + r * sin(a);
    }
}

static void random_lines(void)
{
    const double noises[] = {0, 1e-12, 1e-6, 1e-3, 0.01, 0.03, 0.045, 0.049, 0.05,
                             0.051, 0.06, 0.1, 0.5};
    for (int rep = 0; rep < 300; rep++)
        for (size_t k = 0; k < sizeof noises / sizeof noises[0]; k++) {
            int n = 3 + (int)(uniform() * 300);
            straight(between(-200, 1500), between(-200, 900), between(0, 2 * M_PI),
                     between(0.01, 12), noises[k], n);
            compare("straight, noisy", n);
        }
    for (int rep = 0; rep < 400; rep++) { /* arcs: the sagitta crosses the tolerance */
        double radius = exp(between(log(2), log(1e5))), a0 = between(0, 2 * M_PI);
        double da = between(1e-4, 0.2) * (uniform() < 0.5 ? -1 : 1);
        int n = 3 + (int)(uniform() * 400);
        for (int i = 0; i < n; i++) {
            line_xy[2 * i] = 640 + radius * cos(a0 + i * da);
            line_xy[2 * i + 1] = 360 + radius * sin(a0 + i * da);
        }
        compare("arc", n);
    }
    for (int rep = 0; rep < 400; rep++) { /* a grid line through two tanh layers */
        double w[8], b[4];
        for (int i = 0; i < 8; i++) w[i] = between(-2, 2);
        for (int i = 0; i < 4; i++) b[i] = between(-1, 1);
        double y = between(-2, 2), t = uniform();
        int n = 200;
        for (int i = 0; i < n; i++) {
            double x = -2 + 4.0 * i / (n - 1), h[2], o[2];
            for (int r = 0; r < 2; r++) h[r] = tanh(w[2 * r] * x + w[2 * r + 1] * y + b[r]);
            for (int r = 0; r < 2; r++)
                o[r] = (1 - t) * h[r] + t * tanh(w[4 + 2 * r] * h[0] + w[5 + 2 * r] * h[1] + b[2 + r]);
            line_xy[2 * i] = 640 + 150 * o[0];
            line_xy[2 * i + 1] = 360 - 150 * o[1];
        }
        compare("tanh grid line", n);
    }
    for (int rep = 0; rep < 300; rep++) { /* random walks, steps at every scale */
        int n = 3 + (int)(uniform() * 200);
        double scale = exp(between(log(1e-5), log(50))), x = 0, y = 0, dir = 0;
        double turn = exp(between(log(1e-6), log(1.0)));
        for (int i = 0; i < n; i++) {
            dir += between(-turn, turn);
            x += scale * cos(dir);
            y += scale * sin(dir);
            line_xy[2 * i] = x;
            line_xy[2 * i + 1] = y;
        }
        compare("random walk", n);
    }
    for (int rep = 0; rep < 300; rep++) { /* zigzags straddling the tolerance */
        int n = 3 + (int)(uniform() * 150);
        double amp = POLYLINE_TOLERANCE * between(0.5, 2.5), step = between(0.1, 5);
        for (int i = 0; i < n; i++) {
            line_xy[2 * i] = 100 + i * step;
            line_xy[2 * i + 1] = 200 + ((i * 7919) % 3 - 1) * amp * uniform();
        }
        compare("zigzag", n);
    }
}

/* A point at distance d from the line through a with direction (c, s), at
 * along-distance u. */
static void at(int i, double ax, double ay, double c, double s, double u, double d)
{
    line_xy[2 * i] = ax + u * c - d * s;
    line_xy[2 * i + 1] = ay + u * s + d * c;
}

static void adversarial_lines(void)
{
    for (int rep = 0; rep < 2000; rep++) { /* at the tolerance, to the ulp */
        double ang = between(0, 2 * M_PI), c = cos(ang), s = sin(ang);
        double ax = between(-10, 1300), ay = between(-10, 700), len = between(0.01, 300);
        int n = 3 + (int)(uniform() * 20);
        at(0, ax, ay, c, s, 0, 0);
        for (int i = 1; i < n - 1; i++) {
            double d = POLYLINE_TOLERANCE * (1 + between(-4, 4) * 2.3e-16 * (uniform() < 0.3 ? 1e6 : 1));
            if (uniform() < 0.5) d = -d;
            if (uniform() < 0.3) d = between(-1, 1) * POLYLINE_TOLERANCE;
            at(i, ax, ay, c, s, len * i / (n - 1), d);
        }
        at(n - 1, ax, ay, c, s, len, 0);
        compare("at the tolerance", n);
    }
    for (int rep = 0; rep < 1000; rep++) { /* turning back, duplicates, equal points */
        int n = 3 + (int)(uniform() * 40);
        double x = between(0, 1000), y = between(0, 700), ang = between(0, 2 * M_PI);
        for (int i = 0; i < n; i++) {
            double r = uniform(), u;
            if (r < 0.15) u = 0;                          /* back on the anchor */
            else if (r < 0.3) u = i > 0 ? -between(0, 1e-9) : 0; /* a hair behind */
            else if (r < 0.45) u = -between(0, 3);        /* turns back */
            else if (r < 0.6) u = i * 1.0 + 1e-13;        /* a hair ahead */
            else u = i * between(0.5, 3);
            double d = uniform() < 0.5 ? 0 : between(-0.04, 0.04);
            at(i, x, y, cos(ang), sin(ang), u, d);
            if (uniform() < 0.2 && i > 0) { /* the previous point again */
                line_xy[2 * i] = line_xy[2 * i - 2];
                line_xy[2 * i + 1] = line_xy[2 * i - 1];
            }
        }
        compare("turning back and duplicates", n);
    }
    for (int n = 3; n < 12; n++) { /* every point the same */
        for (int i = 0; i < n; i++) {
            line_xy[2 * i] = 5.5;
            line_xy[2 * i + 1] = -3.25;
        }
        compare("all points equal", n);
    }
    const double steps[] = {1e-9, 5e-4, 9.99999e-4, 1e-3, 1.00001e-3, 2e-3, 1e5, 5e5,
                            1e6, 1.1e6, 1e9, 1e15};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
        for (int rep = 0; rep < 60; rep++) { /* near and far: the sleeve's limits */
            int n = 3 + (int)(uniform() * 80);
            double noise = steps[k] * between(0, 1e-3) + between(0, 0.06);
            straight(between(-1e3, 1e3), between(-1e3, 1e3), between(0, 2 * M_PI),
                     steps[k] * between(0.5, 1.5), uniform() < 0.5 ? 0 : noise, n);
            if (uniform() < 0.5) { /* the first step alone near or far */
                line_xy[2] = line_xy[0] + steps[k] * between(-1, 1);
                line_xy[3] = line_xy[1] + steps[k] * between(-1, 1);
            }
            compare("tiny or huge steps", n);
        }
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (int rep = 0; rep < 300; rep++) { /* not finite */
        int n = 3 + (int)(uniform() * 100);
        straight(between(0, 1000), between(0, 700), between(0, 2 * M_PI), between(0.1, 5),
                 uniform() < 0.5 ? 0 : 0.02, n);
        int m = 1 + (int)(uniform() * 3);
        for (int q = 0; q < m; q++)
            line_xy[(int)(uniform() * 2 * n)] = bad[(int)(uniform() * 3)];
        compare("NaN and infinities", n);
    }
    for (int rep = 0; rep < 50; rep++) { /* runs far beyond POLYLINE_RUN */
        int n = 300 + (int)(uniform() * (MAX_N - 300));
        straight(between(0, 100), between(0, 100), between(0, 2 * M_PI), between(0.01, 2),
                 uniform() < 0.5 ? 0 : 1e-4, n);
        compare("long straight runs", n);
    }
}

int main(void)
{
    random_lines();
    adversarial_lines();
    CHECK_MSG(mismatches == 0, "%d of %d lines differ from the reference", mismatches, cases);
    /* the cases are not trivial: they keep some points and drop others */
    CHECK_MSG(kept_total > 3 * cases && kept_total < 60 * cases, "kept %d points over %d lines",
              kept_total, cases);

    int n = 200;
    straight(10, 20, 0.3, 3.5, 0, n);
    for (int i = 0; i < n; i++) line_depth[i] = i;
    int kept = polyline_simplify(line_xy, line_depth, n);
    CHECK(kept == 5);
    const double expect[] = {0, 64, 128, 192, 199};
    for (int i = 0; i < 5 && i < kept; i++)
        CHECK_MSG(line_depth[i] == expect[i], "point %d is sample %g", i, line_depth[i]);
    return check_done("test_polyline");
}
