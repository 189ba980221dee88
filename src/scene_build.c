/* scene_build.c — the top of the pipeline: from a validated Scene to the
 * things each later step takes — a Dataset, a network (fixed weights, a
 * weights file, or trained; a generative model's from its own weights file,
 * gen_weights.h, or trained), and a Show for the renderer.  This file and
 * scene.c are the only ones that know what a Scene is.
 *
 * Owns: everything in a SceneModel. */
#include "scene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "gen_weights.h"
#include "metrics.h"
#include "train_cache.h"

#define MMD_POINTS 1000   /* generated points and data points the MMD compares */

static void widths_text(const NetSpec *net, char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0; i < net->n_widths; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, i ? "-%d" : "%d", net->widths[i]);
    }
}

/* Squared MMD between up to MMD_POINTS codes decoded by `decode` and the data. */
static int sample_mmd(const SceneModel *m, const Scene *sc,
                      void (*decode)(const void *, const double *, double *), const void *model,
                      double *out, LwError *err)
{
    int n = MMD_POINTS, d = m->data.dim, L = sc->model.latent;
    int nd = m->data.n < MMD_POINTS ? m->data.n : MMD_POINTS;
    double *z = malloc(sizeof(double) * n * L), *x = malloc(sizeof(double) * n * d);
    int rc = z && x ? LW_OK : lw_fail(err, LW_ERUNTIME, "out of memory for %d samples", n);
    if (!rc) rc = prior_sample(sc->model.prior, L, n, sc->train.seed + 7, z, err);
    for (int i = 0; !rc && i < n; i++) decode(model, z + (size_t)i * L, x + (size_t)i * d);
    if (!rc) *out = metrics_mmd2(x, n, m->data.x, nd, d);
    free(z);
    free(x);
    return rc;
}

static void gan_decode(const void *g, const double *z, double *x)
{
    gan_generate_point(g, z, x);
}

static void vae_decode(const void *v, const double *z, double *x)
{
    vae_decode_point(v, z, x);
}

static void hidden_of(const NetSpec *net, int *n, int *w, int reverse)
{
    *n = net->n_widths - 2;
    for (int l = 0; l < *n; l++) w[l] = net->widths[reverse ? *n - l : l + 1];
}

/* How the scene's GAN is built and trained (the replay trains it again so). */
static GanConfig gan_config_of(const Scene *sc, const Dataset *data)
{
    GanConfig c = gan_config_default();
    hidden_of(&sc->net, &c.n_gen_hidden, c.gen_hidden, 0);
    c.gen_act = sc->net.act[0];
    c.latent_dim = sc->model.latent;
    c.prior = sc->model.prior;
    c.seed = sc->train.seed;
    if (sc->model.steps_given) c.steps = sc->train.steps;
    if (sc->model.rate_given) c.g_learning_rate = c.d_learning_rate = sc->train.learning_rate;
    if (c.batch > data->n) c.batch = data->n;
    return c;
}

static int build_gan(const Scene *sc, SceneModel *m, const TrainCache *cache, LwError *err)
{
    GanConfig c = gan_config_of(sc, &m->data);
    int rc = gan_alloc(&m->gan, &c, m->data.dim, err);
    if (rc) return rc;
    gan_init_random(&m->gan, c.seed);
    rc = sample_mmd(m, sc, gan_decode, &m->gan, &m->mmd2_untrained, err);
    /* a weights file replaces training; zero steps then only measure the
     * losses on the fixed evaluation batch, as after training */
    if (!rc && sc->net.weights_path[0]) {
        rc = gen_weights_load_gan(&m->gan, sc->net.weights_path, err);
        c.steps = 0;
    }
    if (!rc) rc = gan_train_cached(cache, &m->gan, &m->data, &c, &m->gan_report, &m->gen_cached, err);
    if (!rc) rc = sample_mmd(m, sc, gan_decode, &m->gan, &m->mmd2, err);
    return rc;
}

/* The report of a VAE whose parameters came from a file: nothing trained,
 * the figures training would end with. */
static void vae_fixed_report(SceneModel *m)
{
    memset(&m->vae_report, 0, sizeof m->vae_report);
    vae_evaluate(&m->vae, &m->data, &m->vae_report.recon, &m->vae_report.kl);
}

static int build_vae(const Scene *sc, SceneModel *m, const TrainCache *cache, LwError *err)
{
    VaeConfig c = vae_config_default();
    hidden_of(&sc->net, &c.n_dec_hidden, c.dec_hidden, 0);
    hidden_of(&sc->net, &c.n_enc_hidden, c.enc_hidden, 1);
    c.act = sc->net.act[0];
    c.latent_dim = sc->model.latent;
    c.variational = sc->model.kind == MODEL_VAE;
    c.beta = sc->model.beta;
    c.seed = sc->train.seed;
    if (sc->model.steps_given) c.steps = sc->train.steps;
    if (sc->model.rate_given) c.learning_rate = sc->train.learning_rate;
    int rc = vae_alloc(&m->vae, m->data.dim, &c, err);
    if (!rc) rc = vae_init_random(&m->vae, c.seed, err);
    if (!rc) rc = sample_mmd(m, sc, vae_decode, &m->vae, &m->mmd2_untrained, err);
    if (!rc && sc->net.weights_path[0]) {
        rc = gen_weights_load_vae(&m->vae, sc->model.prior, sc->net.weights_path, err);
        if (!rc) vae_fixed_report(m);
    } else if (!rc) {
        rc = vae_train_cached(cache, &m->vae, &m->data, &c, &m->vae_report, &m->gen_cached, err);
    }
    if (!rc) rc = sample_mmd(m, sc, vae_decode, &m->vae, &m->mmd2, err);
    if (!rc) m->coverage = vae_latent_coverage(&m->vae, &m->data, 41, 0);
    return rc;
}

/* A GAN's second act: its discriminator on the real data against 400
 * generated points, its boundary (real | generated) drawn in every space. */
static int critic_segment(const Scene *sc, SceneModel *m, LwError *err)
{
    int n = 400, d = m->data.dim;
    double *fake = malloc(sizeof(double) * n * d);
    if (!fake) return lw_fail(err, LW_ERUNTIME, "out of memory for %d samples", n);
    int rc = gan_sample(&m->gan, n, sc->train.seed + 1, fake, err);
    char title[160];
    snprintf(title, sizeof title, "%s  gan discriminator: real or generated?",
             dataset_kind_name(sc->data.kind));
    if (!rc)
        rc = generative_critic_segment(&m->gan.disc, &m->data, fake, n, title,
                                       sc->render.style.show_boundary, &m->show, err);
    free(fake);
    return rc;
}

/* Where a scene wrote a key, for a message found after training. */
static void key_place(const Scene *sc, int line, const char *key, char *out, size_t cap)
{
    if (line > 0)
        snprintf(out, cap, "%s:%d", sc->path, line);
    else
        snprintf(out, cap, "--set network.%s", key);
}

/* Codes the scene wrote as enc(x) become the encoder's mean at x (a VAE's
 * or autoencoder's), which, like every code, must lie in the latent box
 * drawn; so must the end of latent arithmetic (given codes were checked when
 * the scene was read). */
static int encode_paths(const Scene *sc, const Vae *vae, LatentPath *lp, int n, int arith,
                        LwError *err)
{
    const char *key = arith ? "latent_arith" : "latent_path";
    Prior prior = sc->model.prior;
    int L = sc->model.latent;
    char where[LW_PATH_MAX + 64], box[96], t[128], u[128];
    generative_box_text(prior, box, sizeof box);
    for (int i = 0; i < n; i++) {
        int encoded = 0;
        key_place(sc, lp[i].line, key, where, sizeof where);
        for (int k = 0; k < lp[i].n_codes; k++) {
            LatentCode *c = &lp[i].code[k];
            if (!c->enc) continue;
            LatentCode z = {0, L, {0, 0, 0}};
            vae_encode_point(vae, c->x, z.x, NULL);
            if (!generative_in_box(prior, z.x, L))
                return lw_fail(err, LW_EINPUT, "%s: %s: %s is the code %s, outside the latent "
                               "box drawn (%s)", where, key, generative_code_text(c, t, sizeof t),
                               generative_code_text(&z, u, sizeof u), box);
            *c = z;
            encoded = 1;
        }
        LatentCode end = {0, L, {0, 0, 0}};
        if (arith && encoded) {
            generative_arith_end(lp[i].code[0].x, lp[i].code[1].x, lp[i].code[2].x, L, end.x);
            if (!generative_in_box(prior, end.x, L))
                return lw_fail(err, LW_EINPUT, "%s: %s: a - b + c is the code %s, outside the "
                               "latent box drawn (%s)", where, key,
                               generative_code_text(&end, t, sizeof t), box);
        }
    }
    return LW_OK;
}

/* "2-16-16-2": the widths text of an encoder, data first, whose hidden
 * layers are the scene's (the decoder's) reversed. */
static void encoder_widths_text(const NetSpec *net, char *out, size_t n)
{
    out[0] = '\0';
    for (int i = net->n_widths - 1; i >= 0; i--) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, i < net->n_widths - 1 ? "-%d" : "%d", net->widths[i]);
    }
}

#define SIGMA_K 2.0 /* a posterior's ellipse: semi-axes 2 sigma, about 86 % of a 2-D Gaussian */

/* A VAE's or autoencoder's encoder: the data carried into the latent space,
 * with each point's posterior (VAE) or its bare code (autoencoder). */
static int encoder_segment(const Scene *sc, SceneModel *m, LwError *err)
{
    int vae = m->kind == MODEL_VAE;
    char title[160], widths[96];
    encoder_widths_text(&sc->net, widths, sizeof widths);
    if (vae)
        snprintf(title, sizeof title, "%s  vae encoder %s  mean \xcf\x83 %.2f",
                 dataset_kind_name(sc->data.kind), widths, vae_mean_sigma(&m->vae, &m->data));
    else
        snprintf(title, sizeof title, "%s  autoencoder encoder %s  codes, no \xcf\x83",
                 dataset_kind_name(sc->data.kind), widths);
    EncoderView v = {sc->model.latent, vae, SIGMA_K, sc->model.prior, 13, title};
    return generative_encoder_segment(&m->vae.enc, &m->data, &v, &m->show, err);
}

/* The generator's or decoder's map over the latent grid, with the real data
 * as the reference and the scene's latent paths (enc() codes encoded). */
static int map_segment(const Scene *sc, SceneModel *m, LwError *err)
{
    int gan = m->kind == MODEL_GAN;
    char title[160], widths[96];
    widths_text(&sc->net, widths, sizeof widths);
    snprintf(title, sizeof title, "%s  %s %s %s  MMD\xc2\xb2 %.3g", dataset_kind_name(sc->data.kind),
             model_kind_name(m->kind), gan ? "generator" : "decoder", widths, m->mmd2);
    LatentPath paths[GEN_MAX_PATHS], arith[GEN_MAX_ARITH];
    memcpy(paths, sc->model.paths, sizeof paths);
    memcpy(arith, sc->model.arith, sizeof arith);
    int rc = encode_paths(sc, &m->vae, paths, sc->model.n_paths, 0, err);
    if (!rc) rc = encode_paths(sc, &m->vae, arith, sc->model.n_arith, 1, err);
    GenerativeView v = {sc->model.prior, 400, sc->train.seed + 1, 13, title,
                        paths, sc->model.n_paths, arith, sc->model.n_arith};
    return rc ? rc : generative_segment(gan ? &m->gan.gen : &m->vae.dec, &m->data, &v, &m->show,
                                        err);
}

/* ---- a GAN's training replayed, and the generator's push ---------------- */

#define SHOW_SAMPLES 400     /* generated points a GAN's segments carry */

/* The length of the push on each of the SHOW_SAMPLES generated points
 * the segments carry (gan_sample's, the generator segment's prior samples
 * carried through G), into len. */
static int push_lengths(const Scene *sc, const Gan *g, double *len, LwError *err)
{
    int n = SHOW_SAMPLES, d = g->data_dim;
    double *x = malloc(sizeof(double) * n * d), *push = malloc(sizeof(double) * n * d);
    int rc = x && push ? LW_OK : lw_fail(err, LW_ERUNTIME, "out of memory for %d arrows", n);
    if (!rc) rc = gan_sample(g, n, sc->train.seed + 1, x, err);
    if (!rc) rc = gan_generator_push(g, x, n, push, err);
    for (int i = 0; !rc && i < n; i++) {
        double s = 0;
        for (int a = 0; a < d; a++) s += push[(size_t)i * d + a] * push[(size_t)i * d + a];
        len[i] = sqrt(s);
    }
    free(x);
    free(push);
    return rc;
}

/* The data's larger extent, which the arrows' length is a share of. */
static double data_extent(const Dataset *data)
{
    double extent = 0;
    for (int a = 0; a < data->dim; a++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < data->n; i++) {
            lo = fmin(lo, data->x[(size_t)i * data->dim + a]);
            hi = fmax(hi, data->x[(size_t)i * data->dim + a]);
        }
        extent = fmax(extent, hi - lo);
    }
    return extent;
}

/* One arrow length for the K models (the checkpoints, or the trained one). */
static int arrow_length(const Scene *sc, const SceneModel *m, const Gan *const *g, int K,
                        ArrowLength *al, LwError *err)
{
    double *len = malloc(sizeof(double) * SHOW_SAMPLES * K);
    if (!len) return lw_fail(err, LW_ERUNTIME, "out of memory for %d arrows", SHOW_SAMPLES * K);
    int rc = LW_OK;
    for (int k = 0; !rc && k < K; k++) rc = push_lengths(sc, g[k], len + SHOW_SAMPLES * k, err);
    if (!rc) *al = gan_arrow_length(len, SHOW_SAMPLES * K, data_extent(&m->data));
    free(len);
    return rc;
}

/* The push onto a GAN segment's generated points: the generator's samples
 * (set 0), the discriminator's (set 1). */
static int set_push(Segment *seg, const Gan *g, const ArrowLength *al, LwError *err)
{
    return gan_segment_arrows(seg, seg->tag == 'G' ? 0 : 1, g, al, err);
}

#define VERDICT_CELLS 48     /* a GAN segment's shading by D's verdict, per axis */

/* show_shade: a GAN segment tinted by D's verdict, real in the palette's
 * first colour after the data's classes, generated in the samples' grey;
 * only a 2-D region is shaded (a latent 2 generator, 2-D data). */
static int shade_verdict(Segment *seg, const Gan *g, LwError *err)
{
    int in = seg->tag == 'G' ? g->latent_dim : g->data_dim;
    if (in != 2) return LW_OK;
    return gan_segment_shade(seg, g, VERDICT_CELLS, seg->n_classes, seg->generated_colour, err);
}

/* show_gradients without a replay: the trained model's push on the
 * segments just built. */
static int add_gan_arrows(const Scene *sc, SceneModel *m, LwError *err)
{
    ArrowLength al;
    const Gan *g = &m->gan;
    int rc = arrow_length(sc, m, &g, 1, &al, err);
    for (int i = 0; !rc && i < m->show.n_segments; i++)
        rc = set_push(&m->show.segments[i], g, &al, err);
    return rc;
}

/* show_shade without a replay: the trained model's verdict on the segments
 * just built. */
static int add_gan_shade(SceneModel *m, LwError *err)
{
    int rc = LW_OK;
    for (int i = 0; !rc && i < m->show.n_segments; i++)
        rc = shade_verdict(&m->show.segments[i], &m->gan, err);
    return rc;
}

/* The generator of snapshot g over the latent grid, as map_segment draws
 * the trained one. */
static int gan_map_segment(const Scene *sc, SceneModel *m, const Gan *g, const char *title,
                           LwError *err)
{
    GenerativeView v = {sc->model.prior, SHOW_SAMPLES, sc->train.seed + 1, 13, title,
                        sc->model.paths, sc->model.n_paths, sc->model.arith, sc->model.n_arith};
    return generative_segment(&g->gen, &m->data, &v, &m->show, err);
}

/* The discriminator of snapshot g, whose generated points are fake. */
static int gan_critic_segment(const Scene *sc, SceneModel *m, const Gan *g, const double *fake,
                              const char *title, LwError *err)
{
    return generative_critic_segment(&g->disc, &m->data, fake, SHOW_SAMPLES, title,
                                     sc->render.style.show_boundary, &m->show, err);
}

/* Snapshot k's segments, one per network the scene names, each with its
 * step, the losses' curve, (show_gradients) the push drawn as al says and
 * (show_shade) D's verdict. */
static int gan_checkpoint_segments(const Scene *sc, SceneModel *m, int k, const double *fake,
                                   const ArrowLength *al, LwError *err)
{
    const GanHistory *h = &m->gan_history;
    const Gan *g = gan_history_at(h, k);
    const char *data = dataset_kind_name(sc->data.kind);
    char title[160], widths[96];
    widths_text(&sc->net, widths, sizeof widths);
    int rc = LW_OK;
    for (int i = 0; !rc && i < sc->model.n_networks; i++) {
        if (sc->model.networks[i] == NET_DISCRIMINATOR) {
            snprintf(title, sizeof title, "%s  gan discriminator at step %d: real or generated?",
                     data, h->step[k]);
            rc = gan_critic_segment(sc, m, g, fake, title, err);
        } else {
            snprintf(title, sizeof title, "%s  gan generator %s at step %d  MMD\xc2\xb2 %.3g",
                     data, widths, h->step[k], h->mmd2[k]);
            rc = gan_map_segment(sc, m, g, title, err);
        }
        if (rc) break;
        Segment *seg = &m->show.segments[m->show.n_segments - 1];
        seg->has_step = 1;
        seg->at_step = h->step[k];
        rc = segment_set_curve(seg, h->curve_step, h->curve_d_loss, h->curve_g_loss, h->n_curve,
                               err);
        snprintf(seg->curve.name[0], sizeof seg->curve.name[0], "D loss");
        snprintf(seg->curve.name[1], sizeof seg->curve.name[1], "G loss");
        if (!rc && sc->show_gradients) rc = set_push(seg, g, al, err);
        if (!rc && (sc->render.style.shade == SHADE_CLASS)) rc = shade_verdict(seg, g, err);
    }
    return rc;
}

/* training = replay for a GAN: trained again with the checkpoints
 * listening, then at each checkpoint the networks the scene names, with
 * one arrow scale over all of them. */
/* The GAN trained again with the checkpoints listening and measured: its
 * snapshots into g (m->gan_history.n_snapshots of them) and, with
 * show_gradients, one arrow scale over all of them. */
static int gan_checkpoints(const Scene *sc, SceneModel *m, const TrainCache *cache,
                           const Gan **g, ArrowLength *al, LwError *err)
{
    GanConfig c = gan_config_of(sc, &m->data);
    GanHistory *h = &m->gan_history;
    GanMeasure mm = {MMD_POINTS, sc->train.seed + 7, MMD_POINTS};
    int rc = gan_history_record_cached(cache, &c, &m->data, &sc->checkpoints, &m->gan, &mm, h,
                                       err);
    for (int k = 0; !rc && k < h->n_snapshots; k++) g[k] = gan_history_at(h, k);
    *al = (ArrowLength){0, 0, 0};
    if (!rc && sc->show_gradients) rc = arrow_length(sc, m, g, h->n_snapshots, al, err);
    return rc;
}

static int build_gan_replay(const Scene *sc, SceneModel *m, const TrainCache *cache,
                            LwError *err)
{
    const Gan *g[HISTORY_MAX_SNAPSHOTS];
    ArrowLength al;
    int rc = gan_checkpoints(sc, m, cache, g, &al, err);
    if (rc) return rc;
    int n = SHOW_SAMPLES, d = m->data.dim, K = m->gan_history.n_snapshots;
    double *fake = malloc(sizeof(double) * n * d);
    rc = fake ? LW_OK : lw_fail(err, LW_ERUNTIME, "out of memory for %d samples", n);
    for (int k = 0; !rc && k < K; k++) {
        rc = gan_sample(g[k], n, sc->train.seed + 1, fake, err);
        if (!rc) rc = gan_checkpoint_segments(sc, m, k, fake, &al, err);
    }
    free(fake);
    return rc;
}

/* G followed by D's hidden layers, as one stack (views into g's slabs):
 * a training morph shows G's last space and reads D from there on; D's
 * last, linear layer is the readout (W, b). */
static LayerStack gan_chain(const Gan *g, const double **W, const double **b)
{
    LayerStack c = g->gen;
    const LayerStack *d = &g->disc;
    for (int l = 0; l + 1 < d->n_layers; l++) {
        c.W[c.n_layers] = d->W[l];
        c.b[c.n_layers] = d->b[l];
        c.act[c.n_layers] = d->act[l];
        c.widths[++c.n_layers] = d->widths[l + 1];
    }
    *W = d->W[d->n_layers - 1];
    *b = d->b[d->n_layers - 1];
    return c;
}

/* training = morph for a GAN: from each checkpoint to the next, the
 * generator's data space with its grid, samples and the real data, D's
 * verdict (its boundary across the plane, and with show_shade the latent
 * cells by D at their image) and (show_gradients) the push of each
 * moment's networks. */
static int build_gan_morph(const Scene *sc, SceneModel *m, const TrainCache *cache,
                           LwError *err)
{
    const Gan *g[HISTORY_MAX_SNAPSHOTS];
    ArrowLength al;
    const GanHistory *h = &m->gan_history;
    int rc = gan_checkpoints(sc, m, cache, g, &al, err);
    if (!rc && h->n_snapshots < 2)
        rc = lw_fail(err, LW_EINPUT, "%s: training = morph needs two checkpoints or more "
                     "(checkpoints kept only step %d)", sc->path, h->step[0]);
    if (!rc && m->gan.disc.n_layers + m->gan.gen.n_layers - 1 > LW_MAX_LAYERS)
        rc = lw_fail(err, LW_EINPUT, "%s: training = morph chains the generator and the "
                     "discriminator: at most %d layers together", sc->path, LW_MAX_LAYERS + 1);
    if (rc) return rc;
    int K = h->n_snapshots;
    char title[160], widths[96];
    widths_text(&sc->net, widths, sizeof widths);
    snprintf(title, sizeof title, "%s  gan generator %s and D's verdict",
             dataset_kind_name(sc->data.kind), widths);
    for (int k = 0; !rc && k + 1 < K; k++) {
        rc = gan_map_segment(sc, m, g[k], title, err);
        if (rc) break;
        Segment *seg = &m->show.segments[m->show.n_segments - 1];
        /* arrows and the verdict's cells while the segment is still G's */
        if (sc->show_gradients) rc = set_push(seg, g[k], &al, err);
        if (!rc && sc->render.style.shade == SHADE_CLASS) rc = shade_verdict(seg, g[k], err);
        const double *W0, *b0, *W1, *b1;
        LayerStack from = gan_chain(g[k], &W0, &b0), to = gan_chain(g[k + 1], &W1, &b1);
        if (!rc) rc = segment_set_layers(seg, &from, err);
        if (!rc) rc = segment_set_scores(seg, W0, b0, 1, err);
        if (!rc) rc = segment_set_morph(seg, &to, W1, b1, g[k]->gen.n_layers, h->step[k + 1], err);
        if (!rc) rc = segment_set_curve(seg, h->curve_step, h->curve_d_loss, h->curve_g_loss,
                                        h->n_curve, err);
        if (rc) break;
        snprintf(seg->curve.name[0], sizeof seg->curve.name[0], "D loss");
        snprintf(seg->curve.name[1], sizeof seg->curve.name[1], "G loss");
        seg->has_step = 1;
        seg->at_step = h->step[k];
        seg->show_scores = sc->render.style.show_boundary;
        for (int i = 0; i < seg->n_sets; i++) seg->sets[i].from_layer = 0; /* one space */
    }
    return rc;
}

/* A generative model: trained, then each network the scene names (by
 * default a GAN's generator and discriminator, a VAE's decoder) as a
 * segment, in the scene's order. */
static int build_generative(const Scene *sc, SceneModel *m, const TrainCache *cache,
                            LwError *err)
{
    m->kind = sc->model.kind;
    int rc = m->kind == MODEL_GAN ? build_gan(sc, m, cache, err) : build_vae(sc, m, cache, err);
    if (!rc && m->kind == MODEL_GAN && sc->training == TRAINING_REPLAY)
        return build_gan_replay(sc, m, cache, err);
    if (!rc && m->kind == MODEL_GAN && sc->training == TRAINING_MORPH)
        return build_gan_morph(sc, m, cache, err);
    for (int i = 0; !rc && i < sc->model.n_networks; i++) {
        switch (sc->model.networks[i]) {
        case NET_ENCODER: rc = encoder_segment(sc, m, err); break;
        case NET_DISCRIMINATOR: rc = critic_segment(sc, m, err); break;
        case NET_GENERATOR:
        case NET_DECODER: rc = map_segment(sc, m, err); break;
        }
    }
    if (!rc && m->kind == MODEL_GAN && sc->show_gradients) rc = add_gan_arrows(sc, m, err);
    if (!rc && m->kind == MODEL_GAN && (sc->render.style.shade == SHADE_CLASS)) rc = add_gan_shade(m, err);
    return rc;
}

static int build_one(const Scene *sc, SceneModel *m, const TrainCache *cache,
                     TrainProgress progress, void *user, LwError *err);

/* How the scene wants a classifier drawn, titled `name` (borrowed). */
static ClassifierView classifier_view(const Scene *sc, const char *name)
{
    ClassifierView v = {
        .name = name,
        .curves = sc->data.draw == DRAW_CURVES,
        .show_boundary = sc->render.style.show_boundary,
        .show_shade = sc->render.style.shade == SHADE_CLASS,
        .has_region = sc->has_region,
    };
    memcpy(v.region, sc->region, sizeof v.region);
    return v;
}

/* training = replay: the network at each checkpoint, one segment each (its
 * layers played in turn, captioned with its step), and the loss and
 * accuracy curve the frames plot with a cursor at the segment's step. */
static int build_replay(const Scene *sc, SceneModel *m, const TrainCache *cache,
                        LwError *err)
{
    History *h = &m->history;
    int rc = history_record_cached(cache, &sc->net, &sc->train, &m->report, &m->data,
                                   &sc->checkpoints, &m->net, h, err);
    for (int k = 0; !rc && k < h->n_snapshots; k++) {
        char name[96];
        snprintf(name, sizeof name, "%s  step %d", dataset_kind_name(sc->data.kind), h->step[k]);
        ClassifierView v = classifier_view(sc, name);
        rc = classifier_segment(&h->snapshot[k], &m->data, &v, &m->show, err);
        if (!rc) {
            Segment *seg = &m->show.segments[m->show.n_segments - 1];
            seg->has_step = 1;
            seg->at_step = h->step[k];
            rc = segment_set_curve(seg, h->curve_step, h->curve_loss, h->curve_accuracy,
                                   h->n_curve, err);
        }
    }
    return rc;
}

/* training = morph: one segment from each checkpoint to the next, the
 * network's weights moving between them while the chosen layer's space is
 * shown, and the curve with its cursor. */
static int build_morph(const Scene *sc, SceneModel *m, const TrainCache *cache,
                       LwError *err)
{
    History *h = &m->history;
    int rc = history_record_cached(cache, &sc->net, &sc->train, &m->report, &m->data,
                                   &sc->checkpoints, &m->net, h, err);
    if (!rc && h->n_snapshots < 2)
        rc = lw_fail(err, LW_EINPUT, "%s: training = morph needs two checkpoints or more "
                     "(checkpoints kept only step %d)", sc->path, h->step[0]);
    char name[96];
    snprintf(name, sizeof name, "%s  layer %d over training", dataset_kind_name(sc->data.kind),
             sc->training_layer);
    ClassifierView v = classifier_view(sc, name);
    for (int k = 0; !rc && k + 1 < h->n_snapshots; k++) {
        rc = classifier_segment(&h->snapshot[k], &m->data, &v, &m->show, err);
        if (rc) break;
        Segment *seg = &m->show.segments[m->show.n_segments - 1];
        /* the data and the shape: no one step's accuracy holds for the segment */
        int len = snprintf(seg->title, sizeof seg->title, "%s  ", dataset_kind_name(sc->data.kind));
        for (int l = 0; l <= seg->net.n_layers && len < (int)sizeof seg->title; l++)
            len += snprintf(seg->title + len, sizeof seg->title - len, l ? "-%d" : "%d",
                            seg->net.widths[l]);
        const Mlp *to = &h->snapshot[k + 1];
        LayerStack stack = mlp_layers(to);
        seg->has_step = 1;
        seg->at_step = h->step[k];
        rc = segment_set_morph(seg, &stack, to->Wout, to->bout, sc->training_layer,
                               h->step[k + 1], err);
        if (!rc)
            rc = segment_set_curve(seg, h->curve_step, h->curve_loss, h->curve_accuracy,
                                   h->n_curve, err);
    }
    return rc;
}

/* An autoencoder beside a VAE: its codes' coverage of the latent grid
 * measured with the VAE's mean posterior sigma, so the two figures compare
 * (the map is not the territory). */
static void compare_coverage(SceneModel *a, SceneModel *b)
{
    SceneModel *vae = a->kind == MODEL_VAE ? a : b->kind == MODEL_VAE ? b : NULL;
    SceneModel *ae = a->kind == MODEL_AUTOENCODER ? a : b->kind == MODEL_AUTOENCODER ? b : NULL;
    if (!vae || !ae) return;
    ae->coverage_sigma = vae_mean_sigma(&vae->vae, &vae->data);
    ae->coverage = vae_latent_coverage(&ae->vae, &ae->data, 41, ae->coverage_sigma);
}

/* [compare]: the compared scene's model, trained on its own, its show
 * moved into this one's as the right-hand panel. */
static int build_compare(const Scene *sc, SceneModel *m, const TrainCache *cache,
                         TrainProgress progress, void *user, LwError *err)
{
    m->compare = calloc(1, sizeof *m->compare);
    if (!m->compare) return lw_fail(err, LW_ERUNTIME, "out of memory");
    int rc = build_one(sc->compare, m->compare, cache, progress, user, err);
    if (!rc) compare_coverage(m, m->compare);
    return rc ? rc : show_take(&m->show, &m->compare->show, 1, err);
}

int scene_build_cached(const Scene *sc, SceneModel *m, const TrainCache *cache,
                       TrainProgress progress, void *user, LwError *err)
{
    int rc = build_one(sc, m, cache, progress, user, err);
    return !rc && sc->compare ? build_compare(sc, m, cache, progress, user, err) : rc;
}

int scene_build(const Scene *sc, SceneModel *m, TrainProgress progress, void *user,
                LwError *err)
{
    return scene_build_cached(sc, m, NULL, progress, user, err);
}

static int build_one(const Scene *sc, SceneModel *m, const TrainCache *cache,
                     TrainProgress progress, void *user, LwError *err)
{
    memset(m, 0, sizeof *m);
    m->accuracy = -1;
    int rc = dataset_make(&sc->data, &m->data, err);
    if (rc) return rc;
    if (sc->model.kind != MODEL_CLASSIFIER)
        return build_generative(sc, m, cache, err);
    rc = train_network_cached(cache, &sc->net, &sc->train, sc->path, &m->data, &m->net,
                              progress, user, &m->report, err);
    if (rc) return rc;
    /* a trained network's report has its accuracy over these very points
     * (train.c: of the run kept): one pass over them, not three */
    if (m->net.has_readout)
        m->accuracy = sc->net.has_weights
                          ? mlp_accuracy(&m->net, m->data.x, m->data.label, m->data.n)
                          : m->report.accuracy;
    if (sc->training == TRAINING_REPLAY)
        return build_replay(sc, m, cache, err);
    if (sc->training == TRAINING_MORPH)
        return build_morph(sc, m, cache, err);
    ClassifierView v = classifier_view(sc, dataset_kind_name(sc->data.kind));
    v.has_accuracy = m->net.has_readout;
    v.accuracy = m->accuracy;
    return classifier_segment(&m->net, &m->data, &v, &m->show, err);
}

void scene_model_free(SceneModel *m)
{
    if (!m) return;
    show_free(&m->show);
    history_free(&m->history);
    gan_history_free(&m->gan_history);
    mlp_free(&m->net);
    gan_free(&m->gan);
    vae_free(&m->vae);
    dataset_free(&m->data);
    if (m->compare) scene_model_free(m->compare);
    free(m->compare);
    m->compare = NULL;
}
