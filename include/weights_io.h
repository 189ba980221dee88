/* weights_io.h — a classifier's weights in the files people have, chosen by
 * the file's extension: NumPy's .npz and safetensors (tensors.h) beside
 * layerwarp's own text format (mlp_save / mlp_load).  A tensor file holds
 * tensors only: the widths and activations come from the scene, and every
 * tensor's shape is checked against them.  Two namings
 * (docs/weights-format.md): layerwarp's W1, b1, ..., Wout, bout, and a
 * PyTorch nn.Sequential's state_dict, N.weight and N.bias. */
#ifndef WEIGHTS_IO_H
#define WEIGHTS_IO_H

#include "lw_common.h"
#include "mlp.h"

typedef enum { WEIGHTS_TEXT, WEIGHTS_NPZ, WEIGHTS_SAFETENSORS } WeightsFormat;

/* By the extension, in any case: ".npz", ".safetensors", else text. */
WeightsFormat weights_format_of(const char *path);

/* Reads m (which need not be initialised; freed on failure) from path for
 * the scene's network `net` and a dataset of `classes` classes.  A text file
 * is mlp_load's (its header gives the shape; the caller compares it with the
 * scene).  A tensor file gives net's widths and activations, and a readout
 * for `classes` when it holds one.  LW_EINPUT with one line naming the file
 * and the tensor: a missing one, a wrong shape (with the expected one), a
 * tensor the network does not use, a bad dtype, a malformed file. */
int weights_load(Mlp *m, const NetSpec *net, int classes, const char *path, LwError *err);
/* Writes m to path in the format its extension names (tensor files with
 * layerwarp's naming, float64), atomically. */
int weights_save(const Mlp *m, const char *path, LwError *err);
/* LW_EINPUT "path: ..." when path is a tensor file: a generative model's
 * several networks are read and written only as text (version 2). */
int weights_text_only(const char *path, const char *model, LwError *err);

#endif
