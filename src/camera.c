/* camera.c — the camera path: rotation per frame and a view box that follows
 * the data smoothly without ever cutting a point off (see camera.h). */
#include "camera.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_EXTENT 0.25     /* units: never zoom in further than this box */
#define FOLLOW_SECONDS 0.3  /* how far ahead and behind the box looks */

void camera_rotation(const CameraConfig *r, double weight3d, double seconds, double rot[9])
{
    double yaw = weight3d * (r->yaw + r->orbit * seconds) * M_PI / 180;
    double tilt = weight3d * r->pitch * M_PI / 180;
    double cy = cos(yaw), sy = sin(yaw), ct = cos(tilt), st = sin(tilt);
    /* rot = Rx(-tilt) * Rz(yaw): spin about the vertical axis of the data,
     * then lean its z axis up the screen. */
    double R[9] = {cy, -sy, 0,
                   ct * sy, ct * cy, st,
                   -st * sy, -st * cy, ct};
    memcpy(rot, R, sizeof R);
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

int camera_fit_path(const CameraConfig *r, double fps, int width, int height, int n_frames,
                    const double *boxes, const double *rot, const double content[4],
                    View *views)
{
    int rad = (int)lround(FOLLOW_SECONDS * fps);
    double *tmp = malloc(sizeof(double) * n_frames * 3);
    double *lim = malloc(sizeof(double) * n_frames * 4);
    if (!tmp || !lim) { /* never a path without its smoothing: that would change pixels */
        free(tmp);
        free(lim);
        return LW_ERUNTIME;
    }
    for (int side = 0; side < 4; side++) {
        for (int f = 0; f < n_frames; f++)
            tmp[f] = boxes[f * 4 + side];
        /* xmin, ymin widen downwards; xmax, ymax upwards */
        dilate(tmp, tmp + n_frames, n_frames, rad, side % 2);
        blur(tmp + n_frames, tmp + 2 * n_frames, n_frames, rad);
        for (int f = 0; f < n_frames; f++)
            lim[f * 4 + side] = tmp[2 * n_frames + f];
    }
    for (int f = 0; f < n_frames; f++) {
        View *v = &views[f];
        memcpy(v->rot, rot + 9 * f, sizeof v->rot);
        double b[4];
        if (r->view == VIEW_FIXED)
            memcpy(b, r->view_box, sizeof b);
        else
            memcpy(b, lim + 4 * f, sizeof b);
        double bw = fmax(b[1] - b[0], MIN_EXTENT), bh = fmax(b[3] - b[2], MIN_EXTENT);
        double m = r->view == VIEW_FIXED ? 0.0 : r->margin;
        double aw = content[2] * (1 - 2 * m), ah = content[3] * (1 - 2 * m);
        v->scale = fmin(aw / bw, ah / bh);
        v->cx = 0.5 * (b[0] + b[1]);
        v->cy = 0.5 * (b[2] + b[3]);
        v->ox = content[0] + 0.5 * content[2];
        v->oy = content[1] + 0.5 * content[3];
        v->persp = r->projection == PROJ_PERSPECTIVE ? 2.5 * fmax(bw, bh) : 0.0;
        v->width = width;
        v->height = height;
    }
    free(tmp);
    free(lim);
    return LW_OK;
}
