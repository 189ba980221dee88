/* test_geometry.c — the picture tells the truth:
 *  - for every scene in scenes/ and every layer, the data's positions at the
 *    end of the activation stage equal the network's own forward pass
 *    (mlp_forward_point, an independent code path) within 1e-9, with units 1
 *    and 2 exchanged where the drawing swapped them (the same function);
 *  - the model is never edited by drawing it;
 *  - each stage starts where the one before ended, and moves continuously;
 *  - the auto camera keeps every data point of every frame inside the frame;
 *  - the polar motion of the linear stage never collapses space (det > 0 at
 *    every t for det W > 0; W = -I and a half turn keep their area) and hits
 *    its endpoints exactly. */
#include <glob.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "classifier.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

/* The unit of layer l's output that drawn unit k shows. */
static int drawn_unit(const StagePlan *plan, int l, int k)
{
    return plan->swapped[l] && k < 2 ? 1 - k : k;
}

static void check_forward_pass(const SegmentRender *sr, const Mlp *net, const Dataset *ds,
                               const char *name)
{
    const StagePlan *plan = &sr->plan;
    double worst = 0, worst_joint = 0, worst_readout = 0;
    int readouts = 0;
    for (int i = 0; i < ds->n; i++) {
        double h[(LW_MAX_LAYERS + 1) * WD];
        mlp_forward_point(net, ds->x + (size_t)ds->dim * i, h);
        double state[WD] = {0};
        memcpy(state, ds->x + (size_t)ds->dim * i, ds->dim * sizeof(double));
        for (int s = 0; s < plan->n_stages; s++) {
            /* the renderer's cached start state == the previous stage's end */
            double cached_buf[WD];
            const double *cached = geom_states_get(&sr->geom.point_state, s, i, cached_buf);
            for (int k = 0; k < WD; k++)
                worst_joint = fmax(worst_joint, fabs(cached[k] - state[k]));
            double at0[WD], end[WD];
            stage_eval(plan, s, 0.0, cached, at0);
            for (int k = 0; k < WD; k++)
                worst_joint = fmax(worst_joint, fabs(at0[k] - cached[k]));
            stage_eval(plan, s, 1.0, cached, end);
            memcpy(state, end, sizeof state);
            const Stage *st = &plan->stages[s];
            if (st->kind == STAGE_ACTIVATION && st->layer < plan->n_hidden) {
                const double *hl = h + (st->layer + 1) * WD;
                for (int k = 0; k < st->dim_out; k++)
                    worst = fmax(worst, fabs(end[k] - hl[drawn_unit(plan, st->layer, k)]));
            } else if (st->kind == STAGE_ACTIVATION) { /* the readout: probabilities */
                double p[LW_MAX_CLASSES + 1];
                mlp_predict_point(net, ds->x + (size_t)ds->dim * i, p);
                if (net->n_out == 1)
                    worst_readout = fmax(worst_readout, fabs(end[0] - p[1]));
                for (int k = 0; net->n_out > 1 && k < net->n_out; k++)
                    worst_readout = fmax(worst_readout, fabs(end[k] - p[k]));
                readouts++;
            }
        }
    }
    CHECK_MSG(worst <= 1e-9, "%s: end of activation vs forward pass differ by %g", name, worst);
    CHECK_MSG(worst_joint == 0.0, "%s: a stage does not start where the last ended (%g)", name,
              worst_joint);
    /* the readout, played as a last layer, ends at the class probabilities */
    CHECK_MSG(readouts == (plan->readout ? ds->n : 0), "%s: %d readout ends for %d points", name,
              readouts, ds->n);
    CHECK_MSG(worst_readout <= 1e-9, "%s: readout end vs probabilities differ by %g", name,
              worst_readout);
    printf("  %-40s forward-pass max |diff| %.2e over %d points x %d layers\n", name, worst,
           ds->n, net->n_layers);
}

/* Small steps in t move points by small amounts (no jumps inside a stage):
 * no step of 1/200 is longer than a tenth of the point's whole excursion
 * (its farthest distance from where it started), which a smooth motion,
 * even a half turn or a page turn, stays well within. */
static void check_continuity(const SegmentRender *sr, const char *name)
{
    double worst_ratio = 0;
    int n = sr->geom.n_points;
    for (int s = 0; s < sr->plan.n_stages; s++) {
        for (int i = 0; i < n; i += 7) {
            double start_buf[WD];
            const double *start = geom_states_get(&sr->geom.point_state, s, i, start_buf);
            double a[WD], b[WD], reach = 1e-12, longest = 0;
            stage_eval(&sr->plan, s, 0.0, start, a);
            for (int step = 1; step <= 200; step++) {
                stage_eval(&sr->plan, s, step / 200.0, start, b);
                double d = 0, e = 0;
                for (int k = 0; k < WD; k++) {
                    d = fmax(d, fabs(b[k] - a[k]));
                    e = fmax(e, fabs(b[k] - start[k]));
                }
                longest = fmax(longest, d);
                reach = fmax(reach, e);
                memcpy(a, b, sizeof a);
            }
            if (reach > 1e-9) worst_ratio = fmax(worst_ratio, longest / reach);
        }
    }
    CHECK_MSG(worst_ratio < 0.1, "%s: one step of 1/200 moved a point %.3f of its excursion",
              name, worst_ratio);
}

static void check_camera(const Renderer *r, const char *name)
{
    const Style *st = &r->cfg->style;
    int outside = 0, first_bad = -1;
    for (int f = 0; f < r->timeline.n_frames; f++) {
        FrameReq q = renderer_request_frame(r, f);
        int local;
        const Geometry *g = &renderer_segment(r, q.stage, &local)->geom;
        for (int i = 0; i < g->n_points; i++) {
            double d[3], x, y;
            geom_point_display(g, local, q.t, f / r->cfg->timeline.fps, i, d);
            view_project(&r->views[f], d, &x, &y, NULL);
            if (x < 0 || y < 0 || x > st->width || y > st->height) {
                if (first_bad < 0) first_bad = f;
                outside++;
            }
        }
    }
    CHECK_MSG(outside == 0, "%s: %d point positions fall outside the frame (first in frame %d)",
              name, outside, first_bad);
}

/* Each frame traces where the score regions meet across the whole view:
 * every traced point has score ~ 0 in that frame's own space (exact by
 * bisection), and the lines reach the edges of what the camera shows. */
static void check_frame_boundary(const Renderer *r, const SegmentRender *sr, const char *name)
{
    const StagePlan *plan = &sr->plan;
    if (!plan->n_scores || plan->n_scores > 1 || !sr->seg->show_scores) return;
    Polylines p = {0};
    double worst = 0, worst_point = 0;
    int frames = 0, reaching = 0;
    for (int f = 0; f < r->timeline.n_frames; f += 7) {
        FrameReq q = renderer_request_frame(r, f);
        int local;
        if (renderer_segment(r, q.stage, &local) != sr) continue;
        int traced = geom_frame_scores(&sr->geom, local, q.t, &r->views[f], &p);
        CHECK(traced >= 0);
        if (traced != 1 || p.n_lines == 0) continue;
        frames++;
        double box[4];
        camera_visible_box(&r->views[f], 1.0, box);
        double span = fmax(box[1] - box[0], box[3] - box[2]);
        int reach = 0;
        for (int j = 0; j < p.n; j++) {
            double x[WD], z[LW_MAX_CLASSES];
            stage_invert(plan, local, q.t, p.x + 3 * j, x);
            stage_scores(plan, local, x, z);
            /* a score's size scales with the distance to the boundary:
             * measure it against the score's change across the view */
            worst = fmax(worst, fabs(z[0]));
            double ex = fmin(p.x[3 * j] - box[0], box[1] - p.x[3 * j]);
            double ey = fmin(p.x[3 * j + 1] - box[2], box[3] - p.x[3 * j + 1]);
            reach |= fmin(ex, ey) < 0.06 * span;
        }
        reaching += reach;
        /* every point's score, read back from where the frame draws it, is
         * the network's own: the boundary drawn divides them as the network does */
        const Geometry *g = &sr->geom;
        for (int i = 0; i < g->n_points; i += 5) {
            double d[3], x[WD], z[LW_MAX_CLASSES], st[WD];
            geom_point_display(g, local, q.t, 0, i, d);
            stage_invert(plan, local, q.t, d, x);
            stage_scores(plan, local, x, z);
            stage_start_state(plan, 0, g->seg->sets[0].x + (size_t)i * g->seg->sets[0].dim, st);
            double z0[LW_MAX_CLASSES];
            stage_scores(plan, 0, st, z0);
            worst_point = fmax(worst_point, fabs(z[0] - z0[0]) / (1 + fabs(z0[0])));
        }
    }
    polylines_free(&p);
    CHECK_MSG(worst < 1e-6, "%s: a traced boundary point has score %g", name, worst);
    CHECK_MSG(worst_point < 1e-6, "%s: a point's score read back from the frame differs by %g",
              name, worst_point);
    CHECK_MSG(frames == 0 || reaching == frames, "%s: the boundary reaches the frame's edge in "
              "%d of %d frames", name, reaching, frames);
    if (frames) printf("  %-40s boundary traced in %d frames, max |score| %.1e, reaches the edge\n",
                       name, frames, worst);
}

/* Drawing a network leaves it as it was: the model's weights after the
 * renderer was built are those a fresh build gives. */
static void check_model_untouched(const SceneModel *m, const Scene *sc, const char *name)
{
    SceneModel fresh;
    LwError err = {""};
    int rc = scene_build(sc, &fresh, NULL, NULL, &err);
    CHECK_MSG(rc == LW_OK, "%s: %s", name, err.msg);
    if (rc == LW_OK)
        CHECK_MSG(m->net.n_params == fresh.net.n_params &&
                  memcmp(m->net.params, fresh.net.params, sizeof(double) * m->net.n_params) == 0,
                  "%s: drawing the network changed its weights", name);
    scene_model_free(&fresh);
}

/* A training morph's segment k: at its start the data are where
 * checkpoint k's forward pass puts them in the shown layer, at its end
 * where checkpoint k + 1's does; each of its stages starts exactly where
 * the one before ended; and no step of 1/200 moves a point by more than a
 * tenth of the way between its two ends (plus a little). */
static void check_morph(const SegmentRender *sr, const Mlp *from, const Mlp *to,
                        const Dataset *ds, const char *name)
{
    const StagePlan *plan = &sr->plan;
    int L = plan->morph.layer;
    double worst = 0, worst_joint = 0, worst_ratio = 0;
    for (int i = 0; i < ds->n; i++) {
        double ha[(LW_MAX_LAYERS + 1) * WD], hb[(LW_MAX_LAYERS + 1) * WD];
        mlp_forward_point(from, ds->x + (size_t)ds->dim * i, ha);
        mlp_forward_point(to, ds->x + (size_t)ds->dim * i, hb);
        double x[WD] = {0}, a[WD], b[WD], prev[WD], cur[WD];
        memcpy(x, ds->x + (size_t)ds->dim * i, ds->dim * sizeof(double));
        stage_eval(plan, 0, 0.0, x, a);
        stage_eval(plan, plan->n_stages - 1, 1.0, x, b);
        double way = 1e-3;
        for (int k = 0; k < plan->widths[1]; k++) {
            worst = fmax(worst, fmax(fabs(a[k] - ha[L * WD + k]), fabs(b[k] - hb[L * WD + k])));
            way = fmax(way, fabs(b[k] - a[k]));
        }
        memcpy(prev, a, sizeof a);
        for (int s = 0; s < plan->n_stages; s++) {
            stage_eval(plan, s, 0.0, x, cur);
            for (int k = 0; k < WD; k++) worst_joint = fmax(worst_joint, fabs(cur[k] - prev[k]));
            for (int step = 1; step <= 200; step++) {
                stage_eval(plan, s, step / 200.0, x, cur);
                double d = 0;
                for (int k = 0; k < WD; k++) d = fmax(d, fabs(cur[k] - prev[k]));
                worst_ratio = fmax(worst_ratio, d / way);
                memcpy(prev, cur, sizeof cur);
            }
        }
    }
    CHECK_MSG(worst <= 1e-12, "%s: a morph's end vs its checkpoint's forward pass differ by %g",
              name, worst);
    CHECK_MSG(worst_joint == 0.0, "%s: a morph's stage does not start where the last ended (%g)",
              name, worst_joint);
    CHECK_MSG(worst_ratio < 0.1, "%s: one step of 1/200 moved a point %.3f of its way", name,
              worst_ratio);
}

/* Every segment of one panel: a replayed training's segments are its
 * checkpoints' networks, else the one trained network. */
static void check_panel(const Renderer *r, const SceneModel *m, const Scene *sc,
                        const char *path)
{
    for (int k = 0; k < r->n_segments; k++) {
        const SegmentRender *sr = &r->segs[k];
        const Mlp *net = m->history.n_snapshots ? &m->history.snapshot[k] : &m->net;
        if (sr->plan.morph.on) {
            check_morph(sr, net, &m->history.snapshot[k + 1], &m->data, path);
            continue;
        }
        check_forward_pass(sr, net, &m->data, path);
        check_continuity(sr, path);
        check_frame_boundary(r, sr, path);
    }
    if (sc->render.camera.view == VIEW_AUTO) check_camera(r, path);
}

static void check_scene(const char *path)
{
    Scene sc;
    LwError err = {""};
    SceneModel m;
    Renderer r;
    memset(&m, 0, sizeof m);
    memset(&r, 0, sizeof r);
    int rc = scene_load_file(path, &sc, &err);
    CHECK_MSG(rc == LW_OK, "%s: %s", path, err.msg);
    if (rc) return;
    if (sc.model.kind != MODEL_CLASSIFIER) { /* test_generative checks generators */
        scene_free(&sc);
        return;
    }
    rc = scene_build(&sc, &m, NULL, NULL, &err);
    if (rc == LW_OK) rc = renderer_create(&m.show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s: %s", path, err.msg);
    if (rc == LW_OK) {
        check_panel(&r, &m, &sc, path);
        check_model_untouched(&m, &sc, path);
        if (renderer_beside(&r)) check_panel(renderer_beside(&r), m.compare, sc.compare, path);
    }
    renderer_free(&r);
    scene_model_free(&m);
    scene_free(&sc);
}

/* ---- the linear motion ---------------------------------------------------- */

static double det(const double *M, int n)
{
    if (n == 2) return M[0] * M[3] - M[1] * M[2];
    return M[0] * (M[4] * M[8] - M[5] * M[7]) - M[1] * (M[3] * M[8] - M[5] * M[6]) +
           M[2] * (M[3] * M[7] - M[4] * M[6]);
}

static void make_net(Mlp *m, int n, const double *Wv)
{
    int widths[2] = {n, n};
    Activation act[1] = {ACT_TANH};
    LwError err;
    mlp_alloc(m, 2, widths, act, 2, &err);
    memcpy(m->W[0], Wv, sizeof(double) * n * n);
}

/* min over t of det M(t) / max(1, det W), for the polar motion */
static double min_det(const double *Wv, int n, int *endpoint_ok)
{
    Mlp m = {0};
    make_net(&m, n, Wv);
    StagePlan plan;
    LwError err;
    LayerStack stack = mlp_layers(&m);
    stage_plan_make(&stack, INTERP_POLAR, REFLECT_TURN, &plan, &err);
    double lo = INFINITY, M[9];
    for (int k = 0; k <= 400; k++) {
        stage_linear_matrix(&plan, 0, k / 400.0, M);
        lo = fmin(lo, det(M, n));
    }
    stage_linear_matrix(&plan, 0, 0.0, M);
    double e0 = 0, e1 = 0;
    for (int i = 0; i < n * n; i++) e0 = fmax(e0, fabs(M[i] - (i % (n + 1) == 0)));
    /* the motion at t = 1 applied to unit vectors, against W itself */
    for (int j = 0; j < n; j++) {
        double e[WD] = {0}, y[WD];
        e[j] = 1;
        stage_eval(&plan, 0, 1.0 - 1e-12, e, y);
        for (int i = 0; i < n; i++) e1 = fmax(e1, fabs(y[i] - Wv[i * n + j]));
    }
    *endpoint_ok = e0 < 1e-12 && e1 < 1e-9;
    mlp_free(&m);
    return lo;
}

static void check_polar(void)
{
    srand(12345);
    int tried = 0, collapsed = 0, endpoints_bad = 0;
    for (int trial = 0; trial < 400; trial++) {
        int n = 2 + trial % 2;
        double Wv[9];
        for (int i = 0; i < n * n; i++) Wv[i] = 4.0 * rand() / RAND_MAX - 2.0;
        double d = det(Wv, n);
        if (d <= 0.05) continue;
        tried++;
        int ok;
        if (min_det(Wv, n, &ok) <= 0) collapsed++;
        if (!ok) endpoints_bad++;
    }
    CHECK_MSG(tried > 100, "only %d random matrices with det > 0", tried);
    CHECK_MSG(collapsed == 0, "%d of %d matrices with det W > 0 collapsed on the way", collapsed, tried);
    CHECK_MSG(endpoints_bad == 0, "%d of %d motions missed their endpoints", endpoints_bad, tried);
    printf("  polar motion: %d random W with det > 0, none collapsed, endpoints exact\n", tried);

    const double minus_I[4] = {-1, 0, 0, -1};
    const double half_turn3[9] = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
    const double rot180_scaled[4] = {-2, 0.1, -0.1, -2};
    int ok;
    double lo = min_det(minus_I, 2, &ok);
    CHECK_MSG(lo > 0.99 && ok, "W = -I: min det along the motion %g", lo);
    lo = min_det(half_turn3, 3, &ok);
    CHECK_MSG(lo > 0.99 && ok, "3-D half turn: min det %g", lo);
    lo = min_det(rot180_scaled, 2, &ok);
    CHECK_MSG(lo > 0.99 && ok, "scaled near half turn: min det %g", lo);

    /* straight blend through W = -I collapses at t = 1/2: the reason for polar */
    Mlp m = {0};
    make_net(&m, 2, minus_I);
    StagePlan plan;
    LwError err;
    LayerStack stack = mlp_layers(&m);
    stage_plan_make(&stack, INTERP_STRAIGHT, REFLECT_TURN, &plan, &err);
    double M[4];
    stage_linear_matrix(&plan, 0, 0.5, M);
    CHECK_NEAR(det(M, 2), 0.0, 1e-15);
    mlp_free(&m);

    /* det W < 0: a reflection is played as a page turn; it never passes
     * through a collapsed plane in 3-D (the extra axis carries it). */
    const double reflect[4] = {1, 0, 0, -1};
    make_net(&m, 2, reflect);
    stack = mlp_layers(&m);
    stage_plan_make(&stack, INTERP_POLAR, REFLECT_TURN, &plan, &err);
    CHECK(plan.motion[0].flip == 1);
    CHECK(plan.stages[0].dim == 3);
    double lo_area = INFINITY;
    for (int k = 0; k <= 200; k++) {
        /* area of the image of the unit square in 3-D: |e1' x e2'| */
        double a[WD] = {1, 0}, b[WD] = {0, 1}, ya[WD], yb[WD];
        stage_eval(&plan, 0, k / 200.0, a, ya);
        stage_eval(&plan, 0, k / 200.0, b, yb);
        double cx = ya[1] * yb[2] - ya[2] * yb[1], cy = ya[2] * yb[0] - ya[0] * yb[2],
               cz = ya[0] * yb[1] - ya[1] * yb[0];
        lo_area = fmin(lo_area, sqrt(cx * cx + cy * cy + cz * cz));
    }
    CHECK_MSG(lo_area > 0.99, "reflection: the page's area fell to %g", lo_area);
    double e[WD] = {0.3, 0.7}, y[WD];
    stage_eval(&plan, 0, 1.0, e, y);
    CHECK_NEAR(y[0], 0.3, 1e-15);
    CHECK_NEAR(y[1], -0.7, 1e-15);
    mlp_free(&m);
}

int main(void)
{
    gsl_set_error_handler_off();
    glob_t g;
    int n = 0;
    if (glob("scenes/*.scene", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++, n++) check_scene(g.gl_pathv[i]);
        globfree(&g);
    }
    if (glob("scenes/*/*.scene", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++, n++) check_scene(g.gl_pathv[i]);
        globfree(&g);
    }
    CHECK_MSG(n >= 6, "only %d scenes found (run from the repository root)", n);
    check_polar();
    return check_done("test_geometry");
}
