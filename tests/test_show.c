/* test_show.c — a Show built by hand through the public headers, with no
 * scene, dataset or classifier behind it, renders like any other:
 *  - two segments: a 2-2 tanh stack over a box carrying labelled points,
 *    then a 2-3-2 stack over a latent grid of samples with a fixed overlay
 *    (reference points that never move, as real data beside a generator);
 *  - at the end of every layer the drawn state equals a forward pass
 *    written out here (plain loops), within rounding;
 *  - the timeline runs through both segments in order, labels number the
 *    layers across the whole show, captions carry each segment's title;
 *  - the fixed overlay stays where it was put in every frame of its segment,
 *    and shows in the pixels there in its colour;
 *  - frames are drawn (not blank), identically by render_one and by the
 *    worker pool on two threads;
 *  - as a video renders them (a hook that takes the pixels, 8 slots, the
 *    workers behind the encoder): the same frames, no more than 8 in
 *    flight, every slot used, and each worker SCHED_BATCH (the caller's
 *    own policy unchanged). */
#define _GNU_SOURCE /* SCHED_BATCH */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "hash.h"
#include "png_out.h"
#include "render.h"

#define WD LW_MAX_WIDTH

/* ---- the show ------------------------------------------------------------- */

static const double W1[4] = {1.3, -0.7, 0.4, 1.1}, B1[2] = {0.2, -0.3};
/* a latent map 2 -> 3 -> 2: widen, then fold back into the plane */
static const double V1[6] = {0.9, -0.4, 0.3, 1.2, -0.8, 0.5}, C1[3] = {0.1, -0.2, 0.05};
static const double V2[6] = {1.1, -0.6, 0.7, 0.2, 0.9, -1.0}, C2[2] = {-0.1, 0.15};

static LayerStack stack_of(int n_widths, const int *widths, Activation act,
                           const double *const *W, const double *const *b)
{
    LayerStack s;
    memset(&s, 0, sizeof s);
    s.n_layers = n_widths - 1;
    for (int l = 0; l < n_widths; l++) s.widths[l] = widths[l];
    for (int l = 0; l < s.n_layers; l++) {
        s.act[l] = act;
        s.W[l] = (double *)W[l];
        s.b[l] = (double *)b[l];
    }
    return s;
}

#define N_DATA 60
#define N_LATENT 49
#define N_FIXED 5
static double data_x[N_DATA * 2], latent_x[N_LATENT * 2];
static int data_label[N_DATA], latent_label[N_LATENT];
static const double fixed_x[N_FIXED * 2] = {0.5, 0.5, -0.4, 0.6, 0.0, -0.5, 0.7, -0.2, -0.6, -0.6};
static const int fixed_label[N_FIXED] = {2, 2, 2, 2, 2};

static void make_points(void)
{
    for (int i = 0; i < N_DATA; i++) { /* two arcs */
        double a = M_PI * i / (N_DATA / 2), r = i % 2 ? 0.5 : 0.9;
        data_x[2 * i] = r * cos(a);
        data_x[2 * i + 1] = r * sin(a);
        data_label[i] = i % 2;
    }
    for (int j = 0; j < 7; j++) /* a 7 x 7 latent grid over [-2, 2]^2 */
        for (int i = 0; i < 7; i++) {
            int k = j * 7 + i;
            latent_x[2 * k] = -2 + 4.0 * i / 6;
            latent_x[2 * k + 1] = -2 + 4.0 * j / 6;
            latent_label[k] = 3;
        }
}

static int build_show(Show *show, LwError *err)
{
    memset(show, 0, sizeof *show);
    Segment *seg;
    const int wa[2] = {2, 2}, wb[3] = {2, 3, 2};
    const double *Wa[1] = {W1}, *ba[1] = {B1}, *Wb[2] = {V1, V2}, *bb[2] = {C1, C2};
    LayerStack a = stack_of(2, wa, ACT_TANH, Wa, ba), b = stack_of(3, wb, ACT_TANH, Wb, bb);
    b.act[1] = ACT_SIGMOID;
    int rc = show_add_segment(show, &seg, err);
    if (!rc) rc = segment_set_layers(seg, &a, err);
    if (!rc) rc = segment_add_points(seg, data_x, data_label, N_DATA, 2, NULL, 0, 0, 0, err);
    if (rc) return rc;
    const double box[6] = {-1.25, 1.25, -1.25, 1.25, 0, 0};
    memcpy(seg->region, box, sizeof box);
    seg->n_classes = 2;
    snprintf(seg->title, sizeof seg->title, "segment one: a box");
    rc = show_add_segment(show, &seg, err);
    if (!rc) rc = segment_set_layers(seg, &b, err);
    if (!rc) rc = segment_add_points(seg, latent_x, latent_label, N_LATENT, 2, NULL, 0, 0, 0, err);
    if (!rc) rc = segment_add_points(seg, fixed_x, fixed_label, N_FIXED, 2, NULL, 0, 0, 1, err);
    if (rc) return rc;
    const double latent[6] = {-2, 2, -2, 2, 0, 0};
    memcpy(seg->region, latent, sizeof latent);
    seg->n_classes = 4;
    snprintf(seg->title, sizeof seg->title, "segment two: a latent grid");
    return LW_OK;
}

static void make_config(RenderConfig *c)
{
    memset(c, 0, sizeof *c);
    Style *s = &c->style;
    s->width = 320;
    s->height = 180;
    s->background = (Rgb){1, 1, 1};
    s->grid = (Rgb){0.62, 0.62, 0.62};
    s->domain = (Rgb){0.12, 0.12, 0.12};
    s->text = (Rgb){0.1, 0.1, 0.1};
    s->classes[0] = (Rgb){0, 0.447, 0.698};
    s->classes[1] = (Rgb){0.835, 0.369, 0};
    s->classes[2] = (Rgb){0, 0.62, 0.451};
    s->classes[3] = (Rgb){0.8, 0.475, 0.655};
    s->point_radius = 6;
    s->grid_width = 1;
    s->domain_width = 2.2;
    s->curve_width = 4;
    s->boundary_width = 2.5;
    s->caption_size = 24;
    snprintf(s->font, sizeof s->font, "DejaVu Sans");
    s->show_grid = s->show_domain = s->show_points = s->show_captions = s->show_progress = 1;
    s->scale_bar = 1;
    c->timeline = (TimelineConfig){.fps = 12, .stage_seconds = 0.5, .hold_start = 0.25,
                                   .hold_between = 0.1, .hold_end = 0.25, .layer_gap = 0.25,
                                   .easing = EASE_SMOOTHSTEP};
    c->camera.view = VIEW_AUTO;
    c->camera.margin = 0.08;
    c->camera.yaw = -35;
    c->camera.pitch = 55;
    c->geom = (GeomConfig){.grid_lines = 9, .grid_samples = 24, .grid_adaptive = 1,
                           .show_grid = 1, .show_domain = 1, .wide_view = WIDE_PCA};
    c->interpolation = INTERP_POLAR;
    c->reflection = REFLECT_AUTO;
}

/* ---- checks --------------------------------------------------------------- */

/* h_l = act(b + W h_{l-1}), written out again here. */
static void forward(const LayerStack *s, const double *x, double *h)
{
    memcpy(h, x, sizeof(double) * s->widths[0]);
    for (int l = 0; l < s->n_layers; l++) {
        const double *in = h + l * WD;
        double *out = h + (l + 1) * WD;
        for (int j = 0; j < s->widths[l + 1]; j++) {
            double z = s->b[l][j];
            for (int k = 0; k < s->widths[l]; k++) z += s->W[l][j * s->widths[l] + k] * in[k];
            out[j] = act_apply(s->act[l], z);
        }
    }
}

static void check_layer_ends(const Renderer *r)
{
    double worst = 0;
    int checked = 0;
    for (int k = 0; k < r->n_segments; k++) {
        const SegmentRender *sr = &r->segs[k];
        const Segment *seg = sr->seg;
        int i0 = 0;
        for (int set = 0; set < seg->n_sets; set++) {
            const PointSet *ps = &seg->sets[set];
            for (int i = 0; !ps->fixed && i < ps->n; i++) {
                double h[(LW_MAX_LAYERS + 1) * WD];
                forward(&seg->net, ps->x + 2 * i, h);
                for (int l = 0; l < seg->net.n_layers; l++) {
                    double end[WD];
                    geom_point_end_state(&sr->geom, stage_index(l, STAGE_ACTIVATION), i0 + i, end);
                    for (int u = 0; u < seg->net.widths[l + 1]; u++) {
                        int v = sr->plan.swapped[l] && u < 2 ? 1 - u : u;
                        worst = fmax(worst, fabs(end[u] - h[(l + 1) * WD + v]));
                    }
                    checked++;
                }
            }
            i0 += ps->n;
        }
    }
    CHECK_MSG(worst < 1e-12, "a layer's end differs from the forward pass by %g", worst);
    CHECK(checked == N_DATA * 1 + N_LATENT * 2);
    printf("  %d layer ends of moving points: max |diff| to the forward pass %.2e\n", checked,
           worst);
}

static void check_timeline(const Renderer *r)
{
    CHECK(r->n_segments == 2 && r->n_stages == 3 + 6 && r->n_layers == 3);
    CHECK(r->segs[1].first_stage == 3 && r->segs[1].first_layer == 1);
    int local = -1;
    CHECK(renderer_segment(r, 2, &local) == &r->segs[0] && local == 2);
    CHECK(renderer_segment(r, 3, &local) == &r->segs[1] && local == 0);
    /* frames walk through the stages of both segments in order */
    int last = -1, ordered = 1, seen[9] = {0};
    for (int f = 0; f < r->timeline.n_frames; f++) {
        FrameReq q = renderer_request_frame(r, f);
        ordered &= q.stage >= last;
        last = q.stage;
        seen[q.stage] = 1;
    }
    int all = 1;
    for (int s = 0; s < 9; s++) all &= seen[s];
    CHECK(ordered && all);
    char label[64];
    renderer_label(r, (FrameReq){0, 3, 0.5, 0}, label, sizeof label);
    CHECK_STR(label, "L2.linear t=0.50");
    renderer_label(r, (FrameReq){0, 8, 1.0, 0}, label, sizeof label);
    CHECK_STR(label, "L3.activation t=1.00");
}

/* The overlay stays put, and is drawn there in its colour. */
static void check_fixed_overlay(const Renderer *r, const uint8_t *const *frames, int stride)
{
    const Geometry *g = &r->segs[1].geom;
    const Style *st = &r->cfg->style;
    Rgb want = st->classes[2];
    int moved = 0, drawn = 0, looked = 0;
    for (int f = 0; f < r->timeline.n_frames; f++) {
        FrameReq q = renderer_request_frame(r, f);
        int local;
        if (renderer_segment(r, q.stage, &local) != &r->segs[1]) continue;
        for (int i = 0; i < N_FIXED; i++) {
            double d[3];
            geom_point_display(g, local, q.t, f / r->cfg->timeline.fps, N_LATENT + i, d);
            moved += d[0] != fixed_x[2 * i] || d[1] != fixed_x[2 * i + 1] || d[2] != 0;
            double x, y;
            view_project(&r->views[f], d, &x, &y, NULL);
            int px = (int)x, py = (int)y;
            if (px < 0 || py < 0 || px >= st->width || py >= st->height) continue;
            const uint8_t *p = frames[f] + (size_t)py * stride + 4 * px; /* B G R A */
            looked++;
            drawn += fabs(p[2] / 255.0 - want.r) < 0.1 && fabs(p[1] / 255.0 - want.g) < 0.1 &&
                     fabs(p[0] / 255.0 - want.b) < 0.1;
        }
    }
    CHECK_MSG(moved == 0, "the fixed overlay moved %d times", moved);
    CHECK_MSG(looked > 0 && drawn >= looked * 9 / 10, "overlay colour at %d of %d places",
              drawn, looked);
}

typedef struct {
    const Renderer *r;
    char (*hashes)[65];
} HashSink;

static int hash_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px, int stride,
                     const char *note, LwError *err)
{
    HashSink *h = user;
    (void)q; (void)slot; (void)note; (void)err;
    return hash_pixels(px, h->r->cfg->style.width, h->r->cfg->style.height, stride,
                       h->hashes[index]);
}

/* What a video's run looks like from the hook and the sink. */
typedef struct {
    const Renderer *r;
    char (*hashes)[65];
    char (*slot_hash)[65]; /* per slot: the hash the hook made, for the sink */
    pthread_mutex_t mu;
    int in_flight, most_in_flight, slots_used, not_batch;
} BehindRun;

static int behind_hook(void *user, FrameReq q, int slot, const uint8_t *px, int stride,
                       char *note, LwError *err)
{
    BehindRun *b = user;
    (void)q; (void)note; (void)err;
    int policy;
    struct sched_param sp;
    int batch = pthread_getschedparam(pthread_self(), &policy, &sp) == 0 && policy == SCHED_BATCH;
    hash_pixels(px, b->r->cfg->style.width, b->r->cfg->style.height, stride, b->slot_hash[slot]);
    pthread_mutex_lock(&b->mu);
    b->in_flight++;
    if (b->in_flight > b->most_in_flight) b->most_in_flight = b->in_flight;
    b->slots_used |= 1 << slot;
    b->not_batch += !batch;
    pthread_mutex_unlock(&b->mu);
    return LW_OK;
}

static int behind_sink(void *user, int index, FrameReq q, int slot, const uint8_t *px,
                       int stride, const char *note, LwError *err)
{
    BehindRun *b = user;
    (void)q; (void)px; (void)stride; (void)note; (void)err;
    memcpy(b->hashes[index], b->slot_hash[slot], 65);
    pthread_mutex_lock(&b->mu);
    b->in_flight--;
    pthread_mutex_unlock(&b->mu);
    return LW_OK;
}

static void check_behind_encoder(const Renderer *r, const FrameReq *reqs, int n,
                                 char (*one)[65])
{
    enum { SLOTS = 8 };
    char(*got)[65] = calloc(n, 65), slot_hash[SLOTS][65];
    BehindRun b = {.r = r, .hashes = got, .slot_hash = slot_hash};
    pthread_mutex_init(&b.mu, NULL);
    int before, after;
    struct sched_param sp;
    pthread_getschedparam(pthread_self(), &before, &sp);
    RunOptions ro = {.threads = 2, .hook = behind_hook, .hook_user = &b,
                     .hook_takes_pixels = 1, .slots = SLOTS, .behind_encoder = 1};
    LwError err = {""};
    CHECK_MSG(render_run(r, reqs, n, &ro, behind_sink, &b, &err) == LW_OK, "%s", err.msg);
    int same = 0;
    for (int f = 0; f < n; f++) same += strcmp(one[f], got[f]) == 0;
    CHECK_MSG(same == n, "%d of %d frames differ behind the encoder", n - same, n);
    CHECK_MSG(b.most_in_flight <= SLOTS, "%d frames in flight, for %d slots", b.most_in_flight,
              SLOTS);
    CHECK_MSG(b.slots_used == (1 << SLOTS) - 1, "slots used: %#x of %d", (unsigned)b.slots_used,
              SLOTS);
    CHECK_MSG(b.not_batch == 0, "%d of %d frames drawn by a worker not SCHED_BATCH",
              b.not_batch, n);
    pthread_getschedparam(pthread_self(), &after, &sp);
    CHECK_MSG(after == before, "the caller's scheduling policy changed");
    printf("  behind the encoder: %d frames the same, at most %d of %d slots in flight, "
           "every worker SCHED_BATCH\n", same, b.most_in_flight, SLOTS);
    pthread_mutex_destroy(&b.mu);
    free(got);
}

int main(void)
{
    gsl_set_error_handler_off();
    make_points();
    Show show;
    RenderConfig cfg;
    Renderer r;
    LwError err = {""};
    make_config(&cfg);
    int rc = build_show(&show, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (!rc) rc = renderer_create(&show, &cfg, 1, &r, &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc) {
        show_free(&show);
        return check_done("test_show");
    }
    check_layer_ends(&r);
    check_timeline(&r);

    int n = r.timeline.n_frames, stride = 4 * cfg.style.width;
    uint8_t **frames = calloc(n, sizeof *frames);
    char (*one)[65] = calloc(n, 65), (*pool)[65] = calloc(n, 65);
    int blank = 0;
    for (int f = 0; f < n; f++) {
        frames[f] = malloc((size_t)stride * cfg.style.height);
        CHECK(render_one(&r, renderer_request_frame(&r, f), frames[f], stride, &err) == LW_OK);
        int ink = 0;
        for (int k = 0; k < stride * cfg.style.height; k += 4) ink += frames[f][k] < 200;
        blank += ink < 100;
        hash_pixels(frames[f], cfg.style.width, cfg.style.height, stride, one[f]);
    }
    CHECK_MSG(blank == 0, "%d of %d frames are nearly blank", blank, n);
    check_fixed_overlay(&r, (const uint8_t *const *)frames, stride);

    FrameReq *reqs = malloc(sizeof *reqs * n);
    for (int f = 0; f < n; f++) reqs[f] = renderer_request_frame(&r, f);
    RunOptions ro = {.threads = 2};
    HashSink hs = {&r, pool};
    CHECK(render_run(&r, reqs, n, &ro, hash_sink, &hs, &err) == LW_OK);
    int same = 0;
    for (int f = 0; f < n; f++) same += strcmp(one[f], pool[f]) == 0;
    CHECK_MSG(same == n, "%d of %d frames differ between render_one and two workers", n - same,
              n);
    printf("  %d frames of a two-segment show drawn, identical on 1 and 2 threads\n", n);
    check_behind_encoder(&r, reqs, n, one);

    const char *dir = getenv("LW_SHOW_FRAMES"); /* a folder: the frames, to look at */
    for (int f = 0; dir && f < n; f += 3) {
        char path[LW_PATH_MAX];
        snprintf(path, sizeof path, "%s/show-%03d.png", dir, f);
        CHECK(png_write_bgra(path, frames[f], cfg.style.width, cfg.style.height, stride, NULL, 0,
                             &err) == LW_OK);
    }
    for (int f = 0; f < n; f++) free(frames[f]);
    free(frames);
    free(one);
    free(pool);
    free(reqs);
    renderer_free(&r);
    show_free(&show);
    return check_done("test_show");
}
