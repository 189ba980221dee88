/* stage.c — splits each layer into linear / bias / activation stages and
 * evaluates the motion of a state within a stage.
 *
 * The straight blend (1-t)x + t f(x) is Olah's homotopy.  For the linear
 * stage the default is the polar motion: W = Q S (Q orthogonal, S symmetric
 * positive semi-definite, from the SVD W = U diag(s) V^T as Q = U V^T,
 * S = V diag(s) V^T); at time t the state is Q(t) S(t) x with Q(t) turned by
 * t of Q's angle and S(t) = (1-t) I + t S.  det Q(t) = 1 and S(t) is positive
 * definite for t < 1, so space never collapses on the way.  When det W < 0
 * the reflection F = I - 2 v v^T (v the eigenvector of S with the smallest
 * stretch, so F commutes with S) is played first as a half-turn through one
 * extra dimension, like a page turning over, and then Q F (a rotation) and S.
 * Sizes above 3 fall back to the straight blend (documented).
 *
 * With activation_steps = hadamard the activation stage is a chain of
 * element-wise steps (negate, exp, ...), each a straight blend from its own
 * input to its own output: an element-wise map moves every coordinate on its
 * own.  The stage's end is still act(x) itself, so the states cached at the
 * starts of stages, and everything after the activation, do not change. */
#include "stage.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <string.h>

#define N_MAX LW_MAX_WIDTH
#define FLIP_PART 0.35 /* fraction of a flipping linear stage spent on the flip */

static const char *const KIND_NAMES[] = {"linear", "bias", "activation"};
static const char *const STEP_NAMES[HOP_COUNT] = {
    "negate", "exp", "plus1", "reciprocal", "times2", "minus1", "log", "relu", "leaky_relu",
};

const char *stage_kind_name(StageKind k)
{
    return (k >= 0 && k < STAGE_KIND_COUNT) ? KIND_NAMES[k] : "?";
}

int stage_kind_parse(const char *name, StageKind *out)
{
    int i = lw_name_index(KIND_NAMES, STAGE_KIND_COUNT, name);
    if (i < 0)
        return -1;
    *out = (StageKind)i;
    return 0;
}

const char *stage_step_name(HadamardOp op)
{
    return (op >= 0 && op < HOP_COUNT) ? STEP_NAMES[op] : "?";
}

int stage_step_parse(const char *name, HadamardOp *out)
{
    int i = lw_name_index(STEP_NAMES, HOP_COUNT, name);
    if (i < 0)
        return -1;
    *out = (HadamardOp)i;
    return 0;
}

/* ---- small dense helpers (n <= 16) -------------------------------------- */

static void mat_vec(const double *A, int n, const double *x, double *y)
{
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < n; j++)
            s += A[i * n + j] * x[j];
        y[i] = s;
    }
}

static double det3(const double *A)
{
    return A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
           A[2] * (A[3] * A[7] - A[4] * A[6]);
}

static double det_n(const double *A, int n)
{
    if (n == 1) return A[0];
    if (n == 2) return A[0] * A[3] - A[1] * A[2];
    if (n == 3) return det3(A);
    double tmp[N_MAX * N_MAX];
    memcpy(tmp, A, sizeof(double) * n * n);
    gsl_matrix_view m = gsl_matrix_view_array(tmp, n, n);
    gsl_permutation *p = gsl_permutation_alloc(n);
    int sign = 1;
    double d = 0;
    if (p && gsl_linalg_LU_decomp(&m.matrix, p, &sign) == 0)
        d = gsl_linalg_LU_det(&m.matrix, sign);
    gsl_permutation_free(p);
    return d;
}

/* Rotation by `angle` about unit `axis` (3-D), or in the plane (2-D). */
static void rotation(int n, double angle, const double *axis, double *R)
{
    double c = cos(angle), s = sin(angle);
    if (n == 2) {
        R[0] = c; R[1] = -s;
        R[2] = s; R[3] = c;
        return;
    }
    double x = axis[0], y = axis[1], z = axis[2], C = 1 - c;
    R[0] = c + x * x * C;     R[1] = x * y * C - z * s; R[2] = x * z * C + y * s;
    R[3] = y * x * C + z * s; R[4] = c + y * y * C;     R[5] = y * z * C - x * s;
    R[6] = z * x * C - y * s; R[7] = z * y * C + x * s; R[8] = c + z * z * C;
}

/* Angle and axis of a proper rotation (n = 2 or 3). */
static void rotation_log(int n, const double *R, double *angle, double *axis)
{
    if (n == 2) {
        *angle = atan2(R[2], R[0]);
        return;
    }
    double c = (R[0] + R[4] + R[8] - 1) / 2;
    c = c > 1 ? 1 : (c < -1 ? -1 : c);
    double th = acos(c);
    *angle = th;
    axis[0] = 1; axis[1] = axis[2] = 0;
    if (th < 1e-12)
        return;
    if (M_PI - th > 1e-6) {
        double s2 = 2 * sin(th);
        axis[0] = (R[7] - R[5]) / s2;
        axis[1] = (R[2] - R[6]) / s2;
        axis[2] = (R[3] - R[1]) / s2;
    } else { /* half turn: R = 2 a a^T - I */
        int k = 0;
        for (int i = 1; i < 3; i++)
            if (R[i * 4] > R[k * 4]) k = i;
        double ak = sqrt((R[k * 4] + 1) / 2);
        for (int i = 0; i < 3; i++)
            axis[i] = i == k ? ak : R[k * 3 + i] / (2 * ak);
    }
    double len = sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
    for (int i = 0; i < 3; i++)
        axis[i] /= len;
}

/* W of `layer` embedded in an n x n matrix with zeros. */
static void embed_weights(const StagePlan *net, int layer, int n, double *M)
{
    int in = net->widths[layer], out = net->widths[layer + 1];
    memset(M, 0, sizeof(double) * n * n);
    for (int i = 0; i < out; i++)
        for (int j = 0; j < in; j++)
            M[i * n + j] = net->W[layer][i * in + j];
}

static int prepare_polar(const StagePlan *net, int layer, LinearMotion *lm, LwError *err)
{
    int n = lm->n;
    double M[N_MAX * N_MAX], U[N_MAX * N_MAX], V[N_MAX * N_MAX], sv[N_MAX], work[N_MAX];
    embed_weights(net, layer, n, M);
    memcpy(U, M, sizeof(double) * n * n);
    gsl_matrix_view u = gsl_matrix_view_array(U, n, n), v = gsl_matrix_view_array(V, n, n);
    gsl_vector_view s = gsl_vector_view_array(sv, n), w = gsl_vector_view_array(work, n);
    if (gsl_linalg_SV_decomp(&u.matrix, &v.matrix, &s.vector, &w.vector) != 0)
        return lw_fail(err, LW_ERUNTIME, "layer %d: SVD of W failed", layer + 1);
    double Q[N_MAX * N_MAX];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double q = 0, st = 0;
            for (int k = 0; k < n; k++) {
                q += U[i * n + k] * V[j * n + k];
                st += V[i * n + k] * sv[k] * V[j * n + k];
            }
            Q[i * n + j] = q;
            lm->S[i * n + j] = st;
        }
    lm->flip = 0;
    if (det_n(Q, n) < 0) {
        /* v: the direction S stretches least (GSL sorts s descending). */
        const double *vlast = &V[n - 1];
        double smax = sv[0] > 0 ? sv[0] : 1;
        for (int i = 0; i < n; i++)
            lm->mirror[i] = vlast[i * n];
        /* Q F, with F = I - 2 v v^T, is a proper rotation. */
        double QF[N_MAX * N_MAX] = {0};
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double qv = 0;
                for (int k = 0; k < n; k++)
                    qv += Q[i * n + k] * lm->mirror[k];
                QF[i * n + j] = Q[i * n + j] - 2 * qv * lm->mirror[j];
            }
        memcpy(Q, QF, sizeof(double) * n * n);
        /* A singular W (a width change) loses nothing by the flip: S v = 0. */
        lm->flip = sv[n - 1] > 1e-12 * smax;
    }
    memcpy(lm->Q, Q, sizeof(double) * n * n);
    rotation_log(n, Q, &lm->angle, lm->axis);
    return LW_OK;
}

/* The stack as it will be drawn: a copy, so the model is never edited. */
static void copy_stack(const LayerStack *net, StagePlan *plan)
{
    plan->n_layers = net->n_layers;
    memcpy(plan->widths, net->widths, sizeof plan->widths);
    memcpy(plan->act, net->act, sizeof plan->act);
    for (int l = 0; l < net->n_layers; l++) {
        memcpy(plan->W[l], net->W[l], sizeof(double) * net->widths[l + 1] * net->widths[l]);
        memcpy(plan->b[l], net->b[l], sizeof(double) * net->widths[l + 1]);
    }
}

/* Olah's fix for det W < 0: swap units 1 and 2 of the layer (rows of W and
 * b, and the matching columns of the next layer's W).  The network computes
 * the same function; its W now has det > 0, and the next layer's
 * determinant changes sign, so we go front to back.  Only square layers of 2
 * or 3 units are drawn with a polar motion, so only they are swapped. */
static void swap_reflections(StagePlan *plan, Reflection mode)
{
    for (int l = 0; l < plan->n_layers; l++) {
        int in = plan->widths[l], out = plan->widths[l + 1];
        if (in != out || in < 2 || in > 3 || det_n(plan->W[l], in) >= 0) continue;
        if (mode == REFLECT_TURN) continue;
        double *Wl = plan->W[l];
        for (int j = 0; j < in; j++) {
            double t = Wl[j];
            Wl[j] = Wl[in + j];
            Wl[in + j] = t;
        }
        double t = plan->b[l][0];
        plan->b[l][0] = plan->b[l][1];
        plan->b[l][1] = t;
        if (l + 1 < plan->n_layers) {
            double *Wn = plan->W[l + 1];
            for (int i = 0; i < plan->widths[l + 2]; i++) {
                double u = Wn[i * out];
                Wn[i * out] = Wn[i * out + 1];
                Wn[i * out + 1] = u;
            }
        }
        plan->swapped[l] = 1;
    }
}

/* The stages of layer l and its linear motion. */
static int plan_layer(StagePlan *plan, int l, LwError *err)
{
    int in = plan->widths[l], out = plan->widths[l + 1];
    int n = in > out ? in : out;
    for (int k = 0; k < STAGE_KIND_COUNT; k++) {
        Stage *st = &plan->stages[plan->n_stages++];
        st->layer = l;
        st->kind = (StageKind)k;
        st->dim_in = k == STAGE_LINEAR ? in : out;
        st->dim_out = out;
        st->dim = k == STAGE_LINEAR ? n : out;
    }
    LinearMotion *lm = &plan->motion[l];
    lm->n = n;
    lm->polar = plan->interp == INTERP_POLAR && n <= 3;
    if (lm->polar && n >= 2) {
        int rc = prepare_polar(plan, l, lm, err);
        if (rc)
            return rc;
        if (lm->flip) /* the page turns through one more axis */
            plan->stages[stage_index(l, STAGE_LINEAR)].dim = n + 1;
    } else {
        lm->polar = 0;
    }
    return LW_OK;
}

int stage_plan_make(const LayerStack *stack, Interpolation interp, Reflection reflection,
                    StagePlan *plan, LwError *err)
{
    memset(plan, 0, sizeof *plan);
    copy_stack(stack, plan);
    plan->interp = interp;
    if (interp == INTERP_POLAR)
        swap_reflections(plan, reflection);
    plan->n_hidden = plan->n_layers;
    for (int l = 0; l < plan->n_layers; l++) {
        int rc = plan_layer(plan, l, err);
        if (rc) return rc;
    }
    return LW_OK;
}

/* ---- a training morph ----------------------------------------------------- */

static void morph_copy(MorphPlan *m, int k, const LayerStack *net, const double *W,
                       const double *b)
{
    for (int l = 0; l < net->n_layers; l++) {
        memcpy(m->W[k][l], net->W[l], sizeof(double) * net->widths[l + 1] * net->widths[l]);
        memcpy(m->b[k][l], net->b[l], sizeof(double) * net->widths[l + 1]);
    }
    int d = net->widths[net->n_layers];
    if (m->n_scores) {
        memcpy(m->score_W[k], W, sizeof(double) * m->n_scores * d);
        memcpy(m->score_b[k], b, sizeof(double) * m->n_scores);
    }
}

int stage_plan_make_morph(const LayerStack *from, const LayerStack *to, const double *from_W,
                          const double *from_b, const double *to_W, const double *to_b,
                          int n_scores, int layer, StagePlan *plan, LwError *err)
{
    memset(plan, 0, sizeof *plan);
    if (layer < 1 || layer > from->n_layers || to->n_layers != from->n_layers)
        return lw_fail(err, LW_EINPUT, "no hidden layer %d to show over training", layer);
    int width = from->widths[layer];
    if (width > 3)
        return lw_fail(err, LW_EINPUT, "layer %d has %d units: training is shown in a space "
                       "of at most 3 (choose another layer)", layer, width);
    MorphPlan *m = &plan->morph;
    m->on = 1;
    m->layer = layer;
    m->n_hidden = from->n_layers;
    memcpy(m->widths, from->widths, sizeof m->widths);
    memcpy(m->act, from->act, sizeof m->act);
    m->n_scores = n_scores;
    morph_copy(m, 0, from, from_W, from_b);
    morph_copy(m, 1, to, to_W, to_b);
    /* one layer of three stages, each in the shown space */
    plan->n_layers = plan->n_hidden = 1;
    plan->widths[0] = from->widths[0];
    plan->widths[1] = width;
    plan->n_scores = n_scores;
    for (int k = 0; k < STAGE_KIND_COUNT; k++) {
        Stage *st = &plan->stages[plan->n_stages++];
        st->layer = 0;
        st->kind = (StageKind)k;
        st->dim_in = st->dim_out = st->dim = width;
    }
    return LW_OK;
}

double stage_morph_u(int s, double t)
{
    return s >= STAGE_KIND_COUNT - 1 && t >= 1.0 ? 1.0 : (s + t) / STAGE_KIND_COUNT;
}

/* One layer of the morph's network at u: W h, then + b, then the
 * activation, summed in the order the stages of a layer sum them. */
static void morph_layer(const MorphPlan *m, int l, double u, const double *h, double *out)
{
    int in = m->widths[l], n = m->widths[l + 1];
    double y[N_MAX] = {0};
    for (int i = 0; i < n; i++) {
        double z = 0;
        for (int j = 0; j < in; j++)
            z += ((1 - u) * m->W[0][l][i * in + j] + u * m->W[1][l][i * in + j]) * h[j];
        z += (1 - u) * m->b[0][l][i] + u * m->b[1][l][i];
        y[i] = act_apply(m->act[l], z);
    }
    memcpy(out, y, sizeof y);
}

int stage_scores_class(const double *scores, int n_scores)
{
    if (n_scores == 1) return scores[0] > 0;
    int best = 0;
    for (int k = 1; k < n_scores; k++)
        if (scores[k] > scores[best]) best = k;
    return best;
}

void stage_morph_push(const MorphPlan *m, double u, const double *h, double *push)
{
    /* forward from the shown layer, keeping each layer's input and
     * pre-activation, then back: g = d D / d (state) */
    double in[LW_MAX_LAYERS + 1][N_MAX] = {{0}}, pre[LW_MAX_LAYERS][N_MAX] = {{0}};
    int L = m->layer, n = m->n_hidden;
    memcpy(in[L], h, sizeof(double) * m->widths[L]);
    for (int l = L; l < n; l++) {
        int a = m->widths[l], b = m->widths[l + 1];
        for (int i = 0; i < b; i++) {
            double z = 0;
            for (int j = 0; j < a; j++)
                z += ((1 - u) * m->W[0][l][i * a + j] + u * m->W[1][l][i * a + j]) * in[l][j];
            pre[l][i] = z + (1 - u) * m->b[0][l][i] + u * m->b[1][l][i];
            in[l + 1][i] = act_apply(m->act[l], pre[l][i]);
        }
    }
    double g[N_MAX] = {0}, D = 0;
    int d = m->widths[n];
    for (int j = 0; j < d; j++) {
        g[j] = (1 - u) * m->score_W[0][j] + u * m->score_W[1][j];
        D += g[j] * in[n][j];
    }
    D += (1 - u) * m->score_b[0][0] + u * m->score_b[1][0];
    for (int l = n - 1; l >= L; l--) {
        int a = m->widths[l], b = m->widths[l + 1];
        double back[N_MAX] = {0};
        for (int i = 0; i < b; i++) {
            double gi = g[i] * act_derivative(m->act[l], pre[l][i]);
            for (int j = 0; j < a; j++)
                back[j] += ((1 - u) * m->W[0][l][i * a + j] + u * m->W[1][l][i * a + j]) * gi;
        }
        memcpy(g, back, sizeof g);
    }
    double s = 1.0 / (1.0 + exp(D)); /* sigmoid(-D) */
    for (int j = 0; j < N_MAX; j++) push[j] = j < m->widths[L] ? s * g[j] : 0.0;
}

void stage_morph_net(const MorphPlan *m, double u, MorphNet *net)
{
    net->layer = m->layer;
    net->n_hidden = m->n_hidden;
    net->n_scores = m->n_scores;
    memcpy(net->widths, m->widths, sizeof net->widths);
    memcpy(net->act, m->act, sizeof net->act);
    for (int l = 0; l < m->n_hidden; l++) {
        int nw = m->widths[l + 1] * m->widths[l];
        for (int k = 0; k < nw; k++) net->W[l][k] = (1 - u) * m->W[0][l][k] + u * m->W[1][l][k];
        for (int i = 0; i < m->widths[l + 1]; i++)
            net->b[l][i] = (1 - u) * m->b[0][l][i] + u * m->b[1][l][i];
    }
    int d = m->widths[m->n_hidden];
    for (int k = 0; k < m->n_scores * d; k++)
        net->score_W[k] = (1 - u) * m->score_W[0][k] + u * m->score_W[1][k];
    for (int i = 0; i < m->n_scores; i++)
        net->score_b[i] = (1 - u) * m->score_b[0][i] + u * m->score_b[1][i];
}

/* Layers first..last - 1 of the network at one moment, on h in place. */
static void morph_net_layers(const MorphNet *net, int first, int last, double *h)
{
    double y[N_MAX];
    for (int l = first; l < last; l++) {
        int in = net->widths[l], n = net->widths[l + 1];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < in; j++) z += net->W[l][i * in + j] * h[j];
            y[i] = act_apply(net->act[l], z + net->b[l][i]);
        }
        memcpy(h, y, sizeof(double) * n);
    }
}

void stage_morph_net_eval(const MorphNet *net, const double *x, double *out)
{
    double h[N_MAX] = {0};
    memcpy(h, x, sizeof(double) * net->widths[0]);
    morph_net_layers(net, 0, net->layer, h);
    for (int i = 0; i < N_MAX; i++) out[i] = i < net->widths[net->layer] ? h[i] : 0.0;
}

void stage_morph_net_scores(const MorphNet *net, const double *x, int from_shown,
                            double *scores)
{
    int first = from_shown ? net->layer : 0;
    double h[N_MAX];
    memcpy(h, x, sizeof(double) * net->widths[first]);
    morph_net_layers(net, first, net->n_hidden, h);
    int d = net->widths[net->n_hidden];
    for (int i = 0; i < net->n_scores; i++) {
        double z = 0;
        for (int j = 0; j < d; j++) z += net->score_W[i * d + j] * h[j];
        scores[i] = z + net->score_b[i];
    }
}

/* The readout at u of a last-space state h. */
static void morph_readout(const MorphPlan *m, double u, const double *h, double *scores)
{
    int d = m->widths[m->n_hidden];
    for (int i = 0; i < m->n_scores; i++) {
        double z = 0;
        for (int j = 0; j < d; j++)
            z += ((1 - u) * m->score_W[0][i * d + j] + u * m->score_W[1][i * d + j]) * h[j];
        scores[i] = z + (1 - u) * m->score_b[0][i] + u * m->score_b[1][i];
    }
}

void stage_morph_scores_from(const MorphPlan *m, double u, const double *h, double *scores)
{
    double st[N_MAX] = {0};
    memcpy(st, h, sizeof(double) * m->widths[m->layer]);
    for (int l = m->layer; l < m->n_hidden; l++)
        morph_layer(m, l, u, st, st);
    morph_readout(m, u, st, scores);
}

void stage_morph_eval(const MorphPlan *m, double u, const double *x, double *out,
                      double *scores)
{
    double h[N_MAX] = {0};
    memcpy(h, x, sizeof(double) * m->widths[0]);
    int last = scores ? m->n_hidden : m->layer;
    for (int l = 0; l < last; l++) {
        morph_layer(m, l, u, h, h);
        if (l + 1 == m->layer) memcpy(out, h, sizeof h);
    }
    if (scores) morph_readout(m, u, h, scores);
}

/* The readout as one more layer, in the space of the last: for one score,
 * turn and scale so that x1 is the score w.h (the other axes span the
 * boundary, so nothing collapses), shift by b, then squash x1 alone by the
 * sigmoid into the probability of the second class; for k scores, the k
 * logits, shifted, then softmax.  det > 0 in the first case by the choice of
 * the boundary's axes. */
static void readout_layer(StagePlan *plan, int L)
{
    int d = plan->widths[L], k = plan->n_scores;
    double *W = plan->W[L];
    if (k > 1) {
        memcpy(W, plan->score_W, sizeof(double) * k * d);
        memcpy(plan->b[L], plan->score_b, sizeof(double) * k);
        plan->widths[L + 1] = k;
        return;
    }
    memset(W, 0, sizeof(double) * d * d);
    memset(plan->b[L], 0, sizeof(double) * d);
    memcpy(W, plan->score_W, sizeof(double) * d);
    plan->b[L][0] = plan->score_b[0];
    double n2 = 0;
    for (int j = 0; j < d; j++) n2 += W[j] * W[j];
    double len = sqrt(n2) > 0 ? sqrt(n2) : 1;
    if (d == 2) {
        W[2] = -W[1] / len;
        W[3] = W[0] / len;
    } else if (d == 3) {
        /* u: a unit vector across w, v = (w x u) / |w|: (w, u, v) is right-handed */
        double u[3] = {0}, *w = W;
        int least = fabs(w[0]) <= fabs(w[1]) ? (fabs(w[0]) <= fabs(w[2]) ? 0 : 2)
                                            : (fabs(w[1]) <= fabs(w[2]) ? 1 : 2);
        double e[3] = {0};
        e[least] = 1;
        double ew = e[0] * w[0] + e[1] * w[1] + e[2] * w[2], un = 0;
        for (int j = 0; j < 3; j++) {
            u[j] = e[j] - ew * w[j] / n2;
            un += u[j] * u[j];
        }
        for (int j = 0; j < 3; j++) W[3 + j] = u[j] / sqrt(un);
        W[6] = (w[1] * W[5] - w[2] * W[4]) / len;
        W[7] = (w[2] * W[3] - w[0] * W[5]) / len;
        W[8] = (w[0] * W[4] - w[1] * W[3]) / len;
    }
    plan->widths[L + 1] = d;
}

int stage_plan_set_scores(StagePlan *plan, const double *W, const double *b, int n_scores,
                          int show_readout, LwError *err)
{
    int L = plan->n_hidden, d = plan->widths[L];
    if (n_scores < 1 || n_scores > LW_MAX_CLASSES)
        return lw_fail(err, LW_EINPUT, "%d scores (expected 1 to %d)", n_scores, LW_MAX_CLASSES);
    plan->n_scores = n_scores;
    memcpy(plan->score_W, W, sizeof(double) * n_scores * d);
    memcpy(plan->score_b, b, sizeof(double) * n_scores);
    /* the drawn last layer may have units 1 and 2 swapped: so are the columns */
    for (int k = 0; L > 0 && plan->swapped[L - 1] && k < n_scores; k++) {
        double t = plan->score_W[k * d];
        plan->score_W[k * d] = plan->score_W[k * d + 1];
        plan->score_W[k * d + 1] = t;
    }
    int fits = n_scores > 1 || d <= 3;
    if (!show_readout || !fits || plan->n_layers != L || L >= LW_MAX_LAYERS)
        return LW_OK;
    readout_layer(plan, L);
    plan->act[L] = ACT_IDENTITY; /* the squash is the readout's own (stage_end) */
    plan->n_layers = L + 1;
    plan->readout = 1;
    return plan_layer(plan, L, err);
}

void stage_scores_at(const StagePlan *plan, int s, double t, const double *x, double *scores)
{
    if (plan->morph.on) {
        double out[N_MAX];
        stage_morph_eval(&plan->morph, stage_morph_u(s, t), x, out, scores);
        return;
    }
    stage_scores(plan, s, x, scores);
}

void stage_next_start(const StagePlan *plan, int s, const double *start, double *out)
{
    if (plan->morph.on)
        memmove(out, start, sizeof(double) * N_MAX);
    else
        stage_end(plan, s, start, out);
}

void stage_scores(const StagePlan *plan, int from_stage, const double *x, double *scores)
{
    if (plan->morph.on) {
        stage_scores_at(plan, from_stage, 0.0, x, scores);
        return;
    }
    int first = STAGE_KIND_COUNT * plan->n_hidden, k = plan->n_scores;
    if (from_stage > first) {
        /* inside the readout: after its turn x holds the scores less b (one
         * score: x1), after its shift the scores themselves */
        int shifted = from_stage > first + 1;
        for (int i = 0; i < k; i++) scores[i] = x[i] + (shifted ? 0.0 : plan->score_b[i]);
        return;
    }
    double st[N_MAX];
    memcpy(st, x, sizeof st);
    for (int s = from_stage; s < STAGE_KIND_COUNT * plan->n_hidden; s++)
        stage_end(plan, s, st, st);
    int d = plan->widths[plan->n_hidden];
    for (int i = 0; i < k; i++) {
        double z = plan->score_b[i];
        for (int j = 0; j < d; j++) z += plan->score_W[i * d + j] * st[j];
        scores[i] = z;
    }
}

/* ---- the activation in element-wise steps ----------------------------------- */

/* The chain of steps that composes to act; returns its length. */
static int activation_chain(Activation a, HadamardOp *ops)
{
    static const HadamardOp sigmoid[] = {HOP_NEGATE, HOP_EXP, HOP_PLUS1, HOP_RECIPROCAL};
    static const HadamardOp tanh_[] = {HOP_TIMES2, HOP_NEGATE, HOP_EXP, HOP_PLUS1,
                                       HOP_RECIPROCAL, HOP_TIMES2, HOP_MINUS1};
    static const HadamardOp softplus[] = {HOP_EXP, HOP_PLUS1, HOP_LOG};
    const HadamardOp *chain = NULL;
    int n = 0;
    switch (a) {
    case ACT_SIGMOID: chain = sigmoid; n = 4; break;
    case ACT_TANH: chain = tanh_; n = 7; break;
    case ACT_SOFTPLUS: chain = softplus; n = 3; break;
    case ACT_RELU: ops[0] = HOP_RELU; return 1;
    case ACT_LEAKY_RELU: ops[0] = HOP_LEAKY_RELU; return 1;
    default: return 0; /* identity: nothing moves, nothing to split */
    }
    memcpy(ops, chain, sizeof(HadamardOp) * n);
    return n;
}

void stage_plan_split_activations(StagePlan *plan)
{
    for (int l = 0; l < plan->n_hidden; l++)
        plan->n_steps[l] = activation_chain(plan->act[l], plan->steps[l]);
}

int stage_step_count(const StagePlan *plan, int s)
{
    const Stage *st = &plan->stages[s];
    return st->kind == STAGE_ACTIVATION ? plan->n_steps[st->layer] : 0;
}

/* A stage time that falls on a step's end within rounding is that end
 * exactly, so a hold shows the finished step and not the next one's start. */
#define STEP_SNAP 1e-9

int stage_step_at(const StagePlan *plan, int s, double t, double *tau)
{
    int n = stage_step_count(plan, s);
    if (n <= 1 || t <= 0.0 || t >= 1.0) {
        *tau = n <= 1 ? t : (t <= 0.0 ? 0.0 : 1.0);
        return n <= 1 || t <= 0.0 ? 0 : n - 1;
    }
    double x = t * n, r = nearbyint(x);
    if (r >= 1 && fabs(x - r) < STEP_SNAP) {
        *tau = 1.0;
        return (int)r - 1;
    }
    int k = (int)floor(x);
    *tau = x - k;
    return k;
}

double stage_step_time(const StagePlan *plan, int s, int k, double tau)
{
    int n = stage_step_count(plan, s);
    return n <= 1 ? tau : (k + tau) / n;
}

static double step_one(HadamardOp op, double x)
{
    switch (op) {
    case HOP_NEGATE: return -x;
    case HOP_EXP: return x > 690.0 ? fmin(exp(x), STAGE_EXP_CAP) : exp(x);
    case HOP_PLUS1: return x + 1.0;
    case HOP_RECIPROCAL: return 1.0 / x;
    case HOP_TIMES2: return 2.0 * x;
    case HOP_MINUS1: return x - 1.0;
    case HOP_LOG: return log(x);
    /* the activations' own code, so a slope cannot drift from theirs */
    case HOP_RELU: return act_apply(ACT_RELU, x);
    case HOP_LEAKY_RELU: return act_apply(ACT_LEAKY_RELU, x);
    default: return x;
    }
}

void stage_step_apply(HadamardOp op, int dim, const double *in, double *out)
{
    double tmp[N_MAX] = {0};
    for (int i = 0; i < dim; i++)
        tmp[i] = step_one(op, in[i]);
    memcpy(out, tmp, sizeof tmp);
}

int stage_step_states(const StagePlan *plan, int s, const double *start,
                      double states[][LW_MAX_WIDTH])
{
    const Stage *st = &plan->stages[s];
    int n = stage_step_count(plan, s);
    memcpy(states[0], start, sizeof(double) * N_MAX);
    for (int k = 0; k < n; k++)
        stage_step_apply(plan->steps[st->layer][k], st->dim_out, states[k], states[k + 1]);
    return n;
}

/* Step k of the split activation at its own time tau: the straight blend
 * from the state after k steps to the state after k + 1. */
static void steps_eval(const StagePlan *plan, int s, double t, const double *start, double *out)
{
    const Stage *st = &plan->stages[s];
    double tau, a[N_MAX], b[N_MAX];
    int k = stage_step_at(plan, s, t, &tau);
    memcpy(a, start, sizeof a);
    for (int j = 0; j < k; j++)
        stage_step_apply(plan->steps[st->layer][j], st->dim_out, a, a);
    stage_step_apply(plan->steps[st->layer][k], st->dim_out, a, b);
    for (int i = 0; i < N_MAX; i++)
        out[i] = i >= st->dim_out ? 0.0 : tau >= 1.0 ? b[i] : tau <= 0.0 ? a[i]
                                                         : (1 - tau) * a[i] + tau * b[i];
}

/* ---- evaluation ---------------------------------------------------------- */

static void linear_exact(const StagePlan *net, int l, const double *x, double *y)
{
    int in = net->widths[l], out = net->widths[l + 1];
    const double *W = net->W[l];
    double tmp[N_MAX] = {0};
    for (int i = 0; i < out; i++) {
        double s = 0;
        for (int j = 0; j < in; j++)
            s += W[i * in + j] * x[j];
        tmp[i] = s;
    }
    memcpy(y, tmp, sizeof tmp);
}

/* The readout's squash: the sigmoid of the score (x1 only), or the softmax
 * of the k logits. */
static void squash(const StagePlan *plan, int dim, const double *in, double *out)
{
    double tmp[N_MAX] = {0};
    if (plan->n_scores == 1) {
        memcpy(tmp, in, sizeof(double) * dim);
        tmp[0] = act_apply(ACT_SIGMOID, in[0]);
    } else {
        double mx = in[0], sum = 0;
        for (int i = 1; i < dim; i++) mx = fmax(mx, in[i]);
        for (int i = 0; i < dim; i++) sum += (tmp[i] = exp(in[i] - mx));
        for (int i = 0; i < dim; i++) tmp[i] /= sum;
    }
    memcpy(out, tmp, sizeof tmp);
}

void stage_end(const StagePlan *plan, int s, const double *start, double *out)
{
    if (plan->morph.on) {
        stage_morph_eval(&plan->morph, stage_morph_u(s, 1.0), start, out, NULL);
        return;
    }
    const Stage *st = &plan->stages[s];
    const StagePlan *net = plan;
    int l = st->layer;
    switch (st->kind) {
    case STAGE_LINEAR:
        linear_exact(net, l, start, out);
        break;
    case STAGE_BIAS:
        for (int i = 0; i < N_MAX; i++)
            out[i] = i < st->dim_out ? start[i] + net->b[l][i] : 0.0;
        break;
    default:
        if (plan->readout && l == plan->n_layers - 1) {
            squash(plan, st->dim_out, start, out);
            break;
        }
        for (int i = 0; i < N_MAX; i++)
            out[i] = i < st->dim_out ? act_apply(net->act[l], start[i]) : 0.0;
        break;
    }
}

/* The page turn: rotate the mirror direction v toward the spare axis e_n by
 * angle pi*tau; at tau = 1 this is the reflection x - 2 (v.x) v. */
static void flip_eval(const LinearMotion *lm, double tau, const double *x, double *y)
{
    int n = lm->n;
    double vx = 0;
    for (int i = 0; i < n; i++)
        vx += lm->mirror[i] * x[i];
    double a = M_PI * tau;
    for (int i = 0; i < n; i++)
        y[i] = x[i] - (1 - cos(a)) * vx * lm->mirror[i];
    y[n] = tau >= 1 ? 0.0 : sin(a) * vx;
}

static void polar_matrix(const LinearMotion *lm, double t, double *M)
{
    int n = lm->n;
    double R[9], St[N_MAX * N_MAX];
    rotation(n, t * lm->angle, lm->axis, R);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            St[i * n + j] = t * lm->S[i * n + j] + (i == j ? 1 - t : 0);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += R[i * n + k] * St[k * n + j];
            M[i * n + j] = s;
        }
}

static void linear_eval(const StagePlan *plan, int l, double t, const double *x, double *y)
{
    const LinearMotion *lm = &plan->motion[l];
    int n = lm->n;
    double out[N_MAX] = {0};
    if (!lm->polar) {
        double wx[N_MAX];
        linear_exact(plan, l, x, wx);
        for (int i = 0; i < n; i++)
            out[i] = (1 - t) * x[i] + t * wx[i];
    } else {
        double xin[N_MAX + 1] = {0}, M[N_MAX * N_MAX];
        memcpy(xin, x, sizeof(double) * n);
        double tr = t;
        if (lm->flip) {
            double tau = t < FLIP_PART ? t / FLIP_PART : 1.0;
            flip_eval(lm, tau, x, xin);
            tr = t < FLIP_PART ? 0.0 : (t - FLIP_PART) / (1 - FLIP_PART);
        }
        polar_matrix(lm, tr, M);
        mat_vec(M, n, xin, out);
        if (lm->flip && n < N_MAX)
            out[n] = xin[n];
    }
    memcpy(y, out, sizeof out);
}

void stage_eval(const StagePlan *plan, int s, double t, const double *start, double *out)
{
    if (plan->morph.on) {
        stage_morph_eval(&plan->morph, stage_morph_u(s, t), start, out, NULL);
        return;
    }
    if (t >= 1.0) {
        stage_end(plan, s, start, out);
        return;
    }
    if (t <= 0.0) {
        memmove(out, start, sizeof(double) * N_MAX);
        return;
    }
    const Stage *st = &plan->stages[s];
    if (st->kind == STAGE_LINEAR) {
        linear_eval(plan, st->layer, t, start, out);
        return;
    }
    if (stage_step_count(plan, s) > 1) {
        steps_eval(plan, s, t, start, out);
        return;
    }
    double end[N_MAX];
    stage_end(plan, s, start, end);
    stage_blend(N_MAX, t, start, end, out);
}

int stage_is_blend(const StagePlan *plan, int s)
{
    if (plan->morph.on) return 0;
    const Stage *st = &plan->stages[s];
    /* a straight linear motion is the blend to W x (linear_eval; a state is
     * zero past its width, so the blend's coordinates past n are +0 too) */
    if (st->kind == STAGE_LINEAR) return !plan->motion[st->layer].polar;
    return stage_step_count(plan, s) <= 1;
}

void stage_blend(int n, double t, const double *start, const double *end, double *out)
{
    for (int i = 0; i < n; i++)
        out[i] = (1 - t) * start[i] + t * end[i];
    for (int i = n; i < N_MAX; i++)
        out[i] = 0.0;
}

int stage_invertible(const StagePlan *plan, int s)
{
    if (plan->morph.on) return 0; /* a morph's frames are traced from the input */
    const Stage *st = &plan->stages[s];
    if (st->dim != 2 || st->dim_in != 2 || st->dim_out != 2) return 0;
    if (st->kind == STAGE_LINEAR) return !plan->motion[st->layer].flip;
    if (stage_step_count(plan, s) > 1) return 0;
    int readout = plan->readout && st->layer == plan->n_layers - 1;
    return st->kind != STAGE_ACTIVATION || !readout || plan->n_scores == 1;
}

/* Solves (1 - t) x + t act(x) = y for x.  The left side increases with x,
 * with slope at least 1 - t > 0 (every activation here is non-decreasing):
 * Newton's method, kept inside the bracket its own steps establish (a step
 * that leaves it bisects instead), converges in a few steps; the boundary is
 * traced through this for every frame, so it must be cheap. */
static double blend_inverse(Activation a, double t, double y)
{
    double x = y, lo = -INFINITY, hi = INFINITY;
    for (int it = 0; it < 100; it++) {
        double f = (1 - t) * x + t * act_apply(a, x) - y;
        if (f == 0) return x;
        if (f < 0) lo = x; else hi = x;
        double nx = x - f / ((1 - t) + t * act_derivative(a, x));
        if (!(nx > lo && nx < hi)) /* out of the bracket (or not a number) */
            nx = isfinite(lo) && isfinite(hi) ? 0.5 * (lo + hi)
                 : isfinite(lo) ? lo + 2 * (fabs(lo) + 1) : hi - 2 * (fabs(hi) + 1);
        if (fabs(nx - x) <= 1e-15 * (1 + fabs(x))) return nx;
        x = nx;
    }
    return x;
}

void stage_invert(const StagePlan *plan, int s, double t, const double *y, double *x)
{
    const Stage *st = &plan->stages[s];
    int l = st->layer;
    memset(x, 0, sizeof(double) * N_MAX);
    if (st->kind == STAGE_LINEAR) {
        double M[N_MAX * N_MAX];
        stage_linear_matrix(plan, l, t, M);
        double det = M[0] * M[3] - M[1] * M[2];
        x[0] = (M[3] * y[0] - M[1] * y[1]) / det;
        x[1] = (M[0] * y[1] - M[2] * y[0]) / det;
    } else if (st->kind == STAGE_BIAS) {
        x[0] = y[0] - t * plan->b[l][0];
        x[1] = y[1] - t * plan->b[l][1];
    } else if (plan->readout && l == plan->n_layers - 1) { /* the sigmoid of x1 alone */
        x[0] = blend_inverse(ACT_SIGMOID, t, y[0]);
        x[1] = y[1];
    } else {
        x[0] = blend_inverse(plan->act[l], t, y[0]);
        x[1] = blend_inverse(plan->act[l], t, y[1]);
    }
}

void stage_start_state(const StagePlan *plan, int s, const double *x, double *out)
{
    double cur[N_MAX] = {0};
    memcpy(cur, x, sizeof(double) * plan->widths[0]);
    for (int k = 0; k < s; k++)
        stage_next_start(plan, k, cur, cur);
    memcpy(out, cur, sizeof cur);
}

void stage_linear_matrix(const StagePlan *plan, int layer, double t, double *M)
{
    const LinearMotion *lm = &plan->motion[layer];
    int n = lm->n;
    if (t >= 1.0 || !lm->polar) {
        double E[N_MAX * N_MAX];
        embed_weights(plan, layer, n, E);
        for (int i = 0; i < n * n; i++)
            M[i] = t >= 1.0 ? E[i] : (1 - t) * (i % (n + 1) == 0) + t * E[i];
        return;
    }
    /* Columns of the motion applied to the unit vectors (flip included). */
    for (int j = 0; j < n; j++) {
        double e[N_MAX] = {0}, y[N_MAX];
        e[j] = 1;
        linear_eval(plan, layer, t, e, y);
        for (int i = 0; i < n; i++)
            M[i * n + j] = y[i];
    }
}

double stage_depth_weight(const StagePlan *plan, int s, double t)
{
    const Stage *st = &plan->stages[s];
    double a = st->dim_in >= 3, b = st->dim_out >= 3;
    double w = a + (b - a) * t;
    if (st->kind == STAGE_LINEAR && plan->motion[st->layer].flip) {
        /* tilt the view while the page turns, so it is seen turning */
        double tau = t < FLIP_PART ? t / FLIP_PART : 1.0;
        w = fmax(w, sin(M_PI * tau));
    }
    return w;
}
