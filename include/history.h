/* history.h — a classifier's training as it went: snapshots of its weights
 * at chosen steps (checkpoints) and its loss and accuracy along the way.
 *
 * The snapshots come from training the kept run again from its own seed
 * with the checkpoint callback (train_run_with): the callback does not
 * change the arithmetic, so the last snapshot is bit for bit the network
 * train_network returned, which history_record checks.
 *
 * Owns: the snapshots and the curve arrays; history_free frees them. */
#ifndef HISTORY_H
#define HISTORY_H

#include "dataset.h"
#include "mlp.h"
#include "train.h"

#define HISTORY_MAX_SNAPSHOTS 64
#define HISTORY_CURVE_POINTS 200   /* loss and accuracy about this many times */

/* Which steps to keep ([train] checkpoints): a list, every N, or N on a
 * log scale (step 0, then N - 1 steps spaced evenly in log from a
 * hundredth of the run to its end).  The last step taken is always kept. */
typedef enum { CHECKPOINTS_NONE, CHECKPOINTS_LIST, CHECKPOINTS_EVERY, CHECKPOINTS_LOG } CheckpointMode;

typedef struct {
    CheckpointMode mode;
    int n;                              /* LIST: steps; LOG: how many */
    int steps[HISTORY_MAX_SNAPSHOTS];   /* LIST */
    int every;                          /* EVERY */
} CheckpointSpec;

typedef struct {
    int n_snapshots;
    int step[HISTORY_MAX_SNAPSHOTS];    /* ascending */
    double loss[HISTORY_MAX_SNAPSHOTS], accuracy[HISTORY_MAX_SNAPSHOTS];
    Mlp snapshot[HISTORY_MAX_SNAPSHOTS];
    int n_curve;                        /* the curve: loss and accuracy at steps */
    int *curve_step;
    double *curve_loss, *curve_accuracy;
} History;

/* The steps spec asks for in a run of `steps` steps, ascending, without
 * repeats, at most HISTORY_MAX_SNAPSHOTS (the last step included); returns
 * how many. */
int history_steps(const CheckpointSpec *spec, int steps, int *out);

/* Trains net again as train_network did (the kept attempt's seed, taken
 * from report->attempt) and keeps the snapshots spec asks for and the curve.
 * `trained` is what train_network returned: the last snapshot must equal it
 * (else LW_ERUNTIME: the run did not repeat).  h is zeroed first and left
 * freeable on failure. */
int history_record(const NetSpec *net, const TrainConfig *cfg, const TrainReport *report,
                   const Dataset *ds, const CheckpointSpec *spec, const Mlp *trained,
                   History *h, LwError *err);

void history_free(History *h);

#endif
