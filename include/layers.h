/* layers.h — a stack of layers h_l = act_l(W_l h_{l-1} + b_l): the part of a
 * network that is animated, whatever network it belongs to. */
#ifndef LAYERS_H
#define LAYERS_H

#include "lw_common.h"

typedef struct {
    int n_layers;
    int widths[LW_MAX_LAYERS + 1];  /* widths[0] = input dimension */
    Activation act[LW_MAX_LAYERS];
    double *W[LW_MAX_LAYERS];       /* (widths[l+1], widths[l]) row-major; may be views */
    double *b[LW_MAX_LAYERS];       /* (widths[l+1]) */
} LayerStack;

#endif
