/* prior.h — the distribution a generative model's latent codes are drawn
 * from, and its quantiles (a latent grid whose cells hold equal probability).
 * Deterministic: samples come from GSL's mt19937 seeded by the caller. */
#ifndef PRIOR_H
#define PRIOR_H

#include "lw_common.h"

typedef enum { PRIOR_GAUSSIAN, PRIOR_UNIFORM } Prior;

/* "gaussian", "uniform"; and back (0, or -1 for an unknown name). */
const char *prior_name(Prior p);
int prior_parse(const char *name, Prior *out);

/* n codes of dimension dim into z (n, dim) row-major: standard normal, or
 * uniform on [-1, 1]^dim.  LW_ERUNTIME when out of memory. */
int prior_sample(Prior p, int dim, int n, uint64_t seed, double *z, LwError *err);

/* The same from a generator the caller owns (a gsl_rng *, for a stream of
 * codes drawn batch after batch, as GAN training does). */
void prior_sample_rng(Prior p, int dim, int n, void *gsl_rng, double *z);

/* The u-quantile (0 < u < 1) of one coordinate of the prior: the standard
 * normal's inverse CDF, or -1 + 2u for the uniform. */
double prior_quantile(Prior p, double u);

#endif
