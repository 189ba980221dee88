/* batches.c — mini-batches from a seeded shuffle (see batches.h). */
#include "batches.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

int batches_alloc(Batches *b, const Dataset *ds, int bs, int full, uint64_t seed, LwError *err)
{
    int n = ds->n;
    memset(b, 0, sizeof *b);
    b->ds = ds;
    b->full = full;
    b->bs = full ? n : bs;
    b->pos = n;
    if (full)
        return LW_OK;
    b->xb = malloc((size_t)b->bs * ds->dim * sizeof *b->xb);
    b->lb = malloc((size_t)b->bs * sizeof *b->lb);
    b->perm = malloc((size_t)n * sizeof *b->perm);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    b->rng = r;
    if (!b->xb || !b->lb || !b->perm || !r)
        return lw_fail(err, LW_ERUNTIME, "out of memory for mini-batches");
    gsl_rng_set(r, (unsigned long)seed);
    for (int i = 0; i < n; i++)
        b->perm[i] = i;
    return LW_OK;
}

void batches_free(Batches *b)
{
    free(b->xb);
    free(b->lb);
    free(b->perm);
    gsl_rng_free(b->rng);
    memset(b, 0, sizeof *b);
}

void batches_next(Batches *b, const double **x, const int **label)
{
    const Dataset *ds = b->ds;
    int n = ds->n, dim = ds->dim;
    if (b->full) {
        *x = ds->x;
        if (label) *label = ds->label;
        return;
    }
    /* a new epoch when the rest of the permutation cannot fill a batch, so
     * every batch has the same size and the same weight */
    if (b->pos + b->bs > n) {
        gsl_ran_shuffle(b->rng, b->perm, (size_t)n, sizeof *b->perm);
        b->pos = 0;
    }
    for (int i = 0; i < b->bs; i++) {
        int k = b->perm[b->pos + i];
        memcpy(b->xb + (size_t)i * dim, ds->x + (size_t)k * dim, dim * sizeof *b->xb);
        b->lb[i] = ds->label[k];
    }
    b->pos += b->bs;
    *x = b->xb;
    if (label) *label = b->lb;
}
