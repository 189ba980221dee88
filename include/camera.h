/* camera.h — where the content is on screen, frame by frame.
 *
 * A View maps a display point (up to 3 coordinates) to pixels: turn by the
 * camera's rotation (yaw about z, then a tilt about x; both scaled by how
 * 3-D the frame is, so a flat layer is seen straight from above and a 2->3
 * layer tilts smoothly into perspective), then centre and scale.
 *
 * The auto camera holds one view through each layer — the box of
 * everything the layer's three stages show (the data and the outline of the
 * input box), so a stretch by W looks like a stretch — and zooms smoothly
 * only in the gap between two layers.  The follow camera follows the data
 * instead: the per-frame box is widened to its maximum over a window of
 * neighbouring frames and then smoothed with a kernel no wider than that
 * window, which keeps every data point inside the frame while the motion
 * stays smooth.  The fixed camera shows view_box throughout.  The whole path
 * is computed once per render, so a frame's view never depends on which
 * frames were asked for. */
#ifndef CAMERA_H
#define CAMERA_H

#include "lw_common.h"

typedef enum { VIEW_AUTO, VIEW_FIXED, VIEW_FOLLOW } ViewMode;
typedef enum { PROJ_ORTHOGRAPHIC, PROJ_PERSPECTIVE } Projection;

typedef struct {
    ViewMode view;
    double view_box[4];    /* xmin, xmax, ymin, ymax when view = fixed */
    double margin;         /* auto view: fraction of the frame left free */
    /* 3-D camera, used for layers of width 3 */
    Projection projection;
    double yaw, pitch;     /* degrees */
    double orbit;          /* degrees per second of slow turn */
} CameraConfig;

typedef struct {
    double rot[9];      /* display -> camera axes, row-major */
    double cx, cy;      /* centre of the view in camera coordinates */
    double scale;       /* pixels per unit */
    double ox, oy;      /* pixel position of the centre */
    double persp;       /* 0: orthographic; else the eye distance in units */
    double width, height; /* the frame in pixels */
    double scale_y;     /* pixels per unit along the screen's y when it is not
                           `scale` (a box fitted per axis), 0: scale */
} View;

/* Pixels per unit along the screen's y. */
static inline double view_scale_y(const View *v)
{
    return v->scale_y > 0 ? v->scale_y : v->scale;
}

/* Pixel position (and depth, larger = nearer) of display point p[3]. */
static inline void view_project(const View *v, const double *p, double *sx, double *sy,
                                double *depth)
{
    double x = v->rot[0] * p[0] + v->rot[1] * p[1] + v->rot[2] * p[2];
    double y = v->rot[3] * p[0] + v->rot[4] * p[1] + v->rot[5] * p[2];
    double z = v->rot[6] * p[0] + v->rot[7] * p[1] + v->rot[8] * p[2];
    double f = 1.0;
    if (v->persp > 0) {
        double d = v->persp - z;
        f = v->persp / (d > 0.05 * v->persp ? d : 0.05 * v->persp);
    }
    *sx = v->ox + v->scale * (f * x - v->cx);
    *sy = v->oy - view_scale_y(v) * (f * y - v->cy);
    if (depth)
        *depth = z;
}

/* 1 when the view looks straight down on the plane, orthographically: the
 * display's x and y are the screen's, so flat-only drawing applies. */
int view_is_flat(const View *v);

/* The box (xmin, xmax, ymin, ymax) of display coordinates a view looking
 * straight down shows in its frame, grown by `grow` about its centre. */
void camera_visible_box(const View *v, double grow, double box[4]);

/* The rotation for a frame: weight3d in [0,1] says how 3-D the frame is. */
/* yaw_offset (degrees) turns the view further about the vertical, so a flat
 * layer's content is not held edge-on (render.c chooses it). */
void camera_rotation(const CameraConfig *c, double weight3d, double seconds, double yaw_offset,
                     double rot[9]);

/* Fits views to per-frame boxes.  boxes: (n_frames, 4) xmin,xmax,ymin,ymax of
 * the content in camera coordinates (after rotation, before scale); rot:
 * (n_frames, 9).  content: the pixel rectangle x, y, w, h free for content.
 * Writes views (n_frames). */
/* fps: frames per second (the follow window is in seconds); width, height:
 * the frame in pixels; group: (n_frames) the layer each frame belongs to, -1
 * in the gap between two layers (view = auto holds one view per group and
 * zooms in the gaps).  per_axis: (n_frames) or NULL; view = auto fits the
 * held box of a group whose frames have it set along each axis on its own
 * (an element-wise step, whose coordinates grow at their own rates), and a
 * gap beside such a group zooms about the point both views put at the same
 * pixel, so the content stays on screen through a large zoom.  LW_ERUNTIME
 * when out of memory (nothing written). */
int camera_fit_path(const CameraConfig *c, double fps, int width, int height, int n_frames,
                    const double *boxes, const double *rot, const int *group,
                    const unsigned char *per_axis, const double content[4], View *views);
/* Which frames' boxes camera_fit_path reads to fit the frames marked in
 * want (n_frames flags): none for view = fixed; for follow, those within
 * twice the follow window (the widening, then the smoothing); for auto, all
 * frames of each wanted frame's group, or of the groups either side of a
 * wanted gap frame.  Views of the wanted frames fitted from boxes that hold
 * just these (the rest anything finite) are the very views fitted from all
 * boxes: the same arithmetic on the same numbers.  Writes need (n_frames). */
void camera_boxes_needed(const CameraConfig *c, double fps, int n_frames, const int *group,
                         const unsigned char *want, unsigned char *need);
/* The view that shows box (camera coordinates) in the content rectangle,
 * with its margin: one scale for both axes, or (per_axis) one each. */
void camera_fit_box(const CameraConfig *c, const double box[4], int per_axis,
                    const double content[4], View *v);

#endif
