/* caption.c — what the captions of a frame say: the layer and stage, the
 * network's shapes, how a wide layer is shown, the segment's title.  Plain
 * data for draw.c; nothing here draws.
 *
 * Owns nothing. */
#include "render.h"

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

void render_caption(const Renderer *r, FrameReq q, Caption *c)
{
    int s;
    const SegmentRender *sr = renderer_segment(r, q.stage, &s);
    const StagePlan *plan = &sr->plan;
    const Stage *st = &plan->stages[s];
    memset(c, 0, sizeof *c);
    c->before_start = s == 0 && q.t <= 0.0;
    c->layer = st->layer + 1;
    c->n_layers = plan->n_layers;
    c->kind = st->kind;
    c->act = plan->act[st->layer];
    c->dim_in = plan->widths[st->layer];
    c->dim_out = plan->widths[st->layer + 1];
    c->flip = st->kind == STAGE_LINEAR && plan->motion[st->layer].flip;
    c->swapped = st->kind == STAGE_LINEAR && plan->swapped[st->layer];
    c->stage = q.stage;
    c->n_stages = r->n_stages;
    FramePos p = timeline_at(&r->timeline, q.frame);
    c->u = p.stage == q.stage ? p.u : (q.t > 0 ? 1 : 0);
    if (!c->before_start) /* the input is shown as it is */
        view_note(&sr->geom.proj[st->layer], c->view_note, sizeof c->view_note);
    c->n_classes = sr->seg->n_classes;
    snprintf(c->summary, sizeof c->summary, "%s", sr->seg->title);
}

