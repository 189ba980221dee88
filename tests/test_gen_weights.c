/* test_gen_weights.c — a generative model's weights file (gen_weights.h):
 * save then load gives every parameter back bit for bit for a GAN, a VAE
 * and an autoencoder (numbers that need all 17 digits, -0, a subnormal);
 * every malformed or mismatched file gives its one "path:line: ..." message
 * naming the network and the matrix, and leaves the model as it was; a
 * scene takes [weights] file = ... for a generative model and refuses
 * matrices; and a scene built from a trained model's saved file has that
 * model's parameters exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "gen_weights.h"
#include "scene.h"

static char g_path[] = "/tmp/test_gen_weights_XXXXXX";

/* A small GAN: generator 2-3-2, discriminator 2-2-1 (leaky_relu, identity last). */
static int small_gan(Gan *m)
{
    GanConfig c = gan_config_default();
    c.n_gen_hidden = 1;
    c.gen_hidden[0] = 3;
    c.n_disc_hidden = 1;
    c.disc_hidden[0] = 2;
    LwError err = {""};
    int rc = gan_alloc(m, &c, 2, &err);
    if (!rc) gan_init_random(m, 5);
    return rc;
}

/* Encoder 2-3-(2 latent, x2 for a VAE), decoder 2-3-2, tanh. */
static int small_vae(Vae *m, int variational)
{
    VaeConfig c = vae_config_default();
    c.n_enc_hidden = c.n_dec_hidden = 1;
    c.enc_hidden[0] = c.dec_hidden[0] = 3;
    c.variational = variational;
    LwError err = {""};
    int rc = vae_alloc(m, 2, &c, &err);
    if (!rc) rc = vae_init_random(m, 5, &err);
    return rc;
}

/* Values a short format would lose. */
static void awkward_values(double *p, size_t n)
{
    p[0] = 1.0 / 3.0;
    p[1] = -0.0;
    p[2] = 4.9406564584124654e-324; /* the smallest subnormal */
    p[n - 1] = -1e300;
}

static void check_round_trips(void)
{
    LwError err = {""};
    Gan g = {0}, g2 = {0};
    CHECK(small_gan(&g) == LW_OK && small_gan(&g2) == LW_OK);
    size_t ng = g.n_gen_params + g.n_disc_params;
    awkward_values(g.params, ng);
    memset(g2.params, 0, ng * sizeof(double));
    CHECK(gen_weights_save_gan(&g, g_path, &err) == LW_OK);
    int rc = gen_weights_load_gan(&g2, g_path, &err);
    CHECK_MSG(rc == LW_OK, "gan: %s", err.msg);
    CHECK_MSG(memcmp(g.params, g2.params, ng * sizeof(double)) == 0,
              "gan: the loaded parameters differ from the saved ones");
    CHECK(signbit(g2.params[1]) && g2.params[2] > 0);
    gan_free(&g);
    gan_free(&g2);

    for (int variational = 1; variational >= 0; variational--) {
        Vae v = {0}, v2 = {0};
        CHECK(small_vae(&v, variational) == LW_OK && small_vae(&v2, variational) == LW_OK);
        awkward_values(v.params, v.n_params);
        memset(v2.params, 0, v.n_params * sizeof(double));
        CHECK(gen_weights_save_vae(&v, PRIOR_UNIFORM, g_path, &err) == LW_OK);
        rc = gen_weights_load_vae(&v2, PRIOR_UNIFORM, g_path, &err);
        CHECK_MSG(rc == LW_OK, "%s: %s", variational ? "vae" : "autoencoder", err.msg);
        CHECK_MSG(memcmp(v.params, v2.params, v.n_params * sizeof(double)) == 0,
                  "%s: the loaded parameters differ from the saved ones",
                  variational ? "vae" : "autoencoder");
        vae_free(&v);
        vae_free(&v2);
    }
}

/* ---- malformed files ---- */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = calloc(1 << 16, 1);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

/* Writes `good` with line `line` (1-based) replaced by `with` (NULL:
 * deleted; "+TEXT": TEXT inserted before it; line 0: TEXT appended). */
static void write_edited(const char *good, int line, const char *with)
{
    FILE *f = fopen(g_path, "w");
    int n = 1;
    for (const char *p = good; *p; n++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n == line && with && with[0] == '+')
            fprintf(f, "%s\n%.*s\n", with + 1, (int)len, p);
        else if (n == line && with)
            fprintf(f, "%s\n", with);
        else if (n != line)
            fprintf(f, "%.*s\n", (int)len, p);
        p += len + (end ? 1 : 0);
    }
    if (line == 0) fprintf(f, "%s\n", with);
    fclose(f);
}

/* Writes the first `lines` lines of good. */
static void write_head(const char *good, int lines)
{
    FILE *f = fopen(g_path, "w");
    for (const char *p = good; *p && lines > 0; lines--) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p + 1) : strlen(p);
        fwrite(p, 1, len, f);
        p += len;
    }
    fclose(f);
}

typedef struct {
    int line;           /* the line edited (see write_edited); -N: keep N lines */
    const char *with;
    const char *msg;    /* after "path" */
} Bad;

/* The small GAN's file, line by line:
 *    1 layerwarp-weights 2   5 network generator      19 network discriminator
 *    2 model gan             6 widths 2 3 2           20 widths 2 2 1
 *    3 latent 2              7 activations ...        21 activations ...
 *    4 prior gaussian        8 W1, 9-11 its rows      22 W1, 23-24
 *                           12 b1, 13                 25 b1, 26
 *                           14 W2, 15-16              27 W2, 28
 *                           17 b2, 18                 29 b2, 30 */
static const Bad GAN_BAD[] = {
    {1, "layerwarp-weights 1", ":1: a classifier's weights (version 1), but the scene's model "
                               "is gan (its file is 'layerwarp-weights 2')"},
    {1, "layerwarp-weights 3", ":1: weights format version 3 (expected 2)"},
    {1, "hello", ":1: not a layerwarp weights file (expected 'layerwarp-weights 2')"},
    {2, "model vae", ":2: weights for model = vae, but the scene's model is gan"},
    {2, "model diffusion", ":2: unknown model 'diffusion' (expected gan, vae or autoencoder)"},
    {2, NULL, ":2: expected 'model gan|vae|autoencoder', found 'latent ...'"},
    {3, "latent 3", ":3: latent 3, but the scene's latent is 2"},
    {4, "prior uniform", ":4: prior uniform, but the scene's prior is gaussian"},
    {4, "prior cauchy", ":4: unknown prior 'cauchy' (expected gaussian or uniform)"},
    {5, "network discriminator", ":5: expected 'network generator', found 'network "
                                 "discriminator'"},
    {6, "widths 2 4 2", ":6: generator widths 2,4,2, but the scene's generator is 2,3,2"},
    {6, "widths 2 3 3 2", ":6: generator widths 2,3,3,2, but the scene's generator is 2,3,2"},
    {6, "widths 2 x 2", ":6: bad width 'x' (expected 1..16)"},
    {7, "activations tanh identity", ":7: generator activations tanh,identity, but the scene's "
                                     "generator has leaky_relu,identity"},
    {7, "activations leaky_relu", ":7: 1 activations for the generator's 2 layers"},
    {7, "activations relu6 identity", ":7: unknown activation 'relu6' (expected tanh, sigmoid, "
                                      "relu, leaky_relu, softplus, identity)"},
    {8, "W2", ":8: expected 'W1' of the generator, found 'W2'"},
    {9, "1", ":9: row 1 of W1 of the generator has 1 number (expected 2)"},
    {11, NULL, ":11: W1 of the generator has 2 rows (expected 3), found 'b1'"},
    {12, "+1 2", ":12: W1 of the generator has more than 3 rows"},
    {13, "0 x 0", ":13: bad number 'x' in b1 of the generator"},
    {13, "0 nan 0", ":13: bad number 'nan' in b1 of the generator"},
    {14, "b2", ":14: expected 'W2' of the generator, found 'b2'"},
    {20, "widths 2 3 1", ":20: discriminator widths 2,3,1, but the scene's discriminator is "
                         "2,2,1"},
    {27, "W3", ":27: expected 'W2' of the discriminator, found 'W3'"},
    {-28, NULL, ":28: unexpected end of file (expected b2 of the discriminator)"},
    {-29, NULL, ":29: unexpected end of file (expected row 1 of b2 of the discriminator)"},
    {0, "W3", ":31: unexpected 'W3' after the last matrix"},
    {0, "1", ":31: b2 of the discriminator has more than 1 row"},
};

static void check_bad(const char *good, const Bad *bad, int n, const char *what,
                      int (*load)(void *, LwError *), void *model, double *params,
                      size_t n_params)
{
    double *before = malloc(n_params * sizeof *before);
    memcpy(before, params, n_params * sizeof *before);
    for (int i = 0; i < n; i++) {
        if (bad[i].line < 0) write_head(good, -bad[i].line);
        else write_edited(good, bad[i].line, bad[i].with);
        LwError err = {""};
        char want[1200];
        snprintf(want, sizeof want, "%s%s", g_path, bad[i].msg);
        int rc = load(model, &err);
        CHECK_MSG(rc == LW_EINPUT, "%s case %d: returned %d", what, i, rc);
        CHECK_STR(err.msg, want);
        CHECK_MSG(memcmp(before, params, n_params * sizeof *before) == 0,
                  "%s case %d: a failed load changed the model", what, i);
    }
    free(before);
}

static int load_gan(void *m, LwError *err)
{
    return gen_weights_load_gan(m, g_path, err);
}

static int load_vae(void *m, LwError *err)
{
    return gen_weights_load_vae(m, PRIOR_GAUSSIAN, g_path, err);
}

/* The small VAE's encoder ends in its heads: Wmean at line 14 (then 2 rows),
 * bmean 17, Wlogvar 19, blogvar 22. */
static const Bad VAE_BAD[] = {
    {2, "model autoencoder", ":2: weights for model = autoencoder, but the scene's model is vae"},
    {4, "prior uniform", ":4: prior uniform, but the scene's prior is gaussian"},
    {5, "network decoder", ":5: expected 'network encoder', found 'network decoder'"},
    {6, "widths 2 3 2", ":6: encoder widths 2,3,2, but the scene's encoder is 2,3,4"},
    {14, "W2", ":14: expected 'Wmean' of the encoder, found 'W2'"},
    {16, NULL, ":16: Wmean of the encoder has 1 row (expected 2), found 'bmean'"},
    {19, "Wlogvariance", ":19: expected 'Wlogvar' of the encoder, found 'Wlogvariance'"},
    {23, "0", ":23: row 1 of blogvar of the encoder has 1 number (expected 2)"},
    {24, "network generator", ":24: expected 'network decoder', found 'network generator'"},
};

static void check_errors(void)
{
    LwError err = {""};
    Gan g = {0};
    CHECK(small_gan(&g) == LW_OK);
    CHECK(gen_weights_save_gan(&g, g_path, &err) == LW_OK);
    char *good = read_all(g_path);
    CHECK(good != NULL);
    if (good)
        check_bad(good, GAN_BAD, (int)(sizeof GAN_BAD / sizeof GAN_BAD[0]), "gan", load_gan, &g,
                  g.params, g.n_gen_params + g.n_disc_params);
    free(good);

    /* the right file for another model, and a file that is not there */
    Vae v = {0}, a = {0};
    CHECK(small_vae(&v, 1) == LW_OK && small_vae(&a, 0) == LW_OK);
    CHECK(gen_weights_save_vae(&v, PRIOR_GAUSSIAN, g_path, &err) == LW_OK);
    CHECK(gen_weights_load_gan(&g, g_path, &err) == LW_EINPUT);
    char want[1200];
    snprintf(want, sizeof want, "%s:2: weights for model = vae, but the scene's model is gan",
             g_path);
    CHECK_STR(err.msg, want);
    CHECK(gen_weights_load_vae(&v, PRIOR_UNIFORM, g_path, &err) == LW_EINPUT);
    snprintf(want, sizeof want, "%s:4: prior gaussian, but the scene's prior is uniform",
             g_path);
    CHECK_STR(err.msg, want);
    good = read_all(g_path);
    if (good)
        check_bad(good, VAE_BAD, (int)(sizeof VAE_BAD / sizeof VAE_BAD[0]), "vae", load_vae, &v,
                  v.params, v.n_params);
    free(good);
    CHECK(gen_weights_load_gan(&g, "/nonexistent/g.weights", &err) == LW_EINPUT);
    CHECK_STR(err.msg, "/nonexistent/g.weights: No such file or directory");
    gan_free(&g);
    vae_free(&v);
    vae_free(&a);
}

/* ---- scenes ---- */

static int load_scene(const char *text, Scene *sc, LwError *err)
{
    return scene_load_string("t.scene", text, strlen(text), sc, err);
}

static void check_scene_keys(void)
{
    Scene sc;
    LwError err = {""};
    int rc = load_scene("[dataset]\nkind = moons\n[network]\nmodel = vae\n[weights]\n"
                        "file = /tmp/v.weights\n", &sc, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    CHECK(sc.net.has_weights && strcmp(sc.net.weights_path, "/tmp/v.weights") == 0);
    scene_free(&sc);
    rc = load_scene("[dataset]\nkind = moons\n[network]\nmodel = gan\n[weights]\n"
                    "b1 = 0 0\nW1 = 1 0 | 0 1\n", &sc, &err);
    CHECK(rc == LW_EINPUT);
    CHECK_STR(err.msg, "t.scene:6: b1 in [weights] is for model = classifier; model = gan "
                       "reads its weights from a file (file = PATH, as layerwarp train -o "
                       "writes it)");
    scene_free(&sc);
    rc = load_scene("[dataset]\nkind = moons\n[network]\nmodel = autoencoder\n[weights]\n"
                    "file = /tmp/a.weights\nWout = 1 1\n", &sc, &err);
    CHECK(rc == LW_EINPUT);
    CHECK_STR(err.msg, "t.scene:7: Wout in [weights] is for model = classifier; model = "
                       "autoencoder reads its weights from a file (file = PATH, as layerwarp "
                       "train -o writes it)");
    scene_free(&sc);
}

/* Builds the scene (text + extra), trained or from a file; 0 on failure. */
static int build(const char *text, const char *extra, Scene *sc, SceneModel *m)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", text, extra);
    LwError err = {""};
    int rc = load_scene(buf, sc, &err);
    if (!rc) rc = scene_build(sc, m, NULL, NULL, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    return rc == LW_OK;
}

/* The parameters a scene trains, saved and given back to the same scene
 * through [weights] file, are the trained ones bit for bit, and so are the
 * figures measured on them. */
static void check_scene_round_trip(void)
{
    static const char *const MODELS[] = {"gan", "vae", "autoencoder"};
    char extra[256];
    snprintf(extra, sizeof extra, "[weights]\nfile = %s\n", g_path);
    for (int k = 0; k < 3; k++) {
        char text[512];
        snprintf(text, sizeof text, "[dataset]\nkind = moons\npoints = 120\nseed = 3\n"
                 "[network]\nmodel = %s\nwidths = 2,6,2\n[train]\nsteps = 60\n", MODELS[k]);
        Scene a, b;
        SceneModel ma, mb;
        if (!build(text, "", &a, &ma)) continue;
        LwError err = {""};
        int gan = ma.kind == MODEL_GAN;
        int rc = gan ? gen_weights_save_gan(&ma.gan, g_path, &err)
                     : gen_weights_save_vae(&ma.vae, a.model.prior, g_path, &err);
        CHECK_MSG(rc == LW_OK, "%s", err.msg);
        if (build(text, extra, &b, &mb)) {
            const double *pa = gan ? ma.gan.params : ma.vae.params;
            const double *pb = gan ? mb.gan.params : mb.vae.params;
            size_t n = gan ? ma.gan.n_gen_params + ma.gan.n_disc_params : ma.vae.n_params;
            CHECK_MSG(memcmp(pa, pb, n * sizeof(double)) == 0,
                      "%s: the scene with the saved file has other parameters", MODELS[k]);
            CHECK_MSG(ma.mmd2 == mb.mmd2 && ma.coverage == mb.coverage,
                      "%s: MMD %.17g vs %.17g", MODELS[k], ma.mmd2, mb.mmd2);
            CHECK(gan ? ma.gan_report.d_loss == mb.gan_report.d_loss && mb.gan_report.steps == 0
                      : ma.vae_report.recon == mb.vae_report.recon &&
                            ma.vae_report.kl == mb.vae_report.kl && mb.vae_report.steps == 0);
            scene_model_free(&mb);
        }
        scene_free(&b);
        scene_model_free(&ma);
        scene_free(&a);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    int fd = mkstemp(g_path);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    check_round_trips();
    check_errors();
    check_scene_keys();
    check_scene_round_trip();
    unlink(g_path);
    return check_done("test_gen_weights");
}
