/* generative.h — a generative model's map as a segment of a show: the
 * latent grid (a box for a uniform prior; for a Gaussian, lines at its
 * quantiles, so equal cells hold equal probability) and latent samples
 * warped through the generator's (or decoder's) layers into the data
 * space, with the real data drawn as a still reference there. */
#ifndef GENERATIVE_H
#define GENERATIVE_H

#include "dataset.h"
#include "prior.h"
#include "show.h"

/* What a scene's network is: today's classifier, or a generative model
 * whose generator (GAN) or decoder (VAE, autoencoder) is the map shown. */
typedef enum { MODEL_CLASSIFIER, MODEL_GAN, MODEL_VAE, MODEL_AUTOENCODER } ModelKind;

/* The networks of a generative model, each shown as a segment of its own:
 * a GAN's generator and discriminator, a VAE's (or autoencoder's) encoder
 * and decoder. */
typedef enum { NET_GENERATOR, NET_DISCRIMINATOR, NET_ENCODER, NET_DECODER } ModelNet;
#define MODEL_MAX_NETS 2

/* The scene's [network] model, latent and prior keys, [train] beta and
 * [render] networks. */
typedef struct {
    ModelKind kind;
    int latent;            /* latent dimension, 1 to 3 */
    Prior prior;
    double beta;           /* VAE: weight of the KL term */
    int steps_given;       /* [train] steps / learning_rate set by the scene; else the */
    int rate_given;        /* model's own defaults (gan.h, vae.h) */
    int n_networks;        /* the show's segments, in order (model_default_nets when */
    ModelNet networks[MODEL_MAX_NETS]; /* the scene names none) */
} ModelSpec;

/* "classifier", "gan", "vae", "autoencoder" */
const char *model_kind_name(ModelKind k);

/* "generator", "discriminator", "encoder", "decoder"; and back (0, or -1
 * for an unknown name). */
const char *model_net_name(ModelNet n);
int model_net_parse(const char *name, ModelNet *out);
/* The networks model k has, in the order data flows (GAN: generator,
 * discriminator; VAE and autoencoder: encoder, decoder), into out
 * (MODEL_MAX_NETS); returns how many (0 for a classifier). */
int model_nets(ModelKind k, ModelNet *out);
/* The ones its show plays when the scene does not say: a GAN's generator
 * and discriminator, a VAE's or autoencoder's decoder. */
int model_default_nets(ModelKind k, ModelNet *out);

typedef struct {
    Prior prior;
    int n_samples;         /* latent codes drawn and carried through the layers */
    uint64_t seed;         /* for those codes */
    int grid_lines;        /* lines per axis of the latent grid */
    const char *title;     /* for the caption */
} GenerativeView;

/* Appends to show a segment of gen (latent -> data) over its latent grid,
 * carrying n_samples prior codes (drawn in the last colour) and, as a fixed
 * overlay, the real data (coloured by class) when real is not NULL and has
 * the generator's output width.  LW_ERUNTIME when out of memory. */
int generative_segment(const LayerStack *gen, const Dataset *real, const GenerativeView *v,
                       Show *show, LwError *err);

/* Appends to show a segment of a critic (a GAN's discriminator: data -> one
 * logit, its last layer linear): its hidden layers warp a box around the
 * points, carrying the real data (coloured by class) and n_fake generated
 * points (fake, (n_fake, dim)) in the generated colour, and its last layer
 * is the segment's score, whose boundary (real | generated) is drawn.
 * LW_EINPUT for a critic without hidden layers; LW_ERUNTIME out of memory. */
int generative_critic_segment(const LayerStack *critic, const Dataset *real, const double *fake,
                              int n_fake, const char *title, int show_boundary, Show *show,
                              LwError *err);

/* How an encoder is shown. */
typedef struct {
    int latent;            /* latent dimension, 1 to 3 */
    int variational;       /* 1: the stack's last layer gives mu then logvar (a VAE's),
                              each point's posterior drawn about its mean; 0: the code */
    double sigma_k;        /* a posterior's ellipse has semi-axes sigma_k * sigma */
    Prior prior;           /* its quantile lines drawn in the latent space, for reference */
    int grid_lines;        /* of those, per axis */
    const char *title;     /* for the caption */
} EncoderView;

/* Appends to show a segment of an encoder (data -> latent): its hidden
 * layers and then its mean head (the last layer's first `latent` rows; an
 * autoencoder's whole last layer) warp a box around the real data, which
 * ride along coloured by class.  In the latent space the prior's quantile
 * lines stand as a fixed reference, and for a VAE each point carries its
 * posterior sigma = exp(logvar / 2) from the stack's own forward pass,
 * drawn there as an ellipse.  LW_EINPUT when enc does not fit (data
 * dimension, output width for latent and variational); LW_ERUNTIME when out
 * of memory. */
int generative_encoder_segment(const LayerStack *enc, const Dataset *real, const EncoderView *v,
                               Show *show, LwError *err);

/* The box of the latent grid: [-1, 1] per axis for a uniform prior, the
 * Gaussian's 0.5 % and 99.5 % quantiles for a Gaussian one. */
double generative_latent_extent(Prior p);

#endif
