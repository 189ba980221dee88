/* loss.h — losses as objects that sit on top of a LayerStack: each reads the
 * top activations (n, n_in) and a target, and returns the mean loss, d loss /
 * d top (for the stack below, or for another network below that), and the
 * gradients of the loss's own parameters, if it has any.
 *
 * Today there is one kind, the classifier's: a linear readout
 * logits = top Wout^T + bout, then sigmoid cross-entropy on one logit (two
 * classes) or softmax cross-entropy on k logits.  Its readout is a one-layer
 * LayerStack (identity activation) over views of someone else's slab (the
 * Mlp's Wout, bout), so its gradient is a LayerStack of the same shape.
 *
 * Later kinds fit the same call: a GAN's non-saturating generator loss reads
 * the discriminator's logits with no target and no parameters (n_params 0)
 * and hands d/dlogits down through the discriminator's layers_backward
 * (grad = NULL) into the generator's; a VAE's ELBO reads the decoder's output
 * with LossTarget.value = the data (reconstruction) and a second loss reads
 * the encoder's output (KL), each handing its d/dtop to its own stack.
 *
 * The L2 penalty 0.5 * l2 * sum W^2 over weight blocks (not biases) is a
 * pair of functions, so a trainer chooses which blocks it covers. */
#ifndef LOSS_H
#define LOSS_H

#include "layers.h"

typedef enum {
    LOSS_CROSSENTROPY /* linear readout + sigmoid (1 logit) / softmax (k logits) cross-entropy */
} LossKind;

/* What a loss compares its input with; each kind reads the fields it needs. */
typedef struct {
    const int *label;     /* (n) class of each point: LOSS_CROSSENTROPY */
    const double *value;  /* (n, width) real targets: for a later reconstruction loss */
} LossTarget;

typedef struct {
    LossKind kind;
    int n_in;             /* width of the top activations it reads: (n, n_in) */
    int n_out;            /* readout logits: 1 (sigmoid) or classes (softmax) */
    int cap;              /* most points per call */
    LayerStack readout;   /* its parameters: one identity layer n_in -> n_out (views) */
    size_t n_params;      /* layers_n_params(&readout); 0 for a loss without parameters */
    LayersTape tape;      /* the readout's forward state, owned */
    double *dlogits;      /* (cap, n_out) d loss / d logits, owned */
} Loss;

/* The classifier's loss on top activations of width n_in: classes 2 gives
 * one logit (sigmoid), 3..LW_MAX_CLASSES one per class (softmax).  Wout
 * (n_out, n_in) and bout (n_out) are views the loss reads (and may be
 * re-pointed through loss->readout.W[0], .b[0]).  Scratch for up to cap points.
 * LW_EINPUT for impossible shapes, LW_ERUNTIME when out of memory.  loss is
 * overwritten; free it with loss_free on any result. */
int loss_crossentropy_alloc(Loss *loss, int n_in, int classes, double *Wout, double *bout,
                            int cap, LwError *err);
void loss_free(Loss *loss);

/* Mean loss over n points top (n, n_in) against target into *value.  When
 * dtop != NULL writes d loss / d top (n, n_in); when dparams != NULL (a stack
 * of loss->readout's shape over a gradient slab) writes the gradients of the
 * loss's own parameters.  top must not change between the two (it is read in
 * the backward pass).  LW_EINPUT for n outside 1..cap or a missing target,
 * LW_ERUNTIME "readout: GSL error: ..." when a BLAS call fails. */
int loss_forward_backward(Loss *loss, const double *top, const LossTarget *target, int n,
                          double *value, double *dtop, const LayerStack *dparams,
                          LwError *err);

/* sq + the sum of squares of W (n values), added one by one in order, so a
 * penalty over several blocks is one running sum: start from 0. */
double loss_l2_sumsq(double sq, const double *W, size_t n);
/* Backward of 0.5 * l2 * sum W^2: dW += l2 * W (n values). */
void loss_l2_backward(double l2, const double *W, double *dW, size_t n);
/* Both over every weight matrix of a stack (not its biases), layer 0 first. */
double loss_l2_sumsq_stack(double sq, const LayerStack *s);
void loss_l2_backward_stack(double l2, const LayerStack *s, const LayerStack *grad);

#endif
