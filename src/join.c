/* join.c — pieces remuxed into one video (join.h).
 *
 * Read top to bottom: open every piece and read its tag (open_piece), put
 * them in frame order and check they fit (check_pieces: one scene, every
 * frame once, one set of codec parameters), then copy their packets into
 * one muxer (write_joined).  Nothing is decoded: the pieces' own packets,
 * with the pts they were given at their place in the whole, are the
 * output's, so the joined file's timestamps run from 0 without a gap.
 * Each piece was encoded with the same settings and starts with a key
 * frame, and an encoder delays dts by the same number of frames in every
 * piece, so dts stay increasing across the seams. */
#include "join.h"

#include "atomic_file.h"
#include "piece.h"
#include "share.h"
#include "video.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

/* more than any show has stages (one chapter each) */
#define JOIN_MAX_CHAPTERS 1024

typedef struct {
    const char *path;
    AVFormatContext *ic;
    int stream;          /* the video stream's index */
    PieceInfo info;
} Piece;

static int av_fail(LwError *err, int averr, const char *what, const char *path)
{
    return lw_fail(err, LW_ERUNTIME, "%s: %s: %s", path, what, av_err2str(averr));
}

/* Opens one piece and reads its tag. */
static int open_piece(Piece *p, LwError *err)
{
    int averr = avformat_open_input(&p->ic, p->path, NULL, NULL);
    if (averr < 0)
        return lw_fail(err, LW_EINPUT, "%s: cannot read as a video: %s", p->path,
                       av_err2str(averr));
    p->stream = av_find_best_stream(p->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (p->stream < 0)
        return lw_fail(err, LW_EINPUT, "%s: no video stream", p->path);
    const AVDictionaryEntry *tag = av_dict_get(p->ic->metadata, PIECE_TAG_KEY, NULL, 0);
    if (!tag)
        return lw_fail(err, LW_EINPUT, "%s: not a piece (no %s tag; render pieces with "
                       "'layerwarp render SCENE --piece K/N')", p->path, PIECE_TAG_KEY);
    if (piece_tag_parse(tag->value, &p->info) < 0)
        return lw_fail(err, LW_EINPUT, "%s: unreadable %s tag '%s'", p->path, PIECE_TAG_KEY,
                       tag->value);
    return LW_OK;
}

static int by_first_frame(const void *a, const void *b)
{
    const Piece *x = a, *y = b;
    return (x->info.first > y->info.first) - (x->info.first < y->info.first);
}

/* " (piece 2/3?)": the piece of the pieces' split that holds exactly these
 * frames, if one does. */
static void guess_piece(const Piece *near, int first, int last, char *buf, size_t cap)
{
    int n = near->info.n, a, b;
    buf[0] = '\0';
    for (int k = 1; k <= n; k++)
        if (piece_range(k, n, near->info.total, &a, &b, NULL) == LW_OK && a == first &&
            b == last)
            snprintf(buf, cap, " (piece %d/%d?)", k, n);
}

static int missing(const Piece *near, int first, int last, LwError *err)
{
    char guess[48];
    guess_piece(near, first, last, guess, sizeof guess);
    return lw_fail(err, LW_EINPUT, "layerwarp join: frames %d-%d missing%s", first, last, guess);
}

/* The same codec, size, pixel format and extradata (an H.264 avcC, a VP9 or
 * FFV1 configuration) as the first piece. */
static int same_codec(const Piece *p, const Piece *ref, LwError *err)
{
    const AVCodecParameters *a = p->ic->streams[p->stream]->codecpar;
    const AVCodecParameters *b = ref->ic->streams[ref->stream]->codecpar;
    const char *what = NULL;
    if (a->codec_id != b->codec_id) what = "codecs";
    else if (a->width != b->width || a->height != b->height) what = "frame sizes";
    else if (a->format != b->format) what = "pixel formats";
    else if (a->extradata_size != b->extradata_size ||
             (a->extradata_size && memcmp(a->extradata, b->extradata, a->extradata_size)))
        what = "encoder settings (codec extradata)";
    if (what)
        return lw_fail(err, LW_EINPUT, "layerwarp join: %s and %s have different %s; render "
                       "every piece with the same options", ref->path, p->path, what);
    return LW_OK;
}

/* Sorted pieces: one scene, one whole, every frame once, one codec. */
static int check_pieces(Piece *ps, int n, LwError *err)
{
    qsort(ps, n, sizeof *ps, by_first_frame);
    const PieceInfo *ref = &ps[0].info;
    int next = 0; /* the first frame no piece has covered yet */
    for (int i = 0; i < n; i++) {
        const PieceInfo *in = &ps[i].info;
        if (strcmp(in->scene, ref->scene) != 0 || in->total != ref->total ||
            strcmp(in->fps, ref->fps) != 0 || strcmp(in->version, ref->version) != 0)
            return lw_fail(err, LW_EINPUT, "layerwarp join: %s is a piece of another render "
                           "than %s (scene sha256 %.12s, %d frames at %s fps, layerwarp %s; "
                           "not %.12s, %d frames at %s fps, layerwarp %s)", ps[i].path,
                           ps[0].path, in->scene, in->total, in->fps, in->version, ref->scene,
                           ref->total, ref->fps, ref->version);
        if (in->first > next)
            return missing(&ps[i], next, in->first - 1, err);
        if (in->first < next)
            return lw_fail(err, LW_EINPUT, "layerwarp join: frames %d-%d overlap: both in %s "
                           "and %s", in->first, in->last < next - 1 ? in->last : next - 1,
                           ps[i - 1].path, ps[i].path);
        int rc = same_codec(&ps[i], &ps[0], err);
        if (rc) return rc;
        next = in->last + 1;
    }
    if (next < ref->total)
        return missing(&ps[n - 1], next, ref->total - 1, err);
    return LW_OK;
}

/* The joined file says what a one-process render says (share.h): the
 * first piece's layerwarp tags but its piece tag, and the whole video's
 * chapters the pieces carry as a tag.  A negative AVERROR on failure. */
static int carry_what_pieces_say(AVFormatContext *oc, const Piece *first)
{
    const AVDictionaryEntry *e = NULL;
    int averr;
    while ((e = av_dict_get(first->ic->metadata, "layerwarp_", e, AV_DICT_IGNORE_SUFFIX)))
        if (strcmp(e->key, PIECE_TAG_KEY) && strcmp(e->key, SHARE_KEY_CHAPTERS) &&
            (averr = av_dict_set(&oc->metadata, e->key, e->value, 0)) < 0)
            return averr;
    e = av_dict_get(first->ic->metadata, SHARE_KEY_CHAPTERS, NULL, 0);
    VideoChapter c[JOIN_MAX_CHAPTERS];
    int n = e ? share_chapters_parse(e->value, c, JOIN_MAX_CHAPTERS) : 0;
    AVRational frame = av_inv_q(oc->streams[0]->avg_frame_rate);
    if (n <= 0 || frame.num <= 0)
        return 0; /* no chapters: the video is whole without them */
    return video_put_chapters(oc, &frame, c, n, first->info.total);
}

/* The output's muxer and its one stream, a copy of the first piece's. */
static int open_output(AVFormatContext **oc, const Piece *first, const char *out,
                       const char *tmp, LwError *err)
{
    const AVOutputFormat *of = av_guess_format(NULL, out, NULL);
    const AVStream *ist = first->ic->streams[first->stream];
    if (!of)
        return lw_fail(err, LW_EINPUT, "layerwarp join: -o %s: unknown container", out);
    if (avformat_query_codec(of, ist->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1)
        return lw_fail(err, LW_EINPUT, "layerwarp join: -o %s cannot hold the pieces' %s "
                       "video without re-encoding; join into the pieces' own format (%s)",
                       out, avcodec_get_name(ist->codecpar->codec_id),
                       first->ic->iformat->name);
    int averr = avformat_alloc_output_context2(oc, of, NULL, tmp);
    AVStream *ost = averr >= 0 ? avformat_new_stream(*oc, NULL) : NULL;
    if (!ost)
        return av_fail(err, averr < 0 ? averr : AVERROR(ENOMEM), "cannot create muxer", out);
    if ((averr = avcodec_parameters_copy(ost->codecpar, ist->codecpar)) < 0)
        return av_fail(err, averr, "cannot copy stream parameters", out);
    ost->codecpar->codec_tag = 0; /* the muxer picks its own */
    ost->time_base = ist->time_base;
    ost->avg_frame_rate = ist->avg_frame_rate;
    ost->r_frame_rate = ist->r_frame_rate;
    if ((averr = carry_what_pieces_say(*oc, first)) < 0)
        return av_fail(err, averr, "cannot copy the pieces' tags", out);
    if ((averr = avio_open(&(*oc)->pb, tmp, AVIO_FLAG_WRITE)) < 0)
        return av_fail(err, averr, "cannot open", tmp);
    AVDictionary *opts = NULL;
    /* MP4's index first, and free-form keys kept; other containers ignore it */
    av_dict_set(&opts, "movflags", "+faststart+use_metadata_tags", 0);
    averr = avformat_write_header(*oc, &opts);
    av_dict_free(&opts);
    if (averr < 0)
        return av_fail(err, averr, "cannot write header", out);
    return LW_OK;
}

/* One piece's packets into the output, checking that they are the frames
 * its tag names, one packet each, the first a key frame. */
static int copy_packets(const Piece *p, AVFormatContext *oc, AVPacket *pkt,
                        volatile sig_atomic_t *stop, LwError *err)
{
    const AVStream *ist = p->ic->streams[p->stream];
    AVStream *ost = oc->streams[0];
    AVRational frame = av_inv_q(ist->avg_frame_rate.num ? ist->avg_frame_rate
                                                         : ist->r_frame_rate);
    int count = 0, lo = p->info.last + 1, hi = -1, averr;
    while ((averr = av_read_frame(p->ic, pkt)) >= 0) {
        if (stop && *stop) {
            av_packet_unref(pkt);
            return LW_EINTR;
        }
        if (pkt->stream_index != p->stream) {
            av_packet_unref(pkt);
            continue;
        }
        int64_t f = av_rescale_q(pkt->pts, ist->time_base, frame);
        if (count == 0 && !(pkt->flags & AV_PKT_FLAG_KEY)) {
            av_packet_unref(pkt);
            return lw_fail(err, LW_EINPUT, "%s: does not start with a key frame", p->path);
        }
        lo = f < lo ? (int)f : lo;
        hi = f > hi ? (int)f : hi;
        count++;
        av_packet_rescale_ts(pkt, ist->time_base, ost->time_base);
        pkt->stream_index = 0;
        pkt->pos = -1;
        if ((averr = av_interleaved_write_frame(oc, pkt)) < 0) /* takes the packet */
            return av_fail(err, averr, "writing failed", oc->url);
    }
    if (averr != AVERROR_EOF)
        return av_fail(err, averr, "reading failed", p->path);
    if (lo != p->info.first || hi != p->info.last || count != hi - lo + 1)
        return lw_fail(err, LW_EINPUT, "%s: holds %d frames at %d-%d, but its tag says %d-%d "
                       "(a damaged piece?)", p->path, count, lo, hi, p->info.first,
                       p->info.last);
    return LW_OK;
}

static int write_joined(Piece *ps, int n, const char *out, volatile sig_atomic_t *stop,
                        LwError *err)
{
    AtomicFile af = {0};
    AVFormatContext *oc = NULL;
    AVPacket *pkt = av_packet_alloc();
    int rc = pkt ? atomic_create(&af, out, err) : lw_fail(err, LW_ERUNTIME, "out of memory");
    if (!rc) rc = open_output(&oc, &ps[0], out, af.tmp, err);
    for (int i = 0; !rc && i < n; i++) rc = copy_packets(&ps[i], oc, pkt, stop, err);
    int averr;
    if (!rc && (averr = av_write_trailer(oc)) < 0) rc = av_fail(err, averr, "cannot finish", out);
    if (oc && oc->pb && (averr = avio_closep(&oc->pb)) < 0 && !rc)
        rc = av_fail(err, averr, "cannot close", af.tmp);
    if (!rc) rc = atomic_rename(&af, err);
    avformat_free_context(oc);
    av_packet_free(&pkt);
    atomic_abort(&af);
    return rc;
}

int join_pieces(const char *const *paths, int n, const char *out,
                volatile sig_atomic_t *stop, LwError *err)
{
    const char *ext = video_format_name(out, NULL);
    if (!ext)
        return video_format_check(out, err);
    if (strcmp(ext, ".gif") == 0)
        return lw_fail(err, LW_EINPUT, "layerwarp join: -o %s: a GIF's palette is made from "
                       "the whole video, so pieces cannot be copied into one; join them into "
                       ".mkv and render the GIF in one process", out);
    Piece *ps = calloc(n, sizeof *ps);
    if (!ps) return lw_fail(err, LW_ERUNTIME, "out of memory");
    if (av_log_get_level() > AV_LOG_ERROR)
        av_log_set_level(AV_LOG_ERROR);
    int rc = LW_OK;
    for (int i = 0; !rc && i < n; i++) {
        ps[i].path = paths[i];
        rc = open_piece(&ps[i], err);
    }
    if (!rc) rc = check_pieces(ps, n, err);
    if (!rc) rc = write_joined(ps, n, out, stop, err);
    for (int i = 0; i < n; i++) avformat_close_input(&ps[i].ic);
    free(ps);
    return rc;
}
