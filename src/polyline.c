/* polyline.c — a line's screen points thinned before Cairo strokes them
 * (polyline.h): the greedy chord test, with a sleeve that answers it in
 * constant time when it can.
 *
 * Why the sleeve never says yes where the exact test says no.  Take the
 * anchor as origin and e, the unit direction to its first follower, as the
 * x axis: a point k has coordinates (s_k, t_k) and slope m_k = t_k / s_k.
 * For the chord to point j, |cross(p_k, p_j)| = s_k s_j |m_j - m_k| and
 * |p_j| >= s_j, so |m_j - m_k| <= tol / s_k keeps p_k within tol of the
 * chord's line: m_j must lie in the intersection of those intervals, the
 * sleeve [lo, hi].  With |m_k|, |m_j| <= 1/2, dot(p_k, p_j) > 0 (p_k
 * projects beyond the anchor); and dot <= |p_j|^2, which is s_k + t_k m_j
 * <= s_j + t_j m_j, holds when s_max + |m_j| |t|_max <= s_j (p_k projects
 * before p_j).  The sleeve is built with 0.999 tol and asks s_max <= s_j
 * (1 - 1e-9): margins that dwarf the rounding of either computation (a few
 * units in the last place of coordinates below SLEEVE_FAR pixels from the
 * anchor, where 1e-3 tol is about 1e4 times the largest such error), so the
 * exact test, computed in doubles, passes wherever the sleeve does.  A
 * point it cannot place (too near the anchor, too far, turned more than
 * 26 degrees from e, not finite) stops the sleeve until the next anchor:
 * from there on the exact test alone decides, as before. */
#include "polyline.h"

#include <math.h>

#define SLEEVE_NEAR 1e-3       /* pixels: nearer the anchor, no direction to trust */
#define SLEEVE_FAR 1e6         /* pixels: farther, leave it to the exact test */
#define SLEEVE_NARROWING 0.999 /* of the tolerance */
#define SLEEVE_AHEAD 1e-9      /* relative: how surely p_j projects beyond the rest */

typedef struct {
    int live;              /* 0: the sleeve cannot vouch until the next anchor */
    double ex, ey;         /* unit direction from the anchor to its first follower */
    double lo, hi;         /* the slopes a chord may have */
    double s_max, t_max;   /* the followers' largest s and |t| */
    double s, t;           /* the last point placed (the chord's end) */
} Sleeve;

/* The test the simplification makes: every point strictly between anchor a
 * and j projects onto chord a-j and lies within the tolerance of it. */
static int chord_holds(const double *xy, int a, int j)
{
    double ax = xy[2 * a], ay = xy[2 * a + 1];
    double dx = xy[2 * j] - ax, dy = xy[2 * j + 1] - ay;
    double len2 = dx * dx + dy * dy;
    for (int k = a + 1; k < j; k++) {
        double px = xy[2 * k] - ax, py = xy[2 * k + 1] - ay;
        double u = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
        if (u < 0 || u > 1) return 0;
        double cross = px * dy - py * dx;
        if (!(cross * cross <= POLYLINE_TOLERANCE * POLYLINE_TOLERANCE * len2)) return 0;
    }
    return 1;
}

/* Places point k in the sleeve's frame (sl->s, sl->t); 0 when the sleeve
 * cannot (also for NaN and infinities: every comparison fails). */
static int sleeve_place(Sleeve *sl, const double *xy, int a, int k)
{
    double px = xy[2 * k] - xy[2 * a], py = xy[2 * k + 1] - xy[2 * a + 1];
    double s = px * sl->ex + py * sl->ey, t = py * sl->ex - px * sl->ey;
    sl->s = s;
    sl->t = t;
    return s >= SLEEVE_NEAR && s <= SLEEVE_FAR && fabs(t) <= 0.5 * s;
}

/* Starts the sleeve at anchor a from its first follower. */
static void sleeve_start(Sleeve *sl, const double *xy, int a)
{
    double px = xy[2 * a + 2] - xy[2 * a], py = xy[2 * a + 3] - xy[2 * a + 1];
    double r = sqrt(px * px + py * py);
    sl->live = r >= SLEEVE_NEAR && r <= SLEEVE_FAR;
    if (!sl->live) return;
    sl->ex = px / r;
    sl->ey = py / r;
    sl->lo = -INFINITY;
    sl->hi = INFINITY;
    sl->s_max = 0;
    sl->t_max = 0;
    sl->live = sleeve_place(sl, xy, a, a + 1);
}

/* Narrows the sleeve by the point it placed last, now between the anchor
 * and the chord's end (finite: its placing succeeded). */
static void sleeve_narrow(Sleeve *sl)
{
    double m = sl->t / sl->s, w = SLEEVE_NARROWING * POLYLINE_TOLERANCE / sl->s;
    double at = fabs(sl->t);
    if (m - w > sl->lo) sl->lo = m - w;
    if (m + w < sl->hi) sl->hi = m + w;
    if (sl->s > sl->s_max) sl->s_max = sl->s;
    if (at > sl->t_max) sl->t_max = at;
}

/* 1 when chord a-j surely passes chord_holds; 0 when the sleeve cannot
 * tell.  Leaves j placed for the next narrowing (or the sleeve stopped). */
static int sleeve_vouches(Sleeve *sl, const double *xy, int a, int j)
{
    if (!sleeve_place(sl, xy, a, j)) {
        sl->live = 0;
        return 0;
    }
    double m = sl->t / sl->s;
    return m >= sl->lo && m <= sl->hi &&
           sl->s_max + fabs(m) * sl->t_max <= sl->s * (1 - SLEEVE_AHEAD);
}

int polyline_simplify(double *xy, double *depth, int n)
{
    if (n < 3) return n;
    int out = 1, anchor = 0;
    Sleeve sl = {0};
    for (int j = 2; j < n; j++) {
        int ok = j - anchor <= POLYLINE_RUN;
        if (ok) {
            if (j - 1 == anchor + 1)
                sleeve_start(&sl, xy, anchor);
            if (sl.live) /* j - 1 is placed: by sleeve_start or the last sleeve_vouches */
                sleeve_narrow(&sl);
            ok = (sl.live && sleeve_vouches(&sl, xy, anchor, j)) || chord_holds(xy, anchor, j);
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
