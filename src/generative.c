/* generative.c — a generator's or decoder's map as a segment (see
 * generative.h).  Knows the prior; knows nothing of how the map was trained.
 *
 * Owns nothing beyond a call: what it builds belongs to the Show. */
#include "generative.h"

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
    snprintf(seg->title, sizeof seg->title, "%s", v->title ? v->title : "");
    return LW_OK;
}
