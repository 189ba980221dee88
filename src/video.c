/* video.c — the video sink: Cairo BGRA frames in, one finished video file out.
 *
 * Shaped like FFmpeg's doc/examples (encode_video.c, mux.c): one VideoSink
 * owns the muxer (oc), the encoder (enc), one reused AVFrame, one AVPacket
 * and, per format, a colour converter or the GIF filter graphs.  Frames get
 * pts = index in the time base 1/fps; every packet gets duration 1 frame
 * before av_packet_rescale_ts, so the container's duration is exactly
 * n_frames / fps (libx264 in FFmpeg 5.1 leaves pkt->duration at 0).
 *
 * Invariants:
 *   - The encoded bytes go to `temp` ("<dir>/.<name>.tmp-XXXXXX"), created
 *     with mkstemp beside `target`; only video_close() renames it onto the
 *     target, after the trailer is written and the file is closed.  Every
 *     other way out (an error, video_abort) unlinks it.
 *   - .mp4/.webm: BGRA -> yuv420p by libswscale with BT.709 coefficients,
 *     limited ("MPEG") range, and the stream is tagged the same way.
 *   - .mkv: FFV1 in bgr0 — the Cairo bytes are copied as they are, so the
 *     file is bit-exact (the quality reference).
 *   - .gif: two passes with bounded memory.  Pass 1 (video_write_bgra) feeds
 *     each frame to palettegen and appends it to a spool file of raw BGRA
 *     rows; the spool is created beside the target and unlinked at once, so
 *     it never outlives the process.  Pass 2 (video_close) reads the spool
 *     back through paletteuse with the palette of the whole video.
 */
#include "video.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

/* Defaults chosen by measurement (docs/video.md, 2026-11-24). */
#define X264_DEFAULT_CRF VIDEO_DEFAULT_CRF_MP4
#define X264_DEFAULT_PRESET VIDEO_DEFAULT_PRESET_MP4
#define X264_DEFAULT_TUNE VIDEO_DEFAULT_TUNE_MP4
#define VP9_DEFAULT_CRF VIDEO_DEFAULT_CRF_WEBM
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

typedef enum { FMT_NONE, FMT_MP4, FMT_WEBM, FMT_MKV, FMT_GIF } Format;

struct VideoSink {
    Format fmt;
    char target[LW_PATH_MAX];
    char temp[LW_PATH_MAX];
    int width, height;
    AVRational frame_rate; /* fps as a rational; time base is its inverse */
    AVRational tb;
    int expected;          /* opt->n_frames, <= 0 when unknown */
    int64_t n_written;     /* frames accepted by video_write_bgra */

    AVFormatContext *oc;
    AVStream *st;
    AVCodecContext *enc;
    AVFrame *frame;        /* encoder input (mp4/webm/mkv) or BGRA (gif) */
    AVPacket *pkt;
    struct SwsContext *sws;

    /* GIF only */
    FILE *spool;           /* raw BGRA frames, width*4 bytes per row */
    AVFilterGraph *pal_graph;  /* buffer -> palettegen -> buffersink */
    AVFilterContext *pal_src, *pal_sink;
    AVFrame *gif_frame;    /* pal8 frames out of paletteuse */
};

static Format format_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return FMT_NONE;
    if (strcasecmp(dot, ".mp4") == 0) return FMT_MP4;
    if (strcasecmp(dot, ".webm") == 0) return FMT_WEBM;
    if (strcasecmp(dot, ".mkv") == 0) return FMT_MKV;
    if (strcasecmp(dot, ".gif") == 0) return FMT_GIF;
    return FMT_NONE;
}

int video_format_supported(const char *path)
{
    return path && format_of(path) != FMT_NONE;
}

const char *video_temp_path(const VideoSink *v)
{
    return v ? v->temp : NULL;
}

/* Frees everything; unlinks the temporary file when `unlink_temp`. */
static void sink_free(VideoSink **pv, int unlink_temp)
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
    avfilter_graph_free(&v->pal_graph);
    if (v->spool)
        fclose(v->spool);
    if (unlink_temp && v->temp[0])
        unlink(v->temp);
    free(v);
    *pv = NULL;
}

void video_abort(VideoSink **v)
{
    sink_free(v, 1);
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
            return av_fail(err, ret, "writing failed", v->temp);
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

/* Creates the temporary output beside the target with the permissions a
 * plain fopen would give (mkstemp makes it 0600). */
static int make_temp(VideoSink *v, const char *path, const char *kind,
                     char *out, size_t out_size, int keep, LwError *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char dir[LW_PATH_MAX];
    if (slash) {
        size_t n = (size_t)(slash - path);
        if (n == 0)
            n = 1; /* "/name" lives in "/" */
        if (n >= sizeof dir)
            return lw_fail(err, LW_EINPUT, "output path too long: '%s'", path);
        memcpy(dir, path, n);
        dir[n] = '\0';
    } else {
        strcpy(dir, ".");
    }
    int n = snprintf(out, out_size, "%s%s.%s.%s-XXXXXX", slash ? dir : "",
                     slash && strcmp(dir, "/") != 0 ? "/" : "", base, kind);
    if (n < 0 || (size_t)n >= out_size)
        return lw_fail(err, LW_EINPUT, "output path too long: '%s'", path);
    int fd = mkstemp(out);
    if (fd < 0) {
        int e = errno;
        out[0] = '\0';
        return lw_fail(err, LW_ERUNTIME, "cannot create output in '%s': %s", dir,
                       strerror(e));
    }
    if (keep) {
        mode_t mask = umask(022);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask); /* best effort: else stays 0600 */
        close(fd);
        return 0;
    }
    /* A spool: unlinked at once, the open descriptor keeps it alive. */
    unlink(out);
    v->spool = fdopen(fd, "w+b");
    if (!v->spool) {
        int e = errno;
        close(fd);
        return lw_fail(err, LW_ERUNTIME, "cannot create spool in '%s': %s", dir,
                       strerror(e));
    }
    return 0;
}

/* Sets the BT.709, limited-range conversion and tags the stream with it. */
static int setup_yuv(VideoSink *v, LwError *err)
{
    v->sws = sws_getContext(v->width, v->height, AV_PIX_FMT_BGRA, v->width,
                            v->height, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP,
                            NULL, NULL, NULL);
    if (!v->sws)
        return lw_fail(err, LW_ERUNTIME, "%s: cannot create colour converter",
                       v->target);
    /* Source RGB is full range; destination BT.709 limited range. */
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    if (sws_setColorspaceDetails(v->sws, bt709, 1, bt709, 0, 0, 1 << 16,
                                 1 << 16) < 0)
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

static const char *const X264_PRESETS[] = {
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
    "slow", "slower", "veryslow", "placebo", NULL};
static const char *const X264_TUNES[] = {
    "film", "animation", "grain", "stillimage", "psnr", "ssim",
    "fastdecode", "zerolatency", NULL};
static const char *const VP9_DEADLINES[] = {"realtime", "good", "best", NULL};

/* Checks preset/tune before the encoder sees them, so a typo is LW_EINPUT
 * with the accepted words (libx264 would only say "Invalid argument"). */
static int check_names(Format fmt, const VideoOptions *opt, const char *path,
                       LwError *err)
{
    if (fmt == FMT_MP4 && opt->preset[0] && !words_in(opt->preset, X264_PRESETS))
        return lw_fail(err, LW_EINPUT,
                       "%s: unknown preset '%s' (expected ultrafast, superfast, "
                       "veryfast, faster, fast, medium, slow, slower, veryslow, "
                       "placebo)",
                       path, opt->preset);
    if (fmt == FMT_MP4 && opt->tune[0] && strcmp(opt->tune, "none") != 0 &&
        !words_in(opt->tune, X264_TUNES))
        return lw_fail(err, LW_EINPUT,
                       "%s: unknown tune '%s' (expected none, film, animation, "
                       "grain, stillimage, psnr, ssim, fastdecode, zerolatency)",
                       path, opt->tune);
    if (fmt == FMT_WEBM && opt->preset[0] && !words_in(opt->preset, VP9_DEADLINES))
        return lw_fail(err, LW_EINPUT,
                       "%s: unknown preset '%s' for .webm (expected realtime, "
                       "good, best)",
                       path, opt->preset);
    if ((fmt == FMT_MP4 && opt->crf > 51) || (fmt == FMT_WEBM && opt->crf > 63))
        return lw_fail(err, LW_EINPUT, "%s: crf %d out of range (0..%d)", path,
                       opt->crf, fmt == FMT_WEBM ? 63 : 51);
    return 0;
}

static int set_opt(VideoSink *v, const char *key, const char *val, LwError *err)
{
    int ret = av_opt_set(v->enc->priv_data, key, val, 0);
    if (ret < 0)
        return lw_fail(err, LW_EINPUT, "%s: invalid encoder option %s='%s': %s",
                       v->target, key, val, av_err2str(ret));
    return 0;
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

int video_open(VideoSink **out, const char *path, const VideoOptions *opt,
               LwError *err)
{
    *out = NULL;
    Format fmt = format_of(path);
    if (fmt == FMT_NONE) {
        const char *slash = strrchr(path, '/');
        const char *dot = strrchr(slash ? slash + 1 : path, '.');
        return lw_fail(err, LW_EINPUT,
                       "unsupported output format '%s' (expected .mp4, .webm, "
                       ".mkv, .gif or a directory)",
                       dot ? dot : path);
    }
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
    if (fmt == FMT_GIF && opt->fps > 50)
        return lw_fail(err, LW_EINPUT,
                       "%s: frame rate %g too high for GIF (delays are whole "
                       "centiseconds and players slow down frames under 2 cs; "
                       "use at most 50 fps)",
                       path, opt->fps);
    if (strlen(path) >= LW_PATH_MAX)
        return lw_fail(err, LW_EINPUT, "output path too long: '%s'", path);
    int ret = check_names(fmt, opt, path, err);
    if (ret < 0)
        return ret;

    VideoSink *v = calloc(1, sizeof *v);
    if (!v)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    int averr = 0;
    v->fmt = fmt;
    strcpy(v->target, path);
    v->width = opt->width;
    v->height = opt->height;
    v->frame_rate = frame_rate_of(opt->fps);
    v->tb = av_inv_q(v->frame_rate);
    v->expected = opt->n_frames;

    if ((ret = make_temp(v, path, "tmp", v->temp, sizeof v->temp, 1, err)) < 0)
        goto fail;

    /* libx264 prints several info lines per file and palettegen warns about
     * duplicate colours; failures reach the caller through LwError. */
    if (av_log_get_level() > AV_LOG_ERROR)
        av_log_set_level(AV_LOG_ERROR);

    static const char *const muxers[] = {
        [FMT_MP4] = "mp4", [FMT_WEBM] = "webm", [FMT_MKV] = "matroska",
        [FMT_GIF] = "gif"};
    static const char *const encoders[] = {
        [FMT_MP4] = "libx264", [FMT_WEBM] = "libvpx-vp9", [FMT_MKV] = "ffv1",
        [FMT_GIF] = "gif"};
    averr = avformat_alloc_output_context2(&v->oc, NULL, muxers[fmt], v->temp);
    if (averr < 0 || !v->oc) {
        ret = av_fail(err, averr < 0 ? averr : AVERROR(ENOMEM),
                      "cannot create muxer", path);
        goto fail;
    }
    const AVCodec *codec = avcodec_find_encoder_by_name(encoders[fmt]);
    if (!codec) {
        ret = lw_fail(err, LW_ERUNTIME, "%s: encoder %s not available", path,
                      encoders[fmt]);
        goto fail;
    }
    v->st = avformat_new_stream(v->oc, NULL);
    v->enc = avcodec_alloc_context3(codec);
    v->frame = av_frame_alloc();
    v->pkt = av_packet_alloc();
    if (!v->st || !v->enc || !v->frame || !v->pkt) {
        ret = lw_fail(err, LW_ERUNTIME, "out of memory");
        goto fail;
    }
    v->enc->width = v->width;
    v->enc->height = v->height;
    v->enc->time_base = v->tb;
    v->enc->framerate = v->frame_rate;
    v->enc->sample_aspect_ratio = (AVRational){1, 1};
    v->st->time_base = v->tb;
    v->st->avg_frame_rate = v->frame_rate;
    v->st->r_frame_rate = v->frame_rate;

    char num[32];
    switch (fmt) {
    case FMT_MP4: {
        v->enc->pix_fmt = AV_PIX_FMT_YUV420P;
        v->enc->thread_count = 0; /* libx264 picks, uses both cores */
        int crf = opt->crf >= 0 ? opt->crf : X264_DEFAULT_CRF;
        const char *tune = opt->tune[0] ? opt->tune : X264_DEFAULT_TUNE;
        snprintf(num, sizeof num, "%d", crf);
        if ((ret = set_opt(v, "preset", opt->preset[0] ? opt->preset
                                                       : X264_DEFAULT_PRESET,
                           err)) < 0 ||
            (ret = set_opt(v, "crf", num, err)) < 0)
            goto fail;
        if (strcmp(tune, "none") != 0 && (ret = set_opt(v, "tune", tune, err)) < 0)
            goto fail;
        if ((ret = setup_yuv(v, err)) < 0)
            goto fail;
        break;
    }
    case FMT_WEBM: {
        v->enc->pix_fmt = AV_PIX_FMT_YUV420P;
        v->enc->thread_count = 2;
        v->enc->bit_rate = 0; /* constant quality: crf alone */
        int crf = opt->crf >= 0 ? opt->crf : VP9_DEFAULT_CRF;
        snprintf(num, sizeof num, "%d", crf);
        if ((ret = set_opt(v, "crf", num, err)) < 0 ||
            (ret = set_opt(v, "deadline", opt->preset[0] ? opt->preset
                                                         : VP9_DEFAULT_DEADLINE,
                           err)) < 0)
            goto fail;
        snprintf(num, sizeof num, "%d", VP9_CPU_USED);
        if ((ret = set_opt(v, "cpu-used", num, err)) < 0 ||
            (ret = set_opt(v, "row-mt", "1", err)) < 0)
            goto fail;
        if ((ret = setup_yuv(v, err)) < 0)
            goto fail;
        break;
    }
    case FMT_MKV:
        /* bgr0 is Cairo's byte order without alpha: a plain copy, lossless. */
        v->enc->pix_fmt = AV_PIX_FMT_BGR0;
        v->enc->level = 3; /* FFV1 version 3: slices, so both cores help */
        v->enc->thread_count = 2;
        v->enc->gop_size = 1;
        if ((ret = set_opt(v, "slicecrc", "1", err)) < 0)
            goto fail;
        break;
    case FMT_GIF:
        v->enc->pix_fmt = AV_PIX_FMT_PAL8;
        break;
    default:
        break;
    }
    if (v->oc->oformat->flags & AVFMT_GLOBALHEADER)
        v->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    if ((averr = avcodec_open2(v->enc, codec, NULL)) < 0) {
        ret = av_fail(err, averr, "cannot open encoder", path);
        goto fail;
    }
    if ((averr = avcodec_parameters_from_context(v->st->codecpar, v->enc)) < 0) {
        ret = av_fail(err, averr, "cannot set stream parameters", path);
        goto fail;
    }
    if ((averr = avio_open(&v->oc->pb, v->temp, AVIO_FLAG_WRITE)) < 0) {
        ret = av_fail(err, averr, "cannot open", v->temp);
        goto fail;
    }
    AVDictionary *mux_opts = NULL;
    if (fmt == FMT_MP4)
        av_dict_set(&mux_opts, "movflags", "+faststart", 0);
    averr = avformat_write_header(v->oc, &mux_opts);
    av_dict_free(&mux_opts);
    if (averr < 0) {
        ret = av_fail(err, averr, "cannot write header", path);
        goto fail;
    }

    /* The reused input frame: encoder format, or BGRA for the GIF passes. */
    v->frame->format = fmt == FMT_GIF ? AV_PIX_FMT_BGRA : v->enc->pix_fmt;
    v->frame->width = v->width;
    v->frame->height = v->height;
    if ((averr = av_frame_get_buffer(v->frame, 0)) < 0) {
        ret = av_fail(err, averr, "cannot allocate frame", path);
        goto fail;
    }
    if (fmt == FMT_GIF) {
        char spool[LW_PATH_MAX];
        if ((ret = make_temp(v, path, "frames", spool, sizeof spool, 0, err)) < 0)
            goto fail;
        if ((ret = setup_palettegen(v, err)) < 0)
            goto fail;
        v->gif_frame = av_frame_alloc();
        if (!v->gif_frame) {
            ret = lw_fail(err, LW_ERUNTIME, "out of memory");
            goto fail;
        }
    }
    *out = v;
    return 0;

fail:
    sink_free(&v, 1);
    return ret;
}

/* BGRA into f: converted to yuv420p (mp4, webm) or copied (mkv, gif). */
static int convert_into(struct SwsContext *sws, Format fmt, int width, int height, AVFrame *f,
                        const uint8_t *bgra, int stride, const char *target, LwError *err)
{
    int ret;
    if ((ret = av_frame_make_writable(f)) < 0)
        return av_fail(err, ret, "cannot allocate frame", target);
    if (fmt == FMT_MP4 || fmt == FMT_WEBM) {
        const uint8_t *src[1] = {bgra};
        const int src_stride[1] = {stride};
        if (sws_scale(sws, src, src_stride, 0, height, f->data, f->linesize) != height)
            return lw_fail(err, LW_ERUNTIME, "%s: colour conversion failed", target);
    } else {
        /* mkv (bgr0) and gif (bgra): the same bytes. */
        av_image_copy_plane(f->data[0], f->linesize[0], bgra, stride, width * 4, height);
    }
    return 0;
}

/* Hands a converted frame to the encoder (or the GIF palette pass). */
static int submit(VideoSink *v, AVFrame *f, LwError *err)
{
    int ret;
    if (v->expected > 0 && v->n_written >= v->expected)
        return lw_fail(err, LW_ERUNTIME, "%s: more frames than the %d expected",
                       v->target, v->expected);
    f->pts = v->n_written;
    if (v->fmt == FMT_GIF) {
        size_t row = (size_t)v->width * 4;
        for (int y = 0; y < v->height; y++)
            if (fwrite(f->data[0] + (size_t)y * f->linesize[0], 1, row, v->spool) !=
                row)
                return lw_fail(err, LW_ERUNTIME, "%s: cannot write frame spool: %s",
                               v->target, strerror(errno));
        /* PUSH: palettegen consumes the frame now; without it the link
         * queues every frame of the video until the palette is asked for. */
        ret = av_buffersrc_add_frame_flags(
            v->pal_src, f, AV_BUFFERSRC_FLAG_KEEP_REF | AV_BUFFERSRC_FLAG_PUSH);
        if (ret < 0)
            return av_fail(err, ret, "palettegen failed", v->target);
    } else if ((ret = encode(v, f, err)) < 0) {
        return ret;
    }
    v->n_written++;
    return 0;
}

int video_write_bgra(VideoSink *v, const uint8_t *bgra, int stride, LwError *err)
{
    int ret = convert_into(v->sws, v->fmt, v->width, v->height, v->frame, bgra, stride,
                           v->target, err);
    return ret < 0 ? ret : submit(v, v->frame, err);
}

struct VideoFrame {
    Format fmt;
    int width, height;
    char target[LW_PATH_MAX];
    struct SwsContext *sws;
    AVFrame *frame;
};

int video_frame_new(const VideoSink *v, VideoFrame **out, LwError *err)
{
    VideoFrame *vf = calloc(1, sizeof *vf);
    *out = NULL;
    if (!vf)
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    vf->fmt = v->fmt;
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
    if (v->sws) { /* the same conversion as the sink's own, on its own context */
        vf->sws = sws_getContext(v->width, v->height, AV_PIX_FMT_BGRA, v->width, v->height,
                                 AV_PIX_FMT_YUV420P,
                                 SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, NULL,
                                 NULL, NULL);
        const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
        if (!vf->sws ||
            sws_setColorspaceDetails(vf->sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16) < 0) {
            ret = lw_fail(err, LW_ERUNTIME, "%s: cannot create colour converter", v->target);
            goto fail;
        }
    }
    *out = vf;
    return 0;
fail:
    video_frame_free(&vf);
    return ret;
}

int video_frame_fill(VideoFrame *vf, const uint8_t *bgra, int stride, LwError *err)
{
    return convert_into(vf->sws, vf->fmt, vf->width, vf->height, vf->frame, bgra, stride,
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

int video_close(VideoSink **pv, LwError *err)
{
    VideoSink *v = *pv;
    int ret = 0, averr;
    if (!v)
        return 0;
    if (v->n_written == 0) {
        ret = lw_fail(err, LW_ERUNTIME, "%s: no frames written", v->target);
        goto fail;
    }
    if (v->expected > 0 && v->n_written != v->expected) {
        ret = lw_fail(err, LW_ERUNTIME, "%s: %lld frames written, %d expected",
                      v->target, (long long)v->n_written, v->expected);
        goto fail;
    }
    if (v->fmt == FMT_GIF) {
        /* GIF delays are centiseconds: pts are rounded to 1/100 s, so the last
         * frame's delay is what brings the total to n_frames / fps. */
        int64_t total = av_rescale_q(v->n_written, v->tb, (AVRational){1, 100});
        int64_t last = av_rescale_q(v->n_written - 1, v->tb, (AVRational){1, 100});
        int64_t fd = total - last;
        if (fd < 1)
            fd = 1;
        av_opt_set_int(v->oc->priv_data, "final_delay", fd, 0);
        if ((ret = gif_second_pass(v, err)) < 0)
            goto fail;
    }
    if ((ret = encode(v, NULL, err)) < 0)
        goto fail;
    if ((averr = av_write_trailer(v->oc)) < 0) {
        ret = av_fail(err, averr, "cannot write trailer", v->temp);
        goto fail;
    }
    if ((averr = avio_closep(&v->oc->pb)) < 0) {
        ret = av_fail(err, averr, "cannot close", v->temp);
        goto fail;
    }
    if (rename(v->temp, v->target) != 0) {
        ret = lw_fail(err, LW_ERUNTIME, "cannot rename '%s' to '%s': %s", v->temp,
                      v->target, strerror(errno));
        goto fail;
    }
    v->temp[0] = '\0';
    sink_free(pv, 0);
    return 0;

fail:
    sink_free(pv, 1);
    return ret;
}
