/* render.c — builds a Renderer once, then draws frames on worker threads and
 * hands them to a sink in order.
 *
 * Threads: workers claim the next request under a mutex, draw into their
 * slot's own surface (one cairo_t and FrameGeom per worker, reused), and mark
 * the slot ready; the calling thread waits for slot k, gives it to the sink,
 * frees it.  A request is claimed only when its slot is free, so at most
 * 2 * threads frames exist at once whatever the video length. */
#include "render.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "draw.h"

/* ---- set-up ---------------------------------------------------------------- */

/* Box of the data in camera coordinates at (stage, t) seen through R. */
static void data_box(const Renderer *r, int stage, double t, double seconds, const double *R,
                     double *b)
{
    b[0] = b[2] = INFINITY;
    b[1] = b[3] = -INFINITY;
    for (int i = 0; i < r->data.n; i++) {
        double d[3];
        geom_point_display(&r->geom, stage, t, seconds, i, d);
        double x = R[0] * d[0] + R[1] * d[1] + R[2] * d[2];
        double y = R[3] * d[0] + R[4] * d[1] + R[5] * d[2];
        b[0] = fmin(b[0], x);
        b[1] = fmax(b[1], x);
        b[2] = fmin(b[2], y);
        b[3] = fmax(b[3], y);
    }
}

/* The view of a still: fitted to this moment only, no smoothing. */
static void tight_view(const Renderer *r, FrameReq q, View *v)
{
    const SceneRender *sr = &r->scene->render;
    double R[9], box[4], content[4];
    camera_rotation(sr, stage_depth_weight(&r->plan, q.stage, q.t), q.frame / sr->fps, R);
    data_box(r, q.stage, q.t, q.frame / sr->fps, R, box);
    draw_content_rect(r->scene, content);
    camera_fit_path(sr, 1, box, R, content, v);
}

static int camera_path(Renderer *r, LwError *err)
{
    const Scene *sc = r->scene;
    int n = r->timeline.n_frames;
    double *boxes = malloc(sizeof(double) * 4 * n), *rot = malloc(sizeof(double) * 9 * n);
    r->views = calloc(n, sizeof *r->views);
    if (!boxes || !rot || !r->views) {
        free(boxes);
        free(rot);
        return lw_fail(err, LW_ERUNTIME, "out of memory for the camera path");
    }
    for (int f = 0; f < n; f++) {
        FramePos p = timeline_at(&r->timeline, f);
        double w3 = stage_depth_weight(&r->plan, p.stage, p.t);
        double *R = rot + 9 * f;
        camera_rotation(&sc->render, w3, f / sc->render.fps, R);
        data_box(r, p.stage, p.t, f / sc->render.fps, R, boxes + 4 * f);
    }
    double content[4];
    draw_content_rect(sc, content);
    camera_fit_path(&sc->render, n, boxes, rot, content, r->views);
    free(boxes);
    free(rot);
    return LW_OK;
}

static double det_square(const Mlp *m, int l)
{
    int n = m->widths[l];
    const double *W = m->W[l];
    if (n == 2) return W[0] * W[3] - W[1] * W[2];
    if (n == 3)
        return W[0] * (W[4] * W[8] - W[5] * W[7]) - W[1] * (W[3] * W[8] - W[5] * W[6]) +
               W[2] * (W[3] * W[7] - W[4] * W[6]);
    return 1.0; /* wider layers are drawn by projection; leave them be */
}

/* Olah's fix for det W < 0: swap units 1 and 2 of the layer (rows of W and
 * b, and the matching columns of the next layer's W or of the readout).
 * The network computes the same function; its W now has det > 0, and the
 * next layer's determinant changes sign, so we go front to back. */
static void swap_reflections(Renderer *r, Reflection mode)
{
    Mlp *m = &r->net;
    for (int l = 0; l < m->n_layers; l++) {
        int in = m->widths[l], out = m->widths[l + 1];
        if (in != out || in < 2 || in > 3 || det_square(m, l) >= 0) continue;
        if (mode == REFLECT_TURN || (mode == REFLECT_AUTO && in == 2)) continue;
        for (int j = 0; j < in; j++) {
            double t = m->W[l][j];
            m->W[l][j] = m->W[l][in + j];
            m->W[l][in + j] = t;
        }
        double t = m->b[l][0];
        m->b[l][0] = m->b[l][1];
        m->b[l][1] = t;
        int next_in = out;
        double *Wn = l + 1 < m->n_layers ? m->W[l + 1] : (m->has_readout ? m->Wout : NULL);
        int rows = l + 1 < m->n_layers ? m->widths[l + 2] : m->n_out;
        for (int i = 0; Wn && i < rows; i++) {
            double u = Wn[i * next_in];
            Wn[i * next_in] = Wn[i * next_in + 1];
            Wn[i * next_in + 1] = u;
        }
        r->swapped[l] = 1;
    }
}

int renderer_create(const Scene *sc, Renderer *r, TrainProgress progress, void *user,
                    LwError *err)
{
    int rc = renderer_create_model(sc, r, progress, user, err);
    return rc ? rc : camera_path(r, err);
}

int renderer_create_model(const Scene *sc, Renderer *r, TrainProgress progress, void *user,
                          LwError *err)
{
    memset(r, 0, sizeof *r);
    r->scene = sc;
    r->accuracy = -1;
    int rc = dataset_make(&sc->data, &r->data, err);
    if (rc) return rc;
    rc = train_network_for_scene(sc, &r->data, &r->net, progress, user, &r->report, err);
    if (rc) return rc;
    if (r->net.has_readout) {
        if (r->net.n_out != (r->data.classes == 2 ? 1 : r->data.classes) && sc->net.has_weights)
            return lw_fail(err, LW_EINPUT, "%s: Wout has %d rows but the data has %d classes "
                           "(expected %d)", sc->path, r->net.n_out, r->data.classes,
                           r->data.classes == 2 ? 1 : r->data.classes);
        r->accuracy = mlp_accuracy(&r->net, r->data.x, r->data.label, r->data.n);
    }
    if (sc->render.interpolation == INTERP_POLAR)
        swap_reflections(r, sc->render.reflection);
    rc = stage_plan_make(&r->net, sc->render.interpolation, &r->plan, err);
    if (rc) return rc;
    timeline_make(&sc->render, r->plan.n_stages, &r->timeline);
    if (r->timeline.n_frames > 1000000)
        return lw_fail(err, LW_EINPUT, "%s: %d frames is more than the 1000000 allowed "
                       "(lower fps, stage_seconds or the holds)", sc->path, r->timeline.n_frames);
    rc = geom_build(&r->geom, &r->plan, &r->data, &r->net, &sc->render, err);
    if (rc == LW_EINPUT && err) { /* the scene asked for too much: say which scene */
        LwError inner = *err;
        return lw_fail(err, LW_EINPUT, "%s: %s", sc->path, inner.msg);
    }
    return rc;
}

void renderer_free(Renderer *r)
{
    if (!r) return;
    geom_free(&r->geom);
    free(r->views);
    r->views = NULL;
    mlp_free(&r->net);
    dataset_free(&r->data);
}

/* ---- requests and labels --------------------------------------------------- */

FrameReq renderer_request_frame(const Renderer *r, int frame)
{
    FramePos p = timeline_at(&r->timeline, frame);
    return (FrameReq){frame, p.stage, p.t, 0};
}

FrameReq renderer_request_at(const Renderer *r, int stage, double t)
{
    int f = timeline_frame_at(&r->timeline, stage, t);
    if (f < 0) f = 0;
    if (f >= r->timeline.n_frames) f = r->timeline.n_frames - 1;
    return (FrameReq){f, stage, t, 0};
}

void renderer_label(const Renderer *r, FrameReq q, char *buf, size_t n)
{
    const Stage *st = &r->plan.stages[q.stage];
    snprintf(buf, n, "L%d.%s t=%.2f", st->layer + 1, stage_kind_name(st->kind), q.t);
}

static void make_caption(const Renderer *r, FrameReq q, Caption *c)
{
    const Stage *st = &r->plan.stages[q.stage];
    memset(c, 0, sizeof *c);
    c->before_start = q.stage == 0 && q.t <= 0.0;
    c->layer = st->layer + 1;
    c->n_layers = r->net.n_layers;
    c->kind = st->kind;
    c->act = r->net.act[st->layer];
    c->dim_in = r->net.widths[st->layer];
    c->dim_out = r->net.widths[st->layer + 1];
    c->flip = st->kind == STAGE_LINEAR && r->plan.motion[st->layer].flip;
    c->swapped = st->kind == STAGE_LINEAR && r->swapped[st->layer];
    c->stage = q.stage;
    c->n_stages = r->plan.n_stages;
    FramePos p = timeline_at(&r->timeline, q.frame);
    c->u = p.stage == q.stage ? p.u : (q.t > 0 ? 1 : 0);
    const Projection3 *pr = &r->geom.proj[st->layer];
    if (c->before_start)
        ; /* the input is shown as it is */
    else if (pr->mode == PROJ_UNITS)
        snprintf(c->view_note, sizeof c->view_note, "shown: units %d, %d, %d of %d",
                 pr->units[0] + 1, pr->units[1] + 1, pr->units[2] + 1, pr->n);
    else if (pr->mode == PROJ_BASIS)
        snprintf(c->view_note, sizeof c->view_note, pr->tour ? "a tour through all %d axes"
                 : "top 3 of %d principal axes", pr->n);
    c->shade_class = r->geom.shade_class;
    c->n_classes = r->data.classes;
    char widths[96] = "";
    for (int i = 0; i <= r->net.n_layers; i++) {
        size_t len = strlen(widths);
        snprintf(widths + len, sizeof widths - len, i ? "-%d" : "%d", r->net.widths[i]);
    }
    if (r->accuracy >= 0)
        snprintf(c->summary, sizeof c->summary, "%s  %s  accuracy %.1f%%",
                 dataset_kind_name(r->scene->data.kind), widths, 100 * r->accuracy);
    else
        snprintf(c->summary, sizeof c->summary, "%s  %s",
                 dataset_kind_name(r->scene->data.kind), widths);
}

/* ---- one frame --------------------------------------------------------------- */

typedef struct {
    FrameGeom fg;
} Scratch;

static int draw_request(const Renderer *r, FrameReq q, Scratch *s, cairo_surface_t *surf,
                        LwError *err)
{
    View still;
    const View *view = &r->views[q.frame];
    if (q.tight) {
        tight_view(r, q, &still);
        view = &still;
    }
    if (geom_frame(&r->geom, q.stage, q.t, q.frame / r->scene->render.fps, view, &s->fg) != LW_OK)
        return lw_fail(err, LW_ERUNTIME, "out of memory drawing frame %d", q.frame);
    Caption cap;
    make_caption(r, q, &cap);
    cap.px_per_unit = view->scale;
    cairo_t *cr = cairo_create(surf);
    cairo_status_t cs = draw_frame(cr, r->scene, &s->fg, r->data.label, &cap);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    if (cs != CAIRO_STATUS_SUCCESS)
        return lw_fail(err, LW_ERUNTIME, "drawing frame %d: %s", q.frame,
                       cairo_status_to_string(cs));
    return LW_OK;
}

int render_one(const Renderer *r, FrameReq q, uint8_t *bgra, int stride, LwError *err)
{
    const SceneRender *sr = &r->scene->render;
    cairo_surface_t *surf = cairo_image_surface_create_for_data(bgra, CAIRO_FORMAT_ARGB32,
                                                                sr->width, sr->height, stride);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        return lw_fail(err, LW_ERUNTIME, "cannot draw into a %dx%d buffer of stride %d",
                       sr->width, sr->height, stride);
    }
    Scratch s = {0};
    int rc = draw_request(r, q, &s, surf, err);
    geom_frame_free(&s.fg);
    cairo_surface_destroy(surf);
    return rc;
}

/* ---- progress ---------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void show_progress(const Renderer *r, FrameReq q, int done, int total, double t0)
{
    double el = now_seconds() - t0, fps = el > 0 ? done / el : 0;
    double eta = fps > 0 ? (total - done) / fps : 0;
    char label[64];
    renderer_label(r, q, label, sizeof label);
    int width = 30, fill = total ? done * width / total : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %d/%d  %-20s %6.1f fps  ETA %5.1fs ", bar, done, total, label,
            fps, eta);
    if (done == total) fputc('\n', stderr);
    fflush(stderr);
}

/* ---- the worker pool ----------------------------------------------------------- */

typedef struct {
    cairo_surface_t *surf;
    int ready;
    int rc;
    LwError err;
    char note[LW_NOTE_MAX];
} Slot;

typedef struct {
    const Renderer *r;
    const FrameReq *reqs;
    int n;
    const RunOptions *opt;
    Slot *slots;
    int n_slots;
    int next_claim, next_deliver;
    int abort;
    pthread_mutex_t mu;
    pthread_cond_t ready_cv, free_cv;
} Pool;

static void *worker(void *arg)
{
    Pool *p = arg;
    Scratch s = {0};
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->abort && p->next_claim < p->n && p->next_claim - p->next_deliver >= p->n_slots)
            pthread_cond_wait(&p->free_cv, &p->mu);
        if (p->abort || p->next_claim >= p->n) break;
        int k = p->next_claim++;
        Slot *slot = &p->slots[k % p->n_slots];
        pthread_mutex_unlock(&p->mu);
        int rc = draw_request(p->r, p->reqs[k], &s, slot->surf, &slot->err);
        slot->note[0] = '\0';
        if (rc == LW_OK && p->opt->hook)
            rc = p->opt->hook(p->opt->hook_user, p->reqs[k], k % p->n_slots,
                              cairo_image_surface_get_data(slot->surf),
                              cairo_image_surface_get_stride(slot->surf), slot->note, &slot->err);
        pthread_mutex_lock(&p->mu);
        slot->rc = rc;
        slot->ready = 1;
        pthread_cond_broadcast(&p->ready_cv);
    }
    pthread_mutex_unlock(&p->mu);
    geom_frame_free(&s.fg);
    return NULL;
}

static int deliver_all(Pool *p, const RunOptions *opt, FrameSink sink, void *user, LwError *err)
{
    double t0 = now_seconds(), last = 0;
    for (int k = 0; k < p->n; k++) {
        Slot *slot = &p->slots[k % p->n_slots];
        pthread_mutex_lock(&p->mu);
        while (!slot->ready && !(opt->stop && *opt->stop))
            pthread_cond_wait(&p->ready_cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        if (opt->stop && *opt->stop)
            return lw_fail(err, LW_EINTR, "interrupted");
        if (slot->rc) {
            *err = slot->err;
            return slot->rc;
        }
        int rc = sink(user, k, p->reqs[k], k % p->n_slots, cairo_image_surface_get_data(slot->surf),
                      cairo_image_surface_get_stride(slot->surf), slot->note, err);
        if (rc) return rc;
        if (opt->stop && *opt->stop)
            return lw_fail(err, LW_EINTR, "interrupted");
        pthread_mutex_lock(&p->mu);
        slot->ready = 0;
        p->next_deliver++;
        pthread_cond_broadcast(&p->free_cv);
        pthread_mutex_unlock(&p->mu);
        double t = now_seconds();
        if (opt->progress && (t - last > 0.1 || k + 1 == p->n)) {
            show_progress(p->r, p->reqs[k], k + 1, p->n, t0);
            last = t;
        }
    }
    return LW_OK;
}

/* Wakes the delivering thread regularly so a signal is noticed promptly. */
static void *stop_watch(void *arg)
{
    Pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int done = p->abort;
        pthread_cond_broadcast(&p->ready_cv);
        pthread_mutex_unlock(&p->mu);
        if (done) return NULL;
        usleep(50000);
    }
}

int render_slots(int threads)
{
    return 2 * (threads < 1 ? 1 : threads);
}

int render_run(const Renderer *r, const FrameReq *reqs, int n, const RunOptions *opt,
               FrameSink sink, void *user, LwError *err)
{
    const SceneRender *sr = &r->scene->render;
    int threads = opt->threads < 1 ? 1 : opt->threads;
    Pool p = {.r = r, .reqs = reqs, .n = n, .opt = opt, .n_slots = render_slots(threads)};
    p.slots = calloc(p.n_slots, sizeof *p.slots);
    pthread_t *tid = calloc(threads, sizeof *tid);
    int rc = LW_OK, started = 0, watch = 0;
    pthread_t watcher;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.ready_cv, NULL);
    pthread_cond_init(&p.free_cv, NULL);
    if (!p.slots || !tid) {
        rc = lw_fail(err, LW_ERUNTIME, "out of memory");
        goto fail;
    }
    for (int i = 0; i < p.n_slots; i++) {
        p.slots[i].surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, sr->width, sr->height);
        if (cairo_surface_status(p.slots[i].surf) != CAIRO_STATUS_SUCCESS) {
            rc = lw_fail(err, LW_ERUNTIME, "cannot allocate a %dx%d frame", sr->width, sr->height);
            goto fail;
        }
    }
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &p) != 0) {
            rc = lw_fail(err, LW_ERUNTIME, "cannot start worker threads");
            goto fail;
        }
    watch = opt->stop && pthread_create(&watcher, NULL, stop_watch, &p) == 0;
    rc = deliver_all(&p, opt, sink, user, err);
fail:
    pthread_mutex_lock(&p.mu);
    p.abort = 1;
    pthread_cond_broadcast(&p.free_cv);
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (watch)
        pthread_join(watcher, NULL);
    if (p.slots)
        for (int i = 0; i < p.n_slots; i++)
            if (p.slots[i].surf) cairo_surface_destroy(p.slots[i].surf);
    free(p.slots);
    free(tid);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.ready_cv);
    pthread_cond_destroy(&p.free_cv);
    return rc;
}
