/* weights_io.h — a network's weights in the files people have, chosen by
 * the file's extension: NumPy's .npz and safetensors (tensors.h) beside
 * layerwarp's own text formats (mlp_save / mlp_load; gen_weights.h).  A
 * tensor file holds tensors only: the widths and activations come from the
 * scene, and every tensor's shape is checked against them.  Two namings
 * (docs/weights-format.md): layerwarp's W1, b1, ..., Wout, bout, and a
 * PyTorch nn.Sequential's state_dict, N.weight and N.bias; a generative
 * model's networks each under its name ("generator.W1"). */
#ifndef WEIGHTS_IO_H
#define WEIGHTS_IO_H

#include "lw_common.h"
#include "layers.h"
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

/* One network of a generative model (gen_weights.c), its tensors named
 * "NAME." + a classifier's names: generator.W1 or generator.0.weight. */
#define MAX_WEIGHTS_BLOCKS 2
typedef struct {
    const char *name;                /* "generator", "discriminator", "encoder", "decoder" */
    const LayerStack *net;           /* its shape, and views where its numbers go */
    int heads;                       /* a VAE encoder: its last layer is two heads (mean,
                                        log-variance), Wmean/bmean and Wlogvar/blogvar */
} WeightsBlock;

/* Reads every network of a tensor file into blocks' views: each network
 * exactly the scene's layers, every tensor used; the numbers are written
 * only once every shape has been checked.  LW_EINPUT naming file and tensor. */
int weights_load_blocks(const char *path, const WeightsBlock *blocks, int n, LwError *err);
/* Writes every network's layers (float64, layerwarp's names under each
 * network's prefix), atomically. */
int weights_save_blocks(const char *path, const WeightsBlock *blocks, int n, LwError *err);

#endif
