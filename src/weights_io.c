/* weights_io.c — a network's weights from and to .npz and safetensors
 * files (see weights_io.h and docs/weights-format.md): which tensor is
 * which layer, and whether its shape is the scene's.
 *
 * Naming: a file holding a tensor called W1 or Wout uses layerwarp's names;
 * any other uses PyTorch's, the state_dict of one nn.Sequential: the Linear
 * layers' PREFIX.N.weight (out x in, as W) and PREFIX.N.bias, in the order of
 * N.  Either way the hidden layers come first, then optionally the readout.
 * A generative model's networks are the same under "generator." and the
 * like, all layers and no readout.  A tensor no layer uses is refused, since
 * it means the file describes another network. */
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

/* One Linear layer of the file: its weight and bias tensors. */
typedef struct {
    const Tensor *W, *b;
    long index;                      /* PyTorch's N; the layer number for W<l> */
} Linear;

/* The layers of one network in the file: all its tensors for a classifier,
 * those named "PREFIX." for a generative model's network. */
typedef struct {
    const char *path;
    const TensorSet *s;
    int *used;                       /* which tensors a layer took: shared by a file's networks */
    const char *prefix;              /* "" or e.g. "generator." */
    int n;                           /* layers found */
    Linear layer[MAX_LINEAR + 1];    /* + 1: a VAE encoder's two heads */
    int two_heads;                   /* its last two are Wmean/bmean and Wlogvar/blogvar */
} FileLayers;

static const Tensor *take(FileLayers *f, const char *name)
{
    char full[TENSOR_NAME_MAX + 32];
    snprintf(full, sizeof full, "%s%s", f->prefix, name);
    const Tensor *t = tensors_find(f->s, full);
    if (t)
        f->used[t - f->s->t] = 1;
    return t;
}

static int missing(const FileLayers *f, const char *name, LwError *err)
{
    return lw_fail(err, LW_EINPUT, "%s: missing tensor '%s%s'", f->path, f->prefix, name);
}

/* W1, b1, ..., W<count>, b<count>; then a classifier's Wout and bout if
 * present, or a VAE encoder's heads Wmean, bmean, Wlogvar, blogvar. */
static int layerwarp_names(FileLayers *f, int count, int readout, int heads, LwError *err)
{
    char wn[16], bn[16];
    for (int l = 0; l < count; l++) {
        snprintf(wn, sizeof wn, "W%d", l + 1);
        snprintf(bn, sizeof bn, "b%d", l + 1);
        Linear *x = &f->layer[f->n++];
        x->index = l + 1;
        if (!(x->W = take(f, wn)))
            return missing(f, wn, err);
        if (!(x->b = take(f, bn)))
            return missing(f, bn, err);
    }
    static const char *const HEADS[2][2] = {{"Wmean", "bmean"}, {"Wlogvar", "blogvar"}};
    f->two_heads = heads;
    for (int k = 0; heads && k < 2; k++) {
        Linear *x = &f->layer[f->n++];
        if (!(x->W = take(f, HEADS[k][0])))
            return missing(f, HEADS[k][0], err);
        if (!(x->b = take(f, HEADS[k][1])))
            return missing(f, HEADS[k][1], err);
    }
    if (!readout)
        return LW_OK;
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

/* Every tensor under f->prefix must be a PREFIX.N.weight or .bias with one
 * PREFIX; the layers in the order of N, each with both. */
static int torch_names(FileLayers *f, LwError *err)
{
    const TensorSet *s = f->s;
    const char *first = NULL;
    size_t first_len = 0, skip = strlen(f->prefix);
    for (int i = 0; i < s->n; i++) {
        if (strncmp(s->t[i].name, f->prefix, skip) != 0)
            continue; /* another network's */
        const char *name = s->t[i].name + skip;
        size_t plen;
        int is_weight;
        long index = torch_name(name, &plen, &is_weight);
        if (index < 0)
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is not a layer's (expected %sW1, "
                           "%sb1, ..., or PyTorch's %sN.weight and %sN.bias)", f->path,
                           s->t[i].name, f->prefix, f->prefix, f->prefix, f->prefix);
        if (first && (plen != first_len || strncmp(name, first, plen) != 0))
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is not in the same nn.Sequential "
                           "as '%s%s' (one prefix for all)", f->path, s->t[i].name, f->prefix,
                           first);
        if (!first)
            first = name, first_len = plen;
        int k = 0;
        while (k < f->n && f->layer[k].index != index)
            k++;
        if (k == f->n) {
            if (f->n == MAX_LINEAR)
                return lw_fail(err, LW_EINPUT, "%s: more than %d Linear layers%s%s", f->path,
                               MAX_LINEAR, skip ? " under " : "", f->prefix);
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

/* Which naming f's tensors use, then its layers. */
static int find_layers(FileLayers *f, int count, int readout, int heads, LwError *err)
{
    char name[TENSOR_NAME_MAX + 32];
    int layerwarp = 0;
    static const char *const MARKS[] = {"W1", "Wout", "Wmean"};
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof name, "%s%s", f->prefix, MARKS[k]);
        layerwarp = layerwarp || tensors_find(f->s, name);
    }
    if (layerwarp)
        return layerwarp_names(f, count, readout, heads, err);
    return torch_names(f, err);
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

static int unused(const TensorSet *s, const int *used, const char *path, const char *whose,
                  LwError *err)
{
    for (int i = 0; i < s->n; i++)
        if (!used[i])
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is not used by the scene's %s "
                           "(a file holds its layers' tensors only)", path, s->t[i].name, whose);
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
    if ((ret = unused(f->s, f->used, f->path, "network", err)))
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

/* A file's tensors and the bookkeeping of which are used. */
typedef struct {
    TensorSet s;
    int used[TENSOR_MAX_COUNT];
    FileLayers f;
} TensorFile;

static int open_tensors(TensorFile **out, const char *path, LwError *err)
{
    TensorFile *t = calloc(1, sizeof *t);
    *out = t;
    if (!t)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    int ret = tensors_init(&t->s, err);
    if (!ret)
        ret = weights_format_of(path) == WEIGHTS_NPZ ? tensors_read_npz(path, &t->s, err)
                                                     : tensors_read_safetensors(path, &t->s, err);
    if (!ret && t->s.n == 0)
        ret = lw_fail(err, LW_EINPUT, "%s: holds no tensors", path);
    return ret;
}

static void close_tensors(TensorFile *t)
{
    if (t)
        tensors_free(&t->s);
    free(t);
}

/* f over t's tensors named PREFIX... (f's layers emptied). */
static FileLayers *scope(TensorFile *t, const char *path, const char *prefix)
{
    memset(&t->f, 0, sizeof t->f);
    t->f.path = path;
    t->f.s = &t->s;
    t->f.used = t->used;
    t->f.prefix = prefix;
    return &t->f;
}

int weights_load(Mlp *m, const NetSpec *net, int classes, const char *path, LwError *err)
{
    if (weights_format_of(path) == WEIGHTS_TEXT)
        return mlp_load(m, path, err);
    memset(m, 0, sizeof *m);
    TensorFile *t;
    int ret = open_tensors(&t, path, err);
    FileLayers *f = ret ? NULL : scope(t, path, "");
    if (!ret)
        ret = find_layers(f, net->n_widths - 1, 1, 0, err);
    if (!ret)
        ret = fill(m, f, net, classes, err);
    close_tensors(t);
    if (ret)
        mlp_free(m);
    return ret;
}

/* One network of a generative model: exactly its layers, shapes checked;
 * a VAE encoder's last layer as two heads of `latent` rows each (named
 * Wmean..., or one PyTorch Linear of 2 x latent rows: mean, then
 * log-variance). */
static int check_block(FileLayers *f, const WeightsBlock *b, LwError *err)
{
    const LayerStack *net = b->net;
    int split = f->two_heads;
    if (f->n == 0)
        return lw_fail(err, LW_EINPUT, "%s: no tensors of the %s (expected %sW1, %sb1, ... or "
                       "%s0.weight, ...)", f->path, b->name, f->prefix, f->prefix, f->prefix);
    if (f->n != net->n_layers + split)
        return lw_fail(err, LW_EINPUT, "%s: %d Linear layer%s in the %s, but the scene's has %d",
                       f->path, f->n, f->n == 1 ? "" : "s", b->name, net->n_layers);
    char what[64];
    int ret = LW_OK;
    for (int l = 0; !ret && l < net->n_layers; l++) {
        int rows = net->widths[l + 1], last = l == net->n_layers - 1;
        snprintf(what, sizeof what, "%s layer %d", b->name, l + 1);
        if (last && split) {
            snprintf(what, sizeof what, "%s head", b->name);
            ret = check_layer(f->path, &f->layer[l], what, rows / 2, net->widths[l], err);
            if (!ret)
                ret = check_layer(f->path, &f->layer[l + 1], what, rows / 2, net->widths[l], err);
        } else {
            ret = check_layer(f->path, &f->layer[l], what, rows, net->widths[l], err);
        }
    }
    return ret;
}

static void copy_block(const FileLayers *f, const WeightsBlock *b)
{
    const LayerStack *net = b->net;
    for (int k = 0; k < f->n; k++) {
        int l = k < net->n_layers ? k : net->n_layers - 1;
        const Tensor *W = f->layer[k].W, *bias = f->layer[k].b;
        size_t rows = (size_t)W->shape[0], cols = (size_t)W->shape[1];
        size_t at = k == net->n_layers ? rows : 0; /* the log-variance head: the lower rows */
        memcpy(net->W[l] + at * cols, W->data, sizeof(double) * rows * cols);
        memcpy(net->b[l] + at, bias->data, sizeof(double) * rows);
    }
}

int weights_load_blocks(const char *path, const WeightsBlock *blocks, int n, LwError *err)
{
    TensorFile *t;
    int ret = open_tensors(&t, path, err);
    char prefix[MAX_WEIGHTS_BLOCKS][48];
    for (int k = 0; !ret && k < n; k++) {
        snprintf(prefix[k], sizeof prefix[k], "%s.", blocks[k].name);
        FileLayers *f = scope(t, path, prefix[k]);
        ret = find_layers(f, blocks[k].heads ? blocks[k].net->n_layers - 1 : blocks[k].net->n_layers,
                          0, blocks[k].heads, err);
        if (!ret)
            ret = check_block(f, &blocks[k], err);
    }
    if (!ret)
        ret = unused(&t->s, t->used, path, "model", err);
    /* every shape is right: now the numbers */
    for (int k = 0; !ret && k < n; k++) {
        FileLayers *f = scope(t, path, prefix[k]);
        find_layers(f, blocks[k].heads ? blocks[k].net->n_layers - 1 : blocks[k].net->n_layers,
                    0, blocks[k].heads, err);
        copy_block(f, &blocks[k]);
    }
    close_tensors(t);
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

int weights_save_blocks(const char *path, const WeightsBlock *blocks, int n, LwError *err)
{
    TensorSet s;
    int ret = tensors_init(&s, err);
    char name[96];
    for (int k = 0; !ret && k < n; k++) {
        const LayerStack *net = blocks[k].net;
        const char *who = blocks[k].name;
        for (int l = 0; !ret && l < net->n_layers; l++) {
            int rows = net->widths[l + 1], cols = net->widths[l];
            if (blocks[k].heads && l == net->n_layers - 1) {
                rows /= 2;
                snprintf(name, sizeof name, "%s.Wmean", who);
                ret = add_view(&s, path, name, 2, rows, cols, net->W[l], err);
                snprintf(name, sizeof name, "%s.bmean", who);
                if (!ret) ret = add_view(&s, path, name, 1, 1, rows, net->b[l], err);
                snprintf(name, sizeof name, "%s.Wlogvar", who);
                if (!ret) ret = add_view(&s, path, name, 2, rows, cols,
                                         net->W[l] + (size_t)rows * cols, err);
                snprintf(name, sizeof name, "%s.blogvar", who);
                if (!ret) ret = add_view(&s, path, name, 1, 1, rows, net->b[l] + rows, err);
                break;
            }
            snprintf(name, sizeof name, "%s.W%d", who, l + 1);
            ret = add_view(&s, path, name, 2, rows, cols, net->W[l], err);
            snprintf(name, sizeof name, "%s.b%d", who, l + 1);
            if (!ret)
                ret = add_view(&s, path, name, 1, 1, rows, net->b[l], err);
        }
    }
    if (!ret)
        ret = weights_format_of(path) == WEIGHTS_NPZ ? tensors_write_npz(path, &s, err)
                                                     : tensors_write_safetensors(path, &s, err);
    free(s.t); /* the data are the model's */
    return ret;
}
