/* video.c — the video sink: Cairo BGRA frames in, one finished video file out.
 *
 * Shaped like FFmpeg's doc/examples (encode_video.c, mux.c): one VideoSink
 * owns the muxer (oc), the encoder (enc), one reused AVFrame, one AVPacket
 * and, per format, a colour converter or the GIF filter graphs.  Frames get
 * pts = index in the time base 1/fps; every packet gets duration 1 frame
 * before av_packet_rescale_ts, so the container's duration is exactly
 * n_frames / fps (libx264 in FFmpeg 5.1 leaves pkt->duration at 0).
 *
 * Everything this file knows about a format is its row of FORMATS; the code
 * below reads the row and never names a format.
 *
 * Invariants:
 *   - The encoded bytes go to an AtomicFile's temporary beside the target
 *     (atomic_create); only video_close() renames it onto the target
 *     (atomic_rename), after the trailer is written and the file is closed.
 *     Every other way out (an error, video_abort) removes it.
 *   - VF_YUV709 formats: BGRA -> the row's YUV format with BT.709
 *     coefficients, limited ("MPEG") range, and the stream is tagged the
 *     same way: yuv420p (MP4, WebM) by yuv.h, in well under half
 *     libswscale's time, the other YUV formats by libswscale.  The rest get
 *     the Cairo bytes as they are (FFV1 in bgr0 is bit-exact: the quality
 *     reference).
 *   - Alpha (VideoOptions.alpha, a see-through background): a row with an
 *     alpha_pix_fmt encodes that instead, with its alpha_enc_opts; Cairo's
 *     premultiplied pixels are made straight first (alpha.h), because
 *     libswscale and the encoders take straight alpha.  A row without one
 *     refuses (check_options), naming the formats that can.
 *   - VF_PALETTE (GIF): two passes with bounded memory.  Pass 1
 *     (video_write_bgra) feeds each frame to palettegen and appends it to a
 *     spool of raw BGRA rows (atomic_spool: beside the target, unlinked at
 *     once, so it never outlives the process).  Pass 2 (video_close) reads
 *     the spool back through paletteuse with the palette of the whole video.
 */
#include "video.h"

#include "alpha.h"
#include "atomic_file.h"
#include "yuv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

/* Defaults chosen by measurement (docs/video.md, 2026-11-24). */
#define VP9_DEFAULT_DEADLINE "realtime"
#ifndef VP9_CPU_USED /* -D overrides are for the measurement only */
#define VP9_CPU_USED 5
#endif
#ifndef GIF_DITHER
#define GIF_DITHER "none"
#endif
#ifndef GIF_STATS
#define GIF_STATS "full"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const X264_PRESETS[] = {
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
    "slow", "slower", "veryslow", "placebo", NULL};
static const char *const X264_TUNES[] = {
    "film", "animation", "grain", "stillimage", "psnr", "ssim",
    "fastdecode", "zerolatency", NULL};
static const char *const VP9_DEADLINES[] = {"realtime", "good", "best", NULL};

enum {
    /* BGRA -> yuv420p, BT.709 limited range, and the stream tagged so */
    VF_YUV709 = 1 << 0,
    /* two passes: palettegen over a spool of BGRA frames, then paletteuse;
     * the muxer counts delays in centiseconds (final_delay) */
    VF_PALETTE = 1 << 1,
};

/* One output format.  Adding a format is adding a row; a codec that needs
 * more than settings and these two conversions needs a flag and its code. */
typedef struct {
    const char *ext;             /* compared without case */
    const char *name;            /* in messages */
    const char *muxer;           /* libavformat short name */
    const char *encoder;         /* libavcodec encoder name */
    enum AVPixelFormat pix_fmt;  /* what the encoder takes */
    unsigned flags;              /* VF_* */
    double max_fps;              /* 0: only the general limit */
    const char *max_fps_why;
    int default_crf, max_crf;    /* max_crf 0: no crf, --crf ignored */
    const char *preset_key;      /* encoder option --preset sets; NULL: ignored */
    const char *default_preset;
    const char *const *presets;  /* the words --preset accepts */
    const char *preset_for;      /* "" or " for .ext": names the format in the message */
    const char *const *tunes;    /* the words --tune accepts; NULL: ignored */
    const char *default_tune;
    /* key, value, ..., NULL: fixed settings of the encoder (AVCodecContext or
     * the codec's own), named as on the ffmpeg command line */
    const char *enc_opts[12];
    const char *mux_opts[4];     /* key, value, ..., NULL: for the header */
    /* with alpha: what the encoder takes (AV_PIX_FMT_NONE: the format has no
     * alpha and refuses) and settings over enc_opts */
    enum AVPixelFormat alpha_pix_fmt;
    const char *alpha_enc_opts[4];
    /* the same on a pipe, where the muxer cannot seek back; NULL: mux_opts */
    const char *pipe_mux_opts[4];
} VideoFormat;

static const VideoFormat FORMATS[] = {
    {.ext = ".mp4", .name = "MP4", .muxer = "mp4", .encoder = "libx264",
     .pix_fmt = AV_PIX_FMT_YUV420P, .flags = VF_YUV709,
     .default_crf = VIDEO_DEFAULT_CRF_MP4, .max_crf = 51,
     .preset_key = "preset", .default_preset = VIDEO_DEFAULT_PRESET_MP4,
     .presets = X264_PRESETS, .preset_for = "",
     .tunes = X264_TUNES, .default_tune = VIDEO_DEFAULT_TUNE_MP4,
     .enc_opts = {"threads", "0", NULL}, /* libx264 picks, uses both cores */
     .alpha_pix_fmt = AV_PIX_FMT_NONE,
     /* use_metadata_tags: free-form keys (the embedded scene) */
     .mux_opts = {"movflags", "+faststart+use_metadata_tags", NULL},
     /* fragmented: the index goes with each fragment, not at the end */
     .pipe_mux_opts = {"movflags",
                       "+frag_keyframe+empty_moov+default_base_moof+use_metadata_tags", NULL}},
    {.ext = ".webm", .name = "WebM", .muxer = "webm", .encoder = "libvpx-vp9",
     .pix_fmt = AV_PIX_FMT_YUV420P, .flags = VF_YUV709,
     .default_crf = VIDEO_DEFAULT_CRF_WEBM, .max_crf = 63,
     .preset_key = "deadline", .default_preset = VP9_DEFAULT_DEADLINE,
     .presets = VP9_DEADLINES, .preset_for = " for .webm",
     /* b=0: constant quality, crf alone */
     .enc_opts = {"threads", "2", "b", "0", "cpu-used", STR(VP9_CPU_USED), "row-mt", "1",
                  NULL},
     /* the alpha plane is a second VP9 stream in Matroska's BlockAdditional;
      * only libvpx decodes it (FFmpeg's own vp9 decoder drops it) */
     .alpha_pix_fmt = AV_PIX_FMT_YUVA420P},
    /* bgr0 is Cairo's byte order without alpha: a plain copy, lossless.
     * FFV1 version 3 (level) has slices, so both cores help. */
    {.ext = ".mkv", .name = "Matroska", .muxer = "matroska", .encoder = "ffv1",
     .pix_fmt = AV_PIX_FMT_BGR0,
     .enc_opts = {"threads", "2", "level", "3", "g", "1", "slicecrc", "1", NULL},
     .alpha_pix_fmt = AV_PIX_FMT_BGRA},
    {.ext = ".gif", .name = "GIF", .muxer = "gif", .encoder = "gif",
     .pix_fmt = AV_PIX_FMT_PAL8, .flags = VF_PALETTE, .max_fps = 50,
     .max_fps_why = "delays are whole centiseconds and players slow down frames "
                    "under 2 cs",
     .alpha_pix_fmt = AV_PIX_FMT_NONE},
    /* for video editors: ProRes 422 HQ (10-bit 4:2:2, intra only), and with
     * alpha ProRes 4444 (10-bit 4:4:4 and an alpha plane) */
    {.ext = ".mov", .name = "QuickTime", .muxer = "mov", .encoder = "prores_ks",
     .pix_fmt = AV_PIX_FMT_YUV422P10LE, .flags = VF_YUV709,
     .enc_opts = {"threads", "2", "profile", "hq", "vendor", "apl0", NULL},
     /* write_colr: editors read BT.709 from the colr atom */
     .mux_opts = {"movflags", "+faststart+write_colr+use_metadata_tags", NULL},
     .pipe_mux_opts = {"movflags",
                       "+frag_keyframe+empty_moov+default_base_moof+write_colr+use_metadata_tags",
                       NULL},
     .alpha_pix_fmt = AV_PIX_FMT_YUVA444P10LE,
     .alpha_enc_opts = {"profile", "4444", NULL}},
};
enum { N_FORMATS = sizeof FORMATS / sizeof FORMATS[0] };

struct VideoSink {
    const VideoFormat *fmt;
    char target[LW_PATH_MAX];  /* as messages name it: "standard output" for "-" */
    int to_pipe;           /* path "-": stdout, written as it comes, not atomic */
    const char *dest;      /* what the muxer opens: the temporary, or "pipe:1" */
    AtomicFile out;        /* the temporary the muxer writes by name */
    int width, height;
    int alpha;             /* see-through frames: alpha_pix_fmt, straight alpha */
    enum AVPixelFormat pix_fmt; /* what the encoder takes: the row's, or its alpha one */
    AVRational frame_rate; /* fps as a rational; time base is its inverse */
    AVRational tb;
    int expected;          /* opt->n_frames, <= 0 when unknown */
    int64_t first_pts;     /* opt->first_frame */
    int64_t n_written;     /* frames accepted by video_write_bgra */

    AVFormatContext *oc;
    AVStream *st;
    AVCodecContext *enc;
    AVFrame *frame;        /* encoder input, or BGRA for VF_PALETTE */
    AVPacket *pkt;
    struct SwsContext *sws; /* VF_YUV709 only, but for yuv420p (yuv.h) */
    uint8_t *straight;     /* alpha only: one frame un-premultiplied, width*4 per row */

    /* VF_PALETTE only */
    FILE *spool;           /* raw BGRA frames, width*4 bytes per row */
    volatile sig_atomic_t *stop; /* VideoOptions.stop */
    AVFilterGraph *pal_graph;  /* buffer -> palettegen -> buffersink */
    AVFilterContext *pal_src, *pal_sink;
    AVFrame *gif_frame;    /* pal8 frames out of paletteuse */
};

/* The row of a format word ("mp4" or ".mp4"). */
static const VideoFormat *format_named(const char *word)
{
    for (int i = 0; i < N_FORMATS; i++)
        if (strcasecmp(word, FORMATS[i].ext) == 0 || strcasecmp(word, FORMATS[i].ext + 1) == 0)
            return &FORMATS[i];
    return NULL;
}

static const VideoFormat *format_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return NULL;
    for (int i = 0; i < N_FORMATS; i++)
        if (strcasecmp(dot, FORMATS[i].ext) == 0)
            return &FORMATS[i];
    return NULL;
}

int video_format_supported(const char *path)
{
    return path && format_of(path) != NULL;
}

static int fail_format(const char *path, LwError *err);
static int fail_alpha(const VideoFormat *f, const char *path, LwError *err);

int video_format_check(const char *path, LwError *err)
{
    return video_format_supported(path) ? LW_OK : fail_format(path, err);
}

/* The row a sink uses: --format's word when given, else the file name's. */
static const VideoFormat *format_for(const char *path, const char *format)
{
    return format && format[0] ? format_named(format) : format_of(path);
}

unsigned video_format_takes(const char *path, const char *format)
{
    const VideoFormat *f = format_for(path, format);
    if (!f)
        return 0;
    return (f->max_crf > 0 ? VIDEO_TAKES_CRF : 0) | (f->preset_key ? VIDEO_TAKES_PRESET : 0);
}

const char *video_format_name(const char *path, const char *format)
{
    const VideoFormat *f = format_for(path, format);
    return f ? f->ext : NULL;
}

const char *video_preset_words(char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < N_FORMATS && n < cap; i++) {
        const VideoFormat *f = &FORMATS[i];
        if (!f->presets)
            continue;
        n += (size_t)snprintf(buf + n, cap - n, "%sfor %s %s", n ? "; " : "", f->ext,
                              f->encoder);
        for (int k = 0; f->presets[k] && n < cap; k++)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? ", " : " ", f->presets[k]);
        if (n < cap)
            n += (size_t)snprintf(buf + n, cap - n, " (default %s)", f->default_preset);
    }
    for (int i = 0, k = 0; i < N_FORMATS && n < cap; i++)
        if (!FORMATS[i].presets)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", k++ ? ", " : "; none for ",
                                  FORMATS[i].ext);
    return buf;
}

const char *video_temp_path(const VideoSink *v)
{
    return v ? v->out.tmp : NULL;
}

/* Frees everything and removes the temporary file, if it is still there. */
static void sink_free(VideoSink **pv)
{
    VideoSink *v = pv ? *pv : NULL;
    if (!v)
        return;
    if (v->oc) {
        if (v->oc->pb)
            avio_closep(&v->oc->pb);
        avformat_free_context(v->oc);
    }
    avcodec_free_context(&v->enc);
    av_frame_free(&v->frame);
    av_frame_free(&v->gif_frame);
    av_packet_free(&v->pkt);
    sws_freeContext(v->sws);
    free(v->straight);
    avfilter_graph_free(&v->pal_graph);
    if (v->spool)
        fclose(v->spool);
    atomic_abort(&v->out);
    free(v);
    *pv = NULL;
}

void video_abort(VideoSink **v)
{
    sink_free(v);
}

/* Fails with FFmpeg's code printed; returns LW_ERUNTIME. */
static int av_fail(LwError *err, int averr, const char *what, const char *path)
{
    return lw_fail(err, LW_ERUNTIME, "%s: %s: %s", path, what, av_err2str(averr));
}

/* Sends every packet the encoder has ready to the muxer.  Each packet lasts
 * one frame: libx264 leaves duration at 0, and without it the MP4 loses the
 * last frame's duration. */
static int drain_packets(VideoSink *v, LwError *err)
{
    for (;;) {
        int ret = avcodec_receive_packet(v->enc, v->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return av_fail(err, ret, "encoding failed", v->target);
        if (v->pkt->duration <= 0)
            v->pkt->duration = 1;
        av_packet_rescale_ts(v->pkt, v->enc->time_base, v->st->time_base);
        v->pkt->stream_index = v->st->index;
        ret = av_interleaved_write_frame(v->oc, v->pkt); /* takes the packet */
        if (ret < 0)
            return av_fail(err, ret, "writing failed", v->to_pipe ? v->target : atomic_writer_path(&v->out));
    }
}

/* Sends one frame (NULL to flush) and drains. */
static int encode(VideoSink *v, AVFrame *frame, LwError *err)
{
    int ret = avcodec_send_frame(v->enc, frame);
    if (ret < 0)
        return av_fail(err, ret, "encoding failed", v->target);
    return drain_packets(v, err);
}

/* libswscale's BGRA -> YUV converter (to `to`, the row's format other than
 * yuv420p, which yuv.h converts: *out stays NULL then): source RGB is full
 * range, destination BT.709 limited range; an alpha plane is carried over
 * as it is.  Returns 0, -1 when it cannot be made, -2 when it refuses BT.709
 * (*out is set then and the caller frees it). */
static int bt709_converter(struct SwsContext **out, int width, int height,
                           enum AVPixelFormat to)
{
    *out = NULL;
    if (to == AV_PIX_FMT_YUV420P)
        return 0;
    *out = sws_getContext(width, height, AV_PIX_FMT_BGRA, width, height, to,
                          SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL, NULL,
                          NULL);
    if (!*out)
        return -1;
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    if (sws_setColorspaceDetails(*out, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16) < 0)
        return -2;
    return 0;
}

/* Tags a frame BT.709, limited range: ProRes writes each frame's own tags
 * into its header (x264 and libvpx take the stream's). */
static void tag_bt709(AVFrame *f)
{
    f->color_primaries = AVCOL_PRI_BT709;
    f->color_trc = AVCOL_TRC_BT709;
    f->colorspace = AVCOL_SPC_BT709;
    f->color_range = AVCOL_RANGE_MPEG;
}

/* Sets the BT.709, limited-range conversion and tags the stream with it. */
static int setup_yuv(VideoSink *v, LwError *err)
{
    int ret = bt709_converter(&v->sws, v->width, v->height, v->pix_fmt);
    if (ret == -1)
        return lw_fail(err, LW_ERUNTIME, "%s: cannot create colour converter",
                       v->target);
    if (ret == -2)
        return lw_fail(err, LW_ERUNTIME, "%s: colour converter refused BT.709",
                       v->target);
    v->enc->color_primaries = AVCOL_PRI_BT709;
    v->enc->color_trc = AVCOL_TRC_BT709;
    v->enc->colorspace = AVCOL_SPC_BT709;
    v->enc->color_range = AVCOL_RANGE_MPEG;
    return 0;
}

/* 1 if every comma-separated word of `s` is in the NULL-terminated `names`. */
static int words_in(const char *s, const char *const *names)
{
    while (*s) {
        size_t n = strcspn(s, ",");
        int found = 0;
        for (int i = 0; names[i] && !found; i++)
            found = strlen(names[i]) == n && strncmp(names[i], s, n) == 0;
        if (!found)
            return 0;
        s += n;
        if (*s == ',')
            s++;
    }
    return 1;
}

/* "a, b, c" into buf, for messages; returns buf. */
static const char *join_words(char *buf, size_t cap, const char *const *names)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", names[i]);
    return buf;
}

/* Checks preset/tune/crf before the encoder sees them, so a typo is
 * LW_EINPUT with the accepted words (libx264 would only say "Invalid
 * argument"). */
static int check_names(const VideoFormat *f, const VideoOptions *opt, const char *path,
                       LwError *err)
{
    char words[256];
    if (f->presets && opt->preset[0] && !words_in(opt->preset, f->presets))
        return lw_fail(err, LW_EINPUT, "%s: unknown preset '%s'%s (expected %s)", path,
                       opt->preset, f->preset_for, join_words(words, sizeof words, f->presets));
    if (f->tunes && opt->tune[0] && strcmp(opt->tune, "none") != 0 &&
        !words_in(opt->tune, f->tunes))
        return lw_fail(err, LW_EINPUT, "%s: unknown tune '%s' (expected none, %s)", path,
                       opt->tune, join_words(words, sizeof words, f->tunes));
    if (f->max_crf > 0 && opt->crf > f->max_crf)
        return lw_fail(err, LW_EINPUT, "%s: crf %d out of range (0..%d)", path, opt->crf,
                       f->max_crf);
    return 0;
}

int video_check_settings(const char *path, const VideoOptions *opt, LwError *err)
{
    const VideoFormat *f = format_for(path, opt->format);
    if (!f)
        return fail_format(path, err);
    if (opt->alpha && f->alpha_pix_fmt == AV_PIX_FMT_NONE)
        return fail_alpha(f, path, err);
    return check_names(f, opt, path, err);
}

/* "unsupported output format '.xyz' (expected .mp4, ... or a directory)" */
static int fail_format(const char *path, LwError *err)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    char exts[128];
    size_t n = 0;
    exts[0] = '\0';
    for (int i = 0; i < N_FORMATS && n < sizeof exts; i++)
        n += (size_t)snprintf(exts + n, sizeof exts - n, "%s%s", i ? ", " : "",
                              FORMATS[i].ext);
    return lw_fail(err, LW_EINPUT,
                   "unsupported output format '%s' (expected %s or a directory)",
                   dot ? dot : path, exts);
}

/* "out.mp4: MP4 cannot keep a transparent background (...)", naming the
 * formats that can. */
static int fail_alpha(const VideoFormat *f, const char *path, LwError *err)
{
    const char *with[N_FORMATS];
    int n = 0;
    for (int i = 0; i < N_FORMATS; i++)
        if (FORMATS[i].alpha_pix_fmt != AV_PIX_FMT_NONE)
            with[n++] = FORMATS[i].ext;
    char exts[64];
    size_t len = 0;
    exts[0] = '\0';
    for (int i = 0; i < n && len < sizeof exts; i++)
        len += (size_t)snprintf(exts + len, sizeof exts - len, "%s%s",
                                i == 0 ? "" : i == n - 1 ? " or " : ", ", with[i]);
    return lw_fail(err, LW_EINPUT,
                   "%s: %s cannot keep a transparent background ([style] background, "
                   "--transparent): write %s, or PNG frames (-o DIR/)",
                   path, f->name, exts);
}

/* Everything about the options that can be refused before any file exists. */
static int check_options(const VideoFormat *f, const char *path, const VideoOptions *opt,
                         LwError *err)
{
    if (!f)
        return fail_format(path, err);
    if (opt->alpha && f->alpha_pix_fmt == AV_PIX_FMT_NONE)
        return fail_alpha(f, path, err);
    if (opt->width <= 0 || opt->height <= 0 || opt->width > 16384 ||
        opt->height > 16384)
        return lw_fail(err, LW_EINPUT, "%s: video size %dx%d out of range", path,
                       opt->width, opt->height);
    if (opt->width % 2 || opt->height % 2)
        return lw_fail(err, LW_EINPUT,
                       "%s: video width and height must be even (got %dx%d)", path,
                       opt->width, opt->height);
    if (!(opt->fps > 0 && opt->fps <= 1000))
        return lw_fail(err, LW_EINPUT, "%s: frame rate %g out of range (0, 1000]",
                       path, opt->fps);
    if (f->max_fps > 0 && opt->fps > f->max_fps)
        return lw_fail(err, LW_EINPUT,
                       "%s: frame rate %g too high for %s (%s; use at most %g fps)", path,
                       opt->fps, f->name, f->max_fps_why, f->max_fps);
    if (strlen(path) >= LW_PATH_MAX)
        return lw_fail(err, LW_EINPUT, "output path too long: '%s'", path);
    return check_names(f, opt, path, err);
}

static int set_opt(VideoSink *v, const char *key, const char *val, LwError *err)
{
    /* SEARCH_CHILDREN: the context's own options first (threads, b, g,
     * level), then the codec's (crf, preset, ...). */
    int ret = av_opt_set(v->enc, key, val, AV_OPT_SEARCH_CHILDREN);
    if (ret < 0)
        return lw_fail(err, LW_EINPUT, "%s: invalid encoder option %s='%s': %s",
                       v->target, key, val, av_err2str(ret));
    return 0;
}

/* The row's settings, then the user's preset, crf and tune over its
 * defaults. */
static int configure_encoder(VideoSink *v, const VideoOptions *opt, LwError *err)
{
    const VideoFormat *f = v->fmt;
    int ret = 0;
    v->enc->pix_fmt = v->pix_fmt;
    for (int i = 0; f->enc_opts[i] && ret == 0; i += 2)
        ret = set_opt(v, f->enc_opts[i], f->enc_opts[i + 1], err);
    for (int i = 0; v->alpha && f->alpha_enc_opts[i] && ret == 0; i += 2)
        ret = set_opt(v, f->alpha_enc_opts[i], f->alpha_enc_opts[i + 1], err);
    if (ret == 0 && f->preset_key)
        ret = set_opt(v, f->preset_key, opt->preset[0] ? opt->preset : f->default_preset, err);
    if (ret == 0 && f->max_crf > 0) {
        char num[32];
        snprintf(num, sizeof num, "%d", opt->crf >= 0 ? opt->crf : f->default_crf);
        ret = set_opt(v, "crf", num, err);
    }
    if (ret == 0 && f->tunes) {
        const char *tune = opt->tune[0] ? opt->tune : f->default_tune;
        if (strcmp(tune, "none") != 0)
            ret = set_opt(v, "tune", tune, err);
    }
    if (ret == 0 && (f->flags & VF_YUV709))
        ret = setup_yuv(v, err);
    if (v->oc->oformat->flags & AVFMT_GLOBALHEADER)
        v->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    return ret;
}

/* Builds buffer -> palettegen -> buffersink for pass 1 of a GIF. */
static int setup_palettegen(VideoSink *v, LwError *err)
{
    char args[256];
    int ret;
    v->pal_graph = avfilter_graph_alloc();
    if (!v->pal_graph)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    v->pal_graph->nb_threads = 1;
    snprintf(args, sizeof args,
             "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
             v->width, v->height, AV_PIX_FMT_BGRA, v->tb.num, v->tb.den);
    AVFilterContext *gen = NULL;
    ret = avfilter_graph_create_filter(&v->pal_src, avfilter_get_by_name("buffer"),
                                       "in", args, NULL, v->pal_graph);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(
            &gen, avfilter_get_by_name("palettegen"), "palettegen",
            "max_colors=256:reserve_transparent=0:stats_mode=" GIF_STATS, NULL,
            v->pal_graph);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&v->pal_sink,
                                           avfilter_get_by_name("buffersink"),
                                           "out", NULL, NULL, v->pal_graph);
    if (ret >= 0)
        ret = avfilter_link(v->pal_src, 0, gen, 0);
    if (ret >= 0)
        ret = avfilter_link(gen, 0, v->pal_sink, 0);
    if (ret >= 0)
        ret = avfilter_graph_config(v->pal_graph, NULL);
    if (ret < 0)
        return av_fail(err, ret, "cannot set up palettegen", v->target);
    return 0;
}

/* fps as a rational: 23.976, 29.97 and 59.94 mean the NTSC rates
 * 24000/1001, 30000/1001 and 60000/1001 (within 0.01), the rest as exact a
 * fraction as av_d2q finds. */
static AVRational frame_rate_of(double fps)
{
    double ntsc = fps * 1.001;
    if (fabs(ntsc - round(ntsc)) < 0.01 && fabs(ntsc - fps) > 0.01 &&
        fabs(fps - round(fps)) > 0.01)
        return (AVRational){(int)round(ntsc) * 1000, 1001};
    return av_d2q(fps, 1001000);
}

/* The muxer (writing to the temporary), its stream, the encoder context, the
 * reused frame and packet; sizes and rates set, nothing opened yet. */
static int create_streams(VideoSink *v, LwError *err)
{
    int averr = avformat_alloc_output_context2(&v->oc, NULL, v->fmt->muxer, v->dest);
    if (averr < 0 || !v->oc)
        return av_fail(err, averr < 0 ? averr : AVERROR(ENOMEM), "cannot create muxer",
                       v->target);
    const AVCodec *codec = avcodec_find_encoder_by_name(v->fmt->encoder);
    if (!codec)
        return lw_fail(err, LW_ERUNTIME, "%s: encoder %s not available", v->target,
                       v->fmt->encoder);
    v->st = avformat_new_stream(v->oc, NULL);
    v->enc = avcodec_alloc_context3(codec);
    v->frame = av_frame_alloc();
    v->pkt = av_packet_alloc();
    if (!v->st || !v->enc || !v->frame || !v->pkt)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    v->enc->width = v->width;
    v->enc->height = v->height;
    v->enc->time_base = v->tb;
    v->enc->framerate = v->frame_rate;
    v->enc->sample_aspect_ratio = (AVRational){1, 1};
    v->st->time_base = v->tb;
    v->st->avg_frame_rate = v->frame_rate;
    v->st->r_frame_rate = v->frame_rate;
    return 0;
}

/* The tags and chapters the header carries (the muxer writes what its
 * format has room for).  Chapters in the time base 1/fps: frame numbers. */
static int add_metadata(VideoSink *v, const VideoOptions *opt, LwError *err)
{
    for (int i = 0; i < opt->n_tags; i++)
        if (av_dict_set(&v->oc->metadata, opt->tags[i].key, opt->tags[i].value, 0) < 0)
            return lw_fail(err, LW_ERUNTIME, "out of memory");
    int averr = video_put_chapters(v->oc, &v->tb, opt->chapters, opt->n_chapters,
                                   opt->n_frames);
    return averr < 0 ? lw_fail(err, LW_ERUNTIME, "out of memory") : 0;
}

int video_put_chapters(AVFormatContext *oc, const AVRational *frame, const VideoChapter *c,
                       int n, int64_t n_frames)
{
    if (n <= 0 || n_frames <= 0)
        return 0;
    for (int i = 0; i < n; i++) {
        AVChapter *ch = av_mallocz(sizeof *ch);
        AVChapter **grown = ch ? av_realloc_array(oc->chapters, (size_t)oc->nb_chapters + 1,
                                                  sizeof *grown)
                               : NULL;
        if (!grown) {
            av_free(ch);
            return AVERROR(ENOMEM);
        }
        oc->chapters = grown;
        oc->chapters[oc->nb_chapters++] = ch; /* freed with oc */
        *ch = (AVChapter){.id = i + 1, .time_base = *frame, .start = c[i].start,
                          .end = i + 1 < n ? c[i + 1].start : n_frames};
        int averr = av_dict_set(&ch->metadata, "title", c[i].title, 0);
        if (averr < 0)
            return averr;
    }
    return 0;
}

/* Opens the encoder and the temporary file and writes the header. */
static int start_output(VideoSink *v, const VideoOptions *opt, LwError *err)
{
    int averr = avcodec_open2(v->enc, v->enc->codec, NULL);
    if (averr < 0)
        return av_fail(err, averr, "cannot open encoder", v->target);
    if ((averr = avcodec_parameters_from_context(v->st->codecpar, v->enc)) < 0)
        return av_fail(err, averr, "cannot set stream parameters", v->target);
    if ((averr = avio_open(&v->oc->pb, v->dest, AVIO_FLAG_WRITE)) < 0)
        return av_fail(err, averr, "cannot open", v->to_pipe ? v->target : atomic_writer_path(&v->out));
    AVDictionary *mux_opts = NULL;
    const char *const *opts = v->to_pipe && v->fmt->pipe_mux_opts[0] ? v->fmt->pipe_mux_opts
                                                                      : v->fmt->mux_opts;
    for (int i = 0; opts[i]; i += 2)
        av_dict_set(&mux_opts, opts[i], opts[i + 1], 0);
    if (opt->piece[0]) {
        /* join reads it back; MP4 keeps a tag of its own name only with
         * use_metadata_tags (other muxers leave the unused option alone) */
        av_dict_set(&v->oc->metadata, "layerwarp_piece", opt->piece, 0);
        av_dict_set(&mux_opts, "movflags", "+use_metadata_tags", AV_DICT_APPEND);
    }
    averr = avformat_write_header(v->oc, &mux_opts);
    av_dict_free(&mux_opts);
    if (averr < 0)
        return av_fail(err, averr, "cannot write header", v->target);
    return 0;
}

/* The reused input frame: encoder format, or BGRA for the palette passes,
 * which also get their spool, palettegen and output frame. */
static int alloc_frames(VideoSink *v, LwError *err)
{
    int palette = (v->fmt->flags & VF_PALETTE) != 0, ret;
    v->frame->format = palette ? AV_PIX_FMT_BGRA : v->enc->pix_fmt;
    v->frame->width = v->width;
    v->frame->height = v->height;
    if ((ret = av_frame_get_buffer(v->frame, 0)) < 0)
        return av_fail(err, ret, "cannot allocate frame", v->target);
    if (v->fmt->flags & VF_YUV709)
        tag_bt709(v->frame);
    if (v->alpha && !(v->straight = malloc((size_t)v->width * v->height * 4)))
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    if (!palette)
        return 0;
    /* beside the target; a pipe has no folder, so the temporary one */
    char beside[LW_PATH_MAX];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(beside, sizeof beside, "%s/layerwarp", tmpdir && tmpdir[0] ? tmpdir : "/tmp");
    if ((ret = atomic_spool(&v->spool, v->to_pipe ? beside : v->target, "frames", err)) < 0 ||
        (ret = setup_palettegen(v, err)) < 0)
        return ret;
    v->gif_frame = av_frame_alloc();
    if (!v->gif_frame)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    return 0;
}

int video_open(VideoSink **out, const char *path, const VideoOptions *opt,
               LwError *err)
{
    *out = NULL;
    const VideoFormat *fmt = format_for(path, opt->format);
    int ret = check_options(fmt, path, opt, err);
    if (ret < 0)
        return ret;

    VideoSink *v = calloc(1, sizeof *v);
    if (!v)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    v->fmt = fmt;
    v->to_pipe = strcmp(path, "-") == 0;
    snprintf(v->target, sizeof v->target, "%s", v->to_pipe ? "standard output" : path);
    v->width = opt->width;
    v->height = opt->height;
    v->alpha = opt->alpha != 0;
    v->pix_fmt = v->alpha ? fmt->alpha_pix_fmt : fmt->pix_fmt;
    v->frame_rate = frame_rate_of(opt->fps);
    v->tb = av_inv_q(v->frame_rate);
    v->expected = opt->n_frames;
    v->first_pts = opt->first_frame;
    v->stop = opt->stop;

    if (v->to_pipe)
        v->dest = "pipe:1";
    else if ((ret = atomic_create(&v->out, path, err)) < 0)
        goto fail;
    else
        v->dest = atomic_writer_path(&v->out);
    /* libx264 prints several info lines per file and palettegen warns about
     * duplicate colours; failures reach the caller through LwError. */
    if (av_log_get_level() > AV_LOG_ERROR)
        av_log_set_level(AV_LOG_ERROR);
    if ((ret = create_streams(v, err)) < 0 || (ret = configure_encoder(v, opt, err)) < 0 ||
        (ret = add_metadata(v, opt, err)) < 0 || (ret = start_output(v, opt, err)) < 0 ||
        (ret = alloc_frames(v, err)) < 0)
        goto fail;
    *out = v;
    return 0;

fail:
    sink_free(&v);
    return ret;
}

/* BGRA into f: yuv420p by yuv.h, another BT.709 YUV format through sws,
 * else copied as it is (bgr0 or bgra for FFV1, bgra for the palette
 * passes).  With `straight` (a frame's room), the alpha is made straight
 * there first. */
static int convert_into(struct SwsContext *sws, int width, int height, AVFrame *f,
                        const uint8_t *bgra, int stride, uint8_t *straight,
                        const char *target, LwError *err)
{
    int ret;
    if ((ret = av_frame_make_writable(f)) < 0)
        return av_fail(err, ret, "cannot allocate frame", target);
    if (straight) {
        for (int y = 0; y < height; y++)
            alpha_unpremultiply_row(bgra + (size_t)y * stride, straight + (size_t)y * width * 4,
                                    width);
        bgra = straight;
        stride = width * 4;
    }
    if (f->format == AV_PIX_FMT_YUV420P) {
        yuv420_from_bgra(bgra, stride, width, height, f->data, f->linesize);
    } else if (sws) {
        const uint8_t *src[1] = {bgra};
        const int src_stride[1] = {stride};
        if (sws_scale(sws, src, src_stride, 0, height, f->data, f->linesize) != height)
            return lw_fail(err, LW_ERUNTIME, "%s: colour conversion failed", target);
    } else {
        av_image_copy_plane(f->data[0], f->linesize[0], bgra, stride, width * 4, height);
    }
    return 0;
}

/* Pass 1 of a palette format: the frame to the spool and to palettegen. */
static int spool_frame(VideoSink *v, AVFrame *f, LwError *err)
{
    size_t row = (size_t)v->width * 4;
    for (int y = 0; y < v->height; y++)
        if (fwrite(f->data[0] + (size_t)y * f->linesize[0], 1, row, v->spool) != row)
            return lw_fail(err, LW_ERUNTIME, "%s: cannot write frame spool: %s", v->target,
                           strerror(errno));
    /* PUSH: palettegen consumes the frame now; without it the link
     * queues every frame of the video until the palette is asked for. */
    int ret = av_buffersrc_add_frame_flags(v->pal_src, f,
                                           AV_BUFFERSRC_FLAG_KEEP_REF | AV_BUFFERSRC_FLAG_PUSH);
    if (ret < 0)
        return av_fail(err, ret, "palettegen failed", v->target);
    return 0;
}

/* Hands a converted frame to the encoder (or the palette pass). */
static int submit(VideoSink *v, AVFrame *f, LwError *err)
{
    if (v->expected > 0 && v->n_written >= v->expected)
        return lw_fail(err, LW_ERUNTIME, "%s: more frames than the %d expected",
                       v->target, v->expected);
    f->pts = v->first_pts + v->n_written;
    int ret = v->fmt->flags & VF_PALETTE ? spool_frame(v, f, err) : encode(v, f, err);
    if (ret < 0)
        return ret;
    v->n_written++;
    return 0;
}

int video_write_bgra(VideoSink *v, const uint8_t *bgra, int stride, LwError *err)
{
    int ret = convert_into(v->sws, v->width, v->height, v->frame, bgra, stride, v->straight,
                           v->target, err);
    return ret < 0 ? ret : submit(v, v->frame, err);
}

struct VideoFrame {
    int width, height;
    char target[LW_PATH_MAX];
    struct SwsContext *sws; /* when the sink has one: the same conversion */
    uint8_t *straight;      /* when the sink has one: room of its own */
    AVFrame *frame;
};

int video_frame_new(const VideoSink *v, VideoFrame **out, LwError *err)
{
    VideoFrame *vf = calloc(1, sizeof *vf);
    *out = NULL;
    if (!vf)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    vf->width = v->width;
    vf->height = v->height;
    snprintf(vf->target, sizeof vf->target, "%s", v->target);
    int ret = 0;
    vf->frame = av_frame_alloc();
    if (!vf->frame) {
        ret = lw_fail(err, LW_ERUNTIME, "out of memory");
        goto fail;
    }
    vf->frame->format = v->frame->format;
    vf->frame->width = v->frame->width;
    vf->frame->height = v->frame->height;
    if ((ret = av_frame_get_buffer(vf->frame, 0)) < 0) {
        ret = av_fail(err, ret, "cannot allocate frame", v->target);
        goto fail;
    }
    /* the sink's conversion on a context of its own, for another thread */
    if (v->sws && bt709_converter(&vf->sws, v->width, v->height, v->pix_fmt) < 0) {
        ret = lw_fail(err, LW_ERUNTIME, "%s: cannot create colour converter", v->target);
        goto fail;
    }
    if (v->fmt->flags & VF_YUV709)
        tag_bt709(vf->frame);
    if (v->straight && !(vf->straight = malloc((size_t)v->width * v->height * 4))) {
        ret = lw_fail(err, LW_ERUNTIME, "out of memory");
        goto fail;
    }
    *out = vf;
    return 0;
fail:
    video_frame_free(&vf);
    return ret;
}

int video_frame_fill(VideoFrame *vf, const uint8_t *bgra, int stride, LwError *err)
{
    return convert_into(vf->sws, vf->width, vf->height, vf->frame, bgra, stride, vf->straight,
                        vf->target, err);
}

int video_write_frame(VideoSink *v, VideoFrame *vf, LwError *err)
{
    return submit(v, vf->frame, err);
}

void video_frame_free(VideoFrame **vf)
{
    if (!vf || !*vf)
        return;
    sws_freeContext((*vf)->sws);
    free((*vf)->straight);
    av_frame_free(&(*vf)->frame);
    free(*vf);
    *vf = NULL;
}

/* Pulls the palette of the whole video out of pass 1.  *pal owned by caller. */
static int finish_palette(VideoSink *v, AVFrame **pal, LwError *err)
{
    int ret = av_buffersrc_add_frame_flags(v->pal_src, NULL, 0);
    if (ret < 0)
        return av_fail(err, ret, "palettegen failed", v->target);
    *pal = av_frame_alloc();
    if (!*pal)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    ret = av_buffersink_get_frame(v->pal_sink, *pal);
    if (ret < 0)
        return av_fail(err, ret, "palettegen gave no palette", v->target);
    return 0;
}

/* Pass 2 of a GIF: spool -> paletteuse (with the palette) -> gif encoder. */
static int gif_second_pass(VideoSink *v, LwError *err)
{
    AVFrame *pal = NULL;
    AVFilterGraph *g = NULL;
    AVFilterContext *src = NULL, *palsrc = NULL, *use = NULL, *sink = NULL;
    char args[256];
    int ret = finish_palette(v, &pal, err);
    if (ret < 0)
        goto done;
    avfilter_graph_free(&v->pal_graph); /* its statistics are no longer needed */

    g = avfilter_graph_alloc();
    if (!g) {
        ret = lw_fail(err, LW_ERUNTIME, "out of memory");
        goto done;
    }
    g->nb_threads = 1;
    snprintf(args, sizeof args,
             "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
             v->width, v->height, AV_PIX_FMT_BGRA, v->tb.num, v->tb.den);
    int averr = avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"),
                                             "in", args, NULL, g);
    if (averr >= 0) {
        snprintf(args, sizeof args,
                 "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
                 pal->width, pal->height, pal->format, v->tb.num, v->tb.den);
        averr = avfilter_graph_create_filter(&palsrc, avfilter_get_by_name("buffer"),
                                             "palette", args, NULL, g);
    }
    if (averr >= 0)
        averr = avfilter_graph_create_filter(&use, avfilter_get_by_name("paletteuse"),
                                             "paletteuse",
                                             "dither=" GIF_DITHER ":diff_mode=rectangle",
                                             NULL, g);
    if (averr >= 0)
        averr = avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"),
                                             "out", NULL, NULL, g);
    if (averr >= 0)
        averr = avfilter_link(src, 0, use, 0);
    if (averr >= 0)
        averr = avfilter_link(palsrc, 0, use, 1);
    if (averr >= 0)
        averr = avfilter_link(use, 0, sink, 0);
    if (averr >= 0)
        averr = avfilter_graph_config(g, NULL);
    /* One palette for every frame: paletteuse keeps the last palette frame
     * after its input ends. */
    pal->pts = 0;
    if (averr >= 0)
        averr = av_buffersrc_add_frame_flags(palsrc, pal, 0);
    if (averr >= 0)
        averr = av_buffersrc_add_frame_flags(palsrc, NULL, 0);
    if (averr < 0) {
        ret = av_fail(err, averr, "cannot set up paletteuse", v->target);
        goto done;
    }

    if (fflush(v->spool) != 0 || fseek(v->spool, 0, SEEK_SET) != 0) {
        ret = lw_fail(err, LW_ERUNTIME, "%s: cannot read frame spool: %s",
                      v->target, strerror(errno));
        goto done;
    }
    size_t row = (size_t)v->width * 4;
    for (int64_t k = 0; k <= v->n_written; k++) {
        if (v->stop && *v->stop) {
            ret = lw_fail(err, LW_EINTR, "interrupted");
            goto done;
        }
        if (k < v->n_written) {
            if ((averr = av_frame_make_writable(v->frame)) < 0) {
                ret = av_fail(err, averr, "cannot allocate frame", v->target);
                goto done;
            }
            for (int y = 0; y < v->height; y++)
                if (fread(v->frame->data[0] + (size_t)y * v->frame->linesize[0], 1,
                          row, v->spool) != row) {
                    ret = lw_fail(err, LW_ERUNTIME,
                                  "%s: cannot read frame spool: %s", v->target,
                                  ferror(v->spool) ? strerror(errno)
                                                   : "file shorter than expected");
                    goto done;
                }
            v->frame->pts = k;
            averr = av_buffersrc_add_frame_flags(src, v->frame,
                                                 AV_BUFFERSRC_FLAG_KEEP_REF);
        } else {
            averr = av_buffersrc_add_frame_flags(src, NULL, 0);
        }
        if (averr < 0) {
            ret = av_fail(err, averr, "paletteuse failed", v->target);
            goto done;
        }
        for (;;) {
            averr = av_buffersink_get_frame(sink, v->gif_frame);
            if (averr == AVERROR(EAGAIN) || averr == AVERROR_EOF)
                break;
            if (averr < 0) {
                ret = av_fail(err, averr, "paletteuse failed", v->target);
                goto done;
            }
            ret = encode(v, v->gif_frame, err);
            av_frame_unref(v->gif_frame);
            if (ret < 0)
                goto done;
        }
    }
    ret = 0;

done:
    avfilter_graph_free(&g);
    av_frame_free(&pal);
    return ret;
}

/* GIF delays are centiseconds: pts are rounded to 1/100 s, so the last
 * frame's delay is what brings the total to n_frames / fps. */
static void set_final_delay(VideoSink *v)
{
    int64_t total = av_rescale_q(v->n_written, v->tb, (AVRational){1, 100});
    int64_t last = av_rescale_q(v->n_written - 1, v->tb, (AVRational){1, 100});
    int64_t fd = total - last;
    if (fd < 1)
        fd = 1;
    av_opt_set_int(v->oc->priv_data, "final_delay", fd, 0);
}

int video_close(VideoSink **pv, LwError *err)
{
    VideoSink *v = *pv;
    int ret = 0, averr;
    if (!v)
        return 0;
    if (v->n_written == 0) {
        ret = lw_fail(err, LW_ERUNTIME, "%s: no frames written", v->target);
        goto done;
    }
    if (v->expected > 0 && v->n_written != v->expected) {
        ret = lw_fail(err, LW_ERUNTIME, "%s: %lld frames written, %d expected",
                      v->target, (long long)v->n_written, v->expected);
        goto done;
    }
    if (v->fmt->flags & VF_PALETTE) {
        set_final_delay(v);
        if ((ret = gif_second_pass(v, err)) < 0)
            goto done;
    }
    if ((ret = encode(v, NULL, err)) < 0)
        goto done;
    const char *written = v->to_pipe ? v->target : atomic_writer_path(&v->out);
    if ((averr = av_write_trailer(v->oc)) < 0) {
        ret = av_fail(err, averr, "cannot write trailer", written);
        goto done;
    }
    if ((averr = avio_closep(&v->oc->pb)) < 0) {
        ret = av_fail(err, averr, "cannot close", written);
        goto done;
    }
    if (!v->to_pipe)
        ret = atomic_rename(&v->out, err);

done: /* the temporary is gone unless renamed */
    sink_free(pv);
    return ret;
}
