/* train.h — fits an Mlp to a Dataset deterministically (Adam or SGD with
 * momentum, full or mini-batch, L2, early stop at a target accuracy). */
#ifndef TRAIN_H
#define TRAIN_H

#include "dataset.h"
#include "mlp.h"
#include "scene.h"

typedef struct {
    int steps;          /* steps actually taken */
    double loss;        /* final full-data loss */
    double accuracy;    /* final full-data accuracy */
    double seconds;     /* CPU time spent */
} TrainReport;

/* Called every so often with progress; may be NULL. */
typedef void (*TrainProgress)(void *user, int step, int steps, double loss,
                              double accuracy);

/* Trains m (already allocated and initialised) on ds.  A NaN/inf loss or
 * exploding weights end with LW_EINPUT and a message saying what to change. */
int train_run(Mlp *m, const Dataset *ds, const TrainConfig *cfg,
              TrainProgress progress, void *user, TrainReport *report,
              LwError *err);

/* The whole front half of the pipeline: the network a scene asks for —
 * fixed weights from the scene or its weights file, or trained on ds.
 * report may be NULL; it is zeroed when nothing was trained. */
int train_network_for_scene(const Scene *sc, const Dataset *ds, Mlp *m,
                            TrainProgress progress, void *user,
                            TrainReport *report, LwError *err);

#endif
