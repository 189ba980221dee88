/* vae.h — a variational autoencoder (and the plain autoencoder it grows
 * from): an encoder LayerStack from data to a latent code, a decoder
 * LayerStack from the code back to data, trained together with Adam.  The
 * decoder is what the renderer animates: a latent grid warped into data.
 *
 *   encoder  data_dim -> enc_hidden... -> 2*latent_dim   (VAE: mu, logvar; last layer identity)
 *                                     -> latent_dim     (autoencoder: the code; identity)
 *   decoder  latent_dim -> dec_hidden... -> data_dim     (last layer identity)
 *
 * Loss over a batch of n points (mean over the batch):
 *   recon = 1/n sum_i sum_d (xhat_id - x_id)^2
 *   kl    = 1/n sum_i 1/2 sum_j (mu_ij^2 + exp(logvar_ij) - logvar_ij - 1)   (VAE only)
 *   loss  = recon + beta * kl
 * with z = mu + exp(logvar/2) * eps, eps ~ N(0, I) (the reparameterisation),
 * or z = code for the autoencoder (no noise, no KL).
 *
 * Ownership: a Vae owns one slab of parameters (encoder then decoder, each
 * laid out as layers_bind lays it); enc and dec are views into it.  A
 * VaeWork owns the scratch of one forward/backward.  Everything is
 * deterministic: same config, data and seeds give bit-identical parameters. */
#ifndef VAE_H
#define VAE_H

#include "dataset.h"
#include "layers.h"

#define VAE_MAX_LATENT 3
#define VAE_MAX_HIDDEN (LW_MAX_LAYERS - 1) /* hidden layers per network */

/* The model's shape and how to train it. */
typedef struct {
    int n_enc_hidden;                 /* 0..VAE_MAX_HIDDEN */
    int enc_hidden[VAE_MAX_HIDDEN];   /* widths 1..LW_MAX_WIDTH, data side first */
    int n_dec_hidden;                 /* 0..VAE_MAX_HIDDEN */
    int dec_hidden[VAE_MAX_HIDDEN];   /* latent side first (often enc_hidden reversed) */
    Activation act;                   /* of every hidden layer */
    int latent_dim;                   /* 1..VAE_MAX_LATENT */
    int variational;                  /* 1: VAE; 0: plain autoencoder */
    double beta;                      /* KL weight (VAE), >= 0 */
    int steps;                        /* Adam steps, >= 0 */
    double learning_rate;             /* > 0 */
    int batch;                        /* points per step; 0 (or >= n) = full batch */
    uint64_t seed;                    /* mini-batch order and the reparameterisation's eps */
} VaeConfig;

/* Hidden 16,16 tanh both ways, latent 2, VAE with beta 0.1, 2000 steps of
 * Adam at 0.01, full batch, seed 1.  Why beta 0.1: the squared error is a
 * Gaussian likelihood of variance 1/2, vague for data of unit scale, so at
 * beta 1 the KL wins and the posterior half collapses (moons: recon 0.38,
 * KL 0.29, posterior sigma 0.87; at 0.1: recon 0.017, KL 1.9, sigma 0.49). */
VaeConfig vae_config_default(void);

typedef struct {
    int variational;    /* 1: VAE, 0: autoencoder */
    int data_dim;       /* 1..3 (Dataset.dim) */
    int latent_dim;     /* 1..VAE_MAX_LATENT */
    LayerStack enc;     /* data_dim -> ... -> 2*latent_dim (VAE) or latent_dim; views */
    LayerStack dec;     /* latent_dim -> ... -> data_dim; views */
    size_t n_params;    /* encoder's then decoder's */
    double *params;     /* (n_params) owned: enc W1 b1 W2 b2 ..., then dec W1 b1 ... */
} Vae;

/* Shapes m from cfg (hidden widths, act, latent_dim, variational) for data of
 * dimension data_dim; parameters zeroed.  LW_EINPUT for an impossible shape,
 * LW_ERUNTIME when out of memory.  m is overwritten; free with vae_free on
 * any result. */
int vae_alloc(Vae *m, int data_dim, const VaeConfig *cfg, LwError *err);
/* Glorot uniform weights (He for relu / leaky relu, with a small positive
 * bias), zero biases, from an mt19937 seeded with seed.  LW_ERUNTIME when
 * out of memory (m unchanged). */
int vae_init_random(Vae *m, uint64_t seed, LwError *err);
/* Frees m's slab and zeroes m; accepts NULL and a zeroed Vae. */
void vae_free(Vae *m);

/* ---- per point: what the renderer evaluates (plain loops, as layers_forward_point) ---- */

/* x (data_dim) -> mu (latent_dim) and, for a VAE, logvar (latent_dim) when
 * non-NULL.  For an autoencoder mu is the code and logvar is ignored. */
void vae_encode_point(const Vae *m, const double *x, double *mu, double *logvar);
/* z (latent_dim) -> x (data_dim): the decoder stack's forward only. */
void vae_decode_point(const Vae *m, const double *z, double *x);

/* ---- the reparameterisation and the KL term on their own ---- */

/* enc_out (n, 2L): each row mu (L) then logvar (L); eps (n, L).
 * z (n, L) = mu + exp(logvar/2) * eps.  Returns the mean over rows of
 * KL(N(mu, diag exp(logvar)) || N(0, I)). */
double vae_reparam_forward(int n, int L, const double *enc_out, const double *eps, double *z);
/* Backward of recon(z) + beta * kl: dz (n, L) = d recon / d z in; denc (n, 2L)
 * = d loss / d [mu, logvar] out.  dz = NULL means no recon term (KL alone). */
void vae_reparam_backward(int n, int L, const double *enc_out, const double *eps,
                          const double *dz, double beta, double *denc);

/* ---- one forward and backward over a batch ---- */

/* Scratch for batches of up to cap points of one Vae's shape, allocated once. */
typedef struct {
    int cap;
    LayersTape enc_tape, dec_tape;
    double *z;      /* (cap, latent_dim) */
    double *dz;     /* (cap, latent_dim) d loss / d z (the decoder's dX) */
    double *denc;   /* (cap, encoder output width) d loss / d encoder output */
    double *dxhat;  /* (cap, data_dim) d loss / d decoder output */
    double *buf;    /* owned: z, dz, denc and dxhat live here */
} VaeWork;

/* LW_EINPUT for cap < 1, LW_ERUNTIME when out of memory.  w is overwritten;
 * free with vae_work_free on any result. */
int vae_work_alloc(VaeWork *w, const Vae *m, int cap, LwError *err);
void vae_work_free(VaeWork *w);

/* Mean recon and kl (0 for an autoencoder) of n points x (n, data_dim)
 * with noise eps (n, latent_dim; ignored and may be NULL for an
 * autoencoder); when grad != NULL, d (recon + beta * kl) / d params into
 * grad (n_params, the layout of m->params).  LW_EINPUT for n outside
 * 1..w->cap, LW_ERUNTIME "encoder|decoder: GSL error: ..." when BLAS fails. */
int vae_loss_grad(const Vae *m, VaeWork *w, const double *x, int n, const double *eps,
                  double beta, double *recon, double *kl, double *grad, LwError *err);

/* ---- training and metrics ---- */

typedef struct {
    int steps;          /* steps taken */
    double recon;       /* mean reconstruction error on all data (VAE: decoding mu) */
    double kl;          /* mean KL on all data (0 for an autoencoder) */
    double seconds;     /* CPU time */
} VaeReport;

/* cfg->steps Adam steps on ds from m's current parameters (call
 * vae_init_random first), mini-batches in a shuffle seeded by cfg->seed and
 * eps from an mt19937 seeded from cfg->seed, one draw per step.  rep may be
 * NULL.  LW_EINPUT when cfg does not match m (variational, latent_dim), ds
 * does not match m (dim) or is empty, a setting is out of range, or the
 * loss stops being finite ("training diverged at step N (loss = nan):
 * lower learning_rate (now ...)"); LW_ERUNTIME for a GSL or memory failure. */
int vae_train(Vae *m, const Dataset *ds, const VaeConfig *cfg, VaeReport *rep, LwError *err);

/* Mean recon (decoding mu) and KL over all points, per point, no
 * allocation.  An empty dataset gives 0, 0. */
void vae_evaluate(const Vae *m, const Dataset *ds, double *recon, double *kl);

/* The mean over points and latent axes of the posterior sigma
 * exp(logvar/2); 0 for an autoencoder or an empty dataset. */
double vae_mean_sigma(const Vae *m, const Dataset *ds);

/* The share (0..1) of grid^latent_dim latent points, evenly spaced over
 * [-2.5, 2.5] on each axis (ends included; grid 1 = the origin), within
 * 2*sigma (Euclidean) of some point's code (VAE: its posterior mean;
 * autoencoder: its code).  sigma <= 0 means the model's own mean posterior
 * sigma (vae_mean_sigma; an autoencoder then covers only exact hits).
 * 0 for grid < 1 or an empty dataset; NAN when out of memory. */
double vae_latent_coverage(const Vae *m, const Dataset *ds, int grid, double sigma);

#endif
