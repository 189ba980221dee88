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

#define GEN_MAX_PATHS 4        /* latent_path: interpolations */
#define GEN_MAX_ARITH 2        /* latent_arith: examples of a - b + c */
#define GEN_PATH_CODES 4       /* codes one interpolation runs through */

/* A latent code as a scene writes it: its latent coordinates, or (enc) a
 * point of the data space whose code is the encoder's mean there. */
typedef struct {
    int enc;
    int n;                 /* numbers written: latent or data dimension when valid */
    double x[3];           /* zero beyond n */
} LatentCode;

/* A latent path (codes joined by straight pieces) or one example of latent
 * arithmetic (code[0] - code[1] + code[2]). */
typedef struct {
    int n_codes;           /* 2..GEN_PATH_CODES; 3 for arithmetic */
    LatentCode code[GEN_PATH_CODES];
    int line;              /* where the scene wrote it, for messages */
} LatentPath;


/* The networks of a generative model, each shown as a segment of its own:
 * a GAN's generator and discriminator, a VAE's (or autoencoder's) encoder
 * and decoder. */
typedef enum { NET_GENERATOR, NET_DISCRIMINATOR, NET_ENCODER, NET_DECODER } ModelNet;
#define MODEL_MAX_NETS 2

/* The scene's [network] model, latent, prior and latent path keys, [train]
 * beta and [render] networks. */
typedef struct {
    ModelKind kind;
    int latent;            /* latent dimension, 1 to 3 */
    Prior prior;
    double beta;           /* VAE: weight of the KL term */
    int steps_given;       /* [train] steps / learning_rate set by the scene; else the */
    int rate_given;        /* model's own defaults (gan.h, vae.h) */
    int n_paths, n_arith;  /* latent_path, latent_arith */
    LatentPath paths[GEN_MAX_PATHS];
    LatentPath arith[GEN_MAX_ARITH];
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
    /* latent paths and arithmetic to draw (codes in latent coordinates,
     * none enc, inside the latent box), or none */
    const LatentPath *paths;
    int n_paths;
    const LatentPath *arith;
    int n_arith;
} GenerativeView;

/* Appends to show a segment of gen (latent -> data) over its latent grid,
 * carrying n_samples prior codes (drawn in the last colour) and, as a fixed
 * overlay, the real data (coloured by class) when real is not NULL and has
 * the generator's output width.  The view's latent paths become the
 * segment's paths, their codes marked and lettered in order (paths first,
 * then arithmetic): a path through a, b; arithmetic c - d + e drawn as the
 * vector d -> c and the same vector at e, e -> c - d + e.  LW_EINPUT for a
 * path the segment cannot hold (an enc code, too many); LW_ERUNTIME when
 * out of memory. */
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

/* The latent box for messages ("every coordinate from -2.575 to 2.575, the
 * gaussian prior's central 99 %") into buf; returns buf. */
const char *generative_box_text(Prior p, char *buf, size_t cap);

/* A code as a scene writes it ("1.5,0.3", "enc(0.9,0.4)"), numbers in %g,
 * into buf; returns buf. */
const char *generative_code_text(const LatentCode *c, char *buf, size_t cap);

/* 1 when the latent point z (dim coordinates) lies in the latent box drawn
 * for the prior (its edges included). */
int generative_in_box(Prior p, const double *z, int dim);

/* The end of latent arithmetic a - b + c: out (dim) = c + (a - b), as the
 * segment draws it (the vector from b to a, applied at c). */
void generative_arith_end(const double *a, const double *b, const double *c, int dim,
                          double *out);

#endif
