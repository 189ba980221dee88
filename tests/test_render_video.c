/* test_render_video.c — what `layerwarp render` writes is the animation:
 * runs the real binary on a small scene, decodes the MP4 (and the lossless
 * MKV) with libavformat/libavcodec, and checks frame count, size, frame rate
 * and duration, and that decoded frame k is the frame the library renders
 * for index k (PSNR >= 35 dB, and closer to it than to frames k-1 and k+1),
 * so an off-by-one frame cannot pass. */
#include <cairo.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "decode.h"
#include "render.h"
#include "scene.h"

static const char SCENE[] =
    "[dataset]\nkind = moons\npoints = 200\nseed = 5\n"
    "[network]\nwidths = 2,2,2\n"
    "[weights]\nW1 = 1.2 -0.8 | 0.6 1.1\nb1 = 0.3 -0.2\n"
    "W2 = 0.9 1.3 | -1.1 0.7\nb2 = -0.1 0.4\nWout = 1.5 -2.0\nbout = 0.1\n"
    "[render]\nwidth = 1280\nheight = 720\nfps = 25\nstage_seconds = 0.24\n"
    "hold_start = 0\nhold_between = 0\nhold_end = 0\n";

static void check_video(const char *path, const Renderer *r, uint8_t **src, double min_db)
{
    const Style *sr = &r->cfg->style;
    double fps = r->cfg->timeline.fps;
    int n = r->timeline.n_frames;
    Decoded d;
    int rc = decode_file(path, n + 4, &d);
    CHECK_MSG(rc == 0, "%s: cannot decode (%d)", path, rc);
    if (rc) {
        decoded_free(&d);
        return;
    }
    CHECK_MSG(d.n == n, "%s: %d frames, expected %d", path, d.n, n);
    CHECK_MSG(d.w == sr->width && d.h == sr->height, "%s: %dx%d", path, d.w, d.h);
    CHECK_MSG(d.rate.den && fabs(av_q2d(d.rate) - fps) < 1e-9, "%s: %d/%d fps", path,
              d.rate.num, d.rate.den);
    CHECK_MSG(fabs(d.duration - n / fps) < 2e-3, "%s: duration %.4f s, expected %.4f s",
              path, d.duration, n / fps);
    int bad = 0, swapped = 0;
    double lowest = 999;
    for (int k = 0; k < n && k < d.n; k++) {
        double same = psnr_bgra(d.frames[k], src[k], sr->width, sr->height);
        lowest = fmin(lowest, same);
        if (same < min_db) bad++;
        for (int j = k - 1; j <= k + 1; j += 2)
            if (j >= 0 && j < n && psnr_bgra(d.frames[k], src[j], sr->width, sr->height) >= same)
                swapped++;
    }
    CHECK_MSG(bad == 0, "%s: %d frames below %.0f dB (lowest %.2f)", path, bad, min_db, lowest);
    CHECK_MSG(swapped == 0, "%s: %d frames look more like a neighbour", path, swapped);
    printf("  %s: %d frames %dx%d, %.3f s, lowest PSNR %.2f dB\n", path, d.n, d.w, d.h,
           d.duration, lowest);
    decoded_free(&d);
}

int main(void)
{
    gsl_set_error_handler_off();
    const char *bin = getenv("LW_BIN") ? getenv("LW_BIN") : "build/layerwarp";
    char dir[] = "/tmp/lw-render-video-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char scene_path[64], mp4[64], mkv[64], cmd[1024];
    snprintf(scene_path, sizeof scene_path, "%s/short.scene", dir);
    snprintf(mp4, sizeof mp4, "%s/short.mp4", dir);
    snprintf(mkv, sizeof mkv, "%s/short.mkv", dir);
    FILE *f = fopen(scene_path, "w");
    CHECK(f && fputs(SCENE, f) >= 0 && fclose(f) == 0);

    /* the library's own frames, the reference */
    Scene sc;
    SceneModel model;
    Renderer r;
    LwError err = {""};
    int rc = scene_load_file(scene_path, &sc, &err);
    if (!rc) rc = scene_build(&sc, &model, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&model.show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc) return check_done("test_render_video");
    int n = r.timeline.n_frames, w = sc.render.style.width, h = sc.render.style.height;
    uint8_t **src = calloc(n, sizeof *src);
    for (int k = 0; k < n; k++) {
        src[k] = malloc((size_t)w * h * 4);
        CHECK(render_one(&r, renderer_request_frame(&r, k), src[k], w * 4, &err) == 0);
    }

    snprintf(cmd, sizeof cmd, "%s render %s -q -j 2 -o %s && %s render %s -q -j 1 -o %s", bin,
             scene_path, mp4, bin, scene_path, mkv);
    CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
    check_video(mp4, &r, src, 35.0);
    check_video(mkv, &r, src, 998.0); /* lossless: every pixel */

    for (int k = 0; k < n; k++) free(src[k]);
    free(src);
    renderer_free(&r);
    scene_model_free(&model);
    scene_free(&sc);
    unlink(scene_path);
    unlink(mp4);
    unlink(mkv);
    rmdir(dir);
    return check_done("test_render_video");
}
