/* classifier.h — a classifier (hidden layers, then a linear readout) as a
 * segment of a show: the hidden layers are animated over a box around the
 * data; the readout gives the decision boundary and the shading by class.
 * Accuracy, boundary and shading belong here, not to the renderer. */
#ifndef CLASSIFIER_H
#define CLASSIFIER_H

#include "dataset.h"
#include "mlp.h"
#include "show.h"

/* What of the classifier is shown. */
typedef struct {
    const char *name;      /* what the data are, for the caption ("moons") */
    int curves;            /* draw curve datasets as curves */
    int show_boundary;     /* trace the decision boundary (2-D inputs) */
    int show_shade;        /* shade cells by predicted class (2-D inputs) */
    int has_region;        /* region given (2-D inputs); else a box around the data */
    double region[4];      /* xmin, xmax, ymin, ymax */
    int has_accuracy;      /* 1: `accuracy` is mlp_accuracy of net over ds, already
                              computed (a pass over every point through every layer) */
    double accuracy;
} ClassifierView;

/* Appends to show a segment of net's hidden layers carrying the data ds.
 * LW_ERUNTIME when out of memory. */
int classifier_segment(const Mlp *net, const Dataset *ds, const ClassifierView *v, Show *show,
                       LwError *err);

#endif
