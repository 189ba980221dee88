/* decode.h — test helper: decode every frame of a video file back to BGRA
 * with libavformat/libavcodec/libswscale, and compare pictures by PSNR. */
#ifndef DECODE_H
#define DECODE_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int n, w, h;
    AVRational rate;       /* stream avg_frame_rate */
    double duration;       /* seconds: stream duration, else last pts + duration */
    double end_of_last;    /* last frame's pts + its duration, seconds */
    int cap;               /* frames kept (later ones are only counted) */
    uint8_t **frames;      /* (cap) decoded, as BGRA (w*4 per row, tight) */
} Decoded;

static inline void decoded_free(Decoded *d)
{
    for (int i = 0; d->frames && i < d->cap; i++)
        free(d->frames[i]);
    free(d->frames);
    d->frames = NULL;
}

/* Decodes every frame of the first video stream to BGRA (straight alpha,
 * 255 where the stream has none) with the decoder named `decoder`, or
 * FFmpeg's default for the codec when NULL: VP9's alpha plane is decoded
 * only by "libvpx-vp9".  Returns 0 or an FFmpeg error. */
static inline int decode_file_with(const char *path, const char *decoder, int cap, Decoded *d)
{
    memset(d, 0, sizeof *d);
    d->cap = cap;
    d->frames = calloc(cap, sizeof *d->frames);
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    struct SwsContext *sws = NULL;
    int ret = avformat_open_input(&ic, path, NULL, NULL);
    if (ret >= 0)
        ret = avformat_find_stream_info(ic, NULL);
    int si = ret >= 0 ? av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0)
                      : ret;
    if (si < 0) {
        ret = si;
        goto done;
    }
    AVStream *st = ic->streams[si];
    const AVCodec *codec = decoder ? avcodec_find_decoder_by_name(decoder)
                                   : avcodec_find_decoder(st->codecpar->codec_id);
    dec = avcodec_alloc_context3(codec);
    if (!codec || !dec || !pkt || !f || !d->frames) {
        ret = AVERROR(ENOMEM);
        goto done;
    }
    if ((ret = avcodec_parameters_to_context(dec, st->codecpar)) < 0 ||
        (ret = avcodec_open2(dec, codec, NULL)) < 0)
        goto done;
    d->w = st->codecpar->width;
    d->h = st->codecpar->height;
    d->rate = st->avg_frame_rate;
    int64_t start = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    int eof = 0;
    while (!eof) {
        ret = av_read_frame(ic, pkt);
        if (ret == AVERROR_EOF) {
            eof = 1;
            ret = avcodec_send_packet(dec, NULL);
        } else if (ret >= 0) {
            if (pkt->stream_index == si)
                ret = avcodec_send_packet(dec, pkt);
            av_packet_unref(pkt);
        }
        if (ret < 0)
            goto done;
        while ((ret = avcodec_receive_frame(dec, f)) >= 0) {
            int64_t pts = f->best_effort_timestamp;
            d->end_of_last = (double)(pts - start + f->pkt_duration) *
                             av_q2d(st->time_base);
            if (d->n < d->cap) {
                int W = d->w, H = d->h;
                sws = sws_getCachedContext(sws, f->width, f->height, f->format, W, H,
                                           AV_PIX_FMT_BGRA,
                                           SWS_BICUBIC | SWS_ACCURATE_RND |
                                               SWS_FULL_CHR_H_INT,
                                           NULL, NULL, NULL);
                uint8_t *out = malloc((size_t)W * H * 4);
                if (!sws || !out || f->width != W || f->height != H) {
                    free(out);
                    ret = AVERROR(EINVAL);
                    goto done;
                }
                if (f->format == AV_PIX_FMT_YUV420P || f->format == AV_PIX_FMT_YUVA420P ||
                    f->format == AV_PIX_FMT_YUV422P10LE || f->format == AV_PIX_FMT_YUVA444P10LE ||
                    f->format == AV_PIX_FMT_YUVA444P12LE) {
                    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
                    sws_setColorspaceDetails(sws, bt709, 0, bt709, 1, 0, 1 << 16,
                                             1 << 16);
                }
                uint8_t *dst[1] = {out};
                int dst_stride[1] = {W * 4};
                sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, H,
                          dst, dst_stride);
                d->frames[d->n] = out;
            }
            d->n++;
            av_frame_unref(f);
        }
        if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
            goto done;
    }
    ret = 0;
    d->duration = st->duration != AV_NOPTS_VALUE
                      ? (double)st->duration * av_q2d(st->time_base)
                      : d->end_of_last;
    if (ic->duration != AV_NOPTS_VALUE && st->duration == AV_NOPTS_VALUE)
        d->duration = (double)ic->duration / AV_TIME_BASE;
done:
    sws_freeContext(sws);
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return ret;
}

static inline int decode_file(const char *path, int cap, Decoded *d)
{
    return decode_file_with(path, NULL, cap, d);
}

/* PSNR over B, G, R of two (H, W*4) BGRA images; 999 when identical. */
static inline double psnr_bgra(const uint8_t *a, const uint8_t *b, int W, int H)
{
    double se = 0;
    for (size_t i = 0; i < (size_t)W * H * 4; i++) {
        if (i % 4 == 3)
            continue;
        double e = (double)a[i] - b[i];
        se += e * e;
    }
    if (se == 0)
        return 999;
    double mse = se / ((double)W * H * 3);
    return 10 * log10(255.0 * 255.0 / mse);
}

#endif
