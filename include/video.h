/* video.h — an output video, shaped like FFmpeg's doc/examples: open, write
 * frames in order, close.  The container and codec follow the file name:
 *   .mp4  H.264 (libx264, yuv420p, BT.709, +faststart)
 *   .webm VP9 (libvpx-vp9, yuv420p)
 *   .mkv  lossless (FFV1)
 *   .gif  GIF with a palette computed for the video (libavfilter
 *         palettegen/paletteuse)
 *   .mov  ProRes 422 HQ (prores_ks, yuv422p10le), for video editors
 * With VideoOptions.alpha (a see-through background) .webm is VP9 with an
 * alpha plane (yuva420p), .mov ProRes 4444 (yuva444p10le), .mkv FFV1 in
 * bgra; .mp4 and .gif refuse.
 * The file is written to a temporary name beside the target and renamed only
 * by video_close() after a complete, successful encode; video_abort() removes
 * the temporary file and leaves any existing target untouched.
 * The path "-" is standard output, written as the frames come (a pipe cannot
 * be atomic): VideoOptions.format names the format there, and an MP4 is
 * fragmented (its index travels with each fragment, as a pipe needs). */
#ifndef VIDEO_H
#define VIDEO_H

#include <signal.h>

#include "lw_common.h"

/* A free-form tag of the container (MP4/MOV metadata keys, Matroska and
 * WebM tags; GIF has no place for one and drops it). */
typedef struct {
    const char *key, *value;   /* value may span lines */
} VideoTag;

/* A chapter: from frame `start` to the next chapter's start (the last one
 * to the end), named `title` (MP4, MKV and WebM; GIF has none). */
typedef struct {
    int start;
    char title[96];
} VideoChapter;

typedef struct {
    int width, height;   /* even */
    double fps;
    int crf;             /* <0: the codec's default chosen by measurement */
    char preset[32];     /* "" = default; .mp4: x264 preset (ultrafast..veryslow),
                            .webm: libvpx deadline (realtime, good, best) */
    int n_frames;        /* expected frame count; when > 0, writing more fails
                            and video_close() fails unless exactly this many */
    char tune[32];       /* .mp4 only: x264 tune; "" = default (none),
                            "none" = no tune, or e.g. "animation" */
    char format[8];      /* "" = from the file name's extension, else "mp4",
                            "webm", "mkv", "gif" or "mov" (needed for "-") */
    const VideoTag *tags;        /* (n_tags) borrowed until video_open returns */
    int n_tags;
    const VideoChapter *chapters; /* (n_chapters) in order of start; borrowed until
                                     video_open returns; needs n_frames > 0 */
    int n_chapters;
    int alpha;           /* 1: the frames' alpha is kept (a see-through
                            background); a format without alpha refuses */
    int first_frame;     /* pts of the first frame written (a piece of a longer
                            video starts at its place in the whole); 0 usually */
    char piece[256];     /* "" or the container tag layerwarp_piece (piece.h):
                            which frames of which scene this file holds */
    volatile sig_atomic_t *stop; /* NULL, or set by a signal handler: video_close's
                                    GIF second pass stops with LW_EINTR */
} VideoOptions;

typedef struct VideoSink VideoSink;

/* Writes chapters c[0..n) into a muxer's header before it is written, in the
 * time base of one frame (*frame = 1/fps), each ending where the next starts
 * and the last at frame n_frames: the one place a render's and a join's
 * chapters are made.  0, or a negative AVERROR. */
struct AVFormatContext;
struct AVRational;
int video_put_chapters(struct AVFormatContext *oc, const struct AVRational *frame,
                       const VideoChapter *c, int n, int64_t n_frames);

/* Returns 0 and *out, or a negative code (LW_EINPUT for an unsupported
 * extension or odd size, LW_ERUNTIME for codec/IO failures). */
int video_open(VideoSink **out, const char *path, const VideoOptions *opt,
               LwError *err);
/* Appends one frame: Cairo ARGB32 pixels (BGRA in memory), premultiplied
 * (opaque unless opt->alpha), `stride` bytes per row.  Frames are numbered in
 * call order; pts = first_frame + index with time base 1/fps. */
int video_write_bgra(VideoSink *v, const uint8_t *bgra, int stride, LwError *err);
/* Colour conversion done ahead, on any thread (the frame renderers'): each
 * VideoFrame owns its converter and buffer, so different VideoFrames may be
 * filled at once while the sink encodes another. */
typedef struct VideoFrame VideoFrame;
int video_frame_new(const VideoSink *v, VideoFrame **out, LwError *err);
/* Converts Cairo ARGB32 pixels into the encoder's format. */
int video_frame_fill(VideoFrame *vf, const uint8_t *bgra, int stride, LwError *err);
/* Appends a filled frame (in call order, like video_write_bgra). */
int video_write_frame(VideoSink *v, VideoFrame *vf, LwError *err);
/* Accepts NULL and *vf == NULL. */
void video_frame_free(VideoFrame **vf);

/* Flushes the encoder, writes the trailer, renames the temporary file onto
 * the target, frees everything and NULLs *v.  On failure removes the
 * temporary file. */
int video_close(VideoSink **v, LwError *err);
/* Gives up: frees everything, removes the temporary file, NULLs *v.
 * Accepts NULL and *v == NULL. */
void video_abort(VideoSink **v);
/* Path of the temporary file being written (for signal-time cleanup). */
const char *video_temp_path(const VideoSink *v);

/* Defaults, chosen by measurement (docs/video.md). */
#define VIDEO_DEFAULT_CRF_MP4 20
#define VIDEO_DEFAULT_PRESET_MP4 "veryfast"
#define VIDEO_DEFAULT_TUNE_MP4 "none"
#define VIDEO_DEFAULT_CRF_WEBM 28

/* 1 if the extension names a supported video format (.mp4 .webm .mkv .gif
 * .mov). */
int video_format_supported(const char *path);
/* LW_OK, or LW_EINPUT "unsupported output format '.xyz' (expected .mp4, ...
 * or a directory)" naming the formats of the table. */
int video_format_check(const char *path, LwError *err);

/* The encoder settings a format uses: the format `format` names ("mp4";
 * NULL or "" for the file name's), 0 for an unknown one. */
enum { VIDEO_TAKES_CRF = 1, VIDEO_TAKES_PRESET = 2 };
unsigned video_format_takes(const char *path, const char *format);
/* Checks opt's preset and crf against the format's words and range, and
 * opt->alpha against the format, as video_open will: LW_EINPUT "PATH:
 * unknown preset 'x' (expected ...)" or "PATH: MP4 cannot keep a
 * transparent background (...)". */
int video_check_settings(const char *path, const VideoOptions *opt, LwError *err);
/* The format's extension (".gif"), for messages; NULL when unknown. */
const char *video_format_name(const char *path, const char *format);
/* The words --preset accepts, per format, for help: "for .mp4 libx264
 * ultrafast, ..., placebo (default veryfast); ...; none for .mkv, .gif". */
const char *video_preset_words(char *buf, size_t cap);

#endif
