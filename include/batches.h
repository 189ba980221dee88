/* batches.h — the points of each training step: all of a dataset, or
 * mini-batches of bs points from a seeded shuffle, a new shuffle whenever
 * fewer than bs points of the current one remain (so every batch has the
 * same size and weight).  Deterministic from the seed; shared by the
 * classifier's, the VAE's and the GAN's training. */
#ifndef BATCHES_H
#define BATCHES_H

#include "dataset.h"

typedef struct {
    const Dataset *ds;
    int full, bs;
    int pos;        /* next index into perm; n forces a shuffle before the first batch */
    double *xb;     /* (bs, dim), owned; NULL for full batch */
    int *lb;        /* (bs), owned */
    int *perm;      /* (n), owned */
    void *rng;      /* gsl_rng, owned */
} Batches;

/* full: every step takes all of ds (bs ignored); else mini-batches of bs
 * (1 <= bs <= ds->n).  LW_ERUNTIME when out of memory (b stays freeable). */
int batches_alloc(Batches *b, const Dataset *ds, int bs, int full, uint64_t seed, LwError *err);
void batches_free(Batches *b);
/* The next step's points (bs of them) in *x and their labels in *label
 * (label may be NULL). */
void batches_next(Batches *b, const double **x, const int **label);

#endif
