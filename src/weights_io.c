/* weights_io.c — a classifier's weights from and to .npz and safetensors
 * files (see weights_io.h and docs/weights-format.md): which tensor is
 * which layer, and whether its shape is the scene's.
 *
 * Naming: a file holding a tensor called W1 or Wout uses layerwarp's names;
 * any other uses PyTorch's, the state_dict of one nn.Sequential: the Linear
 * layers' PREFIX.N.weight (out x in, as W) and PREFIX.N.bias, in the order of
 * N.  Either way the hidden layers come first, then optionally the readout;
 * a tensor no layer uses is refused, since it means the file describes
 * another network. */
#include "weights_io.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tensors.h"

#define MAX_LINEAR (LW_MAX_LAYERS + 1) /* hidden layers and the readout */

WeightsFormat weights_format_of(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".npz") == 0)
        return WEIGHTS_NPZ;
    if (n > 12 && strcasecmp(path + n - 12, ".safetensors") == 0)
        return WEIGHTS_SAFETENSORS;
    return WEIGHTS_TEXT;
}

int weights_text_only(const char *path, const char *model, LwError *err)
{
    if (weights_format_of(path) == WEIGHTS_TEXT)
        return LW_OK;
    return lw_fail(err, LW_EINPUT, "%s: a %s's weights are kept only in layerwarp's text "
                   "format (.npz and .safetensors hold a classifier's)", path, model);
}

/* One Linear layer of the file: its weight and bias tensors. */
typedef struct {
    const Tensor *W, *b;
    long index;                      /* PyTorch's N; the layer number for W<l> */
} Linear;

typedef struct {
    const char *path;
    const TensorSet *s;
    int used[TENSOR_MAX_COUNT];      /* which tensors a layer took */
    int n;                           /* layers found */
    Linear layer[MAX_LINEAR];
} FileLayers;

static const Tensor *take(FileLayers *f, const char *name)
{
    const Tensor *t = tensors_find(f->s, name);
    if (t)
        f->used[t - f->s->t] = 1;
    return t;
}

static int missing(const FileLayers *f, const char *name, LwError *err)
{
    return lw_fail(err, LW_EINPUT, "%s: missing tensor '%s'", f->path, name);
}

/* W1, b1, ..., W<L>, b<L>, then Wout and bout if present. */
static int layerwarp_names(FileLayers *f, int hidden, LwError *err)
{
    char wn[16], bn[16];
    for (int l = 0; l < hidden; l++) {
        snprintf(wn, sizeof wn, "W%d", l + 1);
        snprintf(bn, sizeof bn, "b%d", l + 1);
        Linear *x = &f->layer[f->n++];
        x->index = l + 1;
        if (!(x->W = take(f, wn)))
            return missing(f, wn, err);
        if (!(x->b = take(f, bn)))
            return missing(f, bn, err);
    }
    const Tensor *W = take(f, "Wout"), *b = take(f, "bout");
    if (W && !b)
        return missing(f, "bout", err);
    if (b && !W)
        return missing(f, "Wout", err);
    if (W)
        f->layer[f->n++] = (Linear){W, b, 0};
    return LW_OK;
}

/* "PREFIX.N.weight" or "PREFIX.N.bias": N, the prefix's length, and whether
 * it is the weight; -1 for any other name. */
static long torch_name(const char *name, size_t *prefix, int *is_weight)
{
    size_t n = strlen(name), stem;
    if (n > 7 && strcmp(name + n - 7, ".weight") == 0)
        stem = n - 7, *is_weight = 1;
    else if (n > 5 && strcmp(name + n - 5, ".bias") == 0)
        stem = n - 5, *is_weight = 0;
    else
        return -1;
    size_t start = stem;
    while (start > 0 && isdigit((unsigned char)name[start - 1]))
        start--;
    if (start == stem || stem - start > 9 || (start > 0 && name[start - 1] != '.'))
        return -1;
    *prefix = start;
    return strtol(name + start, NULL, 10);
}

static int by_index(const void *a, const void *b)
{
    long x = ((const Linear *)a)->index, y = ((const Linear *)b)->index;
    return (x > y) - (x < y);
}

/* Every tensor must be a PREFIX.N.weight or .bias with one PREFIX; the
 * layers in the order of N, each with both. */
static int torch_names(FileLayers *f, LwError *err)
{
    const TensorSet *s = f->s;
    const char *first = NULL;
    size_t first_len = 0;
    for (int i = 0; i < s->n; i++) {
        const char *name = s->t[i].name;
        size_t plen;
        int is_weight;
        long index = torch_name(name, &plen, &is_weight);
        if (index < 0)
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is not a layer's (expected W1, b1, "
                           "..., Wout, bout, or PyTorch's N.weight and N.bias)", f->path, name);
        if (first && (plen != first_len || strncmp(name, first, plen) != 0))
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is not in the same nn.Sequential "
                           "as '%s' (one prefix for all)", f->path, name, first);
        if (!first)
            first = name, first_len = plen;
        int k = 0;
        while (k < f->n && f->layer[k].index != index)
            k++;
        if (k == f->n) {
            if (f->n == MAX_LINEAR)
                return lw_fail(err, LW_EINPUT, "%s: more than %d Linear layers (at most %d "
                               "hidden layers and a readout)", f->path, MAX_LINEAR,
                               LW_MAX_LAYERS);
            f->layer[f->n++] = (Linear){NULL, NULL, index};
        }
        if (is_weight)
            f->layer[k].W = &s->t[i];
        else
            f->layer[k].b = &s->t[i];
        f->used[i] = 1;
    }
    qsort(f->layer, (size_t)f->n, sizeof f->layer[0], by_index);
    for (int k = 0; k < f->n; k++) {
        char name[TENSOR_NAME_MAX + 16];
        const char *half = f->layer[k].W ? "bias" : "weight";
        if (!f->layer[k].W || !f->layer[k].b) {
            snprintf(name, sizeof name, "%.*s%ld.%s", (int)first_len, first,
                     f->layer[k].index, half);
            return missing(f, name, err);
        }
    }
    return LW_OK;
}

static int wrong_shape(const char *path, const Tensor *t, const char *what, const char *want,
                       LwError *err)
{
    char have[128];
    return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has shape %s, the scene's %s needs %s",
                   path, t->name, tensor_shape_text(t, have, sizeof have), what, want);
}

/* W (rows x cols) and b (rows) of the scene's layer `what`. */
static int check_layer(const char *path, const Linear *x, const char *what, int rows, int cols,
                       LwError *err)
{
    char want[64];
    if (x->W->ndim != 2 || x->W->shape[0] != rows || x->W->shape[1] != cols) {
        snprintf(want, sizeof want, "%dx%d", rows, cols);
        return wrong_shape(path, x->W, what, want, err);
    }
    if (x->b->ndim != 1 || x->b->shape[0] != rows) {
        snprintf(want, sizeof want, "%d", rows);
        return wrong_shape(path, x->b, what, want, err);
    }
    return LW_OK;
}

/* The readout: one logit for two classes (or PyTorch's two, folded into
 * one below), else one per class.  *rows says which the file has. */
static int check_readout(const char *path, const Linear *x, int classes, int cols, int *rows,
                         LwError *err)
{
    char what[64], want[64];
    *rows = x->W->ndim == 2 ? (int)(x->W->shape[0] < 64 ? x->W->shape[0] : 64) : 0;
    int fits = classes == 2 ? *rows == 1 || *rows == 2 : *rows == classes;
    snprintf(what, sizeof what, "readout for %d classes", classes);
    if (classes == 2)
        snprintf(want, sizeof want, "1x%d (or 2x%d)", cols, cols);
    else
        snprintf(want, sizeof want, "%dx%d", classes, cols);
    if (!fits || x->W->shape[1] != cols)
        return wrong_shape(path, x->W, what, want, err);
    return check_layer(path, x, what, *rows, cols, err);
}

static int unused(const FileLayers *f, LwError *err)
{
    for (int i = 0; i < f->s->n; i++)
        if (!f->used[i])
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is not used by the scene's network "
                           "(a file holds its layers' tensors only)", f->path, f->s->t[i].name);
    return LW_OK;
}

/* The tensors of `f` as the layers of net: shapes checked, then copied. */
static int fill(Mlp *m, FileLayers *f, const NetSpec *net, int classes, LwError *err)
{
    int hidden = net->n_widths - 1;
    if (f->n != hidden && f->n != hidden + 1)
        return lw_fail(err, LW_EINPUT, "%s: %d Linear layer%s, but the scene's network has %d "
                       "hidden layer%s and a readout", f->path, f->n, f->n == 1 ? "" : "s",
                       hidden, hidden == 1 ? "" : "s");
    int ret;
    for (int l = 0; l < hidden; l++) {
        char what[32];
        snprintf(what, sizeof what, "layer %d", l + 1);
        if ((ret = check_layer(f->path, &f->layer[l], what, net->widths[l + 1], net->widths[l],
                               err)))
            return ret;
    }
    int readout = f->n == hidden + 1, rows = 0;
    if (readout && (ret = check_readout(f->path, &f->layer[hidden], classes,
                                        net->widths[hidden], &rows, err)))
        return ret;
    if ((ret = unused(f, err)))
        return ret;
    if ((ret = mlp_alloc(m, net->n_widths, net->widths, net->act, readout ? classes : 0, err)))
        return ret;
    for (int l = 0; l < hidden; l++) {
        memcpy(m->W[l], f->layer[l].W->data, sizeof(double) * net->widths[l + 1] * net->widths[l]);
        memcpy(m->b[l], f->layer[l].b->data, sizeof(double) * net->widths[l + 1]);
    }
    if (!readout)
        return LW_OK;
    const double *W = f->layer[hidden].W->data, *b = f->layer[hidden].b->data;
    int cols = net->widths[hidden];
    if (rows == 2 && classes == 2) {
        /* softmax over (z0, z1) gives class 1 sigmoid(z1 - z0): one logit */
        for (int j = 0; j < cols; j++)
            m->Wout[j] = W[cols + j] - W[j];
        m->bout[0] = b[1] - b[0];
    } else {
        memcpy(m->Wout, W, sizeof(double) * rows * cols);
        memcpy(m->bout, b, sizeof(double) * rows);
    }
    return LW_OK;
}

static int read_tensors(const char *path, TensorSet *s, LwError *err)
{
    return weights_format_of(path) == WEIGHTS_NPZ ? tensors_read_npz(path, s, err)
                                                  : tensors_read_safetensors(path, s, err);
}

int weights_load(Mlp *m, const NetSpec *net, int classes, const char *path, LwError *err)
{
    if (weights_format_of(path) == WEIGHTS_TEXT)
        return mlp_load(m, path, err);
    memset(m, 0, sizeof *m);
    TensorSet s;
    int ret = tensors_init(&s, err);
    if (!ret)
        ret = read_tensors(path, &s, err);
    FileLayers *f = ret ? NULL : calloc(1, sizeof *f);
    if (!ret && !f)
        ret = lw_fail(err, LW_ERUNTIME, "out of memory");
    if (!ret) {
        f->path = path;
        f->s = &s;
        if (s.n == 0)
            ret = lw_fail(err, LW_EINPUT, "%s: holds no tensors", path);
        else if (tensors_find(&s, "W1") || tensors_find(&s, "Wout"))
            ret = layerwarp_names(f, net->n_widths - 1, err);
        else
            ret = torch_names(f, err);
    }
    if (!ret)
        ret = fill(m, f, net, classes, err);
    free(f);
    tensors_free(&s);
    if (ret)
        mlp_free(m);
    return ret;
}

/* Views of m's parameters as tensors W1, b1, ..., Wout, bout (data
 * borrowed: the set is not freed with tensors_free). */
static int add_view(TensorSet *s, const char *path, const char *name, int ndim, int rows,
                    int cols, double *data, LwError *err)
{
    int64_t shape[2] = {rows, cols};
    if (ndim == 1)
        shape[0] = cols;
    Tensor *t;
    int ret = tensors_add(s, path, name, ndim, shape, &t, err);
    if (!ret)
        t->data = data;
    return ret;
}

int weights_save(const Mlp *m, const char *path, LwError *err)
{
    WeightsFormat format = weights_format_of(path);
    if (format == WEIGHTS_TEXT)
        return mlp_save(m, path, err);
    TensorSet s;
    int ret = tensors_init(&s, err);
    char name[16];
    for (int l = 0; !ret && l < m->n_layers; l++) {
        snprintf(name, sizeof name, "W%d", l + 1);
        ret = add_view(&s, path, name, 2, m->widths[l + 1], m->widths[l], m->W[l], err);
        snprintf(name, sizeof name, "b%d", l + 1);
        if (!ret)
            ret = add_view(&s, path, name, 1, 1, m->widths[l + 1], m->b[l], err);
    }
    if (!ret && m->n_out > 0) {
        ret = add_view(&s, path, "Wout", 2, m->n_out, m->widths[m->n_layers], m->Wout, err);
        if (!ret)
            ret = add_view(&s, path, "bout", 1, 1, m->n_out, m->bout, err);
    }
    if (!ret)
        ret = format == WEIGHTS_NPZ ? tensors_write_npz(path, &s, err)
                                    : tensors_write_safetensors(path, &s, err);
    free(s.t); /* the data are m's */
    return ret;
}
