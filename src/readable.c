/* readable.c — the readable loss term (spread and saturation of every hidden
 * layer) and the spread measure; the maths is in readable.h.
 *
 * Invariants: a Readable owns one buffer sized by readable_alloc for a shape
 * and a most-points cap; nothing is allocated per call.  Every sum runs over
 * points in order and the eigensolver is a fixed cyclic Jacobi, so the same
 * inputs give the same bits. */
#include "readable.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* r = (lambda2 + EIG_EPS) / (lambda1 + EIG_EPS): keeps log r finite when a
 * layer has collapsed completely, far below any spread worth drawing. */
#define EIG_EPS 1e-12
#define JACOBI_SWEEPS 60

/* ---- eigenvalues of a small symmetric matrix ---- */

/* Cyclic Jacobi: a (w, w) is diagonalised in place, v (w, w) gets the
 * eigenvectors as columns.  Each rotation zeroes a[p][q]; for w <= 16 a few
 * sweeps reach machine precision. */
static void jacobi(double *a, double *v, int w)
{
    for (int i = 0; i < w * w; i++)
        v[i] = 0;
    for (int i = 0; i < w; i++)
        v[i * w + i] = 1;
    for (int sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
        double off = 0, diag = 0;
        for (int p = 0; p < w; p++) {
            diag += a[p * w + p] * a[p * w + p];
            for (int q = p + 1; q < w; q++)
                off += a[p * w + q] * a[p * w + q];
        }
        if (!(off > 1e-36 * diag))
            break;
        for (int p = 0; p < w; p++)
            for (int q = p + 1; q < w; q++) {
                double apq = a[p * w + q];
                if (apq == 0)
                    continue;
                // choose t = tan(phi) so that the rotated a[p][q] is 0 (the smaller root)
                double theta = (a[q * w + q] - a[p * w + p]) / (2 * apq);
                double t = fabs(theta) > 1e150
                               ? 0.5 / theta
                               : (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < w; k++) { // A J: columns p and q
                    double akp = a[k * w + p], akq = a[k * w + q];
                    a[k * w + p] = c * akp - s * akq;
                    a[k * w + q] = s * akp + c * akq;
                }
                for (int k = 0; k < w; k++) { // J^T (A J): rows p and q
                    double apk = a[p * w + k], aqk = a[q * w + k];
                    a[p * w + k] = c * apk - s * aqk;
                    a[q * w + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < w; k++) { // V J
                    double vkp = v[k * w + p], vkq = v[k * w + q];
                    v[k * w + p] = c * vkp - s * vkq;
                    v[k * w + q] = s * vkp + c * vkq;
                }
            }
    }
}

void readable_top_two(const double *A, int w, double *l1, double *l2, double *v1, double *v2)
{
    double a[LW_MAX_WIDTH * LW_MAX_WIDTH], v[LW_MAX_WIDTH * LW_MAX_WIDTH];
    memcpy(a, A, (size_t)w * w * sizeof *a);
    jacobi(a, v, w);
    int i1 = 0, i2 = -1;
    for (int k = 1; k < w; k++)
        if (a[k * w + k] > a[i1 * w + i1])
            i1 = k;
    for (int k = 0; k < w; k++)
        if (k != i1 && (i2 < 0 || a[k * w + k] > a[i2 * w + i2]))
            i2 = k;
    *l1 = a[i1 * w + i1];
    *l2 = i2 >= 0 ? a[i2 * w + i2] : 0.0;
    for (int k = 0; k < w; k++) {
        if (v1)
            v1[k] = v[k * w + i1];
        if (v2)
            v2[k] = i2 >= 0 ? v[k * w + i2] : 0.0;
    }
}

/* mean mu (w) and covariance C (w, w) = sum (h - mu)(h - mu)^T / n of H (n, w) */
static void covariance(const double *H, int n, int w, double *mu, double *C)
{
    for (int k = 0; k < w; k++)
        mu[k] = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < w; k++)
            mu[k] += H[(size_t)i * w + k];
    for (int k = 0; k < w; k++)
        mu[k] /= n;
    for (int k = 0; k < w * w; k++)
        C[k] = 0;
    for (int i = 0; i < n; i++) {
        const double *h = H + (size_t)i * w;
        for (int j = 0; j < w; j++)
            for (int k = j; k < w; k++)
                C[j * w + k] += (h[j] - mu[j]) * (h[k] - mu[k]);
    }
    for (int j = 0; j < w; j++)
        for (int k = j; k < w; k++)
            C[k * w + j] = C[j * w + k] = C[j * w + k] / n;
}

double readable_spread_points(const double *H, int n, int w)
{
    if (w < 2)
        return 1.0;
    if (n < 1)
        return 0.0;
    double mu[LW_MAX_WIDTH], C[LW_MAX_WIDTH * LW_MAX_WIDTH], l1, l2;
    covariance(H, n, w, mu, C);
    readable_top_two(C, w, &l1, &l2, NULL, NULL);
    if (!(l1 > 0))
        return 0.0;
    return sqrt(fmax(l2, 0.0) / l1);
}

/* ---- the loss term ---- */

int readable_alloc(Readable *r, const LayerStack *s, int cap, LwError *err)
{
    memset(r, 0, sizeof *r);
    if (s->n_layers < 0 || s->n_layers > LW_MAX_LAYERS || cap < 1)
        return lw_fail(err, LW_EINPUT, "readable: %d layers, %d points", s->n_layers, cap);
    size_t per_point = 0;
    for (int l = 0; l < s->n_layers; l++) {
        if (s->widths[l + 1] < 1 || s->widths[l + 1] > LW_MAX_WIDTH)
            return lw_fail(err, LW_EINPUT, "layer width %d (expected 1..%d)", s->widths[l + 1],
                           LW_MAX_WIDTH);
        per_point += 2 * (size_t)s->widths[l + 1];
    }
    per_point += 2; /* col, sel */
    r->buf = malloc(per_point * (size_t)cap * sizeof *r->buf);
    if (!r->buf)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a batch of %d points", cap);
    r->cap = cap;
    r->n_layers = s->n_layers;
    memcpy(r->widths, s->widths, sizeof r->widths);
    double *p = r->buf;
    for (int l = 0; l < s->n_layers; l++) {
        r->dH[l] = p; // (cap, widths[l+1])
        p += (size_t)cap * s->widths[l + 1];
        r->dZ[l] = p; // (cap, widths[l+1])
        p += (size_t)cap * s->widths[l + 1];
    }
    r->col = p;
    r->sel = p + cap;
    return LW_OK;
}

void readable_free(Readable *r)
{
    if (!r)
        return;
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* S of one layer's activations H (n, w); adds weight * dS/dH to dH when
 * non-NULL.  Returns S (unweighted). */
static double spread_term(const double *H, int n, int w, double weight, double *dH)
{
    if (w < 2)
        return 0.0;
    double mu[LW_MAX_WIDTH], C[LW_MAX_WIDTH * LW_MAX_WIDTH], v1[LW_MAX_WIDTH],
        v2[LW_MAX_WIDTH], l1, l2;
    covariance(H, n, w, mu, C);
    readable_top_two(C, w, &l1, &l2, v1, v2);
    // S = max(0, a - log r)^2, log r = log(l2 + eps) - log(l1 + eps)
    double a = 2 * log(READABLE_SPREAD);
    double h = a - (log(l2 + EIG_EPS) - log(l1 + EIG_EPS));
    if (!(h > 0))
        return 0.0;
    if (dH) {
        // dS/dl1 = 2h / (l1 + eps), dS/dl2 = -2h / (l2 + eps);
        // l_k = v_k^T C v_k, C = Hc^T Hc / n  =>  dl_k/dH_i = (2/n) (Hc_i . v_k) v_k
        // (the centring adds nothing: sum_i Hc_i = 0)
        double g1 = weight * 2 * h / (l1 + EIG_EPS) * 2.0 / n;
        double g2 = -weight * 2 * h / (l2 + EIG_EPS) * 2.0 / n;
        for (int i = 0; i < n; i++) {
            const double *hi = H + (size_t)i * w;
            double p1 = 0, p2 = 0;
            for (int k = 0; k < w; k++) {
                p1 += (hi[k] - mu[k]) * v1[k];
                p2 += (hi[k] - mu[k]) * v2[k];
            }
            for (int k = 0; k < w; k++)
                dH[(size_t)i * w + k] += g1 * p1 * v1[k] + g2 * p2 * v2[k];
        }
    }
    return h * h;
}

/* How far z sits in the flat part of a, per point: u(z) and du/dz.  Returns
 * 0 for activations judged per unit (relu, leaky_relu) or never flat. */
static int flat_point(Activation a, double z, double *u, double *du)
{
    switch (a) {
    case ACT_TANH:    *u = fabs(z) - 2; *du = z >= 0 ? 1 : -1; return 1;
    case ACT_SIGMOID: *u = fabs(z) - 4; *du = z >= 0 ? 1 : -1; return 1;
    case ACT_SOFTPLUS: *u = -z - 4; *du = -1; return 1;
    default: return 0;
    }
}

/* The k-th largest of a[0..n-1] (k = 1: the largest), by quickselect on
 * the scratch copy b (n); deterministic (fixed pivots). */
static double kth_largest(const double *a, int n, int k, double *b)
{
    memcpy(b, a, (size_t)n * sizeof *b);
    int lo = 0, hi = n - 1, want = k - 1; // index in descending order
    while (lo < hi) {
        double pivot = b[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (b[i] > pivot) i++;
            while (b[j] < pivot) j--;
            if (i <= j) {
                double t = b[i]; b[i] = b[j]; b[j] = t;
                i++; j--;
            }
        }
        if (want <= j) hi = j;
        else if (want >= i) lo = i;
        else break;
    }
    return b[want];
}

/* T of one layer's pre-activations Z (n, w) under activation a; adds
 * weight * dT/dZ to dZ when non-NULL.  col and sel are scratch (n) for the
 * per-unit rule.  Returns T (unweighted). */
static double saturation_term(const double *Z, int n, int w, Activation a, double weight,
                              double *dZ, double *col, double *sel)
{
    double T = 0;
    double u, du;
    if (a == ACT_RELU || a == ACT_LEAKY_RELU) {
        // per unit j: with zk its k-th largest pre-activation, k = ceil(n * READABLE_LIVE),
        // T_j = max(0, -zk)^2: zero while at least that share of points is on the live side
        int k = (int)ceil(n * READABLE_LIVE);
        if (k < 1) k = 1;
        for (int j = 0; j < w; j++) {
            for (int i = 0; i < n; i++)
                col[i] = Z[(size_t)i * w + j];
            double zk = kth_largest(col, n, k, sel);
            if (!(zk < 0))
                continue;
            T += zk * zk;
            if (dZ)
                for (int i = 0; i < n; i++)
                    if (col[i] == zk) { // dT/dzk = 2 zk, for the (first) point that is zk
                        dZ[(size_t)i * w + j] += weight * 2 * zk;
                        break;
                    }
        }
        return T;
    }
    for (int i = 0; i < n * w; i++) {
        if (!flat_point(a, Z[i], &u, &du) || !(u > 0))
            continue;
        // T = (1/n) sum u^2  =>  dT/dz = 2 u du / n
        T += u * u;
        if (dZ)
            dZ[i] += weight * 2 * u * du / n;
    }
    return T / n;
}

int readable_forward_backward(Readable *r, const LayerStack *s, const LayersTape *t,
                              double weight, int grad, double *value, LwError *err)
{
    int n = t->n;
    if (s->n_layers != r->n_layers || t->n_layers != r->n_layers || n < 1 || n > r->cap)
        return lw_fail(err, LW_EINPUT, "readable: scratch sized for another network or batch");
    for (int l = 0; l < s->n_layers; l++)
        if (s->widths[l + 1] != r->widths[l + 1])
            return lw_fail(err, LW_EINPUT, "readable: scratch sized for another network");
    double R = 0;
    for (int l = 0; l < s->n_layers; l++) {
        int w = s->widths[l + 1];
        double *dH = grad ? r->dH[l] : NULL, *dZ = grad ? r->dZ[l] : NULL;
        if (grad) {
            memset(dH, 0, (size_t)n * w * sizeof *dH);
            memset(dZ, 0, (size_t)n * w * sizeof *dZ);
        }
        R += spread_term(t->H[l], n, w, weight, dH);
        R += saturation_term(t->Z[l], n, w, s->act[l], weight, dZ, r->col, r->sel);
    }
    *value = weight * R;
    return LW_OK;
}
