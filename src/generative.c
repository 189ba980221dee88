/* generative.c — a generator's or decoder's map as a segment (see
 * generative.h).  Knows the prior; knows nothing of how the map was trained.
 *
 * Owns nothing beyond a call: what it builds belongs to the Show. */
#include "generative.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GENERATED_COLOUR (LW_MAX_CLASSES - 1) /* the palette's grey */
#define TAIL 0.005                            /* each tail the grid leaves out */

const char *model_kind_name(ModelKind k)
{
    static const char *const names[] = {"classifier", "gan", "vae", "autoencoder"};
    return k >= MODEL_CLASSIFIER && k <= MODEL_AUTOENCODER ? names[k] : "?";
}

double generative_latent_extent(Prior p)
{
    return p == PRIOR_UNIFORM ? 1.0 : prior_quantile(PRIOR_GAUSSIAN, 1.0 - TAIL);
}

/* Grid lines at fractions of the box: evenly for a uniform prior; for a
 * Gaussian at the quantiles TAIL + (1 - 2 TAIL) k / (n - 1), so every cell
 * between two neighbouring lines holds the same probability. */
static void grid_fractions(Segment *seg, Prior p, int n)
{
    if (n > SHOW_MAX_GRID) n = SHOW_MAX_GRID;
    if (n < 2) n = 2;
    double e = generative_latent_extent(p);
    for (int k = 0; k < n; k++) {
        double u = TAIL + (1.0 - 2 * TAIL) * k / (n - 1);
        seg->grid_at[k] = p == PRIOR_UNIFORM ? (double)k / (n - 1)
                                             : (prior_quantile(p, u) + e) / (2 * e);
    }
    seg->n_grid_at = n;
}

static int add_samples(Segment *seg, int dim, const GenerativeView *v, LwError *err)
{
    int n = v->n_samples;
    double *z = malloc(sizeof(double) * (size_t)(n ? n : 1) * dim);
    int *label = malloc(sizeof(int) * (n ? n : 1));
    int rc = z && label ? LW_OK : lw_fail(err, LW_ERUNTIME, "out of memory for %d codes", n);
    if (!rc) rc = prior_sample(v->prior, dim, n, v->seed, z, err);
    for (int i = 0; !rc && i < n; i++) label[i] = GENERATED_COLOUR;
    if (!rc) rc = segment_add_points(seg, z, label, n, dim, NULL, 0, 0, 0, err);
    free(z);
    free(label);
    return rc;
}

int generative_segment(const LayerStack *gen, const Dataset *real, const GenerativeView *v,
                       Show *show, LwError *err)
{
    Segment *seg;
    int rc = show_add_segment(show, &seg, err);
    if (!rc) rc = segment_set_layers(seg, gen, err);
    if (rc) return rc;
    int dim = gen->widths[0], out = gen->widths[gen->n_layers];
    double e = generative_latent_extent(v->prior);
    for (int a = 0; a < 3; a++) {
        seg->region[2 * a] = a < dim ? -e : 0;
        seg->region[2 * a + 1] = a < dim ? e : 0;
    }
    grid_fractions(seg, v->prior, v->grid_lines);
    rc = add_samples(seg, dim, v, err);
    if (!rc && real && real->dim == out && out <= 3) {
        rc = segment_add_points(seg, real->x, real->label, real->n, real->dim, real->curve_start,
                                real->n_curves, 0, 1, err);
        if (!rc) /* the data live in the last space: shown once the last layer moves there */
            seg->sets[seg->n_sets - 1].from_layer = gen->n_layers - 1;
    }
    if (rc) return rc;
    seg->n_classes = real ? real->classes : 0;
    seg->generated_colour = GENERATED_COLOUR;
    seg->tag = 'G';
    snprintf(seg->title, sizeof seg->title, "%s", v->title ? v->title : "");
    return LW_OK;
}

/* The points' box, padded by an eighth and rounded out to quarter units. */
static void points_region(const Dataset *real, const double *fake, int n_fake, double reg[6])
{
    int d = real->dim;
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int k = 0; k < 2; k++) {
        const double *x = k ? fake : real->x;
        int n = k ? n_fake : real->n;
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++) {
                lo[a] = fmin(lo[a], x[(size_t)i * d + a]);
                hi[a] = fmax(hi[a], x[(size_t)i * d + a]);
            }
    }
    double pad = 0;
    for (int a = 0; a < d; a++) pad = fmax(pad, 0.12 * (hi[a] - lo[a]));
    for (int a = 0; a < 3; a++) {
        reg[2 * a] = a < d ? floor((lo[a] - pad) / 0.25) * 0.25 : 0;
        reg[2 * a + 1] = a < d ? ceil((hi[a] + pad) / 0.25) * 0.25 : 0;
    }
}

int generative_critic_segment(const LayerStack *critic, const Dataset *real, const double *fake,
                              int n_fake, const char *title, int show_boundary, Show *show,
                              LwError *err)
{
    int L = critic->n_layers;
    if (L < 2 || critic->widths[L] != 1)
        return lw_fail(err, LW_EINPUT, "a critic needs hidden layers and one score");
    LayerStack hidden = *critic;
    hidden.n_layers = L - 1;
    Segment *seg;
    int rc = show_add_segment(show, &seg, err);
    if (!rc) rc = segment_set_layers(seg, &hidden, err);
    if (!rc) rc = segment_set_scores(seg, critic->W[L - 1], critic->b[L - 1], 1, err);
    if (!rc) rc = segment_add_points(seg, real->x, real->label, real->n, real->dim, NULL, 0, 0, 0,
                                     err);
    int *label = malloc(sizeof(int) * (n_fake ? n_fake : 1));
    if (!rc && !label) rc = lw_fail(err, LW_ERUNTIME, "out of memory for %d points", n_fake);
    for (int i = 0; !rc && i < n_fake; i++) label[i] = GENERATED_COLOUR;
    if (!rc) rc = segment_add_points(seg, fake, label, n_fake, real->dim, NULL, 0, 0, 0, err);
    free(label);
    if (rc) return rc;
    points_region(real, fake, n_fake, seg->region);
    seg->n_classes = real->classes;
    seg->generated_colour = GENERATED_COLOUR;
    seg->show_scores = show_boundary;
    seg->tag = 'D';
    snprintf(seg->title, sizeof seg->title, "%s", title ? title : "");
    return LW_OK;
}
