/* test_pieces.c — a render cut into pieces and joined is the render:
 * renders a small scene as 3 pieces under GNU parallel (one process each),
 * joins them with `layerwarp join`, and checks the joined video against the
 * library's own frames: exactly the frame count, pts running 0, 1, 2, ...
 * with no gap and dts increasing (x264's B-frames make dts start below pts
 * in every piece), every frame bit-exact through FFV1 .mkv and within PSNR
 * 34 dB (and nearer its own frame than a neighbour) through MP4 and WebM.
 * (test_render_video asks 35 dB of 1280x720 frames; at this test's 640x360
 * the same lines are twice as thick against the frame, and a one-process
 * MP4 of this scene measures 35.2 dB at its worst frame.)
 * A piece alone decodes too: its frames are its range's.
 *
 * The montage of two such videos of different lengths (1x2, column labels)
 * has the longer one's frame count, each cell holding its video's frame k
 * pixel for pixel (FFV1 in and out, cells at their own size), the shorter
 * one's last frame after it ends, and text in the label band.
 *
 * With arguments SCENE VIDEO it checks only that VIDEO is SCENE's render
 * (tests/slurm.sh checks the video its Slurm jobs joined with it). */
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "decode.h"
#include "piece.h"
#include "render.h"
#include "scene.h"

static const char SCENE[] =
    "[dataset]\nkind = moons\npoints = 200\nseed = 5\n"
    "[network]\nwidths = 2,2,2\n"
    "[weights]\nW1 = 1.2 -0.8 | 0.6 1.1\nb1 = 0.3 -0.2\n"
    "W2 = 0.9 1.3 | -1.1 0.7\nb2 = -0.1 0.4\nWout = 1.5 -2.0\nbout = 0.1\n"
    "[render]\nwidth = 640\nheight = 360\nfps = 25\nstage_seconds = 0.24\n"
    "hold_start = 0\nhold_between = 0\nhold_end = 0\n";

typedef struct {
    int n, w, h;
    double fps;
    uint8_t **src;   /* (n) the library's frames, BGRA */
} Reference;

static int reference(const char *scene_path, Reference *ref)
{
    Scene sc;
    SceneModel model;
    Renderer r;
    LwError err = {""};
    int rc = scene_load_file(scene_path, &sc, &err);
    if (!rc) rc = scene_build(&sc, &model, NULL, NULL, &err);
    if (!rc) rc = renderer_create(&model.show, &sc.render, 1, &r, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc) return rc;
    ref->n = r.timeline.n_frames;
    ref->w = sc.render.style.width;
    ref->h = sc.render.style.height;
    ref->fps = sc.render.timeline.fps;
    ref->src = calloc(ref->n, sizeof *ref->src);
    for (int k = 0; k < ref->n; k++) {
        ref->src[k] = malloc((size_t)ref->w * ref->h * 4);
        CHECK(render_one(&r, renderer_request_frame(&r, k), ref->src[k], ref->w * 4, &err) == 0);
    }
    renderer_free(&r);
    scene_model_free(&model);
    scene_free(&sc);
    return 0;
}

/* pts in frames, in decode order: dts strictly increasing; the sorted pts
 * are first, first + 1, ... first + n - 1; the first packet a key frame. */
static void check_timestamps(const char *path, int first, int n)
{
    AVFormatContext *ic = NULL;
    AVPacket *pkt = av_packet_alloc();
    int ret = avformat_open_input(&ic, path, NULL, NULL);
    CHECK_MSG(ret >= 0, "%s: cannot open", path);
    if (ret < 0) {
        av_packet_free(&pkt);
        return;
    }
    int si = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    AVStream *st = ic->streams[si];
    AVRational frame = av_inv_q(st->avg_frame_rate);
    int *seen = calloc(n, sizeof *seen), count = 0, bad_dts = 0, outside = 0, key = 0;
    int64_t last_dts = INT64_MIN;
    while (av_read_frame(ic, pkt) >= 0) {
        if (pkt->stream_index == si) {
            if (count == 0) key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
            if (pkt->dts <= last_dts) bad_dts++;
            last_dts = pkt->dts;
            int64_t f = av_rescale_q(pkt->pts, st->time_base, frame) - first;
            if (f < 0 || f >= n || seen[f]++) outside++;
            count++;
        }
        av_packet_unref(pkt);
    }
    CHECK_MSG(count == n, "%s: %d packets, expected %d", path, count, n);
    CHECK_MSG(key, "%s: the first packet is no key frame", path);
    CHECK_MSG(bad_dts == 0, "%s: dts not increasing %d times", path, bad_dts);
    CHECK_MSG(outside == 0, "%s: %d pts outside %d..%d or repeated", path, outside, first,
              first + n - 1);
    free(seen);
    av_packet_free(&pkt);
    avformat_close_input(&ic);
}

/* VIDEO decodes to frames first..first+n-1 of ref: bit-exact (min_db 998)
 * or within min_db and nearer its own frame than a neighbour. */
static void check_frames(const char *path, const Reference *ref, int first, int n, double min_db)
{
    Decoded d;
    int rc = decode_file(path, n + 4, &d);
    CHECK_MSG(rc == 0, "%s: cannot decode (%d)", path, rc);
    CHECK_MSG(d.n == n, "%s: %d frames, expected %d", path, d.n, n);
    CHECK_MSG(d.w == ref->w && d.h == ref->h, "%s: %dx%d", path, d.w, d.h);
    if (first == 0)
        CHECK_MSG(fabs(d.duration - n / ref->fps) < 2e-3, "%s: duration %.4f s, expected %.4f",
                  path, d.duration, n / ref->fps);
    int bad = 0, swapped = 0;
    double lowest = 999;
    for (int k = 0; !rc && k < n && k < d.n; k++) {
        const uint8_t *own = ref->src[first + k];
        double same = psnr_bgra(d.frames[k], own, ref->w, ref->h);
        lowest = fmin(lowest, same);
        bad += same < min_db;
        for (int j = first + k - 1; j <= first + k + 1; j += 2)
            if (j >= 0 && j < ref->n && min_db < 998 &&
                psnr_bgra(d.frames[k], ref->src[j], ref->w, ref->h) >= same)
                swapped++;
    }
    CHECK_MSG(bad == 0, "%s: %d frames below %.0f dB (lowest %.2f)", path, bad, min_db, lowest);
    CHECK_MSG(swapped == 0, "%s: %d frames look more like a neighbour", path, swapped);
    printf("  %s: %d frames from %d, lowest PSNR %.2f dB\n", path, d.n, first, lowest);
    decoded_free(&d);
}

static void free_reference(Reference *ref)
{
    for (int k = 0; ref->src && k < ref->n; k++) free(ref->src[k]);
    free(ref->src);
}

/* Renders 3 pieces of .EXT under GNU parallel, joins them (given out of
 * order) and checks the result and piece 2 alone. */
static void pieces_of(const char *bin, const char *dir, const char *scene, const Reference *ref,
                      const char *ext, double min_db)
{
    char cmd[4096], joined[PATH_MAX], piece2[PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "parallel --will-cite --halt now,fail=1 '%s' render '%s' --piece {}/3 -q -j 1 "
             "-o '%s/p{}.%s' ::: 1 2 3 && '%s' join -q '%s/p3.%s' '%s/p1.%s' '%s/p2.%s' "
             "-o '%s/joined.%s'", bin, scene, dir, ext, bin, dir, ext, dir, ext, dir, ext, dir,
             ext);
    CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
    snprintf(joined, sizeof joined, "%s/joined.%s", dir, ext);
    snprintf(piece2, sizeof piece2, "%s/p2.%s", dir, ext);
    int first, last;
    CHECK(piece_range(2, 3, ref->n, &first, &last, NULL) == 0);
    check_timestamps(joined, 0, ref->n);
    check_frames(joined, ref, 0, ref->n, min_db);
    check_timestamps(piece2, first, last - first + 1);
    check_frames(piece2, ref, first, last - first + 1, min_db);
    for (int k = 1; k <= 3; k++) {
        snprintf(cmd, sizeof cmd, "%s/p%d.%s", dir, k, ext);
        unlink(cmd);
    }
    unlink(joined);
}

/* Whether montage frame m's cell at (x, y) holds frame f of v. */
static int cell_equal(const Decoded *m, int k, int x, int y, const Decoded *v, int f)
{
    for (int row = 0; row < v->h; row++)
        if (memcmp(m->frames[k] + ((size_t)(y + row) * m->w + x) * 4,
                   v->frames[f] + (size_t)row * v->w * 4, (size_t)v->w * 4) != 0)
            return 0;
    return 1;
}

static void montage_of_two(const char *bin, const char *dir, const char *scene)
{
    char cmd[8 * PATH_MAX], a[PATH_MAX], b[PATH_MAX], grid[PATH_MAX];
    snprintf(a, sizeof a, "%s/a.mkv", dir);
    snprintf(b, sizeof b, "%s/b.mkv", dir);
    snprintf(grid, sizeof grid, "%s/grid.mkv", dir);
    snprintf(cmd, sizeof cmd,
             "'%s' render '%s' -q --size 160x90 -o '%s' && '%s' render '%s' -q --size 160x90 "
             "--set render.stage_seconds=0.12 -o '%s' && '%s' montage -q '%s' '%s' --col "
             "'first one' --col 'second one' -o '%s'", bin, scene, a, bin, scene, b, bin, a, b,
             grid);
    CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
    Decoded da, db, dm;
    CHECK(decode_file(a, 400, &da) == 0 && decode_file(b, 400, &db) == 0 &&
          decode_file(grid, 400, &dm) == 0);
    CHECK_MSG(db.n < da.n && dm.n == da.n, "frames: a %d, b %d, montage %d", da.n, db.n, dm.n);
    /* no row labels: cells at x = 6 and 6 + 160 + 6, below a band of 2 x 16 px */
    CHECK_MSG(dm.w == 338 && dm.h == 134, "montage %dx%d, expected 338x134", dm.w, dm.h);
    int wrong = 0, ink = 0;
    for (int k = 0; dm.w == 338 && k < dm.n && k < da.n; k++)
        wrong += !cell_equal(&dm, k, 6, 38, &da, k) ||
                 !cell_equal(&dm, k, 172, 38, &db, k < db.n ? k : db.n - 1);
    CHECK_MSG(wrong == 0, "%d montage frames do not hold their videos' frames", wrong);
    for (int i = 0; dm.n && i < dm.w * 30; i++) ink += dm.frames[0][i * 4] < 128;
    CHECK_MSG(ink > 50, "no label text in the band above the cells (%d dark pixels)", ink);
    printf("  %s: %d frames %dx%d; cells equal their videos, the short one held\n", grid, dm.n,
           dm.w, dm.h);
    decoded_free(&da);
    decoded_free(&db);
    decoded_free(&dm);
    unlink(a);
    unlink(b);
    unlink(grid);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    Reference ref = {0};
    if (argc == 3) { /* SCENE VIDEO */
        if (reference(argv[1], &ref) == 0) {
            check_timestamps(argv[2], 0, ref.n);
            check_frames(argv[2], &ref, 0, ref.n, 998.0);
        }
        free_reference(&ref);
        return check_done("test_pieces");
    }
    char bin[PATH_MAX];
    const char *given = getenv("LW_BIN") ? getenv("LW_BIN") : "build/layerwarp";
    CHECK_MSG(realpath(given, bin) != NULL, "no binary at %s", given);
    CHECK_MSG(system("command -v parallel >/dev/null") == 0,
              "GNU parallel is not installed (make test installs it: scripts/install-deps.sh "
              "parallel)");
    char dir[] = "/tmp/lw-pieces-XXXXXX", scene[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(scene, sizeof scene, "%s/short.scene", dir);
    FILE *f = fopen(scene, "w");
    CHECK(f && fputs(SCENE, f) >= 0 && fclose(f) == 0);
    if (reference(scene, &ref) == 0) {
        pieces_of(bin, dir, scene, &ref, "mkv", 998.0); /* lossless: every pixel */
        pieces_of(bin, dir, scene, &ref, "mp4", 34.0);
        pieces_of(bin, dir, scene, &ref, "webm", 34.0);
    }
    montage_of_two(bin, dir, scene);
    free_reference(&ref);
    unlink(scene);
    CHECK_MSG(rmdir(dir) == 0, "%s: files left behind", dir);
    return check_done("test_pieces");
}
