/* test_train.c — every gallery scene trains to its accuracy target within a
 * small CPU budget, training is bit-for-bit repeatable (full and mini-batch),
 * early stop and the progress callback work, each layer's spread (computed
 * layer by layer) is that of its states point by point, SGD trains, a divergent setting
 * fails with advice naming learning_rate, and fixed weights (from a file or
 * from the scene) are used as given.  Checkpoints come at the steps asked
 * for with the weights a run stopped at that step ends with; a GSL failure
 * in a step (injected, gsl_fault.h) or a failing checkpoint ends with
 * LW_ERUNTIME naming it, never with "diverged".
 *
 * The scenes are built by hand here so the training checks do not depend on
 * the scene parser; each row of GALLERY mirrors scenes/<kind>.scene, and
 * test_scene_files checks that the parsed files say the same. */
#include "gsl_fault.h"

#include "check.h"
#include "readable.h"
#include "scene.h"
#include "train.h"

#include <stdlib.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

typedef struct {
    const char *name;    /* scenes/<name>.scene */
    DatasetKind kind;
    int points;
    double noise;
    int classes;
    double turns, factor;
    int n_widths;
    int widths[8];
    double learning_rate;
    int steps;
    double target;       /* accuracy the test demands */
    double stop_at;      /* [train] target_accuracy (0 = train all steps) */
    uint64_t seed;       /* [train] seed */
} GalleryScene;

/* Each row mirrors scenes/<name>.scene: [dataset] seed = 7, [network]
 * activation = tanh, [train] optimizer = adam, readable at its default. */
static const GalleryScene GALLERY[] = {
    /* scenes/moons.scene */
    {"moons", DATA_MOONS, 400, 0.1, 2, 0, 0, 4, {2, 2, 2, 2}, 0.02, 2000, 0.99, 1.0, 1},
    /* scenes/circles.scene */
    {"circles", DATA_CIRCLES, 400, 0.05, 2, 0, 0.5, 2, {2, 3}, 0.03, 2000, 0.99, 0, 1},
    /* scenes/spiral.scene */
    {"spiral", DATA_SPIRAL, 400, 0.01, 2, 1.25, 0, 5, {2, 3, 3, 3, 2}, 0.03, 2500, 0.95, 0, 1},
    /* scenes/xor.scene */
    {"xor", DATA_XOR, 400, 0.15, 2, 0, 0, 3, {2, 3, 2}, 0.03, 1500, 0.99, 0, 1},
    /* scenes/gaussians.scene */
    {"gaussians", DATA_GAUSSIANS, 450, 0.2, 3, 0, 0, 3, {2, 2, 2}, 0.03, 1500, 0.99, 0, 1},
    /* scenes/curves.scene */
    {"curves", DATA_CURVES, 400, 0.0, 2, 0, 0, 2, {2, 2}, 0.02, 2000, 0.99, 0, 5},
};

static void fill_scene(Scene *sc, const GalleryScene *g)
{
    memset(sc, 0, sizeof *sc);
    snprintf(sc->path, sizeof sc->path, "scenes/%s.scene", g->name);
    sc->data.kind = g->kind;
    sc->data.n_points = g->points;
    sc->data.noise = g->noise;
    sc->data.seed = 7;
    sc->data.classes = g->classes;
    sc->data.turns = g->turns;
    sc->data.factor = g->factor;
    sc->net.n_widths = g->n_widths;
    for (int l = 0; l < g->n_widths; l++)
        sc->net.widths[l] = g->widths[l];
    for (int l = 0; l + 1 < g->n_widths; l++)
        sc->net.act[l] = ACT_TANH;
    sc->train.optimizer = OPT_ADAM;
    sc->train.learning_rate = g->learning_rate;
    sc->train.steps = g->steps;
    sc->train.seed = g->seed;
    sc->train.target_accuracy = g->stop_at;
    sc->train.readable = READABLE_DEFAULT;
}

/* train_spread goes layer by layer over all points; each layer's spread
 * must be that of the states mlp_forward_point gives point by point. */
static void check_spread_per_point(const char *name, const Mlp *m, const Dataset *ds,
                                   const double *spread)
{
    for (int l = 0; l < m->n_layers; l++) {
        int w = m->widths[l + 1];
        double *H = malloc(sizeof(double) * (size_t)ds->n * w);
        double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
        CHECK(H != NULL);
        if (!H) return;
        for (int i = 0; i < ds->n; i++) {
            mlp_forward_point(m, ds->x + (size_t)i * ds->dim, h);
            memcpy(H + (size_t)i * w, h + (l + 1) * LW_MAX_WIDTH, sizeof(double) * w);
        }
        double want = readable_spread_points(H, ds->n, w);
        CHECK_MSG(spread[l] == want, "%s: layer %d spread %.17g, per point %.17g", name, l + 1,
                  spread[l], want);
        free(H);
    }
}

static void test_gallery(void)
{
    for (size_t i = 0; i < sizeof GALLERY / sizeof GALLERY[0]; i++) {
        const GalleryScene *g = &GALLERY[i];
        Scene sc;
        fill_scene(&sc, g);
        Dataset ds = {0};
        Mlp m1 = {0}, m2 = {0};
        TrainReport r1, r2;
        LwError err = {{0}};
        int ret = dataset_make(&sc.data, &ds, &err);
        CHECK_MSG(ret == LW_OK, "%s: %s", g->name, err.msg);
        if (ret != LW_OK)
            continue;
        ret = train_network(&sc.net, &sc.train, sc.path, &ds, &m1, NULL, NULL, &r1, &err);
        CHECK_MSG(ret == LW_OK, "%s: %s", g->name, err.msg);
        ret |= train_network(&sc.net, &sc.train, sc.path, &ds, &m2, NULL, NULL, &r2, &err);
        if (ret == LW_OK) {
            printf("  %-9s accuracy %.4f  loss %.5f  steps %d  cpu %.3f s  (widths", g->name,
                   r1.accuracy, r1.loss, r1.steps, r1.seconds);
            for (int l = 0; l < g->n_widths; l++)
                printf("%s%d", l ? "," : " ", g->widths[l]);
            printf(")\n");
            CHECK_MSG(r1.accuracy >= g->target, "%s: accuracy %.4f < %.2f", g->name,
                      r1.accuracy, g->target);
            /* (speed is measured by make bench, not asserted here) */
            CHECK(g->stop_at > 0 ? r1.steps <= g->steps : r1.steps == g->steps);
            CHECK(m1.n_params == m2.n_params &&
                  memcmp(m1.params, m2.params, m1.n_params * sizeof(double)) == 0);
            CHECK(r1.loss == r2.loss && r1.accuracy == r2.accuracy);
            /* every layer readable: the data never squashed onto a line */
            double spread[LW_MAX_LAYERS];
            CHECK(train_spread(&m1, &ds, spread, &err) == LW_OK);
            for (int l = 0; l < m1.n_layers; l++)
                CHECK_MSG(spread[l] >= TRAIN_GOOD_SPREAD, "%s: layer %d spread %.3f", g->name,
                          l + 1, spread[l]);
            check_spread_per_point(g->name, &m1, &ds, spread);
            /* the report's accuracy is what the renderer will show */
            CHECK(r1.accuracy == mlp_accuracy(&m1, ds.x, ds.label, ds.n));
        }
        mlp_free(&m1);
        mlp_free(&m2);
        dataset_free(&ds);
    }
}

typedef struct {
    int calls, last_step;
} Progress;

static void on_progress(void *user, int step, int steps, double loss, double accuracy)
{
    Progress *p = user;
    p->calls++;
    p->last_step = step;
    (void)steps;
    (void)loss;
    (void)accuracy;
}

/* mini-batches, SGD, early stop, progress */
static void test_options(void)
{
    Scene sc;
    fill_scene(&sc, &GALLERY[0]); /* moons */
    Dataset ds = {0};
    LwError err = {{0}};
    CHECK(dataset_make(&sc.data, &ds, &err) == LW_OK);

    /* mini-batches of 32 in a seeded shuffle: repeatable, and they learn */
    sc.train.batch = 32;
    sc.train.steps = 3000;
    Mlp a = {0}, b = {0};
    TrainReport ra, rb;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &a, NULL, NULL, &ra, &err) == LW_OK);
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &b, NULL, NULL, &rb, &err) == LW_OK);
    printf("  moons mini-batch 32: accuracy %.4f loss %.5f\n", ra.accuracy, ra.loss);
    CHECK(a.params && b.params && memcmp(a.params, b.params, a.n_params * sizeof(double)) == 0);
    CHECK(ra.accuracy >= 0.95);
    mlp_free(&b);
    /* another shuffle seed gives other weights */
    sc.train.seed = 2;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &b, NULL, NULL, &rb, &err) == LW_OK);
    CHECK(b.params && memcmp(a.params, b.params, a.n_params * sizeof(double)) != 0);
    mlp_free(&a);
    mlp_free(&b);

    /* SGD with momentum */
    sc.train.seed = 1;
    sc.train.batch = 0;
    sc.train.optimizer = OPT_SGD;
    sc.train.learning_rate = 0.1;
    sc.train.momentum = 0.9;
    sc.train.steps = 2000;
    sc.train.l2 = 1e-4;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &a, NULL, NULL, &ra, &err) == LW_OK);
    printf("  moons sgd+momentum: accuracy %.4f loss %.5f\n", ra.accuracy, ra.loss);
    CHECK(ra.accuracy >= 0.95);
    mlp_free(&a);

    /* early stop, checked every 50 steps; progress every 100 */
    fill_scene(&sc, &GALLERY[0]);
    sc.train.target_accuracy = 0.9;
    Progress p = {0};
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &a, on_progress, &p, &ra, &err) == LW_OK);
    printf("  moons early stop at 0.9: %d steps, accuracy %.4f\n", ra.steps, ra.accuracy);
    CHECK(ra.accuracy >= 0.9 && ra.steps < sc.train.steps && ra.steps % 50 == 0);
    CHECK(p.calls == ra.steps / 100 && (p.calls == 0 || p.last_step == p.calls * 100));
    mlp_free(&a);

    /* steps = 0: the network of the scene's own seed, untrained, with no
     * restart (nothing trained can be stuck) */
    fill_scene(&sc, &GALLERY[0]);
    sc.train.steps = 0;
    sc.train.seed = 2; /* whose start is not the best of six at 82 % */
    Mlp seed_net = {0};
    TrainConfig run;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &a, NULL, NULL, &ra, &err) == LW_OK);
    CHECK(train_start(&sc.net, &sc.train, 1, &ds, &seed_net, &run, &err) == LW_OK);
    printf("  moons steps=0: accuracy %.4f, kept run %d\n", ra.accuracy, ra.attempt);
    CHECK(ra.steps == 0 && ra.attempt <= 1);
    CHECK(a.params && seed_net.params && a.n_params == seed_net.n_params &&
          memcmp(a.params, seed_net.params, a.n_params * sizeof(double)) == 0);
    mlp_free(&a);
    mlp_free(&seed_net);

    /* divergence: plain SGD with a huge step */
    fill_scene(&sc, &GALLERY[0]);
    sc.train.optimizer = OPT_SGD;
    sc.train.learning_rate = 1e4;
    int ret = train_network(&sc.net, &sc.train, sc.path, &ds, &a, NULL, NULL, &ra, &err);
    printf("  divergent config: %s\n", err.msg);
    CHECK(ret == LW_EINPUT);
    CHECK(strstr(err.msg, "training diverged at step ") == err.msg);
    CHECK(strstr(err.msg, "learning_rate (now 10000)") != NULL);
    CHECK(a.params == NULL); /* freed on failure */
    dataset_free(&ds);
}

/* has_weights: from a file (widths checked) and from the scene (copied). */
static void test_fixed_weights(void)
{
    Scene sc;
    fill_scene(&sc, &GALLERY[5]); /* curves, 2-2 */
    Dataset ds = {0};
    LwError err = {{0}};
    CHECK(dataset_make(&sc.data, &ds, &err) == LW_OK);
    Mlp trained = {0}, m = {0};
    TrainReport r;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &trained, NULL, NULL, &r, &err) == LW_OK);

    char path[] = "/tmp/test_train_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(mlp_save(&trained, path, &err) == LW_OK);
    sc.net.has_weights = 1;
    snprintf(sc.net.weights_path, sizeof sc.net.weights_path, "%s", path);
    r.steps = 99;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &m, NULL, NULL, &r, &err) == LW_OK);
    CHECK(r.steps == 0);
    CHECK(m.params && memcmp(m.params, trained.params, m.n_params * sizeof(double)) == 0);
    mlp_free(&m);

    /* a file for another shape is refused, naming the file */
    sc.net.n_widths = 3;
    sc.net.widths[2] = 2;
    sc.net.act[1] = ACT_TANH;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &m, NULL, NULL, &r, &err) == LW_EINPUT);
    char want[1200];
    snprintf(want, sizeof want, "%s: widths 2,2 do not match the scene's widths 2,2,2", path);
    CHECK_STR(err.msg, want);
    CHECK(m.params == NULL);
    unlink(path);

    /* weights written in the scene, without a readout */
    double W[4] = {1, 0.5, -0.5, 1}, bias[2] = {0.1, -0.1};
    fill_scene(&sc, &GALLERY[5]);
    sc.net.has_weights = 1;
    sc.net.W[0] = W;
    sc.net.b[0] = bias;
    CHECK(train_network(&sc.net, &sc.train, sc.path, &ds, &m, NULL, NULL, &r, &err) == LW_OK);
    CHECK(m.n_out == 0 && m.has_readout == 0);
    CHECK(m.params && memcmp(m.W[0], W, sizeof W) == 0 && memcmp(m.b[0], bias, sizeof bias) == 0);
    double h[2 * LW_MAX_WIDTH], x[2] = {0.3, -0.2};
    mlp_forward_point(&m, x, h);
    CHECK_NEAR(h[LW_MAX_WIDTH], tanh(0.3 - 0.1 + 0.1), 1e-15);
    CHECK(mlp_classify_point(&m, x) == -1);
    mlp_free(&m);
    mlp_free(&trained);
    dataset_free(&ds);
}

/* A network for sc trained from scratch for `steps` steps with options. */
static int train_fresh(const Scene *sc, const Dataset *ds, int steps, const TrainOptions *opt,
                       Mlp *m, TrainReport *r, LwError *err)
{
    const NetSpec *net = &sc->net;
    TrainConfig cfg = sc->train;
    cfg.steps = steps;
    int ret = mlp_alloc(m, net->n_widths, net->widths, net->act, ds->classes, err);
    if (ret)
        return ret;
    mlp_init_random(m, cfg.seed);
    return train_run_with(m, ds, &cfg, opt, r, err);
}

#define MAX_SNAPS 16
typedef struct {
    int calls;
    int step[MAX_SNAPS];
    double *params[MAX_SNAPS];   /* copies, owned */
    int fail_at;                 /* > 0: fail at this step */
    long arm_at, arm_calls;      /* > 0: arm the GSL fault at step arm_at */
} Snaps;

static int on_checkpoint(void *user, int step, const Mlp *m, LwError *err)
{
    Snaps *s = user;
    if (s->arm_at > 0 && step == s->arm_at)
        gsl_fault_arm(s->arm_calls);
    if (s->fail_at > 0 && step == s->fail_at)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a snapshot");
    if (s->calls < MAX_SNAPS) {
        s->step[s->calls] = step;
        s->params[s->calls] = malloc(m->n_params * sizeof(double));
        memcpy(s->params[s->calls], m->params, m->n_params * sizeof(double));
    }
    s->calls++;
    return LW_OK;
}

static void snaps_free(Snaps *s)
{
    for (int i = 0; i < s->calls && i < MAX_SNAPS; i++)
        free(s->params[i]);
    memset(s, 0, sizeof *s);
}

/* Every snapshot equals the weights of a run stopped at its step. */
static void check_snaps(const Scene *sc, const Dataset *ds, const Snaps *snaps,
                        const char *what)
{
    for (int i = 0; i < snaps->calls && i < MAX_SNAPS; i++) {
        Mlp m = {0};
        LwError err = {{0}};
        int ret = train_fresh(sc, ds, snaps->step[i], NULL, &m, NULL, &err);
        CHECK_MSG(ret == LW_OK, "%s", err.msg);
        CHECK_MSG(ret == LW_OK && memcmp(m.params, snaps->params[i],
                                         m.n_params * sizeof(double)) == 0,
                  "%s: checkpoint at step %d differs from a run of %d steps", what,
                  snaps->step[i], snaps->step[i]);
        mlp_free(&m);
    }
}

static void test_checkpoints(void)
{
    Scene sc;
    fill_scene(&sc, &GALLERY[0]); /* moons */
    sc.train.target_accuracy = 0;
    Dataset ds = {0};
    LwError err = {{0}};
    CHECK(dataset_make(&sc.data, &ds, &err) == LW_OK);

    /* every 40 steps, and at 0 (the initial weights), 7, 123, 7 again and
     * 999 (never reached) */
    static const int AT[] = {123, 0, 7, 7, 999};
    Snaps snaps = {0};
    TrainOptions opt = {.checkpoint = on_checkpoint, .checkpoint_user = &snaps,
                        .checkpoint_every = 40, .checkpoint_steps = AT,
                        .n_checkpoint_steps = 5};
    Mlp a = {0}, b = {0};
    TrainReport ra, rb;
    CHECK(train_fresh(&sc, &ds, 130, &opt, &a, &ra, &err) == LW_OK);
    static const int WANT[] = {0, 7, 40, 80, 120, 123};
    int order = snaps.calls == 6;
    for (int i = 0; order && i < 6; i++)
        order = snaps.step[i] == WANT[i];
    CHECK_MSG(order, "checkpoints at %d steps, expected 0 7 40 80 120 123", snaps.calls);
    check_snaps(&sc, &ds, &snaps, "adam, full batch");
    printf("  checkpoints (adam, full batch): %d calls, each equal to a run stopped there\n",
           snaps.calls);
    /* checkpoints change nothing: the same weights and report as train_run */
    CHECK(train_fresh(&sc, &ds, 130, NULL, &b, &rb, &err) == LW_OK);
    CHECK(memcmp(a.params, b.params, a.n_params * sizeof(double)) == 0);
    CHECK(ra.loss == rb.loss && ra.steps == rb.steps);
    mlp_free(&a);
    mlp_free(&b);
    snaps_free(&snaps);

    /* mini-batches and SGD: the shuffle state is part of a step too */
    sc.train.batch = 32;
    sc.train.optimizer = OPT_SGD;
    sc.train.learning_rate = 0.1;
    sc.train.momentum = 0.9;
    static const int AT2[] = {5, 60};
    opt = (TrainOptions){.checkpoint = on_checkpoint, .checkpoint_user = &snaps,
                         .checkpoint_steps = AT2, .n_checkpoint_steps = 2};
    CHECK(train_fresh(&sc, &ds, 80, &opt, &a, &ra, &err) == LW_OK);
    CHECK(snaps.calls == 2 && snaps.step[0] == 5 && snaps.step[1] == 60);
    check_snaps(&sc, &ds, &snaps, "sgd, mini-batch");
    mlp_free(&a);
    snaps_free(&snaps);

    /* a NULL callback is never called, whatever the steps say */
    opt.checkpoint = NULL;
    opt.checkpoint_every = 1;
    CHECK(train_fresh(&sc, &ds, 20, &opt, &a, &ra, &err) == LW_OK);
    CHECK(snaps.calls == 0);
    mlp_free(&a);

    /* early stop: the last checkpoint is the step training stopped at */
    fill_scene(&sc, &GALLERY[0]);
    sc.train.target_accuracy = 0.9;
    opt = (TrainOptions){.checkpoint = on_checkpoint, .checkpoint_user = &snaps,
                         .checkpoint_every = 10};
    CHECK(train_fresh(&sc, &ds, 2000, &opt, &a, &ra, &err) == LW_OK);
    CHECK(ra.steps < 2000 && snaps.calls == ra.steps / 10);
    CHECK(snaps.calls <= MAX_SNAPS &&
          memcmp(snaps.params[snaps.calls - 1], a.params, a.n_params * sizeof(double)) == 0);
    mlp_free(&a);
    snaps_free(&snaps);

    /* a failing checkpoint ends training with its own code and message */
    snaps.fail_at = 7;
    opt = (TrainOptions){.checkpoint = on_checkpoint, .checkpoint_user = &snaps,
                         .checkpoint_every = 1};
    CHECK(train_fresh(&sc, &ds, 100, &opt, &a, &ra, &err) == LW_ERUNTIME);
    CHECK_STR(err.msg, "training step 7: out of memory for a snapshot");
    CHECK(snaps.calls == 6);
    mlp_free(&a);
    snaps_free(&snaps);
    dataset_free(&ds);
}

/* Failures of the machinery are said as themselves, never as divergence. */
static void test_failures(void)
{
    Scene sc;
    fill_scene(&sc, &GALLERY[0]); /* moons: widths 2,2,2,2 */
    sc.train.target_accuracy = 0;
    Dataset ds = {0};
    LwError err = {{0}};
    CHECK(dataset_make(&sc.data, &ds, &err) == LW_OK);

    /* one step's dgemm calls here: forward 3 layers + readout, backward
     * readout (dWout, dtop), layers 3 and 2 (dW, dH), layer 1 (dW) */
    static const struct {
        long call;
        const char *msg;
    } CASES[] = {
        {1, "training step 12: GSL error: matrix/vector sizes are not conformant "
            "(layer 1 forward)"},
        {4, "training step 12: readout: GSL error: matrix/vector sizes are not "
            "conformant (layer 1 forward)"},
        {7, "training step 12: GSL error: matrix/vector sizes are not conformant "
            "(layer 3 backward)"},
        {11, "training step 12: GSL error: matrix/vector sizes are not conformant "
             "(layer 1 backward)"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        Snaps snaps = {.arm_at = 11, .arm_calls = CASES[i].call};
        TrainOptions opt = {.checkpoint = on_checkpoint, .checkpoint_user = &snaps,
                            .checkpoint_steps = (const int[]){11}, .n_checkpoint_steps = 1};
        Mlp m = {0};
        int ret = train_fresh(&sc, &ds, 100, &opt, &m, NULL, &err);
        if (i == 0)
            printf("  injected GSL failure: %s\n", err.msg);
        CHECK(ret == LW_ERUNTIME);
        CHECK_STR(err.msg, CASES[i].msg);
        CHECK(strstr(err.msg, "diverged") == NULL);
        CHECK(gsl_fault_countdown_ == 0);
        mlp_free(&m);
        snaps_free(&snaps);
    }
    /* in the final full-data loss */
    Snaps snaps = {.arm_at = 20, .arm_calls = 1};
    TrainOptions opt = {.checkpoint = on_checkpoint, .checkpoint_user = &snaps,
                        .checkpoint_every = 20};
    Mlp m = {0};
    CHECK(train_fresh(&sc, &ds, 20, &opt, &m, NULL, &err) == LW_ERUNTIME);
    CHECK_STR(err.msg, "final loss after training: GSL error: matrix/vector sizes are not "
                       "conformant (layer 1 forward)");
    snaps_free(&snaps);

    /* the public passes keep their contract: NaN from mlp_loss_grad_work, the
     * reason from mlp_loss_grad_checked */
    MlpWork w = {0};
    double *grad = calloc(m.n_params, sizeof *grad), loss = 0;
    CHECK(mlp_work_alloc(&w, &m, 10, &err) == LW_OK);
    gsl_fault_arm(2);
    CHECK(isnan(mlp_loss_grad_work(&m, &w, ds.x, ds.label, 10, 0.0, grad)));
    gsl_fault_arm(5);
    CHECK(mlp_loss_grad_checked(&m, &w, ds.x, ds.label, 10, 0.0, grad, &loss, &err) ==
          LW_ERUNTIME);
    CHECK_STR(err.msg, "readout: GSL error: matrix/vector sizes are not conformant "
                       "(layer 1 backward)");
    CHECK(mlp_loss_grad_checked(&m, &w, ds.x, ds.label, 11, 0.0, grad, &loss, &err) ==
          LW_EINPUT);
    CHECK(mlp_loss_grad_checked(&m, &w, ds.x, ds.label, 10, 0.0, grad, &loss, &err) == LW_OK);
    CHECK(loss == mlp_loss_grad(&m, ds.x, ds.label, 10, 0.0, NULL));
    mlp_work_free(&w);
    free(grad);

    /* no points: an input error, not a divergence at step 1 */
    Dataset empty = ds;
    empty.n = 0;
    CHECK(train_run(&m, &empty, &sc.train, NULL, NULL, NULL, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "no data points to train on");
    mlp_free(&m);
    dataset_free(&ds);
}

/* scenes/<name>.scene, parsed, asks for exactly what GALLERY trains
 * (run from the repository root, as `make test` does). */
static void test_scene_files(void)
{
    for (size_t i = 0; i < sizeof GALLERY / sizeof GALLERY[0]; i++) {
        const GalleryScene *g = &GALLERY[i];
        Scene want, got;
        fill_scene(&want, g);
        memset(&got, 0, sizeof got);
        LwError err = {{0}};
        int ret = scene_load_file(want.path, &got, &err);
        CHECK_MSG(ret == LW_OK, "%s", err.msg);
        if (ret != LW_OK)
            continue;
        const DatasetSpec *a = &got.data, *b = &want.data;
        CHECK_MSG(a->kind == b->kind && a->n_points == b->n_points && a->noise == b->noise &&
                      a->seed == b->seed,
                  "%s: [dataset] differs from GALLERY", want.path);
        if (g->kind == DATA_SPIRAL || g->kind == DATA_GAUSSIANS)
            CHECK_MSG(a->classes == b->classes, "%s: classes", want.path);
        if (g->kind == DATA_SPIRAL)
            CHECK_MSG(a->turns == b->turns, "%s: turns", want.path);
        if (g->kind == DATA_CIRCLES)
            CHECK_MSG(a->factor == b->factor, "%s: factor", want.path);
        int same = got.net.n_widths == want.net.n_widths && !got.net.has_weights;
        for (int l = 0; same && l < want.net.n_widths; l++)
            same = got.net.widths[l] == want.net.widths[l] &&
                   (l + 1 == want.net.n_widths || got.net.act[l] == want.net.act[l]);
        CHECK_MSG(same, "%s: [network] differs from GALLERY", want.path);
        const TrainConfig *c = &got.train, *d = &want.train;
        CHECK_MSG(c->optimizer == d->optimizer && c->learning_rate == d->learning_rate &&
                      c->steps == d->steps && c->batch == d->batch && c->l2 == d->l2 &&
                      c->target_accuracy == d->target_accuracy && c->seed == d->seed &&
                      c->readable == d->readable,
                  "%s: [train] differs from GALLERY", want.path);
        scene_free(&got);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    test_scene_files();
    test_gallery();
    test_options();
    test_fixed_weights();
    test_checkpoints();
    test_failures();
    return check_done("test_train");
}
