/* test_geom_memory.c — the geometry's state caches follow the network:
 *  - counted, not timed: the bytes each cache holds (geom_states_bytes)
 *    are the things it holds times the widths of the layers they pass
 *    through, stage by stage, times sizeof(double), from the network's
 *    widths alone (stage 3 l starts in layer l's input, 3 l + 1 and
 *    3 l + 2 in its output); the area mesh's states and Jacobians per
 *    layer, at its input width (a Jacobian two columns of it);
 *  - so a 2-wide network's caches hold 1/8 of what LW_MAX_WIDTH padding
 *    would, and a 2-16-2 one pays 16 only in the stages that are 16 wide;
 *  - what comes back is what went in: every point's and grid sample's
 *    state, padded again with zeros (whatever the buffer held), is its
 *    input pushed through the stages before (stage_start_state), bit for
 *    bit; a fixed point stays where it was put, also in a 1-D network;
 *  - a point mid-stage, blended to the stage's end read from the next
 *    stage's cached start (a bias, an activation, a straight linear
 *    motion), is bit for bit stage_eval's from its start;
 *  - `info` and `dump` build the renderer with RENDER_PLANS: no state at
 *    all, however many grid samples the scene asks for. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geom.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

typedef struct {
    double W[LW_MAX_LAYERS][WD * WD], b[LW_MAX_LAYERS][WD];
    LayerStack stack;
} Net;

/* Weights from a fixed LCG in [-1, 1]: no training, the same everywhere. */
static void make_net(Net *n, const int *widths, int n_layers)
{
    unsigned seed = 12345;
    memset(n, 0, sizeof *n);
    n->stack.n_layers = n_layers;
    for (int l = 0; l <= n_layers; l++) n->stack.widths[l] = widths[l];
    for (int l = 0; l < n_layers; l++) {
        for (int k = 0; k < widths[l] * widths[l + 1] + widths[l + 1]; k++) {
            seed = seed * 1664525u + 1013904223u;
            double v = 2.0 * ((seed >> 8) / 16777216.0) - 1.0;
            if (k < widths[l] * widths[l + 1]) n->W[l][k] = v;
            else n->b[l][k - widths[l] * widths[l + 1]] = 0.3 * v;
        }
        n->stack.W[l] = n->W[l];
        n->stack.b[l] = n->b[l];
        n->stack.act[l] = ACT_TANH;
    }
}

/* Doubles one thing keeps over all stages: the sum of the stages' start widths. */
static size_t stage_doubles(const int *widths, int n_layers)
{
    size_t d = 0;
    for (int l = 0; l < n_layers; l++) d += widths[l] + 2 * (size_t)widths[l + 1];
    return d;
}

/* Doubles one thing keeps at the start of every layer. */
static size_t layer_doubles(const int *widths, int n_layers)
{
    size_t d = 0;
    for (int l = 0; l < n_layers; l++) d += widths[l];
    return d;
}

#define N_POINTS 60
#define N_FIXED 7
#define AREA_CELLS 5
#define SHADE_CELLS 4

/* A segment over the network: N_POINTS moving points in the input space,
 * N_FIXED fixed ones, the grid and outline, class shading, and the area
 * mesh for a 2-D input. */
static double check_network(const char *name, const int *widths, int n_layers)
{
    Net n;
    make_net(&n, widths, n_layers);
    int dim = widths[0];
    Show show = {0};
    Segment *seg;
    LwError err;
    CHECK(show_add_segment(&show, &seg, &err) == LW_OK);
    CHECK(segment_set_layers(seg, &n.stack, &err) == LW_OK);
    double x[N_POINTS * 3], fx[N_FIXED * 3];
    int label[N_POINTS] = {0};
    for (int i = 0; i < N_POINTS * 3; i++) x[i] = sin(1.7 * i) * 1.2;
    for (int i = 0; i < N_FIXED * 3; i++) fx[i] = cos(0.9 * i) + 0.25;
    CHECK(segment_add_points(seg, x, label, N_POINTS, dim, NULL, 0, 0, 0, &err) == LW_OK);
    CHECK(segment_add_points(seg, fx, label, N_FIXED, 3, NULL, 0, 0, 1, &err) == LW_OK);
    const double reg[6] = {-1.5, 1.0, -0.5, 1.5, -1, 1};
    memcpy(seg->region, reg, sizeof reg);
    if (dim == 2) {
        seg->shade_class = calloc(SHADE_CELLS * SHADE_CELLS, sizeof(int));
        seg->shade_cells = SHADE_CELLS;
    }
    StagePlan plan;
    CHECK(stage_plan_make(&seg->net, INTERP_POLAR, REFLECT_AUTO, &plan, &err) == LW_OK);
    GeomConfig cfg = {.grid_lines = 5, .grid_samples = 9, .show_grid = 1, .show_domain = 1,
                      .wide_view = WIDE_PCA, .area_cells = AREA_CELLS};
    Geometry g;
    CHECK_MSG(geom_build(&g, seg, &plan, &cfg, &err) == LW_OK, "%s", err.msg);

    /* the counts */
    size_t per = stage_doubles(widths, n_layers) * sizeof(double);
    size_t padded = (size_t)plan.n_stages * WD * sizeof(double);
    int np = N_POINTS + N_FIXED;
    CHECK(g.n_points == np && g.n_samples > 0);
    CHECK_MSG(geom_states_bytes(&g.point_state) == np * per, "%s: points %zu bytes, expected %zu",
              name, geom_states_bytes(&g.point_state), np * per);
    CHECK_MSG(geom_states_bytes(&g.sample_state) == g.n_samples * per,
              "%s: samples %zu bytes, expected %zu", name, geom_states_bytes(&g.sample_state),
              g.n_samples * per);
    size_t total = (size_t)(np + g.n_samples) * per;
    if (dim == 2) {
        int nc = (SHADE_CELLS + 1) * (SHADE_CELLS + 1);
        CHECK(geom_states_bytes(&g.shade_state) == nc * per);
        size_t lay = layer_doubles(widths, n_layers) * sizeof(double);
        int corners = (AREA_CELLS + 1) * (AREA_CELLS + 1), cells = AREA_CELLS * AREA_CELLS;
        CHECK(geom_states_bytes(&g.area_corner_state) == corners * lay);
        CHECK(geom_states_bytes(&g.area_centre_state) == cells * lay);
        CHECK(geom_states_bytes(&g.area_centre_jac) == 2 * cells * lay);
        total += nc * per + (size_t)(corners + 3 * cells) * lay;
    } else {
        CHECK(geom_states_bytes(&g.shade_state) == 0 && geom_states_bytes(&g.area_centre_jac) == 0);
    }
    CHECK_MSG(geom_state_bytes(&g) == total, "%s: %zu bytes of state, expected %zu", name,
              geom_state_bytes(&g), total);
    printf("  %s: %zu bytes of state per point over %d stages (%zu padded to %d), %zu in all\n",
           name, per, plan.n_stages, padded, WD, geom_state_bytes(&g));

    /* a point mid-stage: where the stage blends to its end (geom_point_display
     * reads the end from the next stage's cached start), the very doubles of
     * stage_eval from the start, the naive way */
    int blends = 0, differ = 0;
    for (int s = 0; s < plan.n_stages; s++) {
        blends += stage_is_blend(&plan, s);
        for (int k = 0; k < 3; k++) {
            double t = (double[]){0.3, 0.5, 0.85}[k];
            for (int i = 0; i < N_POINTS; i++) {
                double start[WD], st[WD], want[3], got[3];
                stage_eval(&plan, s, t, geom_states_get(&g.point_state, s, i, start), st);
                geom_to_display(&g, s, t, 0.0, st, want);
                geom_point_display(&g, s, t, 0.0, i, got);
                differ |= memcmp(want, got, sizeof want) != 0;
            }
        }
    }
    CHECK_MSG(!differ, "%s: a point blended from the cached end differs from stage_eval's", name);
    CHECK_MSG(blends >= 2 * n_layers, "%s: %d of %d stages blend", name, blends, plan.n_stages);

    /* what comes back is what went in */
    int worst = 0;
    for (int s = 0; s < plan.n_stages; s++) {
        for (int i = 0; i < N_POINTS; i++) {
            double want[WD], got[WD];
            for (int a = 0; a < WD; a++) got[a] = 1e300; /* whatever the buffer held */
            stage_start_state(&plan, s, x + (size_t)dim * i, want);
            geom_states_get(&g.point_state, s, i, got);
            worst |= memcmp(want, got, sizeof want) != 0;
        }
        for (int j = 0; j < g.n_samples; j++) {
            double want[WD], got[WD];
            for (int a = 0; a < WD; a++) got[a] = -7.0;
            stage_start_state(&plan, s, g.lines.p.x + 3 * (size_t)j, want);
            geom_states_get(&g.sample_state, s, j, got);
            worst |= memcmp(want, got, sizeof want) != 0;
        }
        for (int i = 0; i < N_FIXED; i++) {
            double d[3];
            geom_point_display(&g, s, 0.5, 0.0, N_POINTS + i, d);
            worst |= memcmp(d, fx + 3 * i, sizeof d) != 0;
        }
    }
    CHECK_MSG(!worst, "%s: a cached state differs from the input pushed through the stages",
              name);
    double share = (double)geom_states_bytes(&g.point_state) / ((double)np * padded);
    geom_free(&g);
    show_free(&show);
    return share; /* of what LW_MAX_WIDTH padding would hold */
}

/* The renderer of a scene with the largest grid in each mode: the bytes of
 * state its segments hold (or -1 when it was refused, and why in err). */
static double renderer_state_bytes(RenderMode mode, LwError *err)
{
    static const char *text =
        "[dataset]\nkind = moons\npoints = 50\nseed = 7\n"
        "[network]\nwidths = 2,2,2\nactivation = tanh\n"
        "[weights]\nW1 = 5.0 1.09 | -0.686 0.623\nb1 = -0.084, 0.041\n"
        "W2 = 1.54 2.97 | 4.43 7.71\nb2 = -0.067 -0.188\nWout = -1.95 -8.46\nbout = 0.018\n"
        "[render]\nwidth = 320\nheight = 180\ngrid_lines = 201\ngrid_samples = 1000\n";
    Scene sc;
    SceneModel m = {0};
    Renderer r;
    double bytes = -1;
    if (scene_load_string("t.scene", text, strlen(text), &sc, err) != LW_OK) return -1;
    if (scene_build(&sc, &m, NULL, NULL, err) == LW_OK &&
        renderer_create(&m.show, &sc.render, mode, &r, err) == LW_OK) {
        bytes = 0;
        for (int k = 0; k < r.n_segments; k++) bytes += geom_state_bytes(&r.segs[k].geom);
        renderer_free(&r);
    }
    scene_model_free(&m);
    scene_free(&sc);
    return bytes;
}

static void check_plans_only(void)
{
    LwError err = {""};
    double plans = renderer_state_bytes(RENDER_PLANS, &err);
    CHECK_MSG(plans == 0, "RENDER_PLANS holds %g bytes of state (%s)", plans, err.msg);
    /* 201 x 2 lines of 1000 samples, 9 stages of 2-wide states: 58 MB, built */
    double built = renderer_state_bytes(RENDER_ON_REQUEST, &err);
    CHECK_MSG(built > 5.7e7 && built < 6e7, "RENDER_ON_REQUEST holds %g bytes (%s)", built,
              err.msg);
    printf("  the largest grid: no state for info, %.0f MB for a frame\n", built / 1e6);
}

int main(void)
{
    static const int w2222[] = {2, 2, 2, 2}, w2162[] = {2, 16, 2}, w21616[] = {2, 16, 16},
                     w121[] = {1, 2, 1}, w353[] = {3, 5, 3};
    double narrow = check_network("2-2-2-2", w2222, 3);
    double mixed = check_network("2-16-2", w2162, 2);
    check_network("2-16-16", w21616, 2);
    check_network("1-2-1", w121, 2);
    check_network("3-5-3", w353, 2);
    /* the 2-wide network pays for 2, not for 16; 2-16-2 for 2 + 16 + 16, 16 + 2 + 2 */
    CHECK_MSG(narrow == 2.0 / WD, "2-2-2-2 keeps %g of the padded size", narrow);
    CHECK_MSG(mixed == 54.0 / (6 * WD), "2-16-2 keeps %g of the padded size", mixed);
    check_plans_only();
    return check_done("test_geom_memory");
}
