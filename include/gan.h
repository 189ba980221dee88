/* gan.h — a generative adversarial network on low-dimensional data: a
 * generator G (a LayerStack latent_dim -> hidden... -> data_dim) warps codes
 * drawn from a prior (prior.h) into data space, and a discriminator D (a
 * LayerStack data_dim -> hidden... -> 1) scores a point with a logit
 * (real > 0 > fake).  Both last layers are identity.
 *
 * Losses (means over a batch of n real points x and n codes z):
 *   D:  L_D = mean softplus(-D(x)) + mean softplus(D(G(z)))
 *       (binary cross-entropy, real -> 1, fake -> 0, in the stable softplus form)
 *   G:  L_G = mean softplus(-D(G(z)))  (the non-saturating -log sigmoid(D(G(z))))
 * L_G reaches G's parameters through D: D's layers_backward hands d/dx down
 * (D's own gradient is not taken) into G's layers_backward.
 *
 * Training alternates d_steps Adam steps on D with one Adam step on G; real
 * mini-batches come from a seeded shuffle of the data and latent codes from
 * a seeded mt19937, so the same model, data and config give bit-identical
 * parameters.  Nothing is allocated inside a step (GanWork holds the scratch).
 *
 * The renderer reads gen and disc (views into the model's slab) and calls
 * gan_generate_point / gan_discriminate_point, the same arithmetic as
 * layers_forward_point. */
#ifndef GAN_H
#define GAN_H

#include "dataset.h"
#include "layers.h"
#include "prior.h"

#define GAN_MAX_LATENT 3
#define GAN_EVAL_POINTS 512 /* most points of the fixed batch the report's losses use */

/* What to build and how to train it.  gan_config_default() fills everything;
 * set the fields you need after it. */
typedef struct {
    int n_gen_hidden;                   /* 0..LW_MAX_LAYERS-1 hidden layers of G */
    int gen_hidden[LW_MAX_LAYERS - 1];  /* their widths, 1..LW_MAX_WIDTH */
    int n_disc_hidden;                  /* 0..LW_MAX_LAYERS-1 hidden layers of D */
    int disc_hidden[LW_MAX_LAYERS - 1];
    Activation gen_act;                 /* every hidden layer of G (last: identity) */
    Activation disc_act;                /* every hidden layer of D (last: identity) */
    int latent_dim;                     /* 1..GAN_MAX_LATENT */
    Prior prior;                        /* what the codes are drawn from */
    int steps;                          /* generator steps */
    int d_steps;                        /* discriminator steps per generator step, >= 1 */
    double g_learning_rate;             /* Adam, > 0 */
    double d_learning_rate;             /* Adam, > 0 */
    double beta1;                       /* Adam's first-moment decay (0.5 for GANs) */
    int batch;                          /* real points and codes per step, 1.. */
    uint64_t seed;                      /* gan_init_random's seed; the training streams
                                         * are derived from it (see gan_train) */
} GanConfig;

/* The model.  params is one owned slab: G's W1 b1 W2 b2 ... then D's, the
 * layout layers_bind gives; gen and disc are views into it. */
typedef struct {
    int latent_dim;        /* G's input width */
    int data_dim;          /* G's output width, D's input width */
    Prior prior;
    LayerStack gen;        /* latent_dim -> ... -> data_dim; W, b view params */
    LayerStack disc;       /* data_dim -> ... -> 1; W, b view params + n_gen_params */
    size_t n_gen_params;
    size_t n_disc_params;
    double *params;        /* (n_gen_params + n_disc_params), owned */
} Gan;

/* Scratch for loss and gradient evaluations on batches of up to cap points:
 * tapes for G (cap) and D (2 cap: real and fake in one pass), and buffers.
 * Owns everything it points to. */
typedef struct {
    int cap;
    LayersTape gtape;      /* G over cap codes */
    LayersTape dtape;      /* D over 2 cap points: rows [0, n) real, [n, 2n) fake */
    double *xd;            /* (2 cap, data_dim) D's input for a discriminator step */
    double *dlogit;        /* (2 cap) d loss / d logit */
    double *dx;            /* (cap, data_dim) d L_G / d G(z) */
    LayerStack ggrad;      /* G's shape over gslab */
    LayerStack dgrad;      /* D's shape over gslab + n_gen_params */
    double *gslab;         /* (n_gen_params + n_disc_params) gradients, owned */
} GanWork;

/* Three hidden layers of 16 in G and D, leaky_relu in both, latent 2,
 * Gaussian prior, 4000 steps, d_steps 1, Adam lr 5e-4 (G) and 1e-3 (D) with
 * beta1 0.5, batch 64, seed 1: what fits circles, moons and spiral. */
GanConfig gan_config_default(void);

/* Shapes m from cfg's widths, activations, latent_dim and prior for data of
 * data_dim (1..3); parameters zeroed.  LW_EINPUT for an impossible shape,
 * LW_ERUNTIME when out of memory.  m is overwritten; free it with gan_free
 * on any result. */
int gan_alloc(Gan *m, const GanConfig *cfg, int data_dim, LwError *err);
void gan_free(Gan *m);

/* Fresh parameters from seed (mt19937): Glorot uniform for tanh, sigmoid,
 * softplus and identity layers, He uniform with bias 0.1 for relu and
 * leaky_relu layers (the MLP's rule); other biases 0.  G first, then D. */
void gan_init_random(Gan *m, uint64_t seed);

/* x (data_dim) = G(z), z (latent_dim): layers_forward_point's arithmetic. */
void gan_generate_point(const Gan *m, const double *z, double *x);
/* D's logit at x (data_dim): layers_forward_point's arithmetic. */
double gan_discriminate_point(const Gan *m, const double *x);

/* n points (n, data_dim) into x: G of n codes prior_sample(m->prior,
 * latent_dim, n, seed) draws.  LW_EINPUT for n < 1, LW_ERUNTIME when out of
 * memory. */
int gan_sample(const Gan *m, int n, uint64_t seed, double *x, LwError *err);

/* Scratch for m and batches of up to cap points.  LW_EINPUT for cap < 1,
 * LW_ERUNTIME when out of memory.  w is overwritten; free it with
 * gan_work_free on any result. */
int gan_work_alloc(GanWork *w, const Gan *m, int cap, LwError *err);
void gan_work_free(GanWork *w);

/* L_D on real points x (n, data_dim) and codes z (n, latent_dim) into *loss.
 * With want_grad, d L_D / d D's parameters in w->dgrad (w->gslab +
 * m->n_gen_params); G's gradient is not taken.  LW_EINPUT when n is not in
 * 1..w->cap, LW_ERUNTIME "GSL error: ..." when a BLAS call fails. */
int gan_d_loss_grad(const Gan *m, GanWork *w, const double *x, const double *z, int n,
                    int want_grad, double *loss, LwError *err);

/* L_G on codes z (n, latent_dim) into *loss.  With want_grad, d L_G / d G's
 * parameters (through D) in w->ggrad (w->gslab); D's gradient is not taken.
 * Return codes as gan_d_loss_grad. */
int gan_g_loss_grad(const Gan *m, GanWork *w, const double *z, int n, int want_grad,
                    double *loss, LwError *err);

typedef struct {
    int steps;          /* generator steps taken */
    double d_loss;      /* L_D after training on the fixed evaluation batch */
    double g_loss;      /* L_G after training on the same batch */
    double seconds;     /* CPU time spent */
} GanReport;

/* Trains m (allocated by gan_alloc for ds->dim, initialised by the caller,
 * usually gan_init_random(m, cfg->seed)) on ds: cfg->steps times, d_steps
 * Adam steps on D then one on G (each its own Adam state, beta1 cfg->beta1).
 * Real batches of cfg->batch come from a shuffle by an mt19937 seeded with
 * cfg->seed (a new shuffle when fewer than a batch remain); codes
 * from a second mt19937 seeded with cfg->seed + 1.  The report's losses are
 * on a fixed batch: min(ds->n, GAN_EVAL_POINTS) data points evenly strided
 * through ds and as many codes prior_sample draws from seed cfg->seed + 2.
 * rep may be NULL.  LW_EINPUT for a config that does not fit m or ds (its
 * latent_dim and prior must be m's; batch 1..ds->n; d_steps >= 1; 0 <=
 * beta1 < 1; a learning rate not > 0), or when a loss is not
 * finite or a parameter exceeds 1e6 ("training diverged at step N (d_loss =
 * ..., g_loss = ...): lower learning_rate (now d X, g Y)"; m holds the
 * broken parameters); LW_ERUNTIME for out of memory or a GSL failure
 * ("gan training step N: GSL error: ...").  Same inputs give bit-identical
 * parameters. */
int gan_train(Gan *m, const Dataset *ds, const GanConfig *cfg, GanReport *rep, LwError *err);

/* Called at the generator steps GanTrainOptions asks for, with the model as
 * it is after that step's updates (step 0: before the first) and L_D, L_G
 * on the fixed evaluation batch (the report's, see gan_train) for those
 * parameters.  m is a read-only view valid only during the call (gan_copy
 * it to keep it).  Return LW_OK to go on; a negative LW_ code ends training
 * with that code (any other non-zero value with LW_ERUNTIME) and the
 * message written to err prefixed with "gan training step N: ". */
typedef int (*GanCheckpoint)(void *user, int step, const Gan *m, double d_loss, double g_loss,
                             LwError *err);

/* What gan_train_with reports along the way; zero-initialise, set what you need. */
typedef struct {
    GanCheckpoint checkpoint;     /* NULL = never called */
    void *user;
    int every;                    /* > 0: at every multiple of it (and step 0) */
    const int *steps;             /* and at each of these (any order; 0 = the initial
                                   * parameters; steps beyond cfg->steps are skipped) */
    int n_steps;
} GanTrainOptions;

/* gan_train with a checkpoint callback; opt may be NULL.  The evaluation
 * at a checkpoint reads the parameters and writes only scratch, so the
 * parameters are bit for bit those of gan_train. */
int gan_train_with(Gan *m, const Dataset *ds, const GanConfig *cfg, const GanTrainOptions *opt,
                   GanReport *rep, LwError *err);

/* A deep copy of src (its own slab, gen and disc rebound into it).
 * LW_ERUNTIME when out of memory; dst is overwritten, free it with gan_free
 * on any result. */
int gan_copy(Gan *dst, const Gan *src, LwError *err);

/* The generator's gradient at points of the data space: for each of the n
 * points x (n, data_dim) into dx (n, data_dim), d/dx of that point's own
 * term of L_G, softplus(-D(x)) (the non-saturating loss, not divided by
 * n), through D's layers_backward as in gan_g_loss_grad.  -dx is where the
 * generator's loss moves a generated point.  Uses w's D tape (n <= 2 w->cap)
 * and w->dlogit; return codes as gan_d_loss_grad. */
int gan_point_grad(const Gan *m, GanWork *w, const double *x, int n, double *dx, LwError *err);

#endif
