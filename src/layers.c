/* layers.c — a stack of dense layers: batch forward and backward over GSL
 * matrices, and the per-point forward the renderer uses.
 *
 * Invariants: a LayerStack owns nothing (its W and b are views); a
 * LayersTape owns one buffer, sized by layers_tape_alloc for a shape and a
 * most-points cap, and holds the forward state (Z, H of each layer, and the
 * input pointer) until the next forward.  Nothing is allocated per pass.
 *
 * The batch passes follow llm.c: one function per layer and direction, shapes
 * in comments, the backward pass quoting the forward line it differentiates.
 * n is the batch size, win/wout a layer's input and output widths.  The
 * arithmetic (which dgemm, which loop order) is the one the MLP always used,
 * so trained weights stay bit-identical. */
#include "layers.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

size_t layers_n_params(const LayerStack *s)
{
    size_t n = 0;
    for (int l = 0; l < s->n_layers; l++)
        n += (size_t)s->widths[l + 1] * s->widths[l] + s->widths[l + 1];
    return n;
}

double *layers_bind(LayerStack *s, double *slab)
{
    double *p = slab;
    for (int l = 0; l < s->n_layers; l++) {
        s->W[l] = p;
        p += (size_t)s->widths[l + 1] * s->widths[l];
        s->b[l] = p;
        p += s->widths[l + 1];
    }
    return p;
}

/* ---- one point, plain loops ---- */

void layers_forward_layer(const LayerStack *s, int l, const double *in, double *out)
{
    int win = s->widths[l], wout = s->widths[l + 1];
    for (int j = 0; j < wout; j++) {
        double z = s->b[l][j];
        for (int k = 0; k < win; k++)
            z += s->W[l][j * win + k] * in[k];
        out[j] = act_apply(s->act[l], z);
    }
}

void layers_forward_point(const LayerStack *s, const double *x, double *h)
{
    for (int k = 0; k < s->widths[0]; k++)
        h[k] = x[k];
    for (int l = 0; l < s->n_layers; l++)
        layers_forward_layer(s, l, h + l * LW_MAX_WIDTH, h + (l + 1) * LW_MAX_WIDTH);
}

/* ---- the tape ---- */

int layers_max_width(const LayerStack *s)
{
    int mx = 0;
    for (int l = 0; l <= s->n_layers; l++)
        if (s->widths[l] > mx)
            mx = s->widths[l];
    return mx;
}

int layers_tape_alloc(LayersTape *t, const LayerStack *s, int cap, LwError *err)
{
    /* GSL's default handler aborts; we check its return codes instead */
    gsl_set_error_handler_off();
    memset(t, 0, sizeof *t);
    if (s->n_layers < 0 || s->n_layers > LW_MAX_LAYERS)
        return lw_fail(err, LW_EINPUT, "layer stack has %d layers (expected 0..%d)",
                       s->n_layers, LW_MAX_LAYERS);
    for (int l = 0; l <= s->n_layers; l++)
        if (s->widths[l] < 1 || s->widths[l] > LW_MAX_WIDTH)
            return lw_fail(err, LW_EINPUT, "layer width %d (expected 1..%d)", s->widths[l],
                           LW_MAX_WIDTH);
    if (cap < 1)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (expected at least 1)", cap);
    /* Z and H per layer, then dH and dZ at the widest layer */
    int wmax = layers_max_width(s);
    size_t per_point = 2 * (size_t)wmax;
    for (int l = 0; l < s->n_layers; l++)
        per_point += 2 * (size_t)s->widths[l + 1];
    t->buf = malloc((size_t)cap * per_point * sizeof *t->buf);
    if (!t->buf)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a batch of %d points", cap);
    t->cap = cap;
    t->n_layers = s->n_layers;
    memcpy(t->widths, s->widths, sizeof t->widths);
    double *p = t->buf;
    for (int l = 0; l < s->n_layers; l++) {
        t->Z[l] = p; // (cap, widths[l+1])
        p += (size_t)cap * s->widths[l + 1];
        t->H[l] = p; // (cap, widths[l+1])
        p += (size_t)cap * s->widths[l + 1];
    }
    t->dH = p;       // (cap, wmax)
    p += (size_t)cap * wmax;
    t->dZ = p;       // (cap, wmax)
    return LW_OK;
}

void layers_tape_free(LayersTape *t)
{
    if (!t)
        return;
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* LW_OK when s and n fit t, else LW_EINPUT naming why. */
static int check_fit(const LayerStack *s, const LayersTape *t, int n, LwError *err)
{
    if (!t->buf)
        return lw_fail(err, LW_EINPUT, "layer tape not allocated");
    if (n < 1 || n > t->cap)
        return lw_fail(err, LW_EINPUT, "a batch of %d points (the tape holds 1..%d)", n,
                       t->cap);
    if (s->n_layers != t->n_layers)
        return lw_fail(err, LW_EINPUT, "layer stack has %d layers, its tape %d", s->n_layers,
                       t->n_layers);
    for (int l = 0; l <= s->n_layers; l++)
        if (s->widths[l] < 1 || s->widths[l] > t->widths[l])
            return lw_fail(err, LW_EINPUT, "layer width %d (its tape holds 1..%d)",
                           s->widths[l], t->widths[l]);
    return LW_OK;
}

static int gsl_failed(LwError *err, int status, int layer, const char *pass)
{
    return lw_fail(err, LW_ERUNTIME, "GSL error: %s (layer %d %s)", gsl_strerror(status),
                   layer, pass);
}

/* ---- the batch passes over GSL matrices ---- */

/* The activation's derivative from its input z and output h.  For tanh and
 * sigmoid it reuses h (act_derivative would compute the same bits again from
 * z, at the cost of a second tanh/exp per unit). */
static double act_grad(Activation a, double z, double h)
{
    switch (a) {
    case ACT_TANH: return 1.0 - h * h;
    case ACT_SIGMOID: return h * (1.0 - h);
    default: return act_derivative(a, z);
    }
}

/* in (n, win), W (wout, win), b (wout) -> Z (n, wout) pre-activation,
 * H (n, wout) activation.  Returns a GSL status. */
static int layer_forward(int n, int win, int wout, const double *in, const double *W,
                         const double *b, Activation act, double *Z, double *H)
{
    gsl_matrix_const_view vin = gsl_matrix_const_view_array(in, n, win);
    gsl_matrix_const_view vW = gsl_matrix_const_view_array(W, wout, win);
    gsl_matrix_view vZ = gsl_matrix_view_array(Z, n, wout);
    // Z = in W^T
    int st = gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &vin.matrix, &vW.matrix, 0.0,
                            &vZ.matrix);
    if (st)
        return st;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < wout; j++) {
            // Z[i,j] += b[j]; H[i,j] = act(Z[i,j])
            Z[i * wout + j] += b[j];
            H[i * wout + j] = act_apply(act, Z[i * wout + j]);
        }
    return 0;
}

/* Backward of layer_forward.  dH (n, wout) in; dZ (n, wout) scratch (may not
 * alias dH); dW (wout, win) and db (wout) written, or added to with
 * beta = 1, when non-NULL; din (n, win) written when non-NULL (it may alias
 * dH: dH is read in full before din is written).  dH_in and dZ_in (n, wout),
 * when non-NULL, are gradients that enter at this layer: added to dH before
 * the activation and to dZ after it.  Returns a GSL status. */
static int layer_backward(int n, int win, int wout, const double *in, const double *W,
                          Activation act, const double *Z, const double *H,
                          const double *dH, const double *dH_in, const double *dZ_in,
                          double *dZ, double *dW, double *db, double beta, double *din)
{
    if (!dH_in && !dZ_in) {
        for (int i = 0; i < n * wout; i++) {
            // H[i,j] = act(Z[i,j])
            dZ[i] = dH[i] * act_grad(act, Z[i], H[i]);
        }
    } else {
        for (int i = 0; i < n * wout; i++) {
            // H[i,j] = act(Z[i,j]), with d/dH and d/dZ of a loss on this layer added
            double d = dH_in ? dH[i] + dH_in[i] : dH[i];
            dZ[i] = d * act_grad(act, Z[i], H[i]);
            if (dZ_in)
                dZ[i] += dZ_in[i];
        }
    }
    gsl_matrix_const_view vdZ = gsl_matrix_const_view_array(dZ, n, wout);
    int st;
    if (dW) {
        gsl_matrix_const_view vin = gsl_matrix_const_view_array(in, n, win);
        gsl_matrix_view vdW = gsl_matrix_view_array(dW, wout, win);
        // Z = in W^T  =>  dW = dZ^T in
        st = gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &vdZ.matrix, &vin.matrix, beta,
                            &vdW.matrix);
        if (st)
            return st;
    }
    if (din) {
        gsl_matrix_const_view vW = gsl_matrix_const_view_array(W, wout, win);
        gsl_matrix_view vdin = gsl_matrix_view_array(din, n, win);
        // Z = in W^T  =>  din = dZ W
        st = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &vdZ.matrix, &vW.matrix, 0.0,
                            &vdin.matrix);
        if (st)
            return st;
    }
    if (db) {
        // Z[i,j] += b[j]  =>  db[j] = sum_i dZ[i,j]
        if (beta == 0.0)
            for (int j = 0; j < wout; j++)
                db[j] = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < wout; j++)
                db[j] += dZ[i * wout + j];
    }
    return 0;
}

int layers_forward(const LayerStack *s, LayersTape *t, const double *x, int n,
                   const double **out, LwError *err)
{
    int ret = check_fit(s, t, n, err);
    if (ret)
        return ret;
    t->n = n;
    t->x = x;
    const double *in = x; // (n, widths[0])
    for (int l = 0; l < s->n_layers; l++) {
        // H[l] = act(in W[l]^T + b[l])
        int st = layer_forward(n, s->widths[l], s->widths[l + 1], in, s->W[l], s->b[l],
                               s->act[l], t->Z[l], t->H[l]);
        if (st)
            return gsl_failed(err, st, l + 1, "forward");
        in = t->H[l];
    }
    *out = in; // (n, widths[L])
    return LW_OK;
}

int layers_backward(const LayerStack *s, LayersTape *t, const double *dY, double *dX,
                    const LayerStack *grad, LayersGradMode mode, LwError *err)
{
    return layers_backward_inject(s, t, dY, dX, grad, mode, NULL, NULL, err);
}

int layers_backward_inject(const LayerStack *s, LayersTape *t, const double *dY, double *dX,
                           const LayerStack *grad, LayersGradMode mode,
                           double *const *dH_in, double *const *dZ_in, LwError *err)
{
    int L = s->n_layers, n = t->n;
    int ret = check_fit(s, t, n, err);
    if (ret)
        return ret;
    double beta = mode == LAYERS_GRAD_ADD ? 1.0 : 0.0;
    if (L == 0) {
        // out = x  =>  dX = dY
        if (dX && dX != dY)
            memcpy(dX, dY, (size_t)n * s->widths[0] * sizeof *dX);
        return LW_OK;
    }
    const double *dH = dY; // (n, widths[l+1]): d loss / d H[l]
    for (int l = L - 1; l >= 0; l--) {
        // H[l] = act(H[l-1] W[l]^T + b[l]), with H[-1] = x.  The gradient for
        // the layer below goes to t->dH (overwritten after dZ was taken from
        // it), or to dX below the first layer.
        const double *below = l > 0 ? t->H[l - 1] : t->x;
        double *din = l > 0 ? t->dH : dX;
        int st = layer_backward(n, s->widths[l], s->widths[l + 1], below, s->W[l], s->act[l],
                                t->Z[l], t->H[l], dH, dH_in ? dH_in[l] : NULL,
                                dZ_in ? dZ_in[l] : NULL, t->dZ, grad ? grad->W[l] : NULL,
                                grad ? grad->b[l] : NULL, beta, din);
        if (st)
            return gsl_failed(err, st, l + 1, "backward");
        dH = t->dH;
    }
    return LW_OK;
}

#define RELU_BIAS 0.1 /* as mlp.c: relu units start alive on centred inputs */

void layers_init_random(LayerStack *s, void *rng)
{
    gsl_rng *r = rng;
    for (int l = 0; l < s->n_layers; l++) {
        int rows = s->widths[l + 1], cols = s->widths[l];
        int relu = s->act[l] == ACT_RELU || s->act[l] == ACT_LEAKY_RELU;
        double limit = relu ? sqrt(6.0 / cols) : sqrt(6.0 / (rows + cols));
        for (int i = 0; i < rows * cols; i++)
            s->W[l][i] = limit * (2.0 * gsl_rng_uniform(r) - 1.0);
        for (int j = 0; j < rows; j++)
            s->b[l][j] = relu ? RELU_BIAS : 0.0;
    }
}
