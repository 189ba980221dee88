/* classifier.c — a trained classifier shown as a segment: its hidden
 * layers warp a box around the data, the data ride along coloured by class,
 * and the readout contributes what only a classifier has: its scores (whose
 * boundary the renderer traces in every space) and the shading of the plane
 * by predicted class.
 *
 * Owns nothing beyond a call: what it builds belongs to the Show. */
#include "classifier.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHADE_CELLS 48       /* background shading mesh, cells per side */

/* ---- the region, the shading and the segment --------------------------- */

/* The data's box, padded by an eighth and rounded out to quarter units. */
static void default_region(const Dataset *ds, double reg[6])
{
    double b[6];
    dataset_bounds(ds, b);
    double pad = 0.12 * fmax(b[1] - b[0], fmax(b[3] - b[2], b[5] - b[4]));
    const double step = 0.25;
    for (int a = 0; a < 3; a++) {
        reg[2 * a] = a < ds->dim ? floor((b[2 * a] - pad) / step) * step : 0;
        reg[2 * a + 1] = a < ds->dim ? ceil((b[2 * a + 1] + pad) / step) * step : 0;
    }
}

static int shade_classes(Segment *seg, const Mlp *net)
{
    int S = SHADE_CELLS;
    const double *reg = seg->region;
    seg->shade_class = malloc(sizeof(int) * S * S);
    if (!seg->shade_class) return -1;
    for (int j = 0; j < S; j++)
        for (int i = 0; i < S; i++) {
            double x[2] = {reg[0] + (reg[1] - reg[0]) * (i + 0.5) / S,
                           reg[2] + (reg[3] - reg[2]) * (j + 0.5) / S};
            seg->shade_class[j * S + i] = mlp_classify_point(net, x);
        }
    seg->shade_cells = S;
    return 0;
}

static void make_title(const Mlp *net, const char *name, double accuracy, char *out, size_t n)
{
    char widths[96] = "";
    for (int i = 0; i <= net->n_layers; i++) {
        size_t len = strlen(widths);
        snprintf(widths + len, sizeof widths - len, i ? "-%d" : "%d", net->widths[i]);
    }
    if (accuracy >= 0)
        snprintf(out, n, "%s  %s  accuracy %.1f%%", name, widths, 100 * accuracy);
    else
        snprintf(out, n, "%s  %s", name, widths);
}

int classifier_segment(const Mlp *net, const Dataset *ds, const ClassifierView *v, Show *show,
                       LwError *err)
{
    Segment *seg;
    int rc = show_add_segment(show, &seg, err);
    if (rc) return rc;
    LayerStack stack = mlp_layers(net);
    rc = segment_set_layers(seg, &stack, err);
    if (!rc)
        rc = segment_add_points(seg, ds->x, ds->label, ds->n, ds->dim, ds->curve_start,
                                ds->n_curves, v->curves, 0, err);
    if (rc) return rc;
    default_region(ds, seg->region);
    if (v->has_region && ds->dim == 2)
        memcpy(seg->region, v->region, 4 * sizeof(double));
    seg->n_classes = ds->classes;
    memcpy(seg->class_name, ds->class_name, sizeof seg->class_name);
    double accuracy = !net->has_readout ? -1
                      : v->has_accuracy ? v->accuracy
                                        : mlp_accuracy(net, ds->x, ds->label, ds->n);
    make_title(net, v->name, accuracy, seg->title, sizeof seg->title);
    seg->tag = 'L';
    /* the readout's scores: the renderer draws their boundary in every space
     * and can play the readout itself as the last act */
    if (net->has_readout) {
        rc = segment_set_scores(seg, net->Wout, net->bout, net->n_out, err);
        if (rc) return rc;
        seg->show_scores = v->show_boundary;
    }
    /* shading by class is drawn for 2-D inputs */
    if (net->has_readout && ds->dim == 2 && v->show_shade && shade_classes(seg, net) != 0)
        return lw_fail(err, LW_ERUNTIME, "out of memory for the background shading");
    return LW_OK;
}
