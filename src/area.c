/* area.c — the Jacobian of the map from a segment's input to a moment of
 * its animation, pushed stage by stage, and the area element it gives
 * (see area.h).
 *
 * Each stage's Jacobian is stage.c's motion differentiated, case by case as
 * stage_eval computes it, so the two cannot disagree about where t = 0 or
 * t = 1 falls: the linear motion is linear in the state (the page turn
 * too), so its columns are the motion of the unit vectors; the bias moves
 * every point alike; an activation, whole or in steps, moves each
 * coordinate on its own (a diagonal); only the readout's softmax mixes the
 * coordinates of a non-linear stage.
 *
 * Owns nothing. */
#include "area.h"

#include <math.h>
#include <string.h>

#define N LW_MAX_WIDTH

void area_identity(AreaJacobian J)
{
    memset(J, 0, sizeof(AreaJacobian));
    J[0][0] = J[1][1] = 1.0;
}

int area_rows(const StagePlan *plan, int s)
{
    return plan->stages[s].dim;
}

/* d step(x) / dx of one element-wise step, as stage.c's step_one computes
 * the step (exp held at STAGE_EXP_CAP: flat where it is held). */
static double step_slope(HadamardOp op, double x)
{
    switch (op) {
    case HOP_NEGATE: return -1.0;
    case HOP_EXP: {
        double e = exp(x);
        return e > STAGE_EXP_CAP ? 0.0 : e;
    }
    case HOP_RECIPROCAL: return -1.0 / (x * x);
    case HOP_TIMES2: return 2.0;
    case HOP_LOG: return 1.0 / x;
    case HOP_RELU: return act_derivative(ACT_RELU, x);
    case HOP_LEAKY_RELU: return act_derivative(ACT_LEAKY_RELU, x);
    case HOP_PLUS1:
    case HOP_MINUS1:
    default: return 1.0;
    }
}

/* out = D in, D diagonal (d, the first `rows` entries; rows beyond are 0). */
static void scale_rows(const double *d, int rows, const AreaJacobian in, AreaJacobian out)
{
    AreaJacobian tmp = {{0}};
    for (int i = 0; i < rows; i++) {
        tmp[i][0] = d[i] * in[i][0];
        tmp[i][1] = d[i] * in[i][1];
    }
    memcpy(out, tmp, sizeof tmp);
}

/* out = M in, M (rows, cols) row-major with row stride N. */
static void multiply(const double *M, int rows, int cols, const AreaJacobian in,
                     AreaJacobian out)
{
    AreaJacobian tmp = {{0}};
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            tmp[i][0] += M[i * N + j] * in[j][0];
            tmp[i][1] += M[i * N + j] * in[j][1];
        }
    memcpy(out, tmp, sizeof tmp);
}

/* The linear motion at t is linear in the state: its columns are where it
 * takes the unit vectors (rows up to the stage's dimension, the page
 * turn's spare axis included). */
static void linear_push(const StagePlan *plan, int s, double t, const AreaJacobian in,
                        AreaJacobian out)
{
    const Stage *st = &plan->stages[s];
    double M[N * N] = {0};
    for (int j = 0; j < st->dim_in; j++) {
        double e[N] = {0}, col[N];
        e[j] = 1.0;
        stage_eval(plan, s, t, e, col);
        for (int i = 0; i < st->dim; i++) M[i * N + j] = col[i];
    }
    multiply(M, st->dim, st->dim_in, in, out);
}

/* A split activation at t: step k at its own time tau, after steps 0..k-1
 * done; per coordinate the product of the done steps' slopes and the
 * blend's (1 - tau) + tau slope. */
static void steps_slopes(const StagePlan *plan, int s, double t, const double *start,
                         double *d)
{
    const Stage *st = &plan->stages[s];
    const HadamardOp *ops = plan->steps[st->layer];
    double tau, a[N];
    int k = stage_step_at(plan, s, t, &tau);
    memcpy(a, start, sizeof a);
    for (int i = 0; i < st->dim_out; i++) d[i] = 1.0;
    for (int j = 0; j <= k; j++) {
        double w = j < k ? 1.0 : tau;
        for (int i = 0; i < st->dim_out; i++)
            d[i] *= (1 - w) + w * step_slope(ops[j], a[i]);
        stage_step_apply(ops[j], st->dim_out, a, a);
    }
}

/* The readout's squash blended in at t: (1 - t) I + t dsquash/dx, the
 * sigmoid of x1 alone (one score) or the softmax of the k logits. */
static void squash_push(const StagePlan *plan, int s, double t, const double *x,
                        const AreaJacobian in, AreaJacobian out)
{
    int dim = plan->stages[s].dim_out;
    if (plan->n_scores == 1) {
        double d[N];
        for (int i = 0; i < dim; i++) d[i] = 1.0;
        d[0] = (1 - t) + t * act_derivative(ACT_SIGMOID, x[0]);
        scale_rows(d, dim, in, out);
        return;
    }
    double p[N], mx = x[0], sum = 0, M[N * N];
    for (int i = 1; i < dim; i++) mx = fmax(mx, x[i]);
    for (int i = 0; i < dim; i++) sum += (p[i] = exp(x[i] - mx));
    for (int i = 0; i < dim; i++) p[i] /= sum;
    for (int i = 0; i < dim; i++)
        for (int j = 0; j < dim; j++)
            M[i * N + j] = (i == j ? 1 - t : 0.0) + t * p[i] * ((i == j) - p[j]);
    multiply(M, dim, dim, in, out);
}

void area_push(const StagePlan *plan, int s, double t, const double *start,
               const AreaJacobian in, AreaJacobian out)
{
    const Stage *st = &plan->stages[s];
    if (t <= 0.0) { /* stage_eval keeps the start: the map so far is unchanged */
        if (out != in) memcpy(out, in, sizeof(AreaJacobian));
        return;
    }
    t = fmin(t, 1.0); /* t >= 1 is the stage's end, as stage_eval has it */
    if (st->kind == STAGE_LINEAR) {
        linear_push(plan, s, t, in, out);
        return;
    }
    if (st->kind == STAGE_BIAS) { /* a slide: every point moves alike */
        if (out != in) memcpy(out, in, sizeof(AreaJacobian));
        return;
    }
    if (plan->readout && st->layer == plan->n_layers - 1) {
        squash_push(plan, s, t, start, in, out);
        return;
    }
    double d[N];
    if (stage_step_count(plan, s) > 1 && t < 1.0) { /* its end is act(x) itself */
        steps_slopes(plan, s, t, start, d);
    } else {
        for (int i = 0; i < st->dim_out; i++)
            d[i] = (1 - t) + t * act_derivative(plan->act[st->layer], start[i]);
    }
    scale_rows(d, st->dim_out, in, out);
}

double area_log_element(const AreaJacobian J, int rows, int *sign)
{
    if (sign) *sign = 0;
    if (rows == 2) {
        double det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
        if (sign) *sign = det > 0 ? 1 : det < 0 ? -1 : 0;
        return log(fabs(det));
    }
    /* det(J^T J) = the sum of the squared 2 x 2 minors (Cauchy-Binet),
     * scaled by the largest so that neither squares nor sum overflow */
    double minor[N * (N - 1) / 2], big = 0;
    int n = 0;
    for (int a = 0; a < rows; a++)
        for (int b = a + 1; b < rows; b++) {
            minor[n] = J[a][0] * J[b][1] - J[b][0] * J[a][1];
            big = fmax(big, fabs(minor[n]));
            n++;
        }
    if (!(big > 0)) return -INFINITY;
    double sum = 0;
    for (int k = 0; k < n; k++) sum += (minor[k] / big) * (minor[k] / big);
    return log(big) + 0.5 * log(sum);
}

double area_log_at(const StagePlan *plan, int s, double t, const double x[2], int *sign)
{
    double st[N] = {0};
    AreaJacobian J;
    st[0] = x[0];
    st[1] = x[1];
    area_identity(J);
    for (int k = 0; k < s; k++) {
        area_push(plan, k, 1.0, st, J, J);
        stage_end(plan, k, st, st);
    }
    area_push(plan, s, t, st, J, J);
    return area_log_element(J, area_rows(plan, s), sign);
}
