/* train.h — fits an Mlp to a Dataset deterministically (Adam or SGD with
 * momentum, full or mini-batch, L2, early stop at a target accuracy). */
#ifndef TRAIN_H
#define TRAIN_H

#include "dataset.h"
#include "mlp.h"

typedef enum { OPT_ADAM, OPT_SGD } Optimizer;

/* How to train (the scene's [train] section). */
typedef struct {
    Optimizer optimizer;
    double learning_rate;
    int steps;
    int batch;             /* 0 = full batch */
    double l2;             /* weight decay on W (not b) */
    double momentum;       /* SGD only */
    double target_accuracy;/* 0 = off; stop early once reached */
    uint64_t seed;         /* initialisation and mini-batch order */
    double readable;       /* weight of the readable loss term (readable.h); 0 = the raw
                            * optimiser.  Scenes default to READABLE_DEFAULT. */
} TrainConfig;

typedef struct {
    int steps;          /* steps actually taken */
    double loss;        /* final full-data loss */
    double accuracy;    /* final full-data accuracy */
    double seconds;     /* CPU time spent */
    int attempt;        /* train_network: which of its runs was kept (1 = the scene's seed) */
    int cached;         /* 1: read from the cache of trained networks (train_cache.h);
                         * seconds are then the original training's */
} TrainReport;

/* train_network's restarts when [train] readable > 0 (see train.c): up to
 * this many runs, until one reaches TRAIN_GOOD_ACCURACY (or a lower
 * target_accuracy) with every layer spread at least TRAIN_GOOD_SPREAD. */
#define TRAIN_ATTEMPTS 6
#define TRAIN_GOOD_ACCURACY 0.95
#define TRAIN_GOOD_SPREAD 0.1

/* The seed of train_network's run number `attempt` (1 = cfg->seed itself). */
uint64_t train_attempt_seed(const TrainConfig *cfg, int attempt);

/* Allocates m for net and ds's classes and initialises it as run number
 * `attempt` of train_network starts; *run is cfg with that run's seed. */
int train_start(const NetSpec *net, const TrainConfig *cfg, int attempt, const Dataset *ds,
                Mlp *m, TrainConfig *run, LwError *err);

/* Called every so often with progress; may be NULL. */
typedef void (*TrainProgress)(void *user, int step, int steps, double loss,
                              double accuracy);

/* Called at the steps TrainOptions asks for with the network as it is after
 * that step's update (step 0: before the first); m is a read-only view, valid
 * only during the call (copy m->params or mlp_save it to keep it).  Return
 * LW_OK to go on; a negative LW_ code ends training with that code (any
 * other non-zero value with LW_ERUNTIME) and the message written to err
 * prefixed with "training step N: ". */
typedef int (*TrainCheckpoint)(void *user, int step, const Mlp *m, LwError *err);

/* What train_run_with reports back along the way; zero-initialise and set
 * what you need. */
typedef struct {
    TrainProgress progress;        /* every 100 steps; NULL = none */
    void *progress_user;
    TrainCheckpoint checkpoint;    /* NULL = never called */
    void *checkpoint_user;
    int checkpoint_every;          /* > 0: at every multiple of it */
    const int *checkpoint_steps;   /* and at each of these (any order; 0 = the
                                    * initial weights; steps never reached, e.g.
                                    * after an early stop, are skipped) */
    int n_checkpoint_steps;
} TrainOptions;

/* Trains m (already allocated and initialised) on ds.  Full batch when
 * cfg->batch is 0 or >= ds->n, else mini-batches of cfg->batch from a shuffle
 * seeded with cfg->seed (a new shuffle when fewer than a batch remain).  With
 * cfg->target_accuracy > 0 stops at the first multiple of 50 steps where the
 * full-data accuracy reaches it.  progress is called every 100 steps.  A
 * NaN/inf loss, a loss 50 times the first step's, or a weight beyond 1e6 ends
 * with LW_EINPUT, "training diverged at step N (...): lower [train]
 * learning_rate (now X)"; m then holds the broken weights (the caller still
 * frees it).  A failure of the machinery (a GSL error) ends with LW_ERUNTIME
 * "training step N: GSL error: ..."; out of memory while setting up ends
 * with LW_ERUNTIME "out of memory ...".  Same inputs give bit-identical
 * weights. */
int train_run(Mlp *m, const Dataset *ds, const TrainConfig *cfg,
              TrainProgress progress, void *user, TrainReport *report,
              LwError *err);
/* train_run with options (progress, checkpoints); opt may be NULL.  The
 * checkpoints do not change the arithmetic: the weights are those of
 * train_run. */
int train_run_with(Mlp *m, const Dataset *ds, const TrainConfig *cfg,
                   const TrainOptions *opt, TrainReport *report, LwError *err);

/* The spread (readable.h) of ds after each hidden layer's activation:
 * spread[l] for layer l + 1, l < m->n_layers, from mlp_forward_point.
 * LW_ERUNTIME when out of memory. */
int train_spread(const Mlp *m, const Dataset *ds, double *spread, LwError *err);

/* The whole front half of the pipeline: the network a scene asks for (net,
 * cfg; scene_path names it in messages) —
 * fixed weights from the scene or its weights file, or trained on ds.
 * report may be NULL; it is zeroed when nothing was trained.  m is allocated
 * here (its old contents ignored) and left freed (zeroed) on failure.  A
 * weights file must match the scene's widths and activations (LW_EINPUT
 * naming the file); fixed weights without a readout give n_out = 0,
 * has_readout = 0: the network warps space but classifies nothing.  With
 * cfg->readable > 0 a run that falls short is restarted from other seeds
 * derived from cfg->seed (TRAIN_ATTEMPTS); the kept run is in report. */
int train_network(const NetSpec *net, const TrainConfig *cfg, const char *scene_path,
                  const Dataset *ds, Mlp *m,
                            TrainProgress progress, void *user,
                            TrainReport *report, LwError *err);

#endif
