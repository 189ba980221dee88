/* caption.c — what the captions of a frame say: the layer and stage, the
 * network's shapes, the numbers of the stage (W and det W, b, the
 * activation), how a wide space is shown, the segment's title.  Plain data
 * for draw.c; nothing here draws.
 *
 * The numbers are the stage plan's copy, the ones the drawing moves by, so
 * what the panel says is what the picture does (a swapped layer's W and b
 * are shown swapped, and said to be).
 *
 * Owns nothing. */
#include "render.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"

static void view_note(const Projection3 *pr, char *out, size_t n)
{
    if (pr->mode == PROJ_UNITS)
        snprintf(out, n, "shown: units %d, %d, %d of %d", pr->units[0] + 1, pr->units[1] + 1,
                 pr->units[2] + 1, pr->n);
    else if (pr->mode == PROJ_BASIS)
        snprintf(out, n, pr->tour ? "a tour through all %d axes" : "top 3 of %d principal axes",
                 pr->n);
}

/* Names of the display axes: units, principal axes, or none while a tour
 * turns them (no fixed name fits). */
static void axis_names(const Projection3 *pr, int width, char names[3][16])
{
    for (int a = 0; a < 3; a++) {
        names[a][0] = '\0';
        if (pr->mode == PROJ_UNITS)
            snprintf(names[a], sizeof names[a], "x%d", pr->units[a] + 1);
        else if (pr->mode == PROJ_BASIS && !pr->tour)
            snprintf(names[a], sizeof names[a], "pc%d", a + 1);
        else if (pr->mode == PROJ_IDENTITY && a < width)
            snprintf(names[a], sizeof names[a], "x%d", a + 1);
    }
}

/* det of the (n, n) matrix A by LU; 0 when GSL cannot factor it. */
static double determinant(const double *A, int n)
{
    double m[LW_MAX_WIDTH * LW_MAX_WIDTH];
    memcpy(m, A, (size_t)n * n * sizeof *m);
    gsl_matrix_view v = gsl_matrix_view_array(m, (size_t)n, (size_t)n);
    gsl_permutation *p = gsl_permutation_alloc((size_t)n);
    int sign = 1;
    double d = 0;
    if (p && gsl_linalg_LU_decomp(&v.matrix, p, &sign) == GSL_SUCCESS)
        d = gsl_linalg_LU_det(&v.matrix, sign);
    gsl_permutation_free(p);
    return d;
}

/* One unit's activation, written as a formula; the leaky slope is read from
 * the function itself so the text cannot drift from it. */
static void act_formula(Activation a, char *out, size_t n)
{
    switch (a) {
    case ACT_TANH: snprintf(out, n, "tanh(x)"); break;
    case ACT_SIGMOID: snprintf(out, n, "1/(1+e^-x)"); break;
    case ACT_RELU: snprintf(out, n, "max(0, x)"); break;
    case ACT_LEAKY_RELU: snprintf(out, n, "max(%gx, x)", -act_apply(a, -1.0)); break;
    case ACT_SOFTPLUS: snprintf(out, n, "log(1+e^x)"); break;
    default: snprintf(out, n, "x"); break;
    }
}

/* The numbers of layer l as drawn. */
static void layer_numbers(const StagePlan *plan, int l, Caption *c)
{
    int rows = plan->widths[l + 1], cols = plan->widths[l];
    c->w_rows = rows;
    c->w_cols = cols;
    memcpy(c->W, plan->W[l], (size_t)rows * cols * sizeof c->W[0]);
    memcpy(c->b, plan->b[l], (size_t)rows * sizeof c->b[0]);
    c->has_det = rows == cols;
    if (c->has_det) c->det = determinant(plan->W[l], rows);
    c->swapped = plan->swapped[l];
    c->inputs_swapped = l > 0 && plan->swapped[l - 1];
    act_formula(plan->act[l], c->act_formula, sizeof c->act_formula);
}

/* One element-wise step as a map of x (U+2212 minus, U+02E3 raised x). */
void render_step_formula(HadamardOp op, char *out, size_t n)
{
    switch (op) {
    case HOP_NEGATE: snprintf(out, n, "\xe2\x88\x92x"); break;
    case HOP_EXP: snprintf(out, n, "e\xcb\xa3"); break;
    case HOP_PLUS1: snprintf(out, n, "x + 1"); break;
    case HOP_RECIPROCAL: snprintf(out, n, "1/x"); break;
    case HOP_TIMES2: snprintf(out, n, "2x"); break;
    case HOP_MINUS1: snprintf(out, n, "x \xe2\x88\x92 1"); break;
    case HOP_LOG: snprintf(out, n, "log x"); break;
    case HOP_RELU: snprintf(out, n, "max(0, x)"); break;
    case HOP_LEAKY_RELU: snprintf(out, n, "max(%gx, x)", -act_apply(ACT_LEAKY_RELU, -1.0)); break;
    default: snprintf(out, n, "x"); break;
    }
}

/* A split activation: its steps, the one on screen, and the worked point
 * through them. */
static void step_captions(const Renderer *r, const StagePlan *plan, int s, FrameReq q, Caption *c)
{
    c->n_steps = stage_step_count(plan, s);
    if (!c->n_steps) return;
    int layer = plan->stages[s].layer;
    for (int k = 0; k < c->n_steps; k++)
        render_step_formula(plan->steps[layer][k], c->step_formula[k], sizeof c->step_formula[k]);
    double tau;
    int k = stage_step_at(plan, s, q.t, &tau);
    c->step = k == 0 && tau <= 0.0 ? 0 : k + 1;
    FramePos p = timeline_at(&r->timeline, q.frame);
    if (p.stage == q.stage && p.part == c->n_steps) /* the result, held after the steps */
        c->step = c->n_steps + 1;
    if (renderer_worked_states(r, q.stage, c->worked))
        c->worked_dim = plan->stages[s].dim_out;
}

/* Width of the space on screen: a linear stage moves in max(in, out)
 * dimensions but starts in `in` and ends in `out`. */
static int shown_width(const Stage *st, double t)
{
    if (st->kind != STAGE_LINEAR) return st->dim;
    return t <= 0.0 ? st->dim_in : t >= 1.0 ? st->dim_out : st->dim;
}

/* The share of the data the morph's network at u puts in its own class:
 * the highest score (one score: positive for class 1), as a classifier
 * decides. */
static double morph_accuracy(const StagePlan *plan, const Segment *seg, int s, double t)
{
    const PointSet *ps = &seg->sets[0];
    if (!seg->n_sets || !plan->n_scores || ps->n == 0) return -1;
    int right = 0;
    for (int i = 0; i < ps->n; i++) {
        double x[LW_MAX_WIDTH] = {0}, z[LW_MAX_CLASSES];
        memcpy(x, ps->x + (size_t)i * ps->dim, sizeof(double) * ps->dim);
        stage_scores_at(plan, s, t, x, z);
        right += stage_scores_class(z, plan->n_scores) == ps->label[i];
    }
    return (double)right / ps->n;
}

/* A training morph's words: the steps it runs between, how far it has
 * gone, the cursor (evenly along the curve's log axis, as the checkpoints
 * are placed) and the accuracy of the network on screen. */
static void morph_caption(const SegmentRender *sr, int s, double t, Caption *c)
{
    const Segment *seg = sr->seg;
    c->morph = 1;
    c->morph_layer = seg->morph_layer;
    c->morph_to = seg->morph_step;
    c->morph_u = stage_morph_u(s, t);
    double a = log1p(seg->at_step), b = log1p(seg->morph_step);
    c->cursor_step = expm1(a + c->morph_u * (b - a));
    c->morph_gan = seg->tag == 'G';
    c->morph_accuracy = c->morph_gan ? -1 : morph_accuracy(&sr->plan, seg, s, t);
    c->n_layers = sr->plan.morph.n_hidden;
    c->layer = seg->morph_layer;
    if (c->morph_gan)
        snprintf(c->morph_head, sizeof c->morph_head, "generator");
    else
        snprintf(c->morph_head, sizeof c->morph_head, "layer %d/%d", c->layer, c->n_layers);
}

void render_caption(const Renderer *r, FrameReq q, Caption *c)
{
    int s;
    const SegmentRender *sr = renderer_segment(r, q.stage, &s);
    const StagePlan *plan = &sr->plan;
    const Stage *st = &plan->stages[s];
    memset(c, 0, sizeof *c);
    c->before_start = s == 0 && q.t <= 0.0;
    c->layer_input = st->kind == STAGE_LINEAR && q.t <= 0.0;
    c->layer = st->layer + 1;
    c->n_layers = plan->n_hidden;
    c->readout = plan->readout && st->layer == plan->n_layers - 1;
    c->n_scores = plan->n_scores;
    c->kind = st->kind;
    c->act = plan->act[st->layer];
    c->dim_in = plan->widths[st->layer];
    c->dim_out = plan->widths[st->layer + 1];
    layer_numbers(plan, st->layer, c);
    if (c->readout) /* the readout's own squash, not an activation of each unit */
        snprintf(c->act_formula, sizeof c->act_formula,
                 plan->n_scores == 1 ? "x1 \xe2\x86\xa6 1/(1+e^-x1); the rest as they are"
                                     : "x \xe2\x86\xa6 softmax(x)");
    c->flip = st->kind == STAGE_LINEAR && plan->motion[st->layer].flip;
    c->stage = q.stage;
    c->n_stages = r->n_stages;
    FramePos p = timeline_at(&r->timeline, q.frame);
    c->u = p.stage == q.stage ? p.u : (q.t > 0 ? 1 : 0);
    /* a layer's input is still in the last layer's view */
    int pl = c->layer_input && st->layer > 0 ? st->layer - 1 : st->layer;
    /* a layer down to 3 units or fewer is shown as it is; its linear stage
     * blends out of the wider layer's view, which the note still names */
    if (st->kind == STAGE_LINEAR && q.t < 1.0 && st->layer > 0 &&
        sr->geom.proj[st->layer].mode == PROJ_IDENTITY)
        pl = st->layer - 1;
    int width = shown_width(st, q.t);
    if (width > 3)
        view_note(&sr->geom.proj[pl], c->view_note, sizeof c->view_note);
    axis_names(&sr->geom.proj[pl], width, c->axis_name);
    c->n_classes = sr->seg->n_classes;
    memcpy(c->class_name, sr->seg->class_name, sizeof c->class_name);
    c->generated = sr->seg->generated_colour;
    /* the legend names the spreads and the reference while they are drawn */
    const Segment *seg = sr->seg;
    if (geom_spreads_shown(&sr->geom, s, q.t) > 0)
        snprintf(c->spread_name, sizeof c->spread_name, "%s", seg->spread_name);
    if (geom_reference_shown(&sr->geom, s, q.t))
        snprintf(c->reference_name, sizeof c->reference_name, "%s", seg->reference_name);
    if (s == stage_index(plan->n_hidden - 1, STAGE_ACTIVATION) && q.t > 0)
        snprintf(c->end_note, sizeof c->end_note, "%s", seg->end_note);
    snprintf(c->summary, sizeof c->summary, "%s", sr->seg->title);
    c->area_key = sr->geom.area_cells > 0 && r->cfg->style.shade == SHADE_AREA;
    c->has_step = sr->seg->has_step;
    c->at_step = sr->seg->at_step;
    c->n_curve = sr->seg->curve.n;
    c->curve_step = sr->seg->curve.step;
    c->curve_loss = sr->seg->curve.loss;
    c->curve_accuracy = sr->seg->curve.accuracy;
    for (int k = 0; k < 2; k++) {
        snprintf(c->tint_name[k], sizeof c->tint_name[k], "%s", sr->seg->shade_name[k]);
        c->tint_colour[k] = sr->seg->shade_colour[k];
    }
    c->curve_name[0] = sr->seg->curve.name[0];
    c->curve_name[1] = sr->seg->curve.name[1];
    c->cursor_step = c->at_step;
    if (plan->morph.on) {
        morph_caption(sr, s, q.t, c);
        return;
    }
    step_captions(r, plan, s, q, c);
}
