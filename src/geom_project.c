/* geom_project.c — how a layer wider than 3 is shown: onto its top three
 * principal axes, a slow tour through them, or chosen units (see the
 * Projection3 comment in geom.h).
 *
 * Owns nothing: the projections live in the Geometry. */
#include "geom.h"

#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W LW_MAX_WIDTH

/* ---- projections for layers wider than 3 ---------------------------------- */

/* Principal axes of a layer's data over its four states (input, after W,
 * after b, after the activation), zero-padded to the layer's n dimensions;
 * each axis signed to agree with the layer before (or its largest entry
 * positive), so the view keeps its orientation. */
static int pca_projection(const Geometry *g, int layer, const Projection3 *prev, Projection3 *pr)
{
    int d = pr->n, n = g->n_points, s0 = stage_index(layer, STAGE_LINEAR), moving = 0;
    for (int i = 0; i < n; i++) moving += !g->point_fixed[i];
    double mean[W] = {0}, cov[W * W] = {0};
    /* the four stage ends, and one moment early in the linear stage, where a
     * page turn (reflection = turn) swings through the spare axis */
    double (*st)[W] = malloc(sizeof(double) * W * 5);
    if (!st) return -1;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            if (g->point_fixed[i]) continue;
            /* the ends of the layer's stages are the next stages' starts, as
             * cached (the same stage_end of the same states); the last
             * layer's end is not cached */
            for (int k = 0; k < 3; k++) geom_point_start_state(g, s0 + k, i, st[k]);
            if (s0 + 3 < g->n_stages) geom_point_start_state(g, s0 + 3, i, st[3]);
            else stage_end(g->plan, s0 + 2, st[2], st[3]);
            stage_eval(g->plan, s0, 0.15, st[0], st[4]);
            for (int k = 0; k < 5; k++) {
                if (pass == 0) {
                    for (int a = 0; a < d; a++) mean[a] += st[k][a] / (5.0 * moving);
                    continue;
                }
                double dev[W];
                for (int a = 0; a < d; a++) dev[a] = st[k][a] - mean[a];
                /* the upper triangle: the lower one is the same products */
                for (int a = 0; a < d; a++)
                    for (int c = a; c < d; c++) cov[a * d + c] += dev[a] * dev[c];
            }
        }
    for (int a = 0; a < d; a++)
        for (int c = 0; c < a; c++) cov[a * d + c] = cov[c * d + a];
    free(st);
    gsl_matrix_view cm = gsl_matrix_view_array(cov, d, d);
    gsl_vector *eval = gsl_vector_alloc(d);
    gsl_matrix *evec = gsl_matrix_alloc(d, d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
    memset(pr->B, 0, sizeof pr->B);
    int ok = eval && evec && ws && gsl_eigen_symmv(&cm.matrix, eval, evec, ws) == 0;
    if (ok) {
        gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
        for (int k = 0; k < d; k++) {
            double dot = 0, big = 0;
            for (int a = 0; a < d; a++) {
                double v = gsl_matrix_get(evec, a, k);
                pr->B[k * d + a] = v;
                if (prev && prev->mode == PROJ_BASIS && k < prev->n && a < prev->n)
                    dot += v * prev->B[k * prev->n + a];
                else if (prev && a == k)
                    dot += v;
                if (fabs(v) > fabs(big)) big = v;
            }
            if ((prev && dot < 0) || (!prev && big < 0))
                for (int a = 0; a < d; a++) pr->B[k * d + a] = -pr->B[k * d + a];
        }
    }
    gsl_vector_free(eval);
    gsl_matrix_free(evec);
    gsl_eigen_symmv_free(ws);
    return ok ? 0 : -1;
}

#define TOUR_SPEED 0.35 /* radians per second of the slowest turn */

/* Display coordinates of a state under one layer's projection. */
static void project(const Projection3 *pr, const double *st, double seconds, double out[3])
{
    if (pr->mode == PROJ_IDENTITY) {
        out[0] = st[0];
        out[1] = st[1];
        out[2] = st[2];
        return;
    }
    if (pr->mode == PROJ_UNITS) {
        for (int k = 0; k < 3; k++) out[k] = pr->units[k] >= 0 ? st[pr->units[k]] : 0.0;
        return;
    }
    double c[W];
    /* without a tour only the first three axes are shown: the others are
     * never read, so they are not computed */
    int rows = pr->tour ? pr->n : (pr->n < 3 ? pr->n : 3);
    for (int k = 0; k < rows; k++) {
        double s = 0;
        for (int a = 0; a < pr->n; a++) s += pr->B[k * pr->n + a] * st[a];
        c[k] = s;
    }
    if (pr->tour) {
        /* Turn each shown axis k toward hidden axis 3 + (k + j) % (n - 3), at
         * incommensurate speeds, so over time every direction comes into view. */
        static const double speed[3] = {1.0, 1.41421356, 1.73205081};
        int hidden = pr->n - 3;
        for (int k = 0; k < 3 && hidden > 0; k++) {
            int h = 3 + k % hidden;
            double a = TOUR_SPEED * speed[k] * seconds, ca = cos(a), sa = sin(a);
            double x = c[k], y = c[h];
            c[k] = ca * x - sa * y;
            c[h] = sa * x + ca * y;
        }
    }
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
}

/* The linear stage of a layer blends from the previous layer's projection
 * to its own, so a change of projection never makes the picture jump. */
void geom_to_display(const Geometry *g, int stage, double t, double seconds, const double *st,
                       double out[3])
{
    const Stage *sg = &g->plan->stages[stage];
    int l = sg->layer;
    project(&g->proj[l], st, seconds, out);
    int blend = sg->kind == STAGE_LINEAR && t < 1.0 &&
                (g->proj[l].mode != PROJ_IDENTITY ||
                 (l > 0 && g->proj[l - 1].mode != PROJ_IDENTITY));
    if (!blend) return;
    /* the input is shown as it is: the first layer blends from it too */
    static const Projection3 input_view = {PROJ_IDENTITY, 3, 0, {0}, {0, 1, 2}};
    double prev[3];
    project(l == 0 ? &input_view : &g->proj[l - 1], st, seconds, prev);
    for (int k = 0; k < 3; k++) out[k] = (1 - t) * prev[k] + t * out[k];
}

double geom_view_spread(const Geometry *g, int stage, double t, double seconds, const double *R)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    int m = 0;
    for (int i = 0; i < g->n_points; i++) {
        if (g->point_fixed[i]) continue;
        double d[3];
        geom_point_display(g, stage, t, seconds, i, d);
        double x = R[0] * d[0] + R[1] * d[1] + R[2] * d[2];
        double y = R[3] * d[0] + R[4] * d[1] + R[5] * d[2];
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
        m++;
    }
    if (m < 2) return 1;
    double cxx = sxx / m - sx * sx / ((double)m * m), cyy = syy / m - sy * sy / ((double)m * m);
    double cxy = sxy / m - sx * sy / ((double)m * m);
    double tr = cxx + cyy, det = cxx * cyy - cxy * cxy;
    double disc = sqrt(fmax(0, tr * tr / 4 - det));
    double big = tr / 2 + disc, small = fmax(0, tr / 2 - disc);
    return big > 0 ? sqrt(small / big) : 1;
}

int geom_projection(Geometry *g, int l, LwError *err)
{
    const GeomConfig *cfg = &g->cfg;
    Projection3 *pr = &g->proj[l];
    pr->n = g->plan->stages[stage_index(l, STAGE_LINEAR)].dim;
    pr->mode = PROJ_IDENTITY;
    /* a layer whose output has 3 units or fewer is shown as it is: its
     * linear stage blends from the wider layer's view into it */
    if (pr->n <= 3 || g->plan->widths[l + 1] <= 3)
        return LW_OK;
    if (cfg->wide_view == WIDE_UNITS) {
        pr->mode = PROJ_UNITS;
        for (int k = 0; k < 3; k++)
            pr->units[k] = k < cfg->n_units && cfg->units[k] < pr->n ? cfg->units[k] : -1;
        return LW_OK;
    }
    pr->mode = PROJ_BASIS;
    pr->tour = cfg->wide_view == WIDE_TOUR;
    g->pca_count++;
    if (pca_projection(g, l, l > 0 ? &g->proj[l - 1] : NULL, pr))
        return lw_fail(err, LW_ERUNTIME, "layer %d: principal axes could not be "
                       "computed (out of memory or no convergence)", l + 1);
    return LW_OK;
}
