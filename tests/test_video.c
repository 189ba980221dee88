/* test_video.c — writes a synthetic animation through video_* in every format,
 * decodes it back with libavformat/libavcodec and checks what a viewer gets:
 * frame count, size, rate, duration, and that decoded frame k looks like
 * source frame k and not like k-1 or k+1 (an off-by-one cannot pass).  Also
 * the failure paths: unsupported extension, odd size, abort keeps an existing
 * target and leaves no temporary file, unwritable/missing directory. */
#include "check.h"
#include "decode.h"
#include "video.h"

#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

enum { W = 320, H = 240, N = 24 };
#define FPS 30.0

static uint8_t *src_frames[N]; /* (H, W*4) BGRA, tight rows */
static char dir[64];

/* Frame k: a disc moving 9 px per frame, a colour band whose hue steps with
 * k, and k written in binary as 5 black blocks — neighbours differ a lot. */
static void render(cairo_t *cr, int k)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_line_width(cr, 1.0);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    for (int i = 0; i <= 16; i++) {
        cairo_move_to(cr, 20 * i + 0.5, 0);
        cairo_line_to(cr, 20 * i + 0.5 + 10 * sin(0.2 * k), H);
        cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0.85, 0.2 + 0.03 * k, 0.2);
    cairo_rectangle(cr, 0, 200, W, 40);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.2, 0.3, 0.85);
    cairo_arc(cr, 40 + 9 * k, 120, 25, 0, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int b = 0; b < 5; b++)
        if (k & (1 << b)) {
            cairo_rectangle(cr, 10 + 60 * b, 10, 50, 40);
            cairo_fill(cr);
        }
}

static int make_sources(void)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
    cairo_t *cr = cairo_create(s);
    int ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    for (int k = 0; ok && k < N; k++) {
        render(cr, k);
        cairo_surface_flush(s);
        ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
        src_frames[k] = malloc((size_t)W * H * 4);
        if (!src_frames[k])
            ok = 0;
        const uint8_t *p = cairo_image_surface_get_data(s);
        int stride = cairo_image_surface_get_stride(s);
        for (int y = 0; ok && y < H; y++)
            memcpy(src_frames[k] + (size_t)y * W * 4, p + (size_t)y * stride,
                   (size_t)W * 4);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return ok;
}

static VideoOptions options(void)
{
    VideoOptions o;
    memset(&o, 0, sizeof o);
    o.width = W;
    o.height = H;
    o.fps = FPS;
    o.crf = -1;
    o.n_frames = N;
    return o;
}

/* Writes `n` source frames to path; returns video_close's code (or the
 * first failure) and leaves the message in err. */
static int write_video(const char *path, const VideoOptions *o, int n, LwError *err)
{
    VideoSink *v = NULL;
    int ret = video_open(&v, path, o, err);
    if (ret < 0)
        return ret;
    for (int k = 0; k < n; k++)
        if ((ret = video_write_bgra(v, src_frames[k], W * 4, err)) < 0) {
            video_abort(&v);
            return ret;
        }
    return video_close(&v, err);
}

/* Frame k must match source k by `min_db` and better than k-1 and k+1. */
static void check_frames_match(const char *what, const Decoded *d, double min_db)
{
    int bad = 0, worse = 0;
    double lowest = 1e9;
    for (int k = 0; k < N && k < d->n; k++) {
        double same = psnr_bgra(d->frames[k], src_frames[k], W, H);
        if (same < lowest)
            lowest = same;
        if (same < min_db)
            bad++;
        for (int j = k - 1; j <= k + 1; j += 2)
            if (j >= 0 && j < N && psnr_bgra(d->frames[k], src_frames[j], W, H) >= same)
                worse++;
    }
    CHECK_MSG(bad == 0, "%s: %d frames below %.0f dB (lowest %.2f dB)", what, bad,
              min_db, lowest);
    CHECK_MSG(worse == 0, "%s: %d frames look more like a neighbour than themselves",
              what, worse);
    printf("  %s: lowest PSNR %.2f dB\n", what, lowest);
}

/* Number of entries in dir other than . and .. */
static int count_entries(const char *path)
{
    DIR *dp = opendir(path);
    int n = 0;
    if (!dp)
        return -1;
    struct dirent *e;
    while ((e = readdir(dp)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

static void test_format(const char *name, double min_db, int exact)
{
    char path[128];
    LwError err = {{0}};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    VideoOptions o = options();
    int ret = write_video(path, &o, N, &err);
    CHECK_MSG(ret == 0, "%s: %s", name, err.msg);
    if (ret != 0)
        return;
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0044) == 0044); /* umask 022 */
    Decoded d;
    ret = decode_file(path, N + 4, &d);
    CHECK_MSG(ret == 0, "%s: decoding failed: %s", name, av_err2str(ret));
    CHECK_MSG(d.n == N, "%s: %d frames, expected %d", name, d.n, N);
    CHECK_MSG(d.w == W && d.h == H, "%s: %dx%d", name, d.w, d.h);
    CHECK_MSG(fabs(d.duration - N / FPS) < 1e-6,
              "%s: duration %.6f s, expected %.6f", name, d.duration, N / FPS);
    CHECK_MSG(fabs(d.end_of_last - N / FPS) < 1e-6,
              "%s: last frame ends at %.6f s, expected %.6f", name, d.end_of_last,
              N / FPS);
    if (exact) {
        int same = d.n == N;
        for (int k = 0; same && k < N; k++)
            same = psnr_bgra(d.frames[k], src_frames[k], W, H) == 999;
        CHECK_MSG(same, "%s: not lossless", name);
    } else if (d.n == N) {
        check_frames_match(name, &d, min_db);
    }
    decoded_free(&d);
}

/* ProRes 422 HQ, tagged BT.709 in the stream (colr) and in each frame. */
static void test_mov(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/prores.mov", dir);
    test_format("prores.mov", 40, 0);
    AVFormatContext *ic = NULL;
    if (avformat_open_input(&ic, path, NULL, NULL) == 0 &&
        avformat_find_stream_info(ic, NULL) >= 0) {
        AVCodecParameters *p = ic->streams[0]->codecpar;
        CHECK(p->codec_id == AV_CODEC_ID_PRORES && p->profile == FF_PROFILE_PRORES_HQ);
        CHECK(p->format == AV_PIX_FMT_YUV422P10LE);
        CHECK(p->color_space == AVCOL_SPC_BT709 && p->color_primaries == AVCOL_PRI_BT709 &&
              p->color_trc == AVCOL_TRC_BT709 && p->color_range == AVCOL_RANGE_MPEG);
    } else {
        CHECK_MSG(0, "cannot reopen %s", path);
    }
    avformat_close_input(&ic);

    /* alpha: refused by a format without it, before any file exists */
    VideoOptions o = options();
    o.alpha = 1;
    LwError err = {{0}};
    VideoSink *v = NULL;
    snprintf(path, sizeof path, "%s/alpha.mp4", dir);
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    CHECK_MSG(strstr(err.msg, "MP4 cannot keep a transparent background") &&
                  strstr(err.msg, "write .webm, .mkv or .mov, or PNG frames"), "%s", err.msg);
    CHECK(access(path, F_OK) != 0);
    CHECK(video_check_settings(path, &o, &err) == LW_EINPUT);
}

static void test_mp4(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/default.mp4", dir);
    test_format("default.mp4", 35, 0);
    Decoded d;
    if (decode_file(path, N + 4, &d) == 0) {
        CHECK_MSG(av_cmp_q(d.rate, (AVRational){30, 1}) == 0, "rate %d/%d",
                  d.rate.num, d.rate.den);
        decoded_free(&d);
    }
    /* BT.709 tags */
    AVFormatContext *ic = NULL;
    if (avformat_open_input(&ic, path, NULL, NULL) == 0 &&
        avformat_find_stream_info(ic, NULL) >= 0) {
        AVCodecParameters *p = ic->streams[0]->codecpar;
        CHECK(p->codec_id == AV_CODEC_ID_H264);
        CHECK(p->format == AV_PIX_FMT_YUV420P);
        CHECK(p->color_space == AVCOL_SPC_BT709);
        CHECK(p->color_primaries == AVCOL_PRI_BT709);
        CHECK(p->color_trc == AVCOL_TRC_BT709);
        CHECK(p->color_range == AVCOL_RANGE_MPEG);
    } else {
        CHECK_MSG(0, "cannot reopen %s", path);
    }
    avformat_close_input(&ic);
}

static void test_errors(void)
{
    LwError err = {{0}};
    VideoSink *v = NULL;
    VideoOptions o = options();
    char path[256];

    CHECK(video_format_supported("a/b.mp4") && video_format_supported("x.GIF") &&
          video_format_supported("x.webm") && video_format_supported("x.mkv"));
    CHECK(!video_format_supported("x.avi") && !video_format_supported("mp4") &&
          !video_format_supported("dir.mp4/x"));

    snprintf(path, sizeof path, "%s/out.xyz", dir);
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    CHECK_STR(err.msg, "unsupported output format '.xyz' (expected .mp4, .webm, "
                       ".mkv, .gif, .mov or a directory)");

    snprintf(path, sizeof path, "%s/odd.mp4", dir);
    o.width = W + 1;
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    CHECK_MSG(strstr(err.msg, "even") && strstr(err.msg, "321x240"), "%s", err.msg);
    o = options();
    o.height = 7;
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    o = options();
    o.fps = 0;
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    o = options();
    o.fps = 60;
    snprintf(path, sizeof path, "%s/fast.gif", dir);
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    CHECK_MSG(strstr(err.msg, "too high for GIF"), "%s", err.msg);
    snprintf(path, sizeof path, "%s/odd.mp4", dir);
    o = options();
    snprintf(o.preset, sizeof o.preset, "warp9");
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    CHECK_MSG(strstr(err.msg, "unknown preset 'warp9' (expected ultrafast"), "%s",
              err.msg);
    o = options();
    snprintf(o.tune, sizeof o.tune, "cartoon");
    CHECK(video_open(&v, path, &o, &err) == LW_EINPUT && v == NULL);
    CHECK_MSG(strstr(err.msg, "unknown tune 'cartoon'"), "%s", err.msg);

    /* A missing directory: fails in video_open, naming the directory. */
    o = options();
    snprintf(path, sizeof path, "%s/missing/x.mp4", dir);
    CHECK(video_open(&v, path, &o, &err) == LW_ERUNTIME && v == NULL);
    char want[256];
    snprintf(want, sizeof want, "cannot create output in '%s/missing': %s", dir,
             strerror(ENOENT));
    CHECK_STR(err.msg, want);

    /* An unwritable directory (root can write anywhere: skipped then). */
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/ro", dir);
        CHECK(mkdir(path, 0555) == 0);
        snprintf(path, sizeof path, "%s/ro/x.mp4", dir);
        CHECK(video_open(&v, path, &o, &err) == LW_ERUNTIME && v == NULL);
        snprintf(want, sizeof want, "cannot create output in '%s/ro': %s", dir,
                 strerror(EACCES));
        CHECK_STR(err.msg, want);
        snprintf(path, sizeof path, "%s/ro", dir);
        rmdir(path);
    } else {
        /* root writes anywhere except pseudo file systems */
        printf("  running as root: unwritable directory tried in /proc\n");
        CHECK(video_open(&v, "/proc/layerwarp-test.mp4", &o, &err) == LW_ERUNTIME &&
              v == NULL);
        const char *pre = "cannot create output in '/proc': ";
        CHECK_MSG(strncmp(err.msg, pre, strlen(pre)) == 0, "%s", err.msg);
    }
}

/* Abort and failed close leave an existing target as it was, no temp file. */
static void test_abort(void)
{
    char sub[128], path[192];
    LwError err = {{0}};
    snprintf(sub, sizeof sub, "%s/abort", dir);
    CHECK(mkdir(sub, 0755) == 0);
    snprintf(path, sizeof path, "%s/keep.mp4", sub);
    FILE *fp = fopen(path, "w");
    CHECK(fp && fputs("original\n", fp) >= 0 && fclose(fp) == 0);

    VideoOptions o = options();
    VideoSink *v = NULL;
    CHECK(video_open(&v, path, &o, &err) == 0 && v);
    if (!v)
        return;
    const char *tmp = video_temp_path(v);
    CHECK_MSG(strncmp(tmp, sub, strlen(sub)) == 0 && strstr(tmp, "/.keep.mp4.tmp-"),
              "temp path %s", tmp);
    for (int k = 0; k < 3; k++)
        CHECK(video_write_bgra(v, src_frames[k], W * 4, &err) == 0);
    struct stat sb;
    CHECK(stat(tmp, &sb) == 0);
    video_abort(&v);
    CHECK(v == NULL);
    video_abort(&v); /* accepts *v == NULL */
    video_abort(NULL);

    char buf[64] = {0};
    fp = fopen(path, "r");
    CHECK(fp && fgets(buf, sizeof buf, fp));
    if (fp)
        fclose(fp);
    CHECK_STR(buf, "original\n");
    CHECK_MSG(count_entries(sub) == 1, "%d entries left in %s", count_entries(sub),
              sub);

    /* Closing with fewer frames than announced fails the same clean way. */
    snprintf(path, sizeof path, "%s/short.gif", sub);
    int ret = write_video(path, &o, 5, &err);
    CHECK(ret == LW_ERUNTIME);
    CHECK_MSG(strstr(err.msg, "5 frames written, 24 expected"), "%s", err.msg);
    CHECK(stat(path, &sb) != 0 && errno == ENOENT);
    CHECK_MSG(count_entries(sub) == 1, "%d entries left in %s", count_entries(sub),
              sub);

    /* Writing more frames than announced fails. */
    o.n_frames = 2;
    snprintf(path, sizeof path, "%s/long.mkv", sub);
    ret = write_video(path, &o, 3, &err);
    CHECK(ret == LW_ERUNTIME && strstr(err.msg, "more frames"));
    CHECK(count_entries(sub) == 1);

    /* A target that is a folder is refused before anything is encoded
     * (atomic_file.h): the folder stays, no temporary is made. */
    o = options();
    snprintf(path, sizeof path, "%s/folder.mkv", sub);
    CHECK(mkdir(path, 0755) == 0);
    ret = write_video(path, &o, N, &err);
    CHECK(ret == LW_EINPUT);
    CHECK_MSG(strstr(err.msg, "folder.mkv: a folder, not a file to write"), "%s", err.msg);
    CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
    CHECK_MSG(count_entries(sub) == 2, "%d entries left in %s", count_entries(sub), sub);
    rmdir(path);

    snprintf(path, sizeof path, "%s/keep.mp4", sub);
    unlink(path);

    /* A stop asked for once every frame is in (a signal during the GIF's
     * second pass): video_close stops with LW_EINTR, the temporary goes and
     * the old file stays. */
    volatile sig_atomic_t stop = 0;
    o = options();
    o.stop = &stop;
    snprintf(path, sizeof path, "%s/old.gif", sub);
    FILE *f = fopen(path, "w");
    CHECK(f && fputs("old", f) >= 0 && fclose(f) == 0);
    v = NULL;
    ret = video_open(&v, path, &o, &err);
    for (int k = 0; ret == 0 && k < N; k++)
        ret = video_write_bgra(v, src_frames[k], W * 4, &err);
    CHECK(ret == 0);
    stop = SIGINT;
    ret = video_close(&v, &err);
    CHECK_MSG(ret == LW_EINTR, "video_close with a stop asked: %d %s", ret, err.msg);
    CHECK(v == NULL);
    CHECK_MSG(count_entries(sub) == 1, "%d entries left in %s", count_entries(sub), sub);
    struct stat gs;
    CHECK(stat(path, &gs) == 0 && gs.st_size == 3);
    unlink(path);
    rmdir(sub);
}

int main(void)
{
    umask(022);
    snprintf(dir, sizeof dir, "/tmp/test_video-XXXXXX");
    if (!mkdtemp(dir) || !make_sources()) {
        fprintf(stderr, "test_video: set-up failed\n");
        return 1;
    }
    test_mp4();
    test_format("lossless.mkv", 0, 1);
    test_format("vp9.webm", 30, 0);
    test_format("palette.gif", 25, 0);
    test_mov();
    test_errors();
    test_abort();

    /* Every successful file is in place and nothing else (no temp, no spool). */
    CHECK_MSG(count_entries(dir) == 5, "%d entries in %s", count_entries(dir), dir);
    const char *names[] = {"default.mp4", "lossless.mkv", "vp9.webm", "palette.gif",
                           "prores.mov"};
    char path[128];
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    for (int k = 0; k < N; k++)
        free(src_frames[k]);
    return check_done("test_video");
}
