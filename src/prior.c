/* prior.c — latent priors: sampling and quantiles (see prior.h). */
#include "prior.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static const char *const NAMES[] = {"gaussian", "uniform"};

const char *prior_name(Prior p)
{
    return p == PRIOR_UNIFORM ? NAMES[1] : NAMES[0];
}

int prior_parse(const char *name, Prior *out)
{
    int i = lw_name_index(NAMES, 2, name);
    if (i < 0) return -1;
    *out = (Prior)i;
    return 0;
}

int prior_sample(Prior p, int dim, int n, uint64_t seed, double *z, LwError *err)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) return lw_fail(err, LW_ERUNTIME, "out of memory for a random number generator");
    gsl_rng_set(r, (unsigned long)seed);
    prior_sample_rng(p, dim, n, r, z);
    gsl_rng_free(r);
    return LW_OK;
}

void prior_sample_rng(Prior p, int dim, int n, void *rng, double *z)
{
    gsl_rng *r = rng;
    for (size_t i = 0; i < (size_t)n * dim; i++)
        z[i] = p == PRIOR_UNIFORM ? 2.0 * gsl_rng_uniform(r) - 1.0 : gsl_ran_gaussian_ziggurat(r, 1.0);
}

double prior_quantile(Prior p, double u)
{
    return p == PRIOR_UNIFORM ? -1.0 + 2.0 * u : gsl_cdf_ugaussian_Pinv(u);
}
