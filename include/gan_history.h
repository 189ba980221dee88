/* gan_history.h — a GAN's training as it went: snapshots of both networks
 * at chosen steps (checkpoints), L_D and L_G on the fixed evaluation batch
 * along the way, and the generator's push on generated points.
 *
 * The snapshots come from training the model again from its seed with
 * gan_train_with's checkpoint callback, which does not change the
 * arithmetic: the last snapshot is bit for bit the model gan_train
 * returned, which gan_history_record checks.  Which steps: history_steps
 * of a CheckpointSpec ([train] checkpoints), as for a classifier.
 *
 * Owns: the snapshots (each Gan its own slab) and the curve arrays;
 * gan_history_free frees them. */
#ifndef GAN_HISTORY_H
#define GAN_HISTORY_H

#include "dataset.h"
#include "gan.h"
#include "history.h"
#include "show.h"

typedef struct {
    int n_snapshots;
    int step[HISTORY_MAX_SNAPSHOTS];          /* ascending */
    double d_loss[HISTORY_MAX_SNAPSHOTS];     /* on the evaluation batch at that step */
    double g_loss[HISTORY_MAX_SNAPSHOTS];
    double mmd2[HISTORY_MAX_SNAPSHOTS];       /* gan_history_measure's; NAN before */
    Gan snapshot[HISTORY_MAX_SNAPSHOTS];
    int n_curve;                              /* the curve: both losses at steps */
    int *curve_step;
    double *curve_d_loss, *curve_g_loss;
} GanHistory;

/* Trains a fresh model again as the trained one was (gan_alloc for ds->dim,
 * gan_init_random(cfg->seed), gan_train_with cfg) and keeps the snapshots
 * spec asks for in a run of cfg->steps steps, and the curve (about
 * HISTORY_CURVE_POINTS points, the checkpoints among them).  `trained` is
 * what gan_train returned: the last snapshot must equal it bit for bit
 * (else LW_ERUNTIME: the run did not repeat).  Training's own errors pass
 * up.  h is zeroed first and left freeable on failure. */
int gan_history_record(const GanConfig *cfg, const Dataset *ds, const CheckpointSpec *spec,
                       const Gan *trained, GanHistory *h, LwError *err);

/* Snapshot k (0 <= k < n_snapshots): the model as it was at step[k]. */
const Gan *gan_history_at(const GanHistory *h, int k);

/* Fills h->mmd2: for each snapshot, metrics_mmd2 of n generated points
 * (gan_sample with seed) against the data's first min(ds->n, n_data).
 * LW_ERUNTIME when out of memory. */
int gan_history_measure(GanHistory *h, const Dataset *ds, int n, uint64_t seed, int n_data,
                        LwError *err);

/* Where the generator's loss moves each of n points x (n, data_dim) of
 * the data space: push (n, data_dim) = -d softplus(-D(x_i)) / d x_i, the
 * negated gan_point_grad.  LW_EINPUT for n < 1, LW_ERUNTIME when out of
 * memory or BLAS fails. */
int gan_generator_push(const Gan *m, const double *x, int n, double *push, LwError *err);

/* How a push is drawn: arrow = scale * push, shortened to cap (its
 * direction kept), on every `every`-th point (the others get none: 400
 * arrows hide the points they start from).  One for every segment compared
 * (all checkpoints), so a push that shrinks over training is seen to
 * shrink. */
typedef struct {
    double scale, cap;
    int every;
} ArrowLength;

/* From the lengths of every push to be drawn (len, n; sorted in place) and
 * the data's larger extent: the 95th percentile of the lengths is drawn at
 * 6 % of the extent, and no arrow longer than twice that (a few stragglers
 * far from the data get pushes many times the rest's; scaled by the
 * longest, every other arrow would be a dot); on every second point. */
ArrowLength gan_arrow_length(double *len, int n, double extent);

/* Gives point set `set` of a GAN segment the push of g on its points,
 * scaled by al: a generator's segment (tag 'G') carries latent codes z,
 * pushed at G(z) in its last space (ARROWS_OUTPUT); a discriminator's
 * carries data-space points, pushed there (ARROWS_INPUT, the tips moving
 * with its layers).  Errors as segment_set_arrows and gan_generator_push. */
int gan_segment_arrows(Segment *seg, int set, const Gan *g, const ArrowLength *al, LwError *err);

/* Tints a GAN segment's region (2-D) by D's verdict, in S x S cells (S
 * from 2 to 256), the way a classifier's shading is tinted by class and
 * warped with the grid: a discriminator's cell by D at its centre, a
 * generator's latent cell by D at G of its centre; colour real_colour
 * where D says real (logit > 0), fake_colour where it says generated.
 * LW_EINPUT for a region that is not 2-D or a bad S; LW_ERUNTIME out of
 * memory. */
int gan_segment_shade(Segment *seg, const Gan *g, int S, int real_colour, int fake_colour,
                      LwError *err);

void gan_history_free(GanHistory *h);

#endif
