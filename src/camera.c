/* camera.c — the camera path: rotation per frame and a view box that follows
 * the data smoothly without ever cutting a point off (see camera.h). */
#include "camera.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_EXTENT 0.25     /* units: never zoom in further than this box */
#define FOLLOW_SECONDS 0.3  /* how far ahead and behind the box looks */

void camera_rotation(const CameraConfig *r, double weight3d, double seconds, double yaw_offset,
                     double rot[9])
{
    double yaw = weight3d * (r->yaw + yaw_offset + r->orbit * seconds) * M_PI / 180;
    double tilt = weight3d * r->pitch * M_PI / 180;
    double cy = cos(yaw), sy = sin(yaw), ct = cos(tilt), st = sin(tilt);
    /* rot = Rx(-tilt) * Rz(yaw): spin about the vertical axis of the data,
     * then lean its z axis up the screen. */
    double R[9] = {cy, -sy, 0,
                   ct * sy, ct * cy, st,
                   -st * sy, -st * cy, ct};
    memcpy(rot, R, sizeof R);
}

int view_is_flat(const View *v)
{
    return v->rot[0] == 1.0 && v->rot[4] == 1.0 && v->rot[8] == 1.0 && v->persp == 0.0;
}

void camera_visible_box(const View *v, double grow, double b[4])
{
    double x0 = v->cx - v->ox / v->scale, x1 = v->cx + (v->width - v->ox) / v->scale;
    double sy = view_scale_y(v);
    double y0 = v->cy - (v->height - v->oy) / sy, y1 = v->cy + v->oy / sy;
    double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
    double hx = 0.5 * grow * (x1 - x0), hy = 0.5 * grow * (y1 - y0);
    b[0] = cx - hx;
    b[1] = cx + hx;
    b[2] = cy - hy;
    b[3] = cy + hy;
}

/* out[f] = max (or min) of in over [f-r, f+r]. */
static void dilate(const double *in, double *out, int n, int r, int use_max)
{
    for (int f = 0; f < n; f++) {
        double v = in[f];
        for (int k = f - r; k <= f + r; k++) {
            if (k < 0 || k >= n) continue;
            v = use_max ? fmax(v, in[k]) : fmin(v, in[k]);
        }
        out[f] = v;
    }
}

/* Normalised Gaussian blur with support r: for a dilated signal the result
 * stays on the safe side of every frame's own value. */
static void blur(const double *in, double *out, int n, int r)
{
    double sigma = r > 0 ? r / 2.0 : 1.0;
    for (int f = 0; f < n; f++) {
        double s = 0, w = 0;
        for (int k = -r; k <= r; k++) {
            int i = f + k < 0 ? 0 : (f + k >= n ? n - 1 : f + k);
            double g = exp(-0.5 * k * k / (sigma * sigma));
            s += g * in[i];
            w += g;
        }
        out[f] = s / w;
    }
}

/* The view that shows box b (camera coordinates) in the content rectangle:
 * one scale for both axes, or (per_axis) each axis filling its own side. */
static void fit_box(const CameraConfig *r, const double *b, double margin, const double *content,
                    int per_axis, View *v)
{
    double bw = fmax(b[1] - b[0], MIN_EXTENT), bh = fmax(b[3] - b[2], MIN_EXTENT);
    double aw = content[2] * (1 - 2 * margin), ah = content[3] * (1 - 2 * margin);
    v->scale = per_axis ? aw / bw : fmin(aw / bw, ah / bh);
    v->scale_y = per_axis ? ah / bh : 0.0;
    v->cx = 0.5 * (b[0] + b[1]);
    v->cy = 0.5 * (b[2] + b[3]);
    v->ox = content[0] + 0.5 * content[2];
    v->oy = content[1] + 0.5 * content[3];
    v->persp = r->projection == PROJ_PERSPECTIVE ? 2.5 * fmax(bw, bh) : 0.0;
}

/* The follow window: how many frames either side a box is widened over,
 * and (the blur's support being the same) smoothed over. */
static int follow_radius(double fps)
{
    return (int)lround(FOLLOW_SECONDS * fps);
}

/* follow: each frame's box widened over a window and smoothed */
static int follow_boxes(double fps, int n_frames, const double *boxes, double *lim)
{
    int rad = follow_radius(fps);
    double *tmp = malloc(sizeof(double) * n_frames * 3);
    if (!tmp) return LW_ERUNTIME;
    for (int side = 0; side < 4; side++) {
        for (int f = 0; f < n_frames; f++)
            tmp[f] = boxes[f * 4 + side];
        /* xmin, ymin widen downwards; xmax, ymax upwards */
        dilate(tmp, tmp + n_frames, n_frames, rad, side % 2);
        blur(tmp + n_frames, tmp + 2 * n_frames, n_frames, rad);
        for (int f = 0; f < n_frames; f++)
            lim[f * 4 + side] = tmp[2 * n_frames + f];
    }
    free(tmp);
    return LW_OK;
}

/* auto: one box per group, the union of its frames' boxes */
static int held_boxes(int n_frames, const double *boxes, const int *group, double *lim)
{
    int n_groups = 0;
    for (int f = 0; f < n_frames; f++)
        if (group[f] + 1 > n_groups) n_groups = group[f] + 1;
    double *u = malloc(sizeof(double) * 4 * (n_groups ? n_groups : 1));
    if (!u) return LW_ERUNTIME;
    for (int g = 0; g < n_groups; g++) {
        u[4 * g] = u[4 * g + 2] = INFINITY;
        u[4 * g + 1] = u[4 * g + 3] = -INFINITY;
    }
    for (int f = 0; f < n_frames; f++) {
        int g = group[f];
        if (g < 0) continue;
        for (int side = 0; side < 4; side++)
            u[4 * g + side] = side % 2 ? fmax(u[4 * g + side], boxes[4 * f + side])
                                       : fmin(u[4 * g + side], boxes[4 * f + side]);
    }
    for (int f = 0; f < n_frames; f++)
        if (group[f] >= 0) memcpy(lim + 4 * f, u + 4 * group[f], 4 * sizeof(double));
    free(u);
    return LW_OK;
}

/* One axis of a zoom about its fixed point: the coordinate c0 shown at
 * scale s0 and c1 at s1 put the point P = (s0 c0 - s1 c1) / (s0 - s1) at the
 * same pixel; at scale s the centre that keeps P there.  A pan without a
 * zoom has no such point: the centre then moves in step. */
static double fixed_point_centre(double c0, double s0, double c1, double s1, double s, double e)
{
    if (fabs(log(s1 / s0)) < 1e-3) return (1 - e) * c0 + e * c1;
    double P = (s0 * c0 - s1 * c1) / (s0 - s1);
    return P - (s0 / s) * (P - c0);
}

/* A gap beside a view fitted per axis: each axis zooms in log space about
 * its own fixed point, so what is on screen stays there while the scale
 * changes by a factor of a hundred (into the exp step and out of it). */
static void zoom_about_fixed_point(const View *p, const View *q, double e, View *v)
{
    double py = view_scale_y(p), qy = view_scale_y(q);
    v->scale = exp((1 - e) * log(p->scale) + e * log(q->scale));
    v->scale_y = exp((1 - e) * log(py) + e * log(qy));
    v->cx = fixed_point_centre(p->cx, p->scale, q->cx, q->scale, v->scale, e);
    v->cy = fixed_point_centre(p->cy, py, q->cy, qy, v->scale_y, e);
    v->persp = (1 - e) * p->persp + e * q->persp;
}

/* The nearest frames either side of gap frame f that belong to a group
 * (zoom_gaps' a and b); -1 or n_frames when there is none. */
static void gap_ends(int n_frames, const int *group, int f, int *a, int *b)
{
    *a = f;
    *b = f;
    while (*a >= 0 && group[*a] < 0) (*a)--;
    while (*b < n_frames && group[*b] < 0) (*b)++;
}

/* A gap between groups zooms from the view before to the view after it:
 * the scale in log space (a steady zoom), the centre in step, eased. */
static void zoom_gaps(int n_frames, const int *group, const unsigned char *per_axis, View *views)
{
    for (int f = 0; f < n_frames; f++) {
        if (group[f] >= 0) continue;
        int a, b;
        gap_ends(n_frames, group, f, &a, &b);
        if (a < 0 && b >= n_frames) continue; /* no group at all: cannot happen */
        if (a < 0) a = b;
        if (b >= n_frames) b = a;
        double u = a == b ? 0 : (double)(f - a) / (b - a), s = u * u * (3 - 2 * u);
        const View *p = &views[a], *q = &views[b];
        View *v = &views[f];
        if (per_axis && (per_axis[a] || per_axis[b])) {
            zoom_about_fixed_point(p, q, s, v);
            continue;
        }
        v->scale = exp((1 - s) * log(p->scale) + s * log(q->scale));
        v->cx = (1 - s) * p->cx + s * q->cx;
        v->cy = (1 - s) * p->cy + s * q->cy;
        v->persp = (1 - s) * p->persp + s * q->persp;
    }
}

void camera_boxes_needed(const CameraConfig *c, double fps, int n_frames, const int *group,
                         const unsigned char *want, unsigned char *need)
{
    memset(need, 0, (size_t)n_frames);
    if (c->view == VIEW_FIXED) return;
    if (c->view == VIEW_FOLLOW) {
        /* frame f's box is the blur (support r, indices clamped to the video)
         * of the dilation (support r) of the boxes: frames within 2r of f */
        int r = follow_radius(fps);
        for (int f = 0; f < n_frames; f++) {
            if (!want[f]) continue;
            int lo = f - 2 * r < 0 ? 0 : f - 2 * r, hi = f + 2 * r >= n_frames ? n_frames - 1 : f + 2 * r;
            memset(need + lo, 1, (size_t)(hi - lo + 1));
        }
        return;
    }
    /* auto: a group's view is the union of all its frames' boxes; a gap's
     * views are the views of the groups on either side of it */
    int n_groups = 0;
    for (int f = 0; f < n_frames; f++)
        if (group[f] + 1 > n_groups) n_groups = group[f] + 1;
    unsigned char *g_need = calloc(n_groups ? (size_t)n_groups : 1, 1);
    if (!g_need) { /* no memory to be choosy: every box, as the whole path would */
        memset(need, 1, (size_t)n_frames);
        return;
    }
    for (int f = 0; f < n_frames; f++) {
        if (!want[f]) continue;
        if (group[f] >= 0) {
            g_need[group[f]] = 1;
            continue;
        }
        int a, b;
        gap_ends(n_frames, group, f, &a, &b);
        if (a >= 0) g_need[group[a]] = 1;
        if (b < n_frames) g_need[group[b]] = 1;
    }
    for (int f = 0; f < n_frames; f++)
        need[f] = group[f] >= 0 && g_need[group[f]];
    free(g_need);
}

void camera_fit_box(const CameraConfig *r, const double box[4], int per_axis,
                    const double content[4], View *v)
{
    fit_box(r, box, r->margin, content, per_axis, v);
}

int camera_fit_path(const CameraConfig *r, double fps, int width, int height, int n_frames,
                    const double *boxes, const double *rot, const int *group,
                    const unsigned char *per_axis, const double content[4], View *views)
{
    double *lim = malloc(sizeof(double) * n_frames * 4);
    int rc = lim ? LW_OK : LW_ERUNTIME;
    if (!rc && r->view == VIEW_FOLLOW)
        rc = follow_boxes(fps, n_frames, boxes, lim);
    else if (!rc && r->view == VIEW_AUTO)
        rc = held_boxes(n_frames, boxes, group, lim);
    if (rc) { /* never a path without its smoothing: that would change pixels */
        free(lim);
        return LW_ERUNTIME;
    }
    for (int f = 0; f < n_frames; f++) {
        View *v = &views[f];
        memcpy(v->rot, rot + 9 * f, sizeof v->rot);
        v->width = width;
        v->height = height;
        v->ox = content[0] + 0.5 * content[2];
        v->oy = content[1] + 0.5 * content[3];
        int axes = r->view == VIEW_AUTO && per_axis && per_axis[f];
        if (r->view == VIEW_FIXED)
            fit_box(r, r->view_box, 0.0, content, 0, v);
        else if (r->view == VIEW_FOLLOW || group[f] >= 0)
            fit_box(r, lim + 4 * f, r->margin, content, axes, v);
    }
    if (r->view == VIEW_AUTO)
        zoom_gaps(n_frames, group, per_axis, views);
    free(lim);
    return LW_OK;
}
