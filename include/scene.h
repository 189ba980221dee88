/* scene.h — a scene file: what to animate and how.
 *
 * A scene is an INI file read with libinih (see docs/scene-format.md for every
 * key, its type, range and default).  scene_load_* parse AND validate: a Scene
 * that comes back with LW_OK is complete and consistent (defaults filled in,
 * weight shapes checked against the widths), so later stages never re-check.
 * Errors are one line, "path:line: message", and LW_EINPUT. */
#ifndef SCENE_H
#define SCENE_H

#include "dataset.h"
#include "gan.h"
#include "gan_history.h"
#include "generative.h"
#include "history.h"
#include "vae.h"
#include "mlp.h"
#include "render.h"
#include "show.h"
#include "train.h"
#include "train_cache.h"

/* Where the output goes and how it is encoded. */
typedef struct {
    char path[LW_PATH_MAX];
    int crf;               /* video quality (x264/VP9), -1: the codec's default */
    char preset[32];       /* x264 preset */
    int crf_line, preset_line; /* where the scene set them (0: it did not), for messages */
} SceneOutput;

typedef struct Scene {
    char path[LW_PATH_MAX];  /* as given, used in messages */
    char name[256];          /* file name without folder and extension */
    DatasetSpec data;
    NetSpec net;
    TrainConfig train;
    RenderConfig render;
    int has_region;          /* region given; else from the data */
    double region[4];        /* xmin, xmax, ymin, ymax of the input grid */
    SceneOutput output;
    double zoom_seconds;     /* view = auto: the zoom between two layers */
    int show_shade;          /* [render] show_shade as written: yes is shade = class */
    ModelSpec model;         /* what the network is (classifier, gan, vae, autoencoder) */
    CheckpointSpec checkpoints; /* [train] checkpoints: the steps training = replay shows */
    enum { TRAINING_OFF, TRAINING_REPLAY, TRAINING_MORPH } training; /* [render] training */
    int training_layer;      /* [render] training_layer: the hidden layer a morph shows
                                (1-based; 0 until validated: the last) */
    int show_gradients;      /* [render] show_gradients: a GAN's generated points carry
                                arrows, where the generator's loss moves them */
    /* [compare]: the scene again with its section.key = value lines
     * applied, shown in a second panel beside this one; owned, or NULL */
    struct Scene *compare;
    /* the text it was read from (scene_load_string_with and the file
     * loaders; NUL-terminated, text_len bytes), for outputs that carry their
     * scene (share.c); owned, or NULL */
    char *text;
    size_t text_len;
} Scene;

/* How a scene read from standard input is named in messages ("<stdin>:3: ...");
 * its name (for out/NAME.mp4) is "stdin". */
#define SCENE_STDIN "<stdin>"

/* Reads and validates the file at path ("-": standard input).  On failure
 * *scene is left freeable. */
int scene_load_file(const char *path, Scene *scene, LwError *err);

/* Same from text in memory; `name` is used in messages as the file name and
 * relative paths resolve against the current directory. */
int scene_load_string(const char *name, const char *text, size_t len,
                      Scene *scene, LwError *err);

/* The same, with overrides applied after the last line and before the
 * checks across keys: each is "section.key=value" ("render.fps=24"), read by
 * the same key table and range checks as a line of the file, replacing what
 * the file says (a later override of the same key wins).  Paths resolve as in
 * the file; [weights] cannot be overridden.  An error names the override:
 * "--set render.fps=500: fps must be from 1 to 120, got 500".  overrides may
 * be NULL when n_overrides is 0. */
int scene_load_file_with(const char *path, const char *const *overrides, int n_overrides,
                         Scene *scene, LwError *err);
int scene_load_string_with(const char *name, const char *text, size_t len,
                           const char *const *overrides, int n_overrides, Scene *scene,
                           LwError *err);

/* Frees the weight arrays; accepts a zeroed or half-built scene. */
void scene_free(Scene *scene);

/* What a scene makes (scene_build.c): its data, its network (fixed or
 * trained) and the show of it, ready for the renderer with scene->render. */
typedef struct SceneModel {
    Dataset data;
    Mlp net;                 /* a classifier */
    TrainReport report;      /* zero when nothing was trained */
    double accuracy;         /* of the network on its data, -1 without readout */
    ModelKind kind;
    Gan gan;                 /* model = gan */
    GanReport gan_report;
    Vae vae;                 /* model = vae or autoencoder */
    VaeReport vae_report;
    int gen_cached;          /* the GAN's or VAE's parameters came from the cache of
                                trained networks (train_cache.h) */
    /* a generative model's samples against the data: squared MMD (Gaussian
     * kernel, median bandwidth) after training and for the untrained map */
    double mmd2, mmd2_untrained;
    double coverage;         /* vae/autoencoder: share of the latent grid near a code */
    double coverage_sigma;   /* > 0: an autoencoder's coverage measured with this sigma,
                                the mean posterior sigma of the VAE it is compared with */
    History history;         /* training = replay: snapshots at the checkpoints */
    GanHistory gan_history;  /* the same for model = gan */
    Show show;               /* with [compare], the compared model's segments in panel 1 */
    struct SceneModel *compare; /* what the [compare] scene made (its show moved into
                                   this one's), owned, or NULL */
} SceneModel;

/* Generates the data, trains or loads the network (progress may be NULL)
 * and builds the show: today one classifier segment.  On failure *model is
 * left freeable. */
int scene_build(const Scene *scene, SceneModel *model, TrainProgress progress, void *user,
                LwError *err);
/* scene_build with trained classifiers kept between runs (train_cache.h);
 * cache NULL trains every time, as scene_build does. */
int scene_build_cached(const Scene *scene, SceneModel *model, const TrainCache *cache,
                       TrainProgress progress, void *user, LwError *err);
void scene_model_free(SceneModel *model);

#endif
