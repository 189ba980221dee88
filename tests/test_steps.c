/* test_steps.c — the activation played as its element-wise (Hadamard) steps
 * (activation_steps = hadamard):
 *  - the steps compose to the activation (sigmoid, tanh, softplus, relu,
 *    leaky_relu) within 1e-12 at thousands of points, out to where exp
 *    overflows, and identity has none;
 *  - each step's end is its own formula (written out again here), and within
 *    a step every coordinate moves on the straight line from its input to
 *    its output, on its own;
 *  - the timeline gives every step its own part and group (a held view) and
 *    the result a group after them, every moving frame once, the last frame
 *    of each step exactly at its end; without steps it is what it was;
 *  - in a rendered show the stage after an activation starts where its last
 *    step ended, every point and the worked point stay in the frame of each
 *    step's view (fitted per axis), the captions and the worked numbers are
 *    the steps' own, --at's names find their steps, and frames are the same
 *    for one thread and three. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "draw.h"
#include "hash.h"
#include "render.h"
#include "scene.h"

#define WD LW_MAX_WIDTH

/* ---- the maths -------------------------------------------------------------- */

/* A one-layer stack 2 -> 2 with W = I, b = 0: its activation stage (2) acts
 * on the start state as given. */
static double eye[4] = {1, 0, 0, 1}, zero[2] = {0, 0};

static int plan_of(Activation a, StagePlan *plan)
{
    LayerStack s;
    memset(&s, 0, sizeof s);
    s.n_layers = 1;
    s.widths[0] = s.widths[1] = 2;
    s.act[0] = a;
    s.W[0] = eye;
    s.b[0] = zero;
    LwError err;
    int rc = stage_plan_make(&s, INTERP_STRAIGHT, REFLECT_TURN, plan, &err);
    stage_plan_split_activations(plan);
    return rc;
}

/* The steps as the issue writes them, independently of stage.c's table. */
static double formula(const char *name, double x)
{
    if (!strcmp(name, "negate")) return -x;
    if (!strcmp(name, "exp")) return exp(x);
    if (!strcmp(name, "plus1")) return x + 1;
    if (!strcmp(name, "reciprocal")) return 1 / x;
    if (!strcmp(name, "times2")) return 2 * x;
    if (!strcmp(name, "minus1")) return x - 1;
    if (!strcmp(name, "log")) return log(x);
    if (!strcmp(name, "relu")) return x > 0 ? x : 0;
    if (!strcmp(name, "leaky_relu")) return x > 0 ? x : 0.1 * x;
    return NAN;
}

static const struct {
    Activation act;
    const char *chain;
    double reach; /* |x| tested: exp (of 2x for tanh) below STAGE_EXP_CAP */
} CHAINS[] = {
    {ACT_SIGMOID, "negate exp plus1 reciprocal", 690},
    {ACT_TANH, "times2 negate exp plus1 reciprocal times2 minus1", 345},
    {ACT_SOFTPLUS, "exp plus1 log", 690},
    {ACT_RELU, "relu", 700},
    {ACT_LEAKY_RELU, "leaky_relu", 700},
    {ACT_IDENTITY, "", 700},
};
#define N_CHAINS (int)(sizeof CHAINS / sizeof CHAINS[0])

/* Sample points: dense where the activations bend, sparse out to reach. */
static int sample_points(double reach, double *xs, int cap)
{
    int n = 0;
    for (double x = -12; x <= 12 && n < cap; x += 0.0137) xs[n++] = x;
    for (double x = -reach; x <= reach && n < cap; x += reach / 97) xs[n++] = x;
    double special[] = {0, -0.0, 1e-300, -1e-300, 1e-9, -1e-9, 1, 2, 3, -1, -2, -3};
    for (size_t i = 0; i < sizeof special / sizeof special[0] && n < cap; i++)
        xs[n++] = special[i];
    return n;
}

static void test_compose(void)
{
    static double xs[4096];
    for (int c = 0; c < N_CHAINS; c++) {
        StagePlan plan;
        CHECK(plan_of(CHAINS[c].act, &plan) == LW_OK);
        int s = stage_index(0, STAGE_ACTIVATION);
        int n = stage_step_count(&plan, s);
        /* the chain is the one named */
        char names[160] = "";
        for (int k = 0; k < n; k++) {
            if (k) strcat(names, " ");
            strcat(names, stage_step_name(plan.steps[0][k]));
        }
        CHECK_STR(names, CHAINS[c].chain);
        int np = sample_points(CHAINS[c].reach, xs, 4096);
        double worst = 0, worst_formula = 0, worst_end = 0;
        for (int i = 0; i < np; i++) {
            double start[WD] = {xs[i], -0.5 * xs[i] + 0.25}, states[STAGE_MAX_STEPS + 1][WD];
            int m = stage_step_states(&plan, s, start, states);
            CHECK(m == n);
            double end[WD];
            stage_end(&plan, s, start, end);
            for (int d = 0; d < 2; d++) {
                double act = act_apply(CHAINS[c].act, start[d]);
                worst = fmax(worst, fabs(states[n][d] - act));
                CHECK(states[n][d] == states[n][d]); /* never NaN */
                /* each step's end is its formula of the step before's */
                for (int k = 0; k < n; k++) {
                    double want = formula(stage_step_name(plan.steps[0][k]), states[k][d]);
                    worst_formula = fmax(worst_formula, fabs(states[k + 1][d] - want) /
                                                            fmax(1.0, fabs(want)));
                }
                /* the played stage: t = (k + 1) / n is step k's end, t = 1
                 * the activation itself */
                for (int k = 0; k + 1 < n; k++) {
                    double at[WD];
                    stage_eval(&plan, s, stage_step_time(&plan, s, k, 1.0), start, at);
                    worst_end = fmax(worst_end, fabs(at[d] - states[k + 1][d]));
                }
                worst_end = fmax(worst_end, fabs(end[d] - act));
            }
        }
        CHECK_MSG(worst <= 1e-12, "%s: steps and activation differ by %g",
                  act_name(CHAINS[c].act), worst);
        CHECK_MSG(worst_formula == 0.0, "%s: a step's end is not its formula (%g)",
                  act_name(CHAINS[c].act), worst_formula);
        CHECK_MSG(worst_end == 0.0, "%s: a step's end is not where the stage shows it (%g)",
                  act_name(CHAINS[c].act), worst_end);
        printf("  %-10s %d steps, %d points to |x| = %g: composed vs activation max |diff| %.2e\n",
               act_name(CHAINS[c].act), n, 2 * np, CHAINS[c].reach, worst);
    }
}

/* Beyond exp's cap (e^690.8) every state stays finite, and the saturating
 * activations still end where they should. */
static void test_beyond_cap(void)
{
    int finite = 1;
    double worst = 0;
    for (int c = 0; c < N_CHAINS; c++) {
        StagePlan plan;
        plan_of(CHAINS[c].act, &plan);
        int s = stage_index(0, STAGE_ACTIVATION), n = stage_step_count(&plan, s);
        for (double x = 691; x <= 1e4; x *= 1.07) {
            double start[WD] = {x, -x}, states[STAGE_MAX_STEPS + 1][WD], at[WD];
            stage_step_states(&plan, s, start, states);
            for (int k = 0; k <= n; k++) finite &= isfinite(states[k][0]) && isfinite(states[k][1]);
            for (int j = 1; j < 20; j++) {
                stage_eval(&plan, s, j / 20.0, start, at);
                finite &= isfinite(at[0]) && isfinite(at[1]);
            }
            if (CHAINS[c].act == ACT_SIGMOID || CHAINS[c].act == ACT_TANH)
                for (int d = 0; d < 2; d++)
                    worst = fmax(worst, fabs(states[n][d] - act_apply(CHAINS[c].act, start[d])));
        }
    }
    CHECK_MSG(finite, "%s", "a step's state is not finite beyond exp's cap");
    CHECK_MSG(worst <= 1e-12, "sigmoid or tanh beyond exp's cap off by %g", worst);
}

/* Within a step every coordinate moves straight from its input to its
 * output, and on its own: changing one coordinate moves no other. */
static void test_motion(void)
{
    for (int c = 0; c < N_CHAINS; c++) {
        StagePlan plan;
        plan_of(CHAINS[c].act, &plan);
        int s = stage_index(0, STAGE_ACTIVATION), n = stage_step_count(&plan, s);
        double start[WD] = {0.7, -1.3}, other[WD] = {0.7, 2.9}, states[STAGE_MAX_STEPS + 1][WD];
        stage_step_states(&plan, s, start, states);
        double worst = 0;
        int alone = 1;
        for (int k = 0; k < n; k++)
            for (int j = 1; j < 10; j++) {
                double tau = j / 10.0, t = stage_step_time(&plan, s, k, tau), at[WD], at2[WD];
                double back;
                CHECK(stage_step_at(&plan, s, t, &back) == k && fabs(back - tau) < 1e-12);
                stage_eval(&plan, s, t, start, at);
                stage_eval(&plan, s, t, other, at2);
                for (int d = 0; d < 2; d++) {
                    double want = (1 - tau) * states[k][d] + tau * states[k + 1][d];
                    worst = fmax(worst, fabs(at[d] - want) / fmax(1.0, fabs(want)));
                }
                alone &= at[0] == at2[0];
                for (int d = 2; d < WD; d++) alone &= at[d] == 0.0;
            }
        CHECK_MSG(worst <= 1e-12, "%s: a step is not the straight blend (%g)",
                  act_name(CHAINS[c].act), worst);
        CHECK_MSG(alone, "%s: a step moves one coordinate by another", act_name(CHAINS[c].act));
        double at0[WD];
        stage_eval(&plan, s, 0.0, start, at0);
        CHECK(at0[0] == start[0] && at0[1] == start[1]);
        /* steps of a split activation fold the plane: no inverse is claimed */
        CHECK(stage_invertible(&plan, s) == (n <= 1));
    }
    /* exp is held finite where it would overflow */
    double big[WD] = {800, -800}, out[WD];
    stage_step_apply(HOP_EXP, 2, big, out);
    CHECK(out[0] == STAGE_EXP_CAP && out[1] == 0.0);
    HadamardOp op;
    CHECK(stage_step_parse("reciprocal", &op) == 0 && op == HOP_RECIPROCAL);
    CHECK(stage_step_parse("plus", &op) == -1);
}

/* ---- the timeline ------------------------------------------------------------ */

static void test_timeline(void)
{
    TimelineConfig cfg = {30, 1.0, 0.5, 0.2, 1.0, 0.5, EASE_SMOOTHSTEP};
    int parts[3] = {4, 1, 7};
    Timeline plain, ones, tl;
    timeline_make(&cfg, 9, &plain);
    int one[3] = {1, 1, 1};
    timeline_make_steps(&cfg, 9, one, &ones);
    CHECK(plain.n_frames == ones.n_frames && plain.n_groups == 5 && ones.n_groups == 5);
    int same = 1;
    for (int f = 0; f < plain.n_frames; f++) {
        FramePos a = timeline_at(&plain, f), b = timeline_at(&ones, f);
        same &= a.stage == b.stage && a.t == b.t && a.u == b.u && a.group == b.group &&
                a.hold == b.hold && a.part == -1 && b.part == -1;
        same &= a.group < 0 || timeline_group_layer(&plain, a.group) == a.group - 1;
    }
    CHECK_MSG(same, "%s", "parts of one change the timeline");
    timeline_make_steps(&cfg, 9, parts, &tl);
    /* 30 frames a stage, 6 of hold, 15 of gap: each part and the result is
     * gap + stage + hold */
    int fs = 30, hb = 6, gap = 15, blk = fs + hb;
    int expect = 15 + gap + (2 * blk + 5 * (gap + blk) + gap) + (3 * blk + gap) +
                 (2 * blk + 8 * (gap + blk)) - hb + gap + 30;
    CHECK_MSG(tl.n_frames == expect, "%d frames, expected %d", tl.n_frames, expect);
    CHECK(tl.n_groups == 2 + (2 + 4) + 1 + (2 + 7));
    int last_group = 0, moving[3][8] = {{0}}, ends_exact = 1, order = 1, layers = 1;
    FramePos prev = timeline_at(&tl, 0);
    for (int f = 0; f < tl.n_frames; f++) {
        FramePos p = timeline_at(&tl, f);
        order &= p.stage > prev.stage || (p.stage == prev.stage && p.t >= prev.t);
        if (p.group >= 0) { /* groups come in order, each one run of frames */
            order &= p.group == last_group || p.group == last_group + 1;
            last_group = p.group;
            int gl = timeline_group_layer(&tl, p.group);
            layers &= f < 15 ? gl == -1 : gl == 3 || gl == p.stage / 3;
        }
        int layer = p.stage / 3, P = parts[layer];
        if (p.part >= 0 && p.part < P && !p.hold) {
            moving[layer][p.part]++;
            if (p.u * P >= p.part + 1 - 1e-12)
                ends_exact &= p.t == (double)(p.part + 1) / P;
        }
        prev = p;
    }
    CHECK_MSG(order, "%s", "frames out of order");
    CHECK_MSG(layers, "%s", "a group shows another layer");
    CHECK(last_group == tl.n_groups - 1);
    CHECK_MSG(ends_exact, "%s", "a step's last frame is not exactly its end");
    int each = 1;
    for (int l = 0; l < 3; l++)
        for (int k = 0; k < parts[l]; k++) each &= parts[l] == 1 || moving[l][k] == fs;
    CHECK_MSG(each, "%s", "a step does not have a stage's frames");
    /* a step's end names the frame where that step ends, not the next's start */
    for (int k = 0; k < 7; k++) {
        double t = (k + 1) / 7.0;
        FramePos p = timeline_at(&tl, timeline_frame_at(&tl, 8, t));
        CHECK_MSG(p.stage == 8 && p.part == k && fabs(p.t - t) < 1e-12,
                  "step %d's end: frame shows part %d at t %g", k + 1, p.part, p.t);
    }
}

/* ---- a rendered show ------------------------------------------------------------ */

static const char SCENE[] =
    "[dataset]\nkind = moons\npoints = 120\nnoise = 0.08\nseed = 3\n"
    "[network]\nwidths = 2,2,2\nactivation = sigmoid, tanh\n"
    "[weights]\nW1 = 2.0 1.0 | -1.0 1.5\nb1 = 0.3 -0.2\nW2 = 1.5 -1 | 0.5 2\nb2 = -0.1 0.2\n"
    "Wout = 1 -1\nbout = 0.1\n"
    "[render]\nwidth = 320\nheight = 180\nfps = 10\nstage_seconds = 1\nhold_between = 0.2\n"
    "activation_steps = hadamard\nworked_point = 1, 2\n";

typedef struct {
    Scene sc;
    SceneModel m;
    Renderer r;
} Show1;

static int open_show(Show1 *s, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", SCENE, extra);
    LwError err = {""};
    memset(s, 0, sizeof *s);
    int rc = scene_load_string("steps.scene", text, strlen(text), &s->sc, &err);
    if (!rc) rc = scene_build(&s->sc, &s->m, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&s->m.show, &s->sc.render, 1, &s->r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    return rc;
}

static void close_show(Show1 *s)
{
    renderer_free(&s->r);
    scene_model_free(&s->m);
    scene_free(&s->sc);
}

/* The state after the last step, composed, is where the next stage starts. */
static void check_joints(const Renderer *r)
{
    const SegmentRender *sr = &r->segs[0];
    const Geometry *g = &sr->geom;
    double worst = 0;
    int joints = 0;
    for (int l = 0; l < sr->plan.n_hidden; l++) {
        int s = stage_index(l, STAGE_ACTIVATION);
        for (int i = 0; i < g->n_points; i++) {
            double states[STAGE_MAX_STEPS + 1][WD], start[WD], next[WD];
            int n = stage_step_states(&sr->plan, s, geom_states_get(&g->point_state, s, i, start),
                                      states);
            geom_states_get(&g->point_state, s + 1, i, next);
            for (int d = 0; d < WD; d++) worst = fmax(worst, fabs(states[n][d] - next[d]));
            joints++;
        }
    }
    CHECK_MSG(worst <= 1e-12, "the stage after the activation starts %g from the last step's end",
              worst);
    printf("  %d joints: last step's end vs next stage's start max |diff| %.2e\n", joints, worst);
}

/* Every frame of a step: its own view, fitted per axis, every data point
 * and the worked point inside it. */
static void check_views(const Renderer *r)
{
    int step_frames = 0, per_axis = 1, inside = 1, marked = 0;
    const SegmentRender *sr = &r->segs[0];
    for (int f = 0; f < r->timeline.n_frames; f++) {
        FramePos p = timeline_at(&r->timeline, f);
        int local;
        renderer_segment(r, p.stage, &local);
        if (p.part < 0 || p.part >= stage_step_count(&sr->plan, local)) continue;
        step_frames++;
        const View *v = &r->views[f];
        per_axis &= v->scale_y > 0;
        double seconds = r->cfg->timeline.stage_seconds * (p.stage + p.t), d[3], x, y;
        for (int i = 0; i < sr->geom.n_points; i++) {
            geom_point_display(&sr->geom, local, p.t, seconds, i, d);
            view_project(v, d, &x, &y, NULL);
            inside &= x >= 0 && x <= v->width && y >= 0 && y <= v->height;
        }
        if (renderer_worked_display(r, p.stage, p.t, seconds, d)) {
            view_project(v, d, &x, &y, NULL);
            inside &= x >= 0 && x <= v->width && y >= 0 && y <= v->height;
            marked++;
        }
    }
    CHECK(step_frames > 0 && marked == step_frames);
    CHECK_MSG(per_axis, "%s", "a step's view is not fitted per axis");
    CHECK_MSG(inside, "%s", "a point leaves a step's view");
}

static void check_captions(const Renderer *r)
{
    Caption c;
    FrameReq q;
    /* the exp step of layer 1, halfway */
    CHECK(renderer_moment(r, 1, "exp", 0.5, &q) == 0);
    q = renderer_request_frame(r, q.frame);
    render_caption(r, q, &c);
    CHECK(c.n_steps == 4 && c.step == 2 && c.worked_dim == 2);
    CHECK_STR(c.step_formula[1], "e\xcb\xa3");
    CHECK_STR(c.step_formula[2], "x + 1");
    double want[5][2] = {{1, 2}, {-1, -2}, {exp(-1.0), exp(-2.0)}, {1 + exp(-1.0), 1 + exp(-2.0)},
                         {1 / (1 + exp(-1.0)), 1 / (1 + exp(-2.0))}};
    double worst = 0;
    for (int k = 0; k < 5; k++)
        for (int d = 0; d < 2; d++) worst = fmax(worst, fabs(c.worked[k][d] - want[k][d]));
    CHECK_MSG(worst <= 1e-15, "worked numbers off by %g", worst);
    CHECK_MSG(fabs(c.worked[4][0] - 0.731) < 5e-4 && fabs(c.worked[4][1] - 0.881) < 5e-4,
              "%s", "sigmoid(1, 2) is not [0.731, 0.881]");
    char label[64];
    renderer_label(r, q, label, sizeof label);
    CHECK_MSG(!strncmp(label, "L1.activation.2 t=", 18), "label %s", label);
    /* the same step by number; tanh's first times2 */
    FrameReq q2;
    CHECK(renderer_moment(r, 1, "activation.2", 0.5, &q2) == 0 && q2.frame == q.frame);
    CHECK(renderer_moment(r, 2, "times2", 0.0, &q2) == 0);
    CHECK(renderer_moment(r, 2, "activation.7", 1.0, &q2) == 0);
    render_caption(r, renderer_request_frame(r, q2.frame), &c);
    CHECK(c.n_steps == 7 && c.step == 7);
    CHECK(renderer_moment(r, 1, "log", 0.5, &q2) == -1);       /* not a sigmoid step */
    CHECK(renderer_moment(r, 1, "activation.5", 0.5, &q2) == -1);
    CHECK(renderer_moment(r, 1, "activation.0", 0.5, &q2) == -1);
    CHECK(renderer_moment(r, 3, "exp", 0.5, &q2) == -1);       /* the readout has no steps */
    CHECK(renderer_moment(r, 1, "activation", 0.5, &q2) == 0);
    /* the result, held after the last step */
    int result = -1;
    for (int f = 0; f < r->timeline.n_frames && result < 0; f++)
        if (timeline_at(&r->timeline, f).part == 4) result = f;
    CHECK(result >= 0);
    if (result >= 0) {
        render_caption(r, renderer_request_frame(r, result), &c);
        CHECK(c.step == 5 && c.n_steps == 4);
        CHECK(r->views[result].scale_y == 0.0); /* the result: one scale, as any layer */
    }
    /* the step still sheet: before, and after each step */
    FrameReq qs[STAGE_MAX_STEPS + 1];
    char titles[STAGE_MAX_STEPS + 1][64];
    CHECK(renderer_step_stills(r, 0, qs, titles) == 5 && qs[0].t == 0.0 && qs[4].t == 1.0);
    CHECK(renderer_step_stills(r, 1, qs, titles) == 8 && qs[3].t == 3.0 / 7);
    CHECK(renderer_step_stills(r, 2, qs, titles) == 0); /* the readout */
}

/* Frames hashed with one worker and with three, with a surface per frame
 * in flight and with one per worker (hook_takes_pixels). */
typedef struct {
    char hex[64][65];
    int with_pixels; /* frames the sink received pixels with */
} Hashes;

static int hash_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                     const char *note, LwError *err)
{
    Hashes *h = user;
    (void)q; (void)slot; (void)stride; (void)err;
    snprintf(h->hex[index], sizeof h->hex[index], "%s", note);
    h->with_pixels += px != NULL;
    return LW_OK;
}

static int hash_hook(void *user, FrameReq q, int slot, const uint8_t *px, int stride, char *note,
                     LwError *err)
{
    const Renderer *r = user;
    (void)q; (void)slot; (void)err;
    return hash_pixels(px, r->cfg->style.width, r->cfg->style.height, stride, note);
}

static void check_threads(const Renderer *r)
{
    FrameReq q[24];
    int n = 0;
    for (int f = 0; f < r->timeline.n_frames && n < 24; f += r->timeline.n_frames / 24 + 1)
        q[n++] = renderer_request_frame(r, f);
    static Hashes one, three, taken;
    LwError err = {""};
    RunOptions o1 = {.threads = 1, .hook = hash_hook, .hook_user = (void *)r};
    RunOptions o3 = {.threads = 3, .hook = hash_hook, .hook_user = (void *)r};
    RunOptions own = {.threads = 3, .hook = hash_hook, .hook_user = (void *)r,
                     .hook_takes_pixels = 1};
    CHECK(render_run(r, q, n, &o1, hash_sink, &one, &err) == LW_OK);
    CHECK(render_run(r, q, n, &o3, hash_sink, &three, &err) == LW_OK);
    CHECK(render_run(r, q, n, &own, hash_sink, &taken, &err) == LW_OK);
    int same = 1;
    for (int i = 0; i < n; i++)
        same &= !strcmp(one.hex[i], three.hex[i]) && !strcmp(one.hex[i], taken.hex[i]) &&
                one.hex[i][0];
    CHECK_MSG(same, "%s", "frames differ between 1 and 3 threads, or a surface per worker");
    CHECK(one.with_pixels == n && three.with_pixels == n);
    CHECK_MSG(taken.with_pixels == 0, "%d frames came with pixels although the hook took them",
              taken.with_pixels);
    printf("  %d frames hashed alike with 1 and 3 threads, and with a surface per worker\n", n);
}

static void test_show(void)
{
    Show1 s;
    if (open_show(&s, "")) return;
    const Renderer *r = &s.r;
    CHECK(r->parts && r->parts[0] == 4 && r->parts[1] == 7 && r->parts[2] == 1);
    check_joints(r);
    check_views(r);
    check_captions(r);
    check_threads(r);
    close_show(&s);
}

/* relu: one step, the stage as it always played (one part, same frames). */
static void test_one_step(void)
{
    static const char relu[] =
        "[dataset]\nkind = moons\npoints = 60\nseed = 3\n"
        "[network]\nwidths = 2,2\nactivation = leaky_relu\n"
        "[weights]\nW1 = 2.0 1.0 | -1.0 1.5\nb1 = 0.3 -0.2\n"
        "[render]\nwidth = 320\nheight = 180\nfps = 10\n";
    char with[1024];
    snprintf(with, sizeof with, "%sactivation_steps = hadamard\nworked_point = -1\n", relu);
    const char *texts[2] = {relu, with};
    Scene sc[2];
    SceneModel m[2];
    Renderer r[2];
    LwError err = {""};
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        memset(&m[i], 0, sizeof m[i]);
        memset(&r[i], 0, sizeof r[i]);
        int rc = scene_load_string("relu.scene", texts[i], strlen(texts[i]), &sc[i], &err);
        if (!rc) rc = scene_build(&sc[i], &m[i], NULL, NULL, &err);
        if (!rc) rc = renderer_create(&m[i].show, &sc[i].render, 1, &r[i], &err);
        CHECK_MSG(rc == LW_OK, "%s", err.msg);
        ok &= rc == LW_OK;
    }
    if (ok) {
        CHECK(r[0].timeline.n_frames == r[1].timeline.n_frames);
        CHECK(stage_step_count(&r[1].segs[0].plan, 2) == 1);
        Caption c;
        FrameReq q;
        CHECK(renderer_moment(&r[1], 1, "leaky_relu", 0.5, &q) == 0);
        render_caption(&r[1], q, &c);
        CHECK(c.n_steps == 1 && c.worked_dim == 2 && c.worked[1][0] == -0.1 && c.worked[1][1] == 0);
        CHECK_STR(c.step_formula[0], "max(0.1x, x)");
        /* the worked point gives the first unit; the second is 0 */
        double d[3];
        CHECK(renderer_worked_display(&r[1], 2, 1.0, 0, d) == 1 && d[0] == -0.1 && d[1] == 0);
    }
    for (int i = 0; i < 2; i++) {
        renderer_free(&r[i]);
        scene_model_free(&m[i]);
        scene_free(&sc[i]);
    }
}

int main(void)
{
    test_compose();
    test_beyond_cap();
    test_motion();
    test_timeline();
    test_show();
    test_one_step();
    return check_done("test_steps");
}
