/* gen_weights.c — a generative model's weights file (version 2 of
 * docs/weights-format.md; see gen_weights.h).
 *
 * A model is seen here as a Layout: its kind, latent dimension and prior,
 * and its networks (Blocks) in the order their parameters sit in the
 * model's one slab.  Saving and loading walk the Layout, so a GAN and a VAE
 * share every line of the format.  Loading reads into a scratch slab of the
 * model's layout and copies it over the model's only at the end: a file
 * that fails halfway leaves the model as it was. */
#include "gen_weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "generative.h"
#include "weights_io.h"
#include "weights_text.h"

#define MAX_BLOCKS 2

typedef struct {
    const char *name;        /* "generator", "discriminator", "encoder", "decoder" */
    const LayerStack *net;   /* the model's stack: its shape, and views into its slab */
    int heads;               /* its last layer is a VAE's mean and log-variance heads */
} Block;

typedef struct {
    ModelKind kind;
    int latent;
    Prior prior;
    int n_blocks;
    Block blocks[MAX_BLOCKS];
    size_t n_params;         /* of all blocks: the model's slab */
} Layout;

static Layout gan_layout(const Gan *m)
{
    return (Layout){MODEL_GAN, m->latent_dim, m->prior, 2,
                    {{"generator", &m->gen, 0}, {"discriminator", &m->disc, 0}},
                    m->n_gen_params + m->n_disc_params};
}

static Layout vae_layout(const Vae *m, Prior prior)
{
    return (Layout){m->variational ? MODEL_VAE : MODEL_AUTOENCODER, m->latent_dim, prior, 2,
                    {{"encoder", &m->enc, m->variational}, {"decoder", &m->dec, 0}},
                    m->n_params};
}

/* "2,16,16,2" */
static void widths_text(const int *w, int n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, i ? ",%d" : "%d", w[i]);
}

/* "tanh,tanh,identity" */
static void acts_text(const Activation *a, int n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, i ? ",%s" : "%s", act_name(a[i]));
}

/* ---- saving ---- */

/* A VAE encoder's last layer, 2 L units: rows [0, L) the mean, [L, 2L) the
 * log-variance (vae.h), each written as a matrix of its own. */
static void write_heads(FILE *f, const LayerStack *s)
{
    int l = s->n_layers - 1, L = s->widths[l + 1] / 2, in = s->widths[l];
    weights_write_matrix(f, "Wmean", s->W[l], L, in);
    weights_write_matrix(f, "bmean", s->b[l], 1, L);
    weights_write_matrix(f, "Wlogvar", s->W[l] + (size_t)L * in, L, in);
    weights_write_matrix(f, "blogvar", s->b[l] + L, 1, L);
}

static void write_block(FILE *f, const Block *b)
{
    const LayerStack *s = b->net;
    fprintf(f, "network %s\nwidths", b->name);
    for (int l = 0; l <= s->n_layers; l++)
        fprintf(f, " %d", s->widths[l]);
    fprintf(f, "\nactivations");
    for (int l = 0; l < s->n_layers; l++)
        fprintf(f, " %s", act_name(s->act[l]));
    fputc('\n', f);
    char name[16];
    for (int l = 0; l < s->n_layers; l++) {
        if (b->heads && l == s->n_layers - 1) {
            write_heads(f, s);
            break;
        }
        snprintf(name, sizeof name, "W%d", l + 1);
        weights_write_matrix(f, name, s->W[l], s->widths[l + 1], s->widths[l]);
        snprintf(name, sizeof name, "b%d", l + 1);
        weights_write_matrix(f, name, s->b[l], 1, s->widths[l + 1]);
    }
}

static int save(const Layout *lay, const char *path, LwError *err)
{
    if (weights_format_of(path) != WEIGHTS_TEXT) {
        WeightsBlock blocks[MAX_BLOCKS];
        for (int k = 0; k < lay->n_blocks; k++)
            blocks[k] = (WeightsBlock){lay->blocks[k].name, lay->blocks[k].net,
                                       lay->blocks[k].heads};
        return weights_save_blocks(path, blocks, lay->n_blocks, err);
    }
    AtomicFile out;
    int rc = atomic_open(&out, path, err);
    if (rc)
        return rc;
    fprintf(out.f, "layerwarp-weights 2\nmodel %s\nlatent %d\nprior %s\n",
            model_kind_name(lay->kind), lay->latent, prior_name(lay->prior));
    for (int k = 0; k < lay->n_blocks; k++)
        write_block(out.f, &lay->blocks[k]);
    return atomic_commit(&out, err);
}

int gen_weights_save_gan(const Gan *m, const char *path, LwError *err)
{
    Layout lay = gan_layout(m);
    return save(&lay, path, err);
}

int gen_weights_save_vae(const Vae *m, Prior prior, const char *path, LwError *err)
{
    Layout lay = vae_layout(m, prior);
    return save(&lay, path, err);
}

/* ---- loading ---- */

/* The next line as "KEY VALUE" (its value in r->tok[1]). */
static int keyed_line(WeightsReader *r, const char *key, const char *expected, LwError *err)
{
    int ret = weights_need_line(r, expected, err);
    if (ret)
        return ret;
    if (r->ntok != 2 || strcmp(r->tok[0], key) != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: expected %s, found '%s%s'", r->path, r->lineno,
                       expected, r->tok[0], r->ntok > 1 ? " ..." : "");
    return LW_OK;
}

static int read_magic(WeightsReader *r, const Layout *lay, LwError *err)
{
    int ret = weights_need_line(r, "'layerwarp-weights 2'", err), version;
    if (ret)
        return ret;
    if (r->ntok != 2 || strcmp(r->tok[0], "layerwarp-weights") != 0 ||
        weights_parse_int(r->tok[1], &version) != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: not a layerwarp weights file (expected "
                       "'layerwarp-weights 2')", r->path, r->lineno);
    if (version == 1)
        return lw_fail(err, LW_EINPUT, "%s:%d: a classifier's weights (version 1), but the "
                       "scene's model is %s (its file is 'layerwarp-weights 2')", r->path,
                       r->lineno, model_kind_name(lay->kind));
    if (version != 2)
        return lw_fail(err, LW_EINPUT, "%s:%d: weights format version %d (expected 2)",
                       r->path, r->lineno, version);
    return LW_OK;
}

/* model, latent and prior, each checked against the scene's. */
static int read_header(WeightsReader *r, const Layout *lay, LwError *err)
{
    static const char *const KINDS[] = {"gan", "vae", "autoencoder"};
    static const ModelKind KIND_OF[] = {MODEL_GAN, MODEL_VAE, MODEL_AUTOENCODER};
    const char *path = r->path, *scene_kind = model_kind_name(lay->kind);
    int ret = read_magic(r, lay, err), k, latent;
    Prior prior;
    if (ret || (ret = keyed_line(r, "model", "'model gan|vae|autoencoder'", err)))
        return ret;
    if ((k = lw_name_index(KINDS, 3, r->tok[1])) < 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: unknown model '%s' (expected gan, vae or "
                       "autoencoder)", path, r->lineno, r->tok[1]);
    if (KIND_OF[k] != lay->kind)
        return lw_fail(err, LW_EINPUT, "%s:%d: weights for model = %s, but the scene's model "
                       "is %s", path, r->lineno, r->tok[1], scene_kind);
    if ((ret = keyed_line(r, "latent", "'latent N'", err)))
        return ret;
    if (weights_parse_int(r->tok[1], &latent) != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: bad latent dimension '%s'", path, r->lineno,
                       r->tok[1]);
    if (latent != lay->latent)
        return lw_fail(err, LW_EINPUT, "%s:%d: latent %d, but the scene's latent is %d", path,
                       r->lineno, latent, lay->latent);
    if ((ret = keyed_line(r, "prior", "'prior gaussian|uniform'", err)))
        return ret;
    if (prior_parse(r->tok[1], &prior) != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: unknown prior '%s' (expected gaussian or "
                       "uniform)", path, r->lineno, r->tok[1]);
    if (prior != lay->prior)
        return lw_fail(err, LW_EINPUT, "%s:%d: prior %s, but the scene's prior is %s", path,
                       r->lineno, r->tok[1], prior_name(lay->prior));
    return LW_OK;
}

/* "network NAME", then its widths and activations, which must be the
 * scene's network's. */
static int read_shape(WeightsReader *r, const Block *b, LwError *err)
{
    const LayerStack *s = b->net;
    char want[64], a[160], c[160];
    snprintf(want, sizeof want, "'network %s'", b->name);
    int ret = keyed_line(r, "network", want, err);
    if (ret)
        return ret;
    if (strcmp(r->tok[1], b->name) != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: expected %s, found 'network %s'", r->path,
                       r->lineno, want, r->tok[1]);

    snprintf(want, sizeof want, "'widths ...' of the %s", b->name);
    if ((ret = weights_need_line(r, want, err)))
        return ret;
    int n = r->ntok - 1, widths[LW_MAX_LAYERS + 1];
    if (strcmp(r->tok[0], "widths") != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: expected %s, found '%s'", r->path, r->lineno,
                       want, r->tok[0]);
    if (n < 2 || n > LW_MAX_LAYERS + 1)
        return lw_fail(err, LW_EINPUT, "%s:%d: %d widths of the %s (expected 2..%d)", r->path,
                       r->lineno, n, b->name, LW_MAX_LAYERS + 1);
    int same = n == s->n_layers + 1;
    for (int l = 0; l < n; l++) {
        if (weights_parse_int(r->tok[l + 1], &widths[l]) != 0 || widths[l] < 1 ||
            widths[l] > LW_MAX_WIDTH)
            return lw_fail(err, LW_EINPUT, "%s:%d: bad width '%s' (expected 1..%d)", r->path,
                           r->lineno, r->tok[l + 1], LW_MAX_WIDTH);
        same = same && widths[l] == s->widths[l];
    }
    if (!same) {
        widths_text(widths, n, a, sizeof a);
        widths_text(s->widths, s->n_layers + 1, c, sizeof c);
        return lw_fail(err, LW_EINPUT, "%s:%d: %s widths %s, but the scene's %s is %s",
                       r->path, r->lineno, b->name, a, b->name, c);
    }

    snprintf(want, sizeof want, "'activations ...' of the %s", b->name);
    if ((ret = weights_need_line(r, want, err)))
        return ret;
    if (strcmp(r->tok[0], "activations") != 0)
        return lw_fail(err, LW_EINPUT, "%s:%d: expected %s, found '%s'", r->path, r->lineno,
                       want, r->tok[0]);
    Activation act[LW_MAX_LAYERS];
    if (r->ntok - 1 != s->n_layers)
        return lw_fail(err, LW_EINPUT, "%s:%d: %d activations for the %s's %d layers",
                       r->path, r->lineno, r->ntok - 1, b->name, s->n_layers);
    same = 1;
    for (int l = 0; l < s->n_layers; l++) {
        if (act_parse(r->tok[l + 1], &act[l]) != 0)
            return lw_fail(err, LW_EINPUT, "%s:%d: unknown activation '%s' (expected %s)",
                           r->path, r->lineno, r->tok[l + 1], act_all_names());
        same = same && act[l] == s->act[l];
    }
    if (!same) {
        acts_text(act, s->n_layers, a, sizeof a);
        acts_text(s->act, s->n_layers, c, sizeof c);
        return lw_fail(err, LW_EINPUT, "%s:%d: %s activations %s, but the scene's %s has %s",
                       r->path, r->lineno, b->name, a, b->name, c);
    }
    return LW_OK;
}

/* The two heads of a VAE encoder's last layer, into its (2L, in) W and (2L) b. */
static int read_heads(WeightsReader *r, const LayerStack *s, const char *of, LwError *err)
{
    int l = s->n_layers - 1, L = s->widths[l + 1] / 2, in = s->widths[l];
    int ret = weights_read_matrix(r, "Wmean", of, s->W[l], L, in, err);
    if (!ret) ret = weights_read_matrix(r, "bmean", of, s->b[l], 1, L, err);
    if (!ret) ret = weights_read_matrix(r, "Wlogvar", of, s->W[l] + (size_t)L * in, L, in, err);
    if (!ret) ret = weights_read_matrix(r, "blogvar", of, s->b[l] + L, 1, L, err);
    return ret;
}

/* One network's matrices into `into`, a stack of its shape over scratch. */
static int read_block(WeightsReader *r, const Block *b, const LayerStack *into, LwError *err)
{
    int ret = read_shape(r, b, err);
    char of[48], name[16];
    snprintf(of, sizeof of, " of the %s", b->name);
    for (int l = 0; !ret && l < into->n_layers; l++) {
        if (b->heads && l == into->n_layers - 1)
            return read_heads(r, into, of, err);
        snprintf(name, sizeof name, "W%d", l + 1);
        ret = weights_read_matrix(r, name, of, into->W[l], into->widths[l + 1],
                                  into->widths[l], err);
        snprintf(name, sizeof name, "b%d", l + 1);
        if (!ret) ret = weights_read_matrix(r, name, of, into->b[l], 1, into->widths[l + 1], err);
    }
    return ret;
}

static int read_text(const Layout *lay, const LayerStack *into, const char *path, LwError *err)
{
    WeightsReader r;
    int ret = weights_reader_open(&r, path, err);
    if (!ret) ret = read_header(&r, lay, err);
    for (int k = 0; !ret && k < lay->n_blocks; k++)
        ret = read_block(&r, &lay->blocks[k], &into[k], err);
    if (!ret) ret = weights_read_end(&r, err);
    weights_reader_close(&r);
    return ret;
}

/* A .npz or safetensors file (weights_io.h): tensors only, so the model's
 * kind, latent dimension and prior are the scene's; every shape is checked. */
static int read_tensors(const Layout *lay, const LayerStack *into, const char *path,
                        LwError *err)
{
    WeightsBlock blocks[MAX_BLOCKS];
    for (int k = 0; k < lay->n_blocks; k++)
        blocks[k] = (WeightsBlock){lay->blocks[k].name, &into[k], lay->blocks[k].heads};
    return weights_load_blocks(path, blocks, lay->n_blocks, err);
}

static int load(const Layout *lay, double *params, const char *path, LwError *err)
{
    double *scratch = malloc(lay->n_params * sizeof *scratch);
    if (!scratch)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %zu parameters", lay->n_params);
    /* the blocks' stacks again, over the scratch slab in the model's layout */
    LayerStack into[MAX_BLOCKS];
    double *p = scratch;
    for (int k = 0; k < lay->n_blocks; k++) {
        into[k] = *lay->blocks[k].net;
        p = layers_bind(&into[k], p);
    }
    int ret = weights_format_of(path) == WEIGHTS_TEXT ? read_text(lay, into, path, err)
                                                      : read_tensors(lay, into, path, err);
    if (!ret)
        memcpy(params, scratch, lay->n_params * sizeof *params);
    free(scratch);
    return ret;
}

int gen_weights_load_gan(Gan *m, const char *path, LwError *err)
{
    Layout lay = gan_layout(m);
    return load(&lay, m->params, path, err);
}

int gen_weights_load_vae(Vae *m, Prior prior, const char *path, LwError *err)
{
    Layout lay = vae_layout(m, prior);
    return load(&lay, m->params, path, err);
}
