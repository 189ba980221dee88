/* test_teach.c — pictures that teach: every five-line scene (a dataset kind,
 * widths and an activation; nothing else set) trains with the scene format's
 * defaults to >= 95 % accuracy with every layer spread >= 0.1 (readable.h),
 * so its animation shows the data being pulled apart rather than squashed
 * into a sliver.  Built from scene text with scene_load_string; "run k" is
 * the run train_network kept (restarts, train.c).
 *
 * No cell of this matrix is out of reach.  What is (topology, not training)
 * lives in scenes/olah as lessons: a disk inside a ring through 2-wide
 * layers (annulus-2: an invertible warp of the plane cannot take the disk
 * out of the ring) and linked rings through 3-wide layers (rings-linked);
 * the matrix sends circles only through a 3-wide layer for that reason. */
#include "check.h"
#include "readable.h"
#include "scene.h"
#include "train.h"


#include <gsl/gsl_errno.h>

#define MIN_ACCURACY 0.95
#define MIN_SPREAD 0.1

typedef struct {
    const char *dataset; /* the [dataset] lines */
    const char *widths;
} Cell;

static const Cell CELLS[] = {
    {"kind = moons", "2,2,2"},
    {"kind = moons", "2,3,2"},
    {"kind = circles", "2,3,2"},
    {"kind = xor", "2,2,2"},
    {"kind = xor", "2,3,2"},
    {"kind = gaussians\nclasses = 3", "2,2,2"},
    {"kind = gaussians\nclasses = 3", "2,3,2"},
    {"kind = gaussians\nclasses = 4", "2,2,2"},
    {"kind = gaussians\nclasses = 4", "2,3,2"},
    {"kind = spiral", "2,3,3,2"},
    {"kind = curves", "2,2"},
};

static const char *const ACTS[] = {"tanh", "sigmoid", "relu", "leaky_relu", "softplus"};

int main(void)
{
    gsl_set_error_handler_off();
    for (size_t c = 0; c < sizeof CELLS / sizeof CELLS[0]; c++)
        for (size_t a = 0; a < sizeof ACTS / sizeof ACTS[0]; a++) {
            char text[512];
            snprintf(text, sizeof text,
                     "[dataset]\n%s\n[network]\nwidths = %s\nactivation = %s\n",
                     CELLS[c].dataset, CELLS[c].widths, ACTS[a]);
            Scene sc;
            LwError err = {{0}};
            Dataset ds = {0};
            Mlp m = {0};
            TrainReport rep;
            int ret = scene_load_string("teach.scene", text, strlen(text), &sc, &err);
            if (!ret) ret = dataset_make(&sc.data, &ds, &err);
            if (!ret) ret = train_network(&sc.net, &sc.train, sc.path, &ds, &m, NULL, NULL, &rep, &err);
            double spread[LW_MAX_LAYERS], mins = 1;
            if (!ret) ret = train_spread(&m, &ds, spread, &err);
            CHECK_MSG(ret == LW_OK, "%s", err.msg);
            if (!ret) {
                char name[64];
                snprintf(name, sizeof name, "%s %s", CELLS[c].dataset + 7, CELLS[c].widths);
                for (char *p = name; *p; p++) if (*p == '\n') *p = ' ';
                printf("  %-30s %-10s acc %.4f spread", name, ACTS[a], rep.accuracy);
                for (int l = 0; l < m.n_layers; l++) {
                    printf(" %.3f", spread[l]);
                    if (spread[l] < mins) mins = spread[l];
                }
                printf("  run %d\n", rep.attempt);
                CHECK_MSG(rep.accuracy >= MIN_ACCURACY, "%s %s: accuracy %.4f < %.2f", name,
                          ACTS[a], rep.accuracy, MIN_ACCURACY);
                CHECK_MSG(mins >= MIN_SPREAD, "%s %s: a layer's spread %.3f < %.2f", name,
                          ACTS[a], mins, MIN_SPREAD);
            }
            mlp_free(&m);
            dataset_free(&ds);
            scene_free(&sc);
        }
    return check_done("test_teach");
}
