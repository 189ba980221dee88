/* train_cache.h — trained networks kept on disk between runs.
 *
 * A teacher edits a scene's [render] or [style] and renders again; the
 * network is the same, so training it again is waste (seconds on a large
 * scene, where the still itself takes a fraction of one).  The cache keeps
 * a trainer's result — every parameter bit for bit, and its report — under
 * a key that hashes everything the training reads: the dataset's points and
 * labels as generated or read (so a CSV's bytes and every [dataset] key
 * count through what they make), the network's shape, every setting of the
 * trainer, the parameters it starts from (a GAN's or VAE's, set by the
 * caller), and the build itself (the executable's bytes, glibc's and GSL's
 * versions: a rebuilt or upgraded program trains afresh).  A hit gives
 * exactly the parameters training would give.  Three trainers go through
 * it: a classifier's (train_network), a GAN's (gan_train) and a VAE's or
 * autoencoder's (vae_train); and the replays of training, a classifier's
 * (history_record) and a GAN's (gan_history_record), whose snapshots and
 * curves are kept whole.
 *
 * The cache is an optimisation and never an error: a folder that cannot be
 * made or written, or an entry that is short, damaged or for another key,
 * is passed over and the network trained as without it.  Entries are
 * written whole or not at all (atomic_file.h), so concurrent runs and
 * interrupted ones leave no partial entry; at most TRAIN_CACHE_MAX entries
 * are kept, the least recently used removed first. */
#ifndef TRAIN_CACHE_H
#define TRAIN_CACHE_H

#include "lw_common.h"
#include "gan.h"
#include "gan_history.h"
#include "history.h"
#include "train.h"
#include "vae.h"

#define TRAIN_CACHE_MAX 200

typedef struct {
    int on;                    /* 0: train every time */
    char dir[LW_PATH_MAX];     /* where the entries live, when on */
} TrainCache;

/* Where the cache is: LAYERWARP_CACHE_DIR when set ("" or "off" turns it off),
 * else $XDG_CACHE_HOME/layerwarp, else $HOME/.cache/layerwarp; off when
 * disabled is set (the --no-cache option), when none of them is set, or
 * when the path would not fit. */
void train_cache_locate(TrainCache *cache, int disabled);

/* train_network (train.h) through the cache: with cache NULL or off, or a
 * network whose weights the scene gives, exactly train_network.  Otherwise
 * an entry for this training is read when there is one (report->cached = 1,
 * report->seconds the original training's), else the network is trained
 * and stored.  Errors are train_network's own. */
int train_network_cached(const TrainCache *cache, const NetSpec *net, const TrainConfig *cfg,
                         const char *scene_path, const Dataset *ds, Mlp *m,
                         TrainProgress progress, void *user, TrainReport *report,
                         LwError *err);

/* gan_train and vae_train through the cache: m allocated and initialised
 * as for them; *cached = 1 when the parameters and the report were read
 * (seconds then the original training's).  Errors are the trainers' own. */
int gan_train_cached(const TrainCache *cache, Gan *m, const Dataset *ds, const GanConfig *cfg,
                     GanReport *rep, int *cached, LwError *err);
int vae_train_cached(const TrainCache *cache, Vae *m, const Dataset *ds, const VaeConfig *cfg,
                     VaeReport *rep, int *cached, LwError *err);

/* history_record and gan_history_record through the cache (the key adds
 * the checkpoints and the trained parameters to the trainer's, and a GAN's
 * measure).  Errors are theirs. */
int history_record_cached(const TrainCache *cache, const NetSpec *net, const TrainConfig *cfg,
                          const TrainReport *report, const Dataset *ds,
                          const CheckpointSpec *spec, const Mlp *trained, History *h,
                          LwError *err);
/* A GAN's replay is measured too: gan_history_measure(h, ds, n, seed,
 * n_data) after recording, its figures kept with the snapshots. */
typedef struct {
    int n;
    uint64_t seed;
    int n_data;
} GanMeasure;
int gan_history_record_cached(const TrainCache *cache, const GanConfig *cfg, const Dataset *ds,
                              const CheckpointSpec *spec, const Gan *trained,
                              const GanMeasure *measure, GanHistory *h, LwError *err);

#endif
