/* loss.c — losses on top of a LayerStack (today the classifier's readout +
 * cross-entropy) and the L2 penalty.
 *
 * Invariants: a Loss owns its scratch (the readout's tape and dlogits), never
 * its parameters (readout.W[0], readout.b[0] are views).  The arithmetic is
 * the one the MLP always used, in the same order, so trained weights stay
 * bit-identical. */
#include "loss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int loss_crossentropy_alloc(Loss *loss, int n_in, int classes, double *Wout, double *bout,
                            int cap, LwError *err)
{
    memset(loss, 0, sizeof *loss);
    if (classes < 2 || classes > LW_MAX_CLASSES)
        return lw_fail(err, LW_EINPUT, "%d classes (expected 2..%d)", classes, LW_MAX_CLASSES);
    loss->kind = LOSS_CROSSENTROPY;
    loss->n_in = n_in;
    /* two classes need one logit (sigmoid); more need one per class (softmax) */
    loss->n_out = classes == 2 ? 1 : classes;
    LayerStack *r = &loss->readout;
    r->n_layers = 1;
    r->widths[0] = n_in;
    r->widths[1] = loss->n_out;
    r->act[0] = ACT_IDENTITY;
    r->W[0] = Wout;
    r->b[0] = bout;
    loss->n_params = layers_n_params(r);
    int ret = layers_tape_alloc(&loss->tape, r, cap, err);
    if (ret)
        return ret;
    loss->dlogits = malloc((size_t)cap * loss->n_out * sizeof *loss->dlogits);
    if (!loss->dlogits)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a batch of %d points", cap);
    loss->cap = cap;
    return LW_OK;
}

void loss_free(Loss *loss)
{
    if (!loss)
        return;
    layers_tape_free(&loss->tape);
    free(loss->dlogits);
    memset(loss, 0, sizeof *loss);
}

/* Mean cross-entropy of logits (n, n_out) against labels; writes dlogits
 * (n, n_out) = d loss / d logits when non-NULL. */
static double crossentropy_forward_backward(int n, int n_out, const double *logits,
                                            const int *label, double *dlogits)
{
    double loss = 0;
    for (int i = 0; i < n; i++) {
        const double *z = logits + (size_t)i * n_out;
        if (n_out == 1) {
            /* -[y log s(z) + (1-y) log(1-s(z))] = max(z,0) - y z + log(1 + e^-|z|),
             * which never takes exp of a large positive number */
            double y = label[i] == 1 ? 1.0 : 0.0;
            loss += fmax(z[0], 0.0) - y * z[0] + log1p(exp(-fabs(z[0])));
            if (dlogits) {
                double s = z[0] >= 0 ? 1.0 / (1.0 + exp(-z[0]))
                                     : exp(z[0]) / (1.0 + exp(z[0]));
                // loss_i = softplus(z) - y z  =>  dz = sigmoid(z) - y
                dlogits[i] = (s - y) / n;
            }
        } else {
            double mx = z[0], sum = 0;
            for (int k = 1; k < n_out; k++)
                if (z[k] > mx)
                    mx = z[k];
            for (int k = 0; k < n_out; k++)
                sum += exp(z[k] - mx);
            double lse = mx + log(sum);
            loss += lse - z[label[i]];
            if (dlogits)
                for (int k = 0; k < n_out; k++) {
                    // loss_i = lse(z) - z[y]  =>  dz[k] = softmax(z)[k] - [k == y]
                    dlogits[(size_t)i * n_out + k] =
                        (exp(z[k] - lse) - (k == label[i] ? 1.0 : 0.0)) / n;
                }
        }
    }
    return loss / n;
}

/* LOSS_CROSSENTROPY: logits = top Wout^T + bout, then cross-entropy. */
static int crossentropy_loss(Loss *loss, const double *top, const int *label, int n,
                             double *value, double *dtop, const LayerStack *dparams,
                             LwError *err)
{
    const double *logits; // (n, n_out)
    LwError inner;
    if (layers_forward(&loss->readout, &loss->tape, top, n, &logits, &inner))
        return lw_fail(err, LW_ERUNTIME, "readout: %s", inner.msg);
    int backward = dtop || dparams;
    *value = crossentropy_forward_backward(n, loss->n_out, logits, label,
                                           backward ? loss->dlogits : NULL);
    if (!backward)
        return LW_OK;
    // logits = top Wout^T + bout
    if (layers_backward(&loss->readout, &loss->tape, loss->dlogits, dtop, dparams,
                        LAYERS_GRAD_SET, &inner))
        return lw_fail(err, LW_ERUNTIME, "readout: %s", inner.msg);
    return LW_OK;
}

int loss_forward_backward(Loss *loss, const double *top, const LossTarget *target, int n,
                          double *value, double *dtop, const LayerStack *dparams,
                          LwError *err)
{
    if (n < 1 || n > loss->cap)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (the loss holds 1..%d)", n,
                       loss->cap);
    switch (loss->kind) {
    case LOSS_CROSSENTROPY:
        if (!target || !target->label)
            return lw_fail(err, LW_EINPUT, "cross-entropy needs labels");
        return crossentropy_loss(loss, top, target->label, n, value, dtop, dparams, err);
    }
    return lw_fail(err, LW_EINPUT, "unknown loss kind %d", (int)loss->kind);
}

/* ---- L2 penalty ---- */

double loss_l2_sumsq(double sq, const double *W, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sq += W[i] * W[i];
    return sq;
}

void loss_l2_backward(double l2, const double *W, double *dW, size_t n)
{
    // loss += 0.5 l2 sum W^2  =>  dW += l2 W
    for (size_t i = 0; i < n; i++)
        dW[i] += l2 * W[i];
}

double loss_l2_sumsq_stack(double sq, const LayerStack *s)
{
    for (int l = 0; l < s->n_layers; l++)
        sq = loss_l2_sumsq(sq, s->W[l], (size_t)s->widths[l + 1] * s->widths[l]);
    return sq;
}

void loss_l2_backward_stack(double l2, const LayerStack *s, const LayerStack *grad)
{
    for (int l = 0; l < s->n_layers; l++)
        loss_l2_backward(l2, s->W[l], grad->W[l], (size_t)s->widths[l + 1] * s->widths[l]);
}
