/* mlp.c — the multilayer perceptron: allocation, initialisation, forward and
 * backward passes, and the weights file.
 *
 * Invariants: all parameters live in m->params, laid out layer by layer as
 * W1 b1 W2 b2 ... Wout bout (Wout and bout absent without a readout); the
 * views W[l], b[l], Wout, bout point into that slab, and a gradient slab of
 * n_params doubles has the same layout (mlp_views).  The Mlp owns the slab.
 *
 * The passes are built from the generic pieces: the hidden layers are a
 * LayerStack of views into the slab (layers.c), the readout + cross-entropy a
 * Loss (loss.c), and the L2 penalty covers every W and Wout (not biases). */
#include "mlp.h"

#include "atomic_file.h"
#include "weights_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

static size_t slab_size(int n_layers, const int *widths, int n_out)
{
    size_t n = 0;
    for (int l = 0; l < n_layers; l++)
        n += (size_t)widths[l + 1] * widths[l] + widths[l + 1];
    n += (size_t)n_out * widths[n_layers] + n_out;
    return n;
}

void mlp_views(const Mlp *m, double *slab, double **W, double **b, double **Wout,
               double **bout)
{
    double *p = slab;
    for (int l = 0; l < m->n_layers; l++) {
        W[l] = p;
        p += (size_t)m->widths[l + 1] * m->widths[l];
        b[l] = p;
        p += m->widths[l + 1];
    }
    *Wout = m->n_out > 0 ? p : NULL;
    p += (size_t)m->n_out * m->widths[m->n_layers];
    *bout = m->n_out > 0 ? p : NULL;
}

LayerStack mlp_layers(const Mlp *m)
{
    LayerStack s = {.n_layers = m->n_layers};
    memcpy(s.widths, m->widths, sizeof s.widths);
    memcpy(s.act, m->act, sizeof s.act);
    memcpy(s.W, m->W, sizeof s.W);
    memcpy(s.b, m->b, sizeof s.b);
    return s;
}

LayerStack mlp_grad_layers(const Mlp *m, double *grad)
{
    LayerStack s = {.n_layers = m->n_layers};
    memcpy(s.widths, m->widths, sizeof s.widths);
    memcpy(s.act, m->act, sizeof s.act);
    layers_bind(&s, grad);
    return s;
}

int mlp_alloc(Mlp *m, int n_widths, const int *widths, const Activation *act, int classes,
              LwError *err)
{
    memset(m, 0, sizeof *m);
    if (n_widths < 1 || n_widths > LW_MAX_LAYERS + 1)
        return lw_fail(err, LW_EINPUT, "network has %d widths (expected 1..%d)", n_widths,
                       LW_MAX_LAYERS + 1);
    for (int l = 0; l < n_widths; l++)
        if (widths[l] < 1 || widths[l] > LW_MAX_WIDTH)
            return lw_fail(err, LW_EINPUT, "layer width %d (expected 1..%d)", widths[l],
                           LW_MAX_WIDTH);
    if (classes == 1 || classes < 0 || classes > LW_MAX_CLASSES)
        return lw_fail(err, LW_EINPUT, "%d classes (expected 2..%d)", classes,
                       LW_MAX_CLASSES);
    m->n_layers = n_widths - 1;
    memcpy(m->widths, widths, (size_t)n_widths * sizeof *widths);
    for (int l = 0; l < m->n_layers; l++) {
        if (act[l] < 0 || act[l] >= ACT_COUNT)
            return lw_fail(err, LW_EINPUT, "unknown activation %d", (int)act[l]);
        m->act[l] = act[l];
    }
    /* two classes need one logit (sigmoid); more need one per class (softmax);
     * classes == 0 means a fixed-weight network without a readout */
    m->n_out = classes == 0 ? 0 : classes == 2 ? 1 : classes;
    m->has_readout = m->n_out > 0;
    m->n_params = slab_size(m->n_layers, m->widths, m->n_out);
    m->params = calloc(m->n_params, sizeof *m->params);
    if (!m->params)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %zu parameters", m->n_params);
    mlp_views(m, m->params, m->W, m->b, &m->Wout, &m->bout);
    return LW_OK;
}

void mlp_free(Mlp *m)
{
    if (!m)
        return;
    free(m->params);
    memset(m, 0, sizeof *m);
}

/* Glorot/Xavier uniform: keeps the variance of activations roughly constant
 * through the layers, so deep 2-wide tanh stacks start neither saturated nor
 * collapsed.  Biases start at 0. */
static void glorot(gsl_rng *r, double *W, int rows, int cols)
{
    double limit = sqrt(6.0 / (rows + cols));
    for (int i = 0; i < rows * cols; i++)
        W[i] = limit * (2.0 * gsl_rng_uniform(r) - 1.0);
}

#define RELU_BIAS 0.1

/* He/Kaiming uniform for relu layers: variance 2 / fan_in. */
static void he(gsl_rng *r, double *W, int rows, int cols)
{
    double limit = sqrt(6.0 / cols);
    for (int i = 0; i < rows * cols; i++)
        W[i] = limit * (2.0 * gsl_rng_uniform(r) - 1.0);
}

void mlp_init_random(Mlp *m, uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    /* gsl_rng_alloc only fails when out of memory; zero weights stay valid */
    if (!r)
        return;
    gsl_rng_set(r, (unsigned long)seed);
    memset(m->params, 0, m->n_params * sizeof *m->params);
    for (int l = 0; l < m->n_layers; l++) {
        if (m->act[l] == ACT_RELU || m->act[l] == ACT_LEAKY_RELU) {
            /* He: relu halves the variance it passes on, so the weights
             * start sqrt(2) larger than Glorot's for fan_in = fan_out; and a
             * small positive bias, so every unit starts alive on more than
             * half of the (centred) data instead of dead on all of it */
            he(r, m->W[l], m->widths[l + 1], m->widths[l]);
            for (int j = 0; j < m->widths[l + 1]; j++)
                m->b[l][j] = RELU_BIAS;
        } else {
            glorot(r, m->W[l], m->widths[l + 1], m->widths[l]);
        }
    }
    if (m->n_out > 0)
        glorot(r, m->Wout, m->n_out, m->widths[m->n_layers]);
    gsl_rng_free(r);
}

/* ---- one point, plain loops: what the renderer evaluates ---- */

void mlp_forward_point(const Mlp *m, const double *x, double *h)
{
    LayerStack s = mlp_layers(m);
    layers_forward_point(&s, x, h);
}

/* logits (n_out) of one point */
static void point_logits(const Mlp *m, const double *x, double *logits)
{
    double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
    mlp_forward_point(m, x, h);
    const double *top = h + m->n_layers * LW_MAX_WIDTH;
    int w = m->widths[m->n_layers];
    for (int j = 0; j < m->n_out; j++) {
        double z = m->bout[j];
        for (int k = 0; k < w; k++)
            z += m->Wout[j * w + k] * top[k];
        logits[j] = z;
    }
}

void mlp_predict_point(const Mlp *m, const double *x, double *probs)
{
    double z[LW_MAX_CLASSES];
    if (m->n_out == 0)
        return;
    point_logits(m, x, z);
    if (m->n_out == 1) {
        double p1 = z[0] >= 0 ? 1.0 / (1.0 + exp(-z[0])) : exp(z[0]) / (1.0 + exp(z[0]));
        probs[0] = 1.0 - p1;
        probs[1] = p1;
        return;
    }
    double mx = z[0], sum = 0;
    for (int k = 1; k < m->n_out; k++)
        if (z[k] > mx)
            mx = z[k];
    for (int k = 0; k < m->n_out; k++)
        sum += (probs[k] = exp(z[k] - mx));
    for (int k = 0; k < m->n_out; k++)
        probs[k] /= sum;
}

int mlp_classify_point(const Mlp *m, const double *x)
{
    double z[LW_MAX_CLASSES];
    if (m->n_out == 0)
        return -1;
    point_logits(m, x, z);
    if (m->n_out == 1)
        return z[0] > 0 ? 1 : 0;
    int best = 0;
    for (int k = 1; k < m->n_out; k++)
        if (z[k] > z[best])
            best = k;
    return best;
}

double mlp_accuracy(const Mlp *m, const double *x, const int *label, int n)
{
    int right = 0;
    for (int i = 0; i < n; i++)
        right += mlp_classify_point(m, x + (size_t)i * m->widths[0]) == label[i];
    return n > 0 ? (double)right / n : 0.0;
}

/* ---- the batch passes: the hidden LayerStack, then the cross-entropy Loss ---- */

int mlp_work_alloc(MlpWork *w, const Mlp *m, int cap, LwError *err)
{
    memset(w, 0, sizeof *w);
    if (cap < 1)
        cap = 1;
    LayerStack s = mlp_layers(m);
    int ret = layers_tape_alloc(&w->tape, &s, cap, err);
    if (ret)
        return ret;
    w->cap = cap;
    if (m->n_out == 0)
        return LW_OK; /* nothing to classify: the loss stays empty */
    ret = loss_crossentropy_alloc(&w->loss, m->widths[m->n_layers],
                                  m->n_out == 1 ? 2 : m->n_out, m->Wout, m->bout, cap, err);
    if (ret)
        return ret;
    w->dtop = malloc((size_t)cap * m->widths[m->n_layers] * sizeof *w->dtop);
    if (!w->dtop)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a batch of %d points", cap);
    return LW_OK;
}

void mlp_work_free(MlpWork *w)
{
    if (!w)
        return;
    layers_tape_free(&w->tape);
    loss_free(&w->loss);
    free(w->dtop);
    memset(w, 0, sizeof *w);
}

int mlp_loss_grad_checked(const Mlp *m, MlpWork *w, const double *x, const int *label,
                          int n, double l2, double *grad, double *loss, LwError *err)
{
    return mlp_loss_grad_readable(m, w, NULL, 0.0, x, label, n, l2, grad, loss, err);
}

int mlp_loss_grad_readable(const Mlp *m, MlpWork *w, Readable *r, double readable,
                           const double *x, const int *label, int n, double l2, double *grad,
                           double *loss, LwError *err)
{
    int L = m->n_layers, ret;
    int with_readable = r && readable > 0 && L > 0;
    if (m->n_out == 0)
        return lw_fail(err, LW_EINPUT, "the network has no readout to compute a loss with");
    if (w->loss.n_out != m->n_out || w->loss.n_in != m->widths[L])
        return lw_fail(err, LW_EINPUT, "scratch sized for another network's readout");
    if (n < 1 || n > w->cap)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (expected 1..%d)", n, w->cap);
    LayerStack s = mlp_layers(m);
    /* the work is tied to a shape; the readout reads this network's slab */
    w->loss.readout.W[0] = m->Wout;
    w->loss.readout.b[0] = m->bout;

    // forward: top = layers(x); loss = crossentropy(top Wout^T + bout, label)
    const double *top; // (n, widths[L])
    if ((ret = layers_forward(&s, &w->tape, x, n, &top, err)))
        return ret;
    LayerStack g = {0}, gout = {0};
    double *dtop = NULL;
    if (grad) {
        g = mlp_grad_layers(m, grad);
        gout = w->loss.readout; /* Wout, bout at their offsets in the gradient slab */
        gout.W[0] = grad + (m->Wout - m->params);
        gout.b[0] = grad + (m->bout - m->params);
        dtop = L > 0 ? w->dtop : NULL;
    }
    LossTarget target = {.label = label};
    if ((ret = loss_forward_backward(&w->loss, top, &target, n, loss, dtop,
                                     grad ? &gout : NULL, err)))
        return ret;
    double sq = loss_l2_sumsq_stack(0.0, &s);
    sq = loss_l2_sumsq(sq, m->Wout, (size_t)m->n_out * m->widths[L]);
    *loss += 0.5 * l2 * sq;
    if (with_readable) {
        // loss += readable * sum_l (spread_l + saturation_l) of the hidden layers
        double rv;
        if ((ret = readable_forward_backward(r, &s, &w->tape, readable, grad != NULL, &rv, err)))
            return ret;
        *loss += rv;
    }
    if (!grad)
        return LW_OK;

    // backward: dtop from the loss, down through the hidden layers (with
    // the readable term's gradients entering at each layer)
    if (L > 0 && (ret = layers_backward_inject(&s, &w->tape, dtop, NULL, &g, LAYERS_GRAD_SET,
                                               with_readable ? r->dH : NULL,
                                               with_readable ? r->dZ : NULL, err)))
        return ret;
    // loss += 0.5 l2 sum W^2  =>  dW += l2 W (weights only, not biases)
    loss_l2_backward_stack(l2, &s, &g);
    loss_l2_backward(l2, m->Wout, gout.W[0], (size_t)m->n_out * m->widths[L]);
    return LW_OK;
}

double mlp_loss_grad_work(const Mlp *m, MlpWork *w, const double *x, const int *label,
                          int n, double l2, double *grad)
{
    double loss;
    if (mlp_loss_grad_checked(m, w, x, label, n, l2, grad, &loss, NULL) != LW_OK)
        return NAN;
    return loss;
}

double mlp_loss_grad(const Mlp *m, const double *x, const int *label, int n, double l2,
                     double *grad)
{
    MlpWork w;
    double loss = NAN;
    if (mlp_work_alloc(&w, m, n, NULL) == LW_OK)
        loss = mlp_loss_grad_work(m, &w, x, label, n, l2, grad);
    mlp_work_free(&w);
    return loss;
}

/* ---- weights file (docs/weights-format.md) ---- */

int mlp_save(const Mlp *m, const char *path, LwError *err)
{
    AtomicFile out;
    int rc = atomic_open(&out, path, err);
    if (rc)
        return rc;
    FILE *f = out.f;
    fprintf(f, "layerwarp-weights 1\nwidths");
    for (int l = 0; l <= m->n_layers; l++)
        fprintf(f, " %d", m->widths[l]);
    fprintf(f, "\nactivations");
    for (int l = 0; l < m->n_layers; l++)
        fprintf(f, " %s", act_name(m->act[l]));
    fprintf(f, "\nclasses %d\n", m->n_out == 0 ? 0 : m->n_out == 1 ? 2 : m->n_out);
    char name[32];
    for (int l = 0; l < m->n_layers; l++) {
        snprintf(name, sizeof name, "W%d", l + 1);
        weights_write_matrix(f, name, m->W[l], m->widths[l + 1], m->widths[l]);
        snprintf(name, sizeof name, "b%d", l + 1);
        weights_write_matrix(f, name, m->b[l], 1, m->widths[l + 1]);
    }
    if (m->n_out > 0) {
        weights_write_matrix(f, "Wout", m->Wout, m->n_out, m->widths[m->n_layers]);
        weights_write_matrix(f, "bout", m->bout, 1, m->n_out);
    }
    return atomic_commit(&out, err);
}

/* Version 2 is a generative model's file: say whose, from its model line. */
static int not_a_classifier(WeightsReader *r, LwError *err)
{
    if (weights_next_line(r) && r->ntok == 2 && strcmp(r->tok[0], "model") == 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: weights for model = %s, not a classifier's "
                       "(whose file is 'layerwarp-weights 1')", r->path, r->lineno, r->tok[1]);
    return lw_fail(err, LW_EINPUT, "%s:1: weights format version 2, a generative model's "
                   "(a classifier's is version 1)", r->path);
}

static int load_body(WeightsReader *r, Mlp *m, LwError *err)
{
    const char *path = r->path;
    int ret, version;
    if ((ret = weights_need_line(r, "'layerwarp-weights 1'", err)))
        return ret;
    if (r->ntok != 2 || strcmp(r->tok[0], "layerwarp-weights") != 0 ||
        weights_parse_int(r->tok[1], &version) != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: not a layerwarp weights file (expected "
                       "'layerwarp-weights 1')", path, r->lineno);
    if (version == 2)
        return not_a_classifier(r, err);
    if (version != 1)
        return lw_fail(err, LW_EINPUT, "%s:%d: weights format version %d (expected 1)", path,
                       r->lineno, version);

    int widths[LW_MAX_LAYERS + 1], n_widths;
    if ((ret = weights_need_line(r, "'widths ...'", err)))
        return ret;
    if (strcmp(r->tok[0], "widths") != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: expected 'widths', found '%s'", path,
                       r->lineno, r->tok[0]);
    n_widths = r->ntok - 1;
    if (n_widths < 1 || n_widths > LW_MAX_LAYERS + 1)
        return lw_fail(err, LW_EINPUT, "%s:%d: %d widths (expected 1..%d)", path, r->lineno,
                       n_widths, LW_MAX_LAYERS + 1);
    for (int l = 0; l < n_widths; l++)
        if (weights_parse_int(r->tok[l + 1], &widths[l]) != 0 || widths[l] < 1 ||
            widths[l] > LW_MAX_WIDTH)
            return lw_fail(err, LW_EINPUT, "%s:%d: bad width '%s' (expected 1..%d)", path,
                           r->lineno, r->tok[l + 1], LW_MAX_WIDTH);

    Activation act[LW_MAX_LAYERS];
    if ((ret = weights_need_line(r, "'activations ...'", err)))
        return ret;
    if (strcmp(r->tok[0], "activations") != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: expected 'activations', found '%s'", path,
                       r->lineno, r->tok[0]);
    if (r->ntok - 1 != n_widths - 1)
        return lw_fail(err, LW_EINPUT, "%s:%d: %d activations for %d hidden layers", path,
                       r->lineno, r->ntok - 1, n_widths - 1);
    for (int l = 0; l < n_widths - 1; l++)
        if (act_parse(r->tok[l + 1], &act[l]) != 0)
            return lw_fail(err, LW_EINPUT, "%s:%d: unknown activation '%s' (expected %s)",
                           path, r->lineno, r->tok[l + 1], act_all_names());

    int classes;
    if ((ret = weights_need_line(r, "'classes N'", err)))
        return ret;
    if (r->ntok != 2 || strcmp(r->tok[0], "classes") != 0 ||
        weights_parse_int(r->tok[1], &classes) != 0 || classes == 1 || classes < 0 ||
        classes > LW_MAX_CLASSES)
        return lw_fail(err, LW_EINPUT, "%s:%d: expected 'classes N' with N 0 or 2..%d", path,
                       r->lineno, LW_MAX_CLASSES);

    if ((ret = mlp_alloc(m, n_widths, widths, act, classes, err)))
        return ret;
    char name[32];
    for (int l = 0; l < m->n_layers; l++) {
        snprintf(name, sizeof name, "W%d", l + 1);
        if ((ret = weights_read_matrix(r, name, "", m->W[l], widths[l + 1], widths[l], err)))
            return ret;
        snprintf(name, sizeof name, "b%d", l + 1);
        if ((ret = weights_read_matrix(r, name, "", m->b[l], 1, widths[l + 1], err)))
            return ret;
    }
    if (m->n_out > 0) {
        if ((ret = weights_read_matrix(r, "Wout", "", m->Wout, m->n_out, widths[m->n_layers],
                                       err)))
            return ret;
        if ((ret = weights_read_matrix(r, "bout", "", m->bout, 1, m->n_out, err)))
            return ret;
    }
    return weights_read_end(r, err);
}

int mlp_load(Mlp *m, const char *path, LwError *err)
{
    memset(m, 0, sizeof *m);
    WeightsReader r;
    int ret = weights_reader_open(&r, path, err);
    if (ret)
        return ret;
    ret = load_body(&r, m, err);
    weights_reader_close(&r);
    if (ret != LW_OK)
        mlp_free(m);
    return ret;
}
