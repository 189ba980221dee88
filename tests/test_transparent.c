/* test_transparent.c — a see-through background reaches the files: runs the
 * real binary with --transparent on a small scene, decodes the WebM (with
 * libvpx-vp9 by name: FFmpeg's own vp9 decoder drops the alpha plane), the
 * MOV (ProRes 4444) and the MKV (FFV1 bgra), reads the PNG, and checks on
 * the decoded pixels that alpha is 0 in a background corner and 255 at the
 * centre of a data point.  The data point is found in the library's own
 * frame (a pixel of class 1's colour, fully covered 4 px around), not
 * guessed.  The lossless MKV and the PNG must equal the library's frame
 * un-premultiplied, every pixel; formats without alpha refuse. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alpha.h"
#include "check.h"
#include "decode.h"
#include "render.h"
#include "scene.h"

static const char SCENE[] =
    "[dataset]\nkind = moons\npoints = 40\nseed = 5\n"
    "[network]\nwidths = 2,2,2\n"
    "[weights]\nW1 = 1.2 -0.8 | 0.6 1.1\nb1 = 0.3 -0.2\n"
    "W2 = 0.9 1.3 | -1.1 0.7\nb2 = -0.1 0.4\nWout = 1.5 -2.0\nbout = 0.1\n"
    "[render]\nwidth = 640\nheight = 360\nfps = 5\nstage_seconds = 0.4\n"
    "hold_start = 0\nhold_between = 0\nhold_end = 0\n"
    "[style]\npoint_radius = 14\n";

typedef struct {
    int x, y;
} Px;

static int alpha_at(const uint8_t *bgra, int w, Px p)
{
    return bgra[((size_t)p.y * w + p.x) * 4 + 3];
}

/* 1 if the pixel at (x, y) is opaque and of colour c (within 1). */
static int is_class(const uint8_t *px, int w, int x, int y, Rgb c)
{
    const uint8_t *p = px + ((size_t)y * w + x) * 4;
    return p[3] == 255 && abs(p[2] - (int)(c.r * 255 + 0.5)) <= 1 &&
           abs(p[1] - (int)(c.g * 255 + 0.5)) <= 1 && abs(p[0] - (int)(c.b * 255 + 0.5)) <= 1;
}

/* The centre of data in frame `px`: the pixel whose square of class colour
 * c around it is the largest (at least 4 px each way, so it is inside a
 * disc or a cluster of discs, away from any rim, where a lossy codec's
 * ringing does not reach).  {-1, -1} when there is none. */
static Px data_centre(const uint8_t *px, int w, int h, Rgb c)
{
    Px best = {-1, -1};
    for (int half = 4;; half++) {
        Px found = {-1, -1};
        for (int y = half; y < h - half && found.x < 0; y++)
            for (int x = half; x < w - half && found.x < 0; x++) {
                int covered = 1;
                for (int dy = -half; dy <= half && covered; dy++)
                    for (int dx = -half; dx <= half && covered; dx++)
                        covered = is_class(px, w, x + dx, y + dy, c);
                if (covered) found = (Px){x, y};
            }
        if (found.x < 0) return best;
        best = found;
    }
}

/* The library's frames, straight alpha. */
static uint8_t **reference(const char *scene_path, int *n, int *w, int *h, Rgb *class1)
{
    Scene sc;
    SceneModel model;
    Renderer r;
    LwError err = {""};
    int rc = scene_load_file(scene_path, &sc, &err);
    if (!rc) {
        /* as --transparent sets it */
        sc.render.style.transparency = 1;
        rc = scene_build(&sc, &model, NULL, NULL, &err);
    }
    if (!rc) rc = renderer_create(&model.show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc) return NULL;
    *n = r.timeline.n_frames, *w = sc.render.style.width, *h = sc.render.style.height;
    *class1 = sc.render.style.classes[0];
    uint8_t **src = calloc(*n, sizeof *src);
    for (int k = 0; k < *n; k++) {
        src[k] = malloc((size_t)*w * *h * 4);
        CHECK(render_one(&r, renderer_request_frame(&r, k), src[k], *w * 4, &err) == 0);
        for (int y = 0; y < *h; y++)
            alpha_unpremultiply_row(src[k] + (size_t)y * *w * 4, src[k] + (size_t)y * *w * 4, *w);
    }
    renderer_free(&r);
    scene_model_free(&model);
    scene_free(&sc);
    return src;
}

/* Decoded frame k: alpha 0 at the corner and 255 at the data point (VP9
 * codes its alpha plane lossily, like the colours: measured 251..255 there
 * at the default crf, so it may be off by `alpha_tol`), and for a lossless
 * format every pixel equal to the reference.  Returns the alpha at the
 * data point. */
static int check_decoded(const char *what, const uint8_t *got, const uint8_t *want, int w,
                         int h, int k, Px corner, Px data, int lossless, int alpha_tol)
{
    CHECK_MSG(alpha_at(got, w, corner) == 0, "%s frame %d: alpha %d at the corner (%d,%d)", what,
              k, alpha_at(got, w, corner), corner.x, corner.y);
    CHECK_MSG(alpha_at(got, w, data) >= 255 - alpha_tol,
              "%s frame %d: alpha %d at the data point (%d,%d)", what, k, alpha_at(got, w, data),
              data.x, data.y);
    const uint8_t *g = got + ((size_t)data.y * w + data.x) * 4;
    const uint8_t *e = want + ((size_t)data.y * w + data.x) * 4;
    /* BT.709 there and back, and a lossy codec: VP9's 4:2:0 at crf 28 was
     * measured up to 17 off, ProRes 4444 up to 1 */
    int tol = lossless ? 0 : alpha_tol ? 24 : 2;
    CHECK_MSG(abs(g[0] - e[0]) <= tol && abs(g[1] - e[1]) <= tol && abs(g[2] - e[2]) <= tol,
              "%s frame %d: colour %d,%d,%d at the data point, expected %d,%d,%d", what, k,
              g[2], g[1], g[0], e[2], e[1], e[0]);
    if (lossless) {
        size_t diff = 0;
        for (size_t i = 0; i < (size_t)w * h * 4; i++) diff += got[i] != want[i];
        CHECK_MSG(diff == 0, "%s frame %d: %zu bytes differ from the library's frame", what, k,
                  diff);
    }
    return alpha_at(got, w, data);
}

/* Returns the lowest alpha at the data points. */
static int check_video(const char *path, const char *decoder, uint8_t **src, int n, int w,
                       int h, Px corner, const Px *data, int lossless, int alpha_tol)
{
    Decoded d;
    int rc = decode_file_with(path, decoder, n + 4, &d), lowest = 255;
    CHECK_MSG(rc == 0, "%s: cannot decode (%d)", path, rc);
    CHECK_MSG(rc || d.n == n, "%s: %d frames, expected %d", path, d.n, n);
    for (int k = 0; !rc && k < n && k < d.n; k++)
        if (data[k].x >= 0) {
            int a = check_decoded(path, d.frames[k], src[k], w, h, k, corner, data[k], lossless,
                                  alpha_tol);
            if (a < lowest) lowest = a;
        }
    decoded_free(&d);
    return lowest;
}

/* A PNG read back as straight BGRA (libpng's simplified API). */
static uint8_t *read_png(const char *path, int w, int h, int *rgba)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) return NULL;
    *rgba = (img.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    img.format = PNG_FORMAT_BGRA;
    uint8_t *px = malloc((size_t)w * h * 4);
    if ((int)img.width != w || (int)img.height != h || !px ||
        !png_image_finish_read(&img, NULL, px, w * 4, NULL)) {
        png_image_free(&img);
        free(px);
        return NULL;
    }
    return px;
}

int main(void)
{
    const char *bin = getenv("LW_BIN") ? getenv("LW_BIN") : "build/layerwarp";
    char dir[] = "/tmp/lw-transparent-XXXXXX";
    av_log_set_level(AV_LOG_ERROR); /* libvpx's decoder says its version */
    CHECK(mkdtemp(dir) != NULL);
    char scene_path[64], out[96], cmd[1024];
    snprintf(scene_path, sizeof scene_path, "%s/t.scene", dir);
    FILE *f = fopen(scene_path, "w");
    CHECK(f && fputs(SCENE, f) >= 0 && fclose(f) == 0);

    int n = 0, w = 0, h = 0;
    Rgb class1;
    uint8_t **src = reference(scene_path, &n, &w, &h, &class1);
    if (!src) return check_done("test_transparent");
    /* the top-left corner: the captions' band, cleared to the background
     * (a readout's tinted halves reach every other corner) */
    Px corner = {0, 0}, *data = calloc(n, sizeof *data);
    int found = 0;
    for (int k = 0; k < n; k++) {
        data[k] = data_centre(src[k], w, h, class1);
        found += data[k].x >= 0;
        CHECK_MSG(alpha_at(src[k], w, corner) == 0, "library frame %d: corner not clear", k);
    }
    CHECK_MSG(found >= n / 2, "a data point's centre in only %d of %d frames", found, n);

    static const struct {
        const char *ext, *decoder;
        int lossless, alpha_tol;
    } videos[] = {{"webm", "libvpx-vp9", 0, 5}, {"mov", NULL, 0, 0}, {"mkv", NULL, 1, 0}};
    for (size_t i = 0; i < sizeof videos / sizeof videos[0]; i++) {
        snprintf(out, sizeof out, "%s/t.%s", dir, videos[i].ext);
        snprintf(cmd, sizeof cmd, "%s render %s -q -j 2 --transparent -o %s", bin, scene_path,
                 out);
        CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
        int lowest = check_video(out, videos[i].decoder, src, n, w, h, corner, data,
                                 videos[i].lossless, videos[i].alpha_tol);
        printf("  %s: alpha 0 at (%d,%d), %d..255 at the data points of %d frames\n", out,
               corner.x, corner.y, lowest, found);
        unlink(out);
    }

    /* PNG frames: RGBA, every pixel the library's un-premultiplied */
    snprintf(out, sizeof out, "%s/frames", dir);
    snprintf(cmd, sizeof cmd, "%s frames %s -q -t --frames 0,%d -o %s", bin, scene_path, n - 1,
             out);
    CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
    for (int k = 0; k < n; k += n - 1) {
        char png[160];
        int rgba = 0;
        snprintf(png, sizeof png, "%s/frame-%05d.png", out, k);
        uint8_t *px = read_png(png, w, h, &rgba);
        CHECK_MSG(px != NULL, "%s: cannot read", png);
        CHECK_MSG(rgba, "%s: no alpha channel", png);
        if (px && data[k].x >= 0) check_decoded(png, px, src[k], w, h, k, corner, data[k], 1, 0);
        free(px);
        unlink(png);
    }
    rmdir(out);

    /* formats that cannot carry alpha: one line, exit 2, no file */
    const char *refused[] = {"mp4", "gif"};
    for (int i = 0; i < 2; i++) {
        snprintf(out, sizeof out, "%s/t.%s", dir, refused[i]);
        snprintf(cmd, sizeof cmd, "%s render %s -q -t -o %s 2>%s/err", bin, scene_path, out, dir);
        int st = system(cmd);
        CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: status %d", cmd, st);
        CHECK_MSG(access(out, F_OK) != 0, "%s written", out);
        char msg[512] = "", errf[96];
        snprintf(errf, sizeof errf, "%s/err", dir);
        FILE *e = fopen(errf, "r");
        CHECK(e && fgets(msg, sizeof msg, e));
        if (e) fclose(e);
        CHECK_MSG(strstr(msg, "cannot keep a transparent background") && strstr(msg, ".webm") &&
                      strstr(msg, ".mov") && strstr(msg, "--transparent"),
                  "%s", msg);
        unlink(errf);
    }

    for (int k = 0; k < n; k++) free(src[k]);
    free(src);
    free(data);
    unlink(scene_path);
    rmdir(dir);
    return check_done("test_transparent");
}
