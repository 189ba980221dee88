/* scene_build.c — the top of the pipeline: from a validated Scene to the
 * things each later step takes — a Dataset, a network (fixed weights, a
 * weights file, or trained), and a Show for the renderer.  This file and
 * scene.c are the only ones that know what a Scene is.
 *
 * Owns: everything in a SceneModel. */
#include "scene.h"

#include <stdio.h>
#include <string.h>

#include "classifier.h"

/* A generative model: its generator or decoder, as a segment over the
 * latent grid with the real data as the reference. */
static int build_generative(const Scene *sc, SceneModel *m, LwError *err)
{
    const NetSpec *net = &sc->net;
    int rc = mlp_alloc(&m->net, net->n_widths, net->widths, net->act, 0, err);
    if (rc) return rc;
    mlp_init_random(&m->net, sc->train.seed);
    char title[160];
    char widths[96] = "";
    for (int i = 0; i < net->n_widths; i++) {
        size_t len = strlen(widths);
        snprintf(widths + len, sizeof widths - len, i ? "-%d" : "%d", net->widths[i]);
    }
    snprintf(title, sizeof title, "%s  %s %s  (untrained)", dataset_kind_name(sc->data.kind),
             model_kind_name(sc->model.kind),
             sc->model.kind == MODEL_GAN ? "generator" : "decoder");
    (void)widths;
    GenerativeView v = {sc->model.prior, 400, sc->train.seed + 1, 13, title};
    LayerStack gen = mlp_layers(&m->net);
    return generative_segment(&gen, &m->data, &v, &m->show, err);
}

int scene_build(const Scene *sc, SceneModel *m, TrainProgress progress, void *user,
                LwError *err)
{
    memset(m, 0, sizeof *m);
    m->accuracy = -1;
    int rc = dataset_make(&sc->data, &m->data, err);
    if (rc) return rc;
    if (sc->model.kind != MODEL_CLASSIFIER)
        return build_generative(sc, m, err);
    rc = train_network(&sc->net, &sc->train, sc->path, &m->data, &m->net, progress, user,
                       &m->report, err);
    if (rc) return rc;
    if (m->net.has_readout)
        m->accuracy = mlp_accuracy(&m->net, m->data.x, m->data.label, m->data.n);
    ClassifierView v = {
        .name = dataset_kind_name(sc->data.kind),
        .curves = sc->data.draw == DRAW_CURVES,
        .show_boundary = sc->render.style.show_boundary,
        .show_shade = sc->render.style.show_shade,
        .has_region = sc->has_region,
    };
    memcpy(v.region, sc->region, sizeof v.region);
    return classifier_segment(&m->net, &m->data, &v, &m->show, err);
}

void scene_model_free(SceneModel *m)
{
    if (!m) return;
    show_free(&m->show);
    mlp_free(&m->net);
    dataset_free(&m->data);
}
