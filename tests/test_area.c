/* test_area.c — shading by the change of area (shade = area):
 *  - the Jacobian of the map so far that area.c pushes through the stages
 *    equals central finite differences of the forward map itself
 *    (stage_eval from stage_start_state) at the same stage and t, entry by
 *    entry, and so does its log area element, to 1e-6: tanh, sigmoid, relu
 *    and softplus stacks, a 3-unit hidden layer (the area of the sheet in
 *    3-D), a 5-unit one (the straight blend), a page turn (det W < 0 with
 *    reflection = turn: a fourth axis), the readout's sigmoid and softmax,
 *    and activations split into their element-wise steps, at the starts,
 *    middles and ends of stages and steps;
 *  - a W stage scales every area alike, by |det W| at its end, and an
 *    activation by the product of the slopes (independent formulas);
 *  - the geometry's mesh: each cell's value in a frame is the log area
 *    element at its centre, and its corners are where the forward map puts
 *    them, on screen; a sigmoid's reciprocal step folds the plane along the
 *    axes, and the cells' signs of det J say so quadrant by quadrant;
 *  - the scene: off by default (no mesh, no key), `shade = area` builds the
 *    mesh and its key, `show_shade = yes` is still shade = class, and bad
 *    values get their one-line errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "area.h"
#include "check.h"
#include "draw.h"
#include "geom.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH
#define FD_STEP 1e-6
#define TOL 1e-6

/* ---- networks ----------------------------------------------------------------- */

/* Weights from a fixed sequence in [-1.4, 1.4] (an LCG: the same on every
 * machine), so the test does not depend on training. */
static double next_weight(unsigned *state)
{
    *state = *state * 1664525u + 1013904223u;
    return 2.8 * ((*state >> 8) / 16777216.0) - 1.4;
}

typedef struct {
    double W[LW_MAX_LAYERS][WD * WD], b[LW_MAX_LAYERS][WD];
    LayerStack stack;
} Net;

static void make_net(Net *n, const int *widths, int n_layers, Activation act, unsigned seed)
{
    memset(n, 0, sizeof *n);
    n->stack.n_layers = n_layers;
    for (int l = 0; l <= n_layers; l++) n->stack.widths[l] = widths[l];
    for (int l = 0; l < n_layers; l++) {
        for (int k = 0; k < widths[l] * widths[l + 1]; k++) n->W[l][k] = next_weight(&seed);
        for (int k = 0; k < widths[l + 1]; k++) n->b[l][k] = 0.5 * next_weight(&seed);
        n->stack.W[l] = n->W[l];
        n->stack.b[l] = n->b[l];
        n->stack.act[l] = act;
    }
}

/* ---- the map so far, by differences and by the chain rule --------------------------- */

static void forward(const StagePlan *plan, int s, double t, const double x[2], double *out)
{
    double start[WD];
    stage_start_state(plan, s, x, start);
    stage_eval(plan, s, t, start, out);
}

static void fd_jacobian(const StagePlan *plan, int s, double t, const double x[2], AreaJacobian J)
{
    memset(J, 0, sizeof(AreaJacobian));
    for (int c = 0; c < 2; c++) {
        double xp[2] = {x[0], x[1]}, xm[2] = {x[0], x[1]}, fp[WD], fm[WD];
        xp[c] += FD_STEP;
        xm[c] -= FD_STEP;
        forward(plan, s, t, xp, fp);
        forward(plan, s, t, xm, fm);
        for (int i = 0; i < WD; i++) J[i][c] = (fp[i] - fm[i]) / (2 * FD_STEP);
    }
}

static void chain_jacobian(const StagePlan *plan, int s, double t, const double x[2],
                           AreaJacobian J)
{
    double st[WD] = {x[0], x[1]};
    area_identity(J);
    for (int k = 0; k < s; k++) {
        area_push(plan, k, 1.0, st, J, J);
        stage_end(plan, k, st, st);
    }
    area_push(plan, s, t, st, J, J);
}

/* A point is fit for differences when no pre-activation it passes lies
 * within 1e-3 of a kink (relu's 0) for the step to straddle. */
static int clear_of_kinks(const StagePlan *plan, const double x[2])
{
    double st[WD] = {x[0], x[1]};
    for (int s = 0; s < plan->n_stages; s++) {
        const Stage *sg = &plan->stages[s];
        Activation a = plan->act[sg->layer];
        if (sg->kind == STAGE_ACTIVATION && (a == ACT_RELU || a == ACT_LEAKY_RELU))
            for (int i = 0; i < sg->dim_out; i++)
                if (fabs(st[i]) < 1e-3) return 0;
        stage_end(plan, s, st, st);
    }
    return 1;
}

typedef struct {
    int compared, skipped;
    double worst_entry, worst_log;
} Tally;

/* Every stage of the plan at the given times, at a 3 x 3 lattice of
 * points: the chain rule's J against the differences', entry by entry
 * (relative to J's size), and the log area elements. */
static void compare_plan(const char *name, const StagePlan *plan, const double *times, int n_t,
                         Tally *all)
{
    Tally tl = {0, 0, 0, 0};
    for (int s = 0; s < plan->n_stages; s++)
        for (int k = 0; k < n_t; k++)
            for (int p = 0; p < 9; p++) {
                double x[2] = {-1.1 + 1.1 * (p % 3) + 0.013 * p, -1.1 + 1.1 * (p / 3) - 0.007 * p};
                if (!clear_of_kinks(plan, x)) {
                    tl.skipped++;
                    continue;
                }
                AreaJacobian Ja, Jf;
                chain_jacobian(plan, s, times[k], x, Ja);
                fd_jacobian(plan, s, times[k], x, Jf);
                double size = 0, err = 0;
                for (int i = 0; i < WD; i++)
                    for (int c = 0; c < 2; c++) {
                        size = fmax(size, fabs(Ja[i][c]));
                        err = fmax(err, fabs(Ja[i][c] - Jf[i][c]));
                    }
                err /= fmax(1.0, size);
                int rows = area_rows(plan, s), sa, sf;
                double la = area_log_element(Ja, rows, &sa), lf = area_log_element(Jf, rows, &sf);
                double lerr = fabs(la - lf);
                /* where the sheet is nearly crushed the differences' own
                 * rounding dominates a log: judge those by J's entries */
                int judged = exp(la) > 1e-4 * size * size;
                CHECK_MSG(err <= TOL, "%s: stage %d t=%g x=(%g, %g): |J - J_fd| = %.3g", name, s,
                          times[k], x[0], x[1], err);
                CHECK_MSG(!judged || lerr <= TOL, "%s: stage %d t=%g x=(%g, %g): log area %.12g, "
                          "by differences %.12g", name, s, times[k], x[0], x[1], la, lf);
                CHECK_MSG(!judged || rows != 2 || sa == sf, "%s: stage %d t=%g: det's sign %d, "
                          "by differences %d", name, s, times[k], sa, sf);
                /* area_log_at is the same chain */
                CHECK(area_log_at(plan, s, times[k], x, NULL) == la ||
                      (isinf(la) && isinf(area_log_at(plan, s, times[k], x, NULL))));
                tl.compared++;
                tl.worst_entry = fmax(tl.worst_entry, err);
                if (judged) tl.worst_log = fmax(tl.worst_log, lerr);
            }
    printf("  %-34s %4d moments, worst |J - J_fd| %.1e, worst log area %.1e\n", name,
           tl.compared, tl.worst_entry, tl.worst_log);
    CHECK_MSG(tl.compared > 8 * tl.skipped, "%s: %d points skipped near kinks of %d", name,
              tl.skipped, tl.compared + tl.skipped);
    all->compared += tl.compared;
    all->skipped += tl.skipped;
}

static const double TIMES[] = {0.0, 0.2, 0.5, 0.77, 1.0};
#define N_TIMES 5

static void plan_and_compare(const char *name, const int *widths, int n_layers, Activation act,
                             unsigned seed, Interpolation interp, Reflection refl, int steps,
                             int n_scores, Tally *all)
{
    Net n;
    make_net(&n, widths, n_layers, act, seed);
    StagePlan plan;
    LwError err;
    CHECK_MSG(stage_plan_make(&n.stack, interp, refl, &plan, &err) == LW_OK, "%s", err.msg);
    if (n_scores) {
        double W[LW_MAX_CLASSES * WD], b[LW_MAX_CLASSES];
        unsigned s2 = seed + 99;
        for (int k = 0; k < n_scores * widths[n_layers]; k++) W[k] = next_weight(&s2);
        for (int k = 0; k < n_scores; k++) b[k] = next_weight(&s2);
        CHECK(stage_plan_set_scores(&plan, W, b, n_scores, 1, &err) == LW_OK && plan.readout);
    }
    if (steps) stage_plan_split_activations(&plan);
    compare_plan(name, &plan, TIMES, N_TIMES, all);
}

static void test_against_differences(void)
{
    printf("the chain rule against central differences (step %g):\n", FD_STEP);
    Tally all = {0, 0, 0, 0};
    static const int w222[] = {2, 2, 2, 2}, w232[] = {2, 3, 2}, w252[] = {2, 5, 2};
    plan_and_compare("tanh 2-2-2-2, polar", w222, 3, ACT_TANH, 3, INTERP_POLAR, REFLECT_AUTO, 0,
                     0, &all);
    plan_and_compare("sigmoid 2-2-2-2, straight", w222, 3, ACT_SIGMOID, 5, INTERP_STRAIGHT,
                     REFLECT_AUTO, 0, 0, &all);
    plan_and_compare("relu 2-2-2-2, polar", w222, 3, ACT_RELU, 7, INTERP_POLAR, REFLECT_AUTO, 0,
                     0, &all);
    plan_and_compare("softplus 2-2-2-2, polar", w222, 3, ACT_SOFTPLUS, 8, INTERP_POLAR,
                     REFLECT_AUTO, 0, 0, &all);
    plan_and_compare("tanh 2-3-2 (a sheet in 3-D)", w232, 2, ACT_TANH, 11, INTERP_POLAR,
                     REFLECT_AUTO, 0, 0, &all);
    plan_and_compare("tanh 2-5-2 (straight blend)", w252, 2, ACT_TANH, 13, INTERP_POLAR,
                     REFLECT_AUTO, 0, 0, &all);
    plan_and_compare("tanh 2-2-2-2, page turns", w222, 3, ACT_TANH, 3, INTERP_POLAR, REFLECT_TURN,
                     0, 0, &all);
    plan_and_compare("tanh 2-2-2 + sigmoid readout", w222, 2, ACT_TANH, 17, INTERP_POLAR,
                     REFLECT_AUTO, 0, 1, &all);
    plan_and_compare("tanh 2-3-3 + softmax readout", w232, 1, ACT_TANH, 19, INTERP_POLAR,
                     REFLECT_AUTO, 0, 3, &all);
    plan_and_compare("tanh 2-2-2-2 in steps (hadamard)", w222, 3, ACT_TANH, 3, INTERP_POLAR,
                     REFLECT_AUTO, 1, 0, &all);
    plan_and_compare("sigmoid 2-3-2 in steps (hadamard)", w232, 2, ACT_SIGMOID, 23,
                     INTERP_POLAR, REFLECT_AUTO, 1, 0, &all);
    plan_and_compare("softplus 2-2-2 in steps (hadamard)", w222, 2, ACT_SOFTPLUS, 29,
                     INTERP_POLAR, REFLECT_AUTO, 1, 1, &all);
    /* the page turn must have been played for that case to mean anything */
    Net n;
    make_net(&n, w222, 3, ACT_TANH, 3);
    StagePlan plan;
    LwError err;
    stage_plan_make(&n.stack, INTERP_POLAR, REFLECT_TURN, &plan, &err);
    int turns = 0;
    for (int l = 0; l < plan.n_layers; l++) turns += plan.motion[l].flip;
    CHECK_MSG(turns > 0, "no layer of the page-turn case has det W < 0");
    printf("  %d moments compared, %d skipped beside a relu kink\n", all.compared, all.skipped);
}

/* Independent formulas: W's stage ends scaling every area by |det W|, a
 * bias keeps it, an activation multiplies it by its two slopes. */
static void test_closed_forms(void)
{
    static const int w22[] = {2, 2, 2};
    Net n;
    make_net(&n, w22, 2, ACT_TANH, 31);
    StagePlan plan;
    LwError err;
    CHECK(stage_plan_make(&n.stack, INTERP_POLAR, REFLECT_TURN, &plan, &err) == LW_OK);
    const double *W = plan.W[0], *b = plan.b[0];
    double detW = W[0] * W[3] - W[1] * W[2];
    for (int p = 0; p < 5; p++) {
        double x[2] = {0.3 * p - 0.6, 0.5 - 0.2 * p};
        double z[2] = {W[0] * x[0] + W[1] * x[1] + b[0], W[2] * x[0] + W[3] * x[1] + b[1]};
        double slopes = (1 - tanh(z[0]) * tanh(z[0])) * (1 - tanh(z[1]) * tanh(z[1]));
        CHECK_NEAR(area_log_at(&plan, 0, 1.0, x, NULL), log(fabs(detW)), 1e-12);
        CHECK_NEAR(area_log_at(&plan, 1, 0.6, x, NULL), log(fabs(detW)), 1e-12);
        CHECK_NEAR(area_log_at(&plan, 2, 1.0, x, NULL), log(fabs(detW) * slopes), 1e-12);
        CHECK_NEAR(area_log_at(&plan, 0, 0.0, x, NULL), 0.0, 0.0);
    }
    /* a sheet in 3-D: the area of the parallelogram its two tangents span */
    AreaJacobian J = {{1, 0}, {0, 2}, {3, 0}};
    CHECK_NEAR(area_log_element(J, 3, NULL), log(sqrt(10.0) * 2.0), 1e-14);
    int sign = 7;
    AreaJacobian F = {{0, 1}, {1, 0}};
    CHECK_NEAR(area_log_element(F, 2, &sign), 0.0, 0.0);
    CHECK(sign == -1); /* a mirror: turned over */
    AreaJacobian Z = {{1, 2}, {2, 4}, {0, 0}};
    CHECK(isinf(area_log_element(Z, 3, NULL)) && area_log_element(Z, 3, NULL) < 0);
}

/* ---- the geometry's mesh -------------------------------------------------------- */

static void test_mesh(void)
{
    static const int w232[] = {2, 3, 2};
    Net n;
    make_net(&n, w232, 2, ACT_TANH, 37);
    Show show = {0};
    Segment *seg;
    LwError err;
    CHECK(show_add_segment(&show, &seg, &err) == LW_OK);
    CHECK(segment_set_layers(seg, &n.stack, &err) == LW_OK);
    const double reg[6] = {-1.5, 1.0, -0.5, 1.5, 0, 0};
    memcpy(seg->region, reg, sizeof reg);
    StagePlan plan;
    CHECK(stage_plan_make(&seg->net, INTERP_POLAR, REFLECT_AUTO, &plan, &err) == LW_OK);
    GeomConfig cfg = {.grid_lines = 5, .grid_samples = 8, .show_grid = 1, .show_domain = 1,
                      .wide_view = WIDE_PCA, .area_cells = 6};
    Geometry g;
    CHECK_MSG(geom_build(&g, seg, &plan, &cfg, &err) == LW_OK, "%s", err.msg);
    CHECK(g.area_cells == 6);
    View v = {.rot = {1, 0, 0, 0, 0.8, -0.6, 0, 0.6, 0.8}, .scale = 120, .ox = 640, .oy = 360,
              .width = 1280, .height = 720};
    FrameGeom fg = {0};
    double worst_log = 0, worst_px = 0;
    for (int s = 0; s < plan.n_stages; s++)
        for (int k = 1; k < N_TIMES; k++) {
            double t = TIMES[k];
            CHECK(geom_frame(&g, s, t, 0.0, &v, &fg) == LW_OK);
            CHECK(fg.area_cells == 6);
            for (int j = 0; j < 6; j++)
                for (int i = 0; i < 6; i++) {
                    double c[2] = {reg[0] + (reg[1] - reg[0]) * (i + 0.5) / 6,
                                   reg[2] + (reg[3] - reg[2]) * (j + 0.5) / 6};
                    worst_log = fmax(worst_log, fabs(fg.area_log[j * 6 + i] -
                                                     area_log_at(&plan, s, t, c, NULL)));
                }
            for (int j = 0; j <= 6; j++)
                for (int i = 0; i <= 6; i++) {
                    double c[2] = {reg[0] + (reg[1] - reg[0]) * i / 6,
                                   reg[2] + (reg[3] - reg[2]) * j / 6};
                    double st[WD], d[3], px, py;
                    forward(&plan, s, t, c, st);
                    geom_to_display(&g, s, t, 0.0, st, d);
                    view_project(&v, d, &px, &py, NULL);
                    const double *xy = fg.area_xy + 2 * (j * 7 + i);
                    worst_px = fmax(worst_px, fmax(fabs(xy[0] - px), fabs(xy[1] - py)));
                }
        }
    printf("mesh: cell values against area_log_at %.1e, corners against the forward map %.1e px\n",
           worst_log, worst_px);
    CHECK(worst_log <= 1e-12);
    CHECK(worst_px <= 1e-9);
    geom_frame_free(&fg);
    geom_free(&g);
    /* without area_cells: no mesh, nothing in the frame */
    cfg.area_cells = 0;
    CHECK(geom_build(&g, seg, &plan, &cfg, &err) == LW_OK);
    CHECK(g.area_cells == 0 && !g.area_centre_jac.x);
    CHECK(geom_frame(&g, 2, 0.5, 0.0, &v, &fg) == LW_OK && fg.area_cells == 0);
    geom_frame_free(&fg);
    geom_free(&g);
    show_free(&show);
}

/* A sigmoid in steps on W = I, b = 0: within its last step, 1/x blended in
 * at tau = 0.8, each coordinate's slope is -e^-z (0.2 - 0.8 / (1 + e^-z)^2),
 * which changes sign with z: the plane is folded along both axes, det J
 * > 0 in the first and third quadrants and < 0 in the others. */
static void test_fold_signs(void)
{
    static double eye[4] = {1, 0, 0, 1}, zero[2] = {0, 0};
    LayerStack st = {.n_layers = 1, .widths = {2, 2}, .act = {ACT_SIGMOID}};
    st.W[0] = eye;
    st.b[0] = zero;
    Show show = {0};
    Segment *seg;
    LwError err;
    CHECK(show_add_segment(&show, &seg, &err) == LW_OK && segment_set_layers(seg, &st, &err) == 0);
    const double reg[6] = {-1, 1, -1, 1, 0, 0};
    memcpy(seg->region, reg, sizeof reg);
    StagePlan plan;
    CHECK(stage_plan_make(&seg->net, INTERP_STRAIGHT, REFLECT_TURN, &plan, &err) == LW_OK);
    stage_plan_split_activations(&plan);
    GeomConfig cfg = {.grid_lines = 3, .grid_samples = 4, .wide_view = WIDE_PCA, .area_cells = 8};
    Geometry g;
    CHECK(geom_build(&g, seg, &plan, &cfg, &err) == LW_OK);
    View v = {.rot = {1, 0, 0, 0, 1, 0, 0, 0, 1}, .scale = 100, .ox = 640, .oy = 360,
              .width = 1280, .height = 720};
    FrameGeom fg = {0};
    int s = stage_index(0, STAGE_ACTIVATION), right = 0;
    CHECK(geom_frame(&g, s, stage_step_time(&plan, s, 3, 0.8), 0.0, &v, &fg) == LW_OK);
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++) {
            int want = (i < 4) == (j < 4) ? 1 : -1; /* centres never sit on an axis */
            right += fg.area_sign[j * 8 + i] == want;
        }
    CHECK_MSG(right == 64, "%d of 64 cells have the sign of their quadrant", right);
    geom_frame_free(&fg);
    geom_free(&g);
    show_free(&show);
}

/* ---- the scene ---------------------------------------------------------------------- */

static const char *FIXED =
    "[dataset]\nkind = moons\npoints = 60\nseed = 7\n"
    "[network]\nwidths = 2,2,2\nactivation = tanh\n"
    "[weights]\nW1 = 5.0 1.09 | -0.686 0.623\nb1 = -0.084, 0.041\n"
    "W2 = 1.54 2.97 | 4.43 7.71\nb2 = -0.067 -0.188\nWout = -1.95 -8.46\nbout = 0.018\n"
    "[render]\nwidth = 320\nheight = 180\n";

static int load(const char *extra, Scene *sc, LwError *err)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", FIXED, extra);
    return scene_load_string("t.scene", text, strlen(text), sc, err);
}

/* The area mesh and key of the first frame of stage s, t = 0.5. */
static void frame_of(const char *extra, int *cells, int *key)
{
    Scene sc;
    SceneModel m;
    Renderer r;
    LwError err;
    memset(&m, 0, sizeof m);
    *cells = *key = -1;
    if (load(extra, &sc, &err) != LW_OK || scene_build(&sc, &m, NULL, NULL, &err) != LW_OK ||
        renderer_create(&m.show, &sc.render, 1, &r, &err) != LW_OK) {
        CHECK_MSG(0, "%s", err.msg);
        return;
    }
    FrameReq q = renderer_request_at(&r, 2, 0.5);
    Caption cap;
    render_caption(&r, q, &cap);
    *cells = r.segs[0].geom.area_cells;
    *key = cap.area_key;
    renderer_free(&r);
    scene_model_free(&m);
    scene_free(&sc);
}

static void expect_error(const char *extra, const char *message)
{
    Scene sc;
    LwError err;
    CHECK(load(extra, &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, message);
    scene_free(&sc);
}

static void test_scene(void)
{
    int cells, key;
    frame_of("", &cells, &key);
    CHECK_MSG(cells == 0 && key == 0, "off by default: %d cells, key %d", cells, key);
    frame_of("shade = area\n", &cells, &key);
    CHECK(cells == GEOM_AREA_CELLS && key == 1);
    frame_of("shade = class\n", &cells, &key);
    CHECK(cells == 0 && key == 0);
    Scene sc;
    LwError err;
    CHECK(load("show_shade = yes\n", &sc, &err) == LW_OK && sc.render.style.shade == SHADE_CLASS);
    scene_free(&sc);
    CHECK(load("show_shade = yes\nshade = class\n", &sc, &err) == LW_OK &&
          sc.render.style.shade == SHADE_CLASS);
    scene_free(&sc);
    CHECK(load("show_shade = no\nshade = area\n", &sc, &err) == LW_OK &&
          sc.render.style.shade == SHADE_AREA && sc.render.geom.area_cells == GEOM_AREA_CELLS);
    scene_free(&sc);
    expect_error("shade = areas\n",
                 "t.scene:18: unknown shade 'areas' (expected none, class, area)");
    expect_error("show_shade = yes\nshade = area\n",
                 "t.scene:19: shade = area clashes with show_shade = yes (which is shade = "
                 "class): keep one of them");
    const char *interval = "[dataset]\nkind = interval\n[render]\nshade = area\n";
    CHECK(scene_load_string("i.scene", interval, strlen(interval), &sc, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "i.scene:4: shade = area needs a 2-D input: it is the change of area of "
                       "the input plane, and interval data is 1-D");
    scene_free(&sc);
}

int main(void)
{
    test_against_differences();
    test_closed_forms();
    test_mesh();
    test_fold_signs();
    test_scene();
    return check_done("test_area");
}
