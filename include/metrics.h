/* metrics.h — how close two samples of points are: the squared maximum mean
 * discrepancy with a Gaussian kernel.  Used to judge a generator's samples
 * against the data.  Deterministic (no randomness; the median is an order
 * statistic, whatever algorithm finds it). */
#ifndef METRICS_H
#define METRICS_H

/* The median of the Euclidean distances |p_i - p_j| over all pairs i < j of
 * the pooled sample p = x (n, dim) followed by y (m, dim): self-pairs are
 * excluded, each unordered pair counted once, and an even number of pairs
 * gives the mean of the two middle distances.  NAN when out of memory or
 * n + m < 2. */
double metrics_median_distance(const double *x, int n, const double *y, int m, int dim);

/* The biased (V-statistic) squared MMD with k(a, b) = exp(-|a-b|^2 / (2 sigma^2)):
 *   mean_{i,i'} k(x_i, x_i') + mean_{j,j'} k(y_j, y_j') - 2 mean_{i,j} k(x_i, y_j),
 * every mean over all pairs including i = i'.  It is >= 0 (up to rounding) and
 * exactly 0 for identical samples; for two samples of one distribution it is
 * about (2 - mean k(x,x') - mean k(y,y')) / n, not 0.  sigma > 0. */
double metrics_mmd2_sigma(const double *x, int n, const double *y, int m, int dim,
                          double sigma);

/* metrics_mmd2_sigma with sigma = metrics_median_distance(x, n, y, m, dim)
 * (the median heuristic).  When that median is 0 (more than half the pairs
 * coincide) the mean pairwise distance is used instead, and 0 is returned
 * when every point is the same.  n, m >= 1; NAN when out of memory.
 * O((n + m)^2 dim) time and (n + m)^2 / 2 doubles of scratch. */
double metrics_mmd2(const double *x, int n, const double *y, int m, int dim);

#endif
