/* metrics.c — squared MMD between two samples with a Gaussian kernel whose
 * bandwidth is the median pairwise distance of the pooled sample.
 *
 * Everything is plain loops in a fixed order, so the same inputs give the
 * same bits.  The only scratch is the list of pairwise distances the median
 * is taken from, allocated and freed inside metrics_median_distance. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>

/* Row i of the pooled sample: x's rows, then y's. */
static const double *pooled(const double *x, int n, const double *y, int dim, int i)
{
    return i < n ? x + (size_t)i * dim : y + (size_t)(i - n) * dim;
}

static double dist2(const double *a, const double *b, int dim)
{
    double s = 0;
    for (int k = 0; k < dim; k++) {
        double d = a[k] - b[k];
        s += d * d;
    }
    return s;
}

double metrics_median_distance(const double *x, int n, const double *y, int m, int dim)
{
    int N = n + m;
    if (N < 2)
        return NAN;
    size_t pairs = (size_t)N * (N - 1) / 2;
    double *d = malloc(pairs * sizeof *d); // (pairs) |p_i - p_j| for i < j
    if (!d)
        return NAN;
    size_t k = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            d[k++] = sqrt(dist2(pooled(x, n, y, dim, i), pooled(x, n, y, dim, j), dim));
    /* quickselect, rearranging d; for an even count the mean of the two middle values */
    double med = gsl_stats_median(d, 1, pairs);
    free(d);
    return med;
}

/* Mean pairwise distance over i < j of the pooled sample: the bandwidth when
 * the median is 0. */
static double mean_distance(const double *x, int n, const double *y, int m, int dim)
{
    int N = n + m;
    double s = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            s += sqrt(dist2(pooled(x, n, y, dim, i), pooled(x, n, y, dim, j), dim));
    return s / ((double)N * (N - 1) / 2);
}

/* mean over all (i, j), i and j both running over every row, of k(a_i, b_j) */
static double mean_kernel(const double *a, int na, const double *b, int nb, int dim,
                          double inv2s2)
{
    double s = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            s += exp(-dist2(a + (size_t)i * dim, b + (size_t)j * dim, dim) * inv2s2);
    return s / ((double)na * nb);
}

double metrics_mmd2_sigma(const double *x, int n, const double *y, int m, int dim,
                          double sigma)
{
    double inv2s2 = 1.0 / (2.0 * sigma * sigma);
    double kxx = mean_kernel(x, n, x, n, dim, inv2s2);
    double kyy = mean_kernel(y, m, y, m, dim, inv2s2);
    double kxy = mean_kernel(x, n, y, m, dim, inv2s2);
    return kxx + kyy - 2.0 * kxy;
}

double metrics_mmd2(const double *x, int n, const double *y, int m, int dim)
{
    double sigma = metrics_median_distance(x, n, y, m, dim);
    if (isnan(sigma))
        return NAN;
    if (sigma == 0.0) {
        sigma = mean_distance(x, n, y, m, dim);
        if (sigma == 0.0)
            return 0.0; /* every point the same: the two samples are one distribution */
    }
    return metrics_mmd2_sigma(x, n, y, m, dim, sigma);
}
