/* mlp.h — the multilayer perceptron: hidden layers h_l = act_l(W_l h_{l-1} + b_l)
 * that are animated, then a linear readout (logits = Wout h_L + bout) that is
 * not: sigmoid of one logit for two classes, softmax of k logits for more.
 *
 * All parameters live in one slab (`params`) with named views into it, so a
 * gradient is a second slab of the same layout and freeing is one call. */
#ifndef MLP_H
#define MLP_H

#include "layers.h"
#include "lw_common.h"
#include "loss.h"
#include "readable.h"

/* The network a scene describes: widths, activations, and fixed weights
 * written in the scene or named in a weights file (the [network] and
 * [weights] sections). */
typedef struct {
    int n_widths;                   /* input + hidden layers */
    int widths[LW_MAX_LAYERS + 1];  /* widths[0] = input dimension */
    Activation act[LW_MAX_LAYERS];  /* one per hidden layer */
    int has_weights;
    char weights_path[LW_PATH_MAX]; /* "" unless [weights] file = ... */
    double *W[LW_MAX_LAYERS];       /* (widths[l+1], widths[l]) row-major */
    double *b[LW_MAX_LAYERS];       /* (widths[l+1]) */
    int has_readout;                /* Wout/bout given (fixed weights only) */
    int n_out;                      /* rows of Wout */
    double *Wout;                   /* (n_out, widths[last]) */
    double *bout;                   /* (n_out) */
} NetSpec;

typedef struct {
    int n_layers;                   /* hidden layers (animated) */
    int widths[LW_MAX_LAYERS + 1];  /* widths[0] = input dim */
    Activation act[LW_MAX_LAYERS];
    int n_out;                      /* 1 (sigmoid) or classes (softmax) */
    int has_readout;                /* 0 for a fixed-weight scene without one */
    size_t n_params;
    double *params;                 /* the slab, owned */
    double *W[LW_MAX_LAYERS];       /* views: (widths[l+1], widths[l]) row-major */
    double *b[LW_MAX_LAYERS];       /* (widths[l+1]) */
    double *Wout;                   /* (n_out, widths[n_layers]) */
    double *bout;                   /* (n_out) */
} Mlp;

/* Allocates (zeroed) parameters for these widths; classes >= 2 sets n_out
 * (1 for two classes, else classes); classes = 0 makes a network without a
 * readout (n_out = 0, has_readout = 0) for fixed-weight scenes.  LW_EINPUT for
 * impossible shapes.  m is overwritten; free it with mlp_free on any result. */
int mlp_alloc(Mlp *m, int n_widths, const int *widths, const Activation *act,
              int classes, LwError *err);
/* Random initialisation from seed (GSL mt19937): Glorot uniform and zero
 * biases, except relu and leaky_relu layers: He uniform and biases 0.1. */
void mlp_init_random(Mlp *m, uint64_t seed);
/* A same-layout gradient slab's views, for train and tests. */
void mlp_views(const Mlp *m, double *slab, double **W, double **b,
               double **Wout, double **bout);
void mlp_free(Mlp *m);

/* One point: hidden activations of every layer written to h (each layer at
 * h + l*LW_MAX_WIDTH, layer 0 = input), so h holds at least
 * (n_layers + 1) * LW_MAX_WIDTH doubles; returns nothing. */
void mlp_forward_point(const Mlp *m, const double *x, double *h);
/* Class probabilities of one point (probs has n_out == 1 ? 2 : n_out entries). */
void mlp_predict_point(const Mlp *m, const double *x, double *probs);
/* Predicted class of one point; -1 for a network without a readout. */
int mlp_classify_point(const Mlp *m, const double *x);

/* The hidden layers as a LayerStack of views into m->params (what the
 * renderer animates); with a gradient slab of n_params doubles, the same
 * views into that slab. */
LayerStack mlp_layers(const Mlp *m);
LayerStack mlp_grad_layers(const Mlp *m, double *grad);

/* Mean cross-entropy loss (+ 0.5*l2*|W|^2) over n points x (n, dim) with
 * labels, and if grad != NULL its gradient (a slab of n_params) — the
 * forward and backward passes over GSL matrices. */
double mlp_loss_grad(const Mlp *m, const double *x, const int *label, int n,
                     double l2, double *grad);
/* Scratch for the batch passes, allocated once per training run and reused
 * every step (mlp_loss_grad allocates its own each call).  Tied to a shape,
 * not to one Mlp's slab. */
typedef struct {
    int cap;            /* most points per call */
    LayersTape tape;    /* the hidden layers' forward state, owned */
    Loss loss;          /* readout + cross-entropy and its scratch, owned */
    double *dtop;       /* (cap, widths[n_layers]) d loss / d top activations, owned */
} MlpWork;

/* Sizes w for batches of up to cap points of m; LW_ERUNTIME when out of
 * memory.  w is overwritten; free it with mlp_work_free on any result. */
int mlp_work_alloc(MlpWork *w, const Mlp *m, int cap, LwError *err);
void mlp_work_free(MlpWork *w);
/* mlp_loss_grad with caller-owned scratch; n <= w->cap.  Both return NaN
 * when they fail (mlp_loss_grad also when it cannot allocate its scratch);
 * mlp_loss_grad_checked says why. */
double mlp_loss_grad_work(const Mlp *m, MlpWork *w, const double *x,
                          const int *label, int n, double l2, double *grad);
/* mlp_loss_grad_work that returns a status: LW_OK with the loss in *loss;
 * LW_EINPUT for a network without a readout or n outside 1..w->cap;
 * LW_ERUNTIME "GSL error: ..." when a BLAS call fails.  A non-finite loss is
 * not a failure here (the trainer judges it). */
int mlp_loss_grad_checked(const Mlp *m, MlpWork *w, const double *x, const int *label,
                          int n, double l2, double *grad, double *loss, LwError *err);
/* mlp_loss_grad_checked plus the readable loss term (readable.h) of weight
 * readable over the hidden layers, with r sized for m's shape and at least
 * n points; r = NULL or readable = 0 is mlp_loss_grad_checked, bit for bit.
 * *loss includes the term. */
int mlp_loss_grad_readable(const Mlp *m, MlpWork *w, Readable *r, double readable,
                           const double *x, const int *label, int n, double l2, double *grad,
                           double *loss, LwError *err);
/* Fraction of points classified correctly. */
double mlp_accuracy(const Mlp *m, const double *x, const int *label, int n);

/* Plain text weights file (docs/weights-format.md); numbers printed with
 * %.17g, so save then load is bit exact.  mlp_load allocates m itself from
 * the file's header (m need not be initialised) and frees it on failure;
 * a malformed file gives LW_EINPUT "path:line: problem". */
int mlp_save(const Mlp *m, const char *path, LwError *err);
int mlp_load(Mlp *m, const char *path, LwError *err);

#endif
