/* montage.c — the grid video (montage.h).
 *
 * Top to bottom: open every input (open_cell) and check its frame rate,
 * size the grid (layout: bands for the labels measured from their text, cells
 * as large as the inputs, smaller when the whole would pass 1920x1080),
 * draw the labels once on the canvas, then per output frame decode the next
 * frame of every input still going straight into its cell's pixels
 * (libswscale scales and converts), paint the cells and hand the canvas to
 * the video sink. */
#include "montage.h"

#include "video.h"

#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#define MAX_W 1920   /* the grid of cells shrinks to fit a 1080p frame */
#define MAX_H 1080
#define GAP 6        /* pixels between cells */
#define FONT "DejaVu Sans"

typedef struct {
    const char *path;
    AVFormatContext *ic;
    AVCodecContext *dec;
    int stream;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    cairo_surface_t *pixels;  /* the cell: its latest frame, scaled */
    int done;                 /* no more frames: the cell holds its last */
    int flushing;             /* the demuxer is done, the decoder is draining */
} Cell;

typedef struct {
    int cw, ch;               /* a cell */
    int left, top;            /* the label bands */
    int width, height;        /* the whole frame (even) */
    double font;
} Layout;

static int av_fail(LwError *err, int averr, const char *what, const char *path)
{
    return lw_fail(err, LW_ERUNTIME, "%s: %s: %s", path, what, av_err2str(averr));
}

static int open_cell(Cell *c, LwError *err)
{
    int averr = avformat_open_input(&c->ic, c->path, NULL, NULL);
    if (averr < 0)
        return lw_fail(err, LW_EINPUT, "%s: cannot read as a video: %s", c->path,
                       av_err2str(averr));
    if ((averr = avformat_find_stream_info(c->ic, NULL)) < 0)
        return lw_fail(err, LW_EINPUT, "%s: cannot read as a video: %s", c->path,
                       av_err2str(averr));
    c->stream = av_find_best_stream(c->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (c->stream < 0)
        return lw_fail(err, LW_EINPUT, "%s: no video stream", c->path);
    const AVCodecParameters *par = c->ic->streams[c->stream]->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec)
        return lw_fail(err, LW_EINPUT, "%s: no decoder for %s", c->path,
                       avcodec_get_name(par->codec_id));
    c->dec = avcodec_alloc_context3(codec);
    c->frame = av_frame_alloc();
    c->pkt = av_packet_alloc();
    if (!c->dec || !c->frame || !c->pkt) return lw_fail(err, LW_ERUNTIME, "out of memory");
    c->dec->thread_count = 1; /* many decoders at once already */
    if ((averr = avcodec_parameters_to_context(c->dec, par)) < 0 ||
        (averr = avcodec_open2(c->dec, codec, NULL)) < 0)
        return av_fail(err, averr, "cannot open decoder", c->path);
    return LW_OK;
}

static AVRational rate_of(const Cell *c)
{
    const AVStream *st = c->ic->streams[c->stream];
    return st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
}

static void free_cell(Cell *c)
{
    avcodec_free_context(&c->dec);
    avformat_close_input(&c->ic);
    av_frame_free(&c->frame);
    av_packet_free(&c->pkt);
    sws_freeContext(c->sws);
    if (c->pixels) cairo_surface_destroy(c->pixels);
}

static int even(double x)
{
    int v = (int)lround(x);
    return v < 2 ? 2 : v + (v & 1);
}

static double widest(cairo_t *cr, const char *const *labels, int n)
{
    double w = 0;
    for (int i = 0; i < n; i++) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, labels[i], &e);
        w = fmax(w, e.x_advance);
    }
    return w;
}

/* Label bands from the labels' text at a size that suits cells of height
 * ch, then cells as large as the first input, smaller when the whole would
 * pass MAX_W x MAX_H. */
static void layout(const MontageSpec *m, const Cell *first, Layout *l)
{
    int w = first->dec->width, h = first->dec->height;
    double s = fmin(1.0, fmin((double)MAX_W / (m->cols * w), (double)MAX_H / (m->rows * h)));
    l->font = fmax(16.0, h * s / 15.0);
    cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(probe);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, l->font);
    double rows_w = widest(cr, m->row_labels, m->n_row_labels);
    cairo_destroy(cr);
    cairo_surface_destroy(probe);
    l->left = m->n_row_labels ? (int)ceil(rows_w + l->font) : 0;
    l->top = m->n_col_labels ? (int)ceil(l->font * 2.0) : 0;
    double room_w = MAX_W - l->left - (m->cols + 1) * GAP;
    double room_h = MAX_H - l->top - (m->rows + 1) * GAP;
    s = fmin(1.0, fmin(room_w / (m->cols * w), room_h / (m->rows * h)));
    l->cw = even(w * s);
    l->ch = even(h * s);
    l->width = even(l->left + m->cols * l->cw + (m->cols + 1) * GAP);
    l->height = even(l->top + m->rows * l->ch + (m->rows + 1) * GAP);
}

static double cell_x(const Layout *l, int col) { return l->left + GAP + col * (l->cw + GAP); }
static double cell_y(const Layout *l, int row) { return l->top + GAP + row * (l->ch + GAP); }

/* The background and the labels: drawn once, the cells paint over the rest.
 * The gaps between cells are grey, so white frames keep their edges. */
static void draw_labels(cairo_t *cr, const MontageSpec *m, const Layout *l)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.72, 0.72, 0.72);
    cairo_rectangle(cr, l->left, l->top, m->cols * (l->cw + GAP) + GAP,
                    m->rows * (l->ch + GAP) + GAP);
    cairo_fill(cr);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, l->font);
    cairo_set_source_rgb(cr, 0.13, 0.13, 0.13);
    for (int c = 0; c < m->n_col_labels && c < m->cols; c++) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, m->col_labels[c], &e);
        cairo_move_to(cr, cell_x(l, c) + (l->cw - e.x_advance) / 2, l->top * 0.68);
        cairo_show_text(cr, m->col_labels[c]);
    }
    for (int r = 0; r < m->n_row_labels && r < m->rows; r++) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, m->row_labels[r], &e);
        cairo_move_to(cr, (l->left - e.x_advance) / 2, cell_y(l, r) + l->ch / 2.0 + l->font * 0.35);
        cairo_show_text(cr, m->row_labels[r]);
    }
}

/* The scaler from the decoder's frames into the cell: YUV read as BT.709
 * limited range, as render writes it. */
static int make_scaler(Cell *c, const Layout *l, const AVFrame *f, LwError *err)
{
    c->sws = sws_getContext(f->width, f->height, f->format, l->cw, l->ch, AV_PIX_FMT_BGRA,
                            SWS_BICUBIC, NULL, NULL, NULL);
    if (!c->sws) return lw_fail(err, LW_ERUNTIME, "%s: cannot create scaler", c->path);
    const int *bt709 = sws_getCoefficients(SWS_CS_ITU709);
    int full = f->color_range == AVCOL_RANGE_JPEG;
    sws_setColorspaceDetails(c->sws, bt709, full, bt709, 1, 0, 1 << 16, 1 << 16);
    return LW_OK;
}

/* The cell's next frame into its pixels; at the end sets done and keeps the
 * last one. */
static int next_frame(Cell *c, const Layout *l, LwError *err)
{
    for (;;) {
        int averr = avcodec_receive_frame(c->dec, c->frame);
        if (averr >= 0) {
            int rc = c->sws ? LW_OK : make_scaler(c, l, c->frame, err);
            if (rc) return rc;
            cairo_surface_flush(c->pixels);
            uint8_t *dst[1] = {cairo_image_surface_get_data(c->pixels)};
            int stride[1] = {cairo_image_surface_get_stride(c->pixels)};
            sws_scale(c->sws, (const uint8_t *const *)c->frame->data, c->frame->linesize, 0,
                      c->frame->height, dst, stride);
            cairo_surface_mark_dirty(c->pixels);
            av_frame_unref(c->frame);
            return LW_OK;
        }
        if (averr == AVERROR_EOF) {
            c->done = 1;
            return LW_OK;
        }
        if (averr != AVERROR(EAGAIN)) return av_fail(err, averr, "decoding failed", c->path);
        if (c->flushing) { /* the decoder wants input there is no more of */
            c->done = 1;
            return LW_OK;
        }
        averr = av_read_frame(c->ic, c->pkt);
        if (averr == AVERROR_EOF) {
            c->flushing = 1;
            averr = avcodec_send_packet(c->dec, NULL);
        } else if (averr >= 0) {
            averr = c->pkt->stream_index == c->stream ? avcodec_send_packet(c->dec, c->pkt) : 0;
            av_packet_unref(c->pkt);
        }
        if (averr < 0) return av_fail(err, averr, "reading failed", c->path);
    }
}

/* Ensures the cell's pixels exist; opaque white until its first frame. */
static int cell_surface(Cell *c, const Layout *l, LwError *err)
{
    c->pixels = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, l->cw, l->ch);
    if (cairo_surface_status(c->pixels) != CAIRO_STATUS_SUCCESS)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a %dx%d cell", l->cw, l->ch);
    cairo_t *cr = cairo_create(c->pixels);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_destroy(cr);
    return LW_OK;
}

static int check_spec(const MontageSpec *m, const Cell *cells, LwError *err)
{
    if (m->n_inputs > m->rows * m->cols)
        return lw_fail(err, LW_EINPUT, "layerwarp montage: %d videos do not fit a %dx%d grid",
                       m->n_inputs, m->rows, m->cols);
    if (m->n_row_labels && m->n_row_labels != m->rows)
        return lw_fail(err, LW_EINPUT, "layerwarp montage: %d --row labels for %d rows",
                       m->n_row_labels, m->rows);
    if (m->n_col_labels && m->n_col_labels != m->cols)
        return lw_fail(err, LW_EINPUT, "layerwarp montage: %d --col labels for %d columns",
                       m->n_col_labels, m->cols);
    AVRational r0 = rate_of(&cells[0]);
    for (int i = 1; i < m->n_inputs; i++)
        if (av_cmp_q(rate_of(&cells[i]), r0) != 0)
            return lw_fail(err, LW_EINPUT, "layerwarp montage: %s runs at %g fps, %s at %g; "
                           "render them at one rate (--fps)", cells[i].path,
                           av_q2d(rate_of(&cells[i])), cells[0].path, av_q2d(r0));
    return LW_OK;
}

/* Decodes, composes and encodes until every input has ended. */
static int run_grid(const MontageSpec *m, Cell *cells, const Layout *l, VideoSink *v,
                    int *frames, LwError *err)
{
    cairo_surface_t *canvas = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, l->width,
                                                         l->height);
    cairo_t *cr = cairo_create(canvas);
    int rc = cairo_status(cr) ? lw_fail(err, LW_ERUNTIME, "out of memory") : LW_OK;
    if (!rc) draw_labels(cr, m, l);
    *frames = 0;
    for (;;) {
        int going = 0;
        for (int i = 0; !rc && i < m->n_inputs; i++) {
            if (!cells[i].done) rc = next_frame(&cells[i], l, err);
            going |= !cells[i].done;
        }
        if (rc || !going) break;
        if (m->stop && *m->stop) {
            rc = LW_EINTR;
            break;
        }
        for (int i = 0; i < m->n_inputs; i++) {
            cairo_set_source_surface(cr, cells[i].pixels, cell_x(l, i % m->cols),
                                     cell_y(l, i / m->cols));
            cairo_paint(cr);
        }
        cairo_surface_flush(canvas);
        rc = video_write_bgra(v, cairo_image_surface_get_data(canvas),
                              cairo_image_surface_get_stride(canvas), err);
        if (!rc) ++*frames;
    }
    cairo_destroy(cr);
    cairo_surface_destroy(canvas);
    if (!rc && *frames == 0) rc = lw_fail(err, LW_EINPUT, "layerwarp montage: no frames");
    return rc;
}

int montage_write(const MontageSpec *m, int *frames, LwError *err)
{
    int rc = video_format_check(m->output, err);
    if (rc) return rc;
    Cell *cells = calloc(m->n_inputs, sizeof *cells);
    if (!cells) return lw_fail(err, LW_ERUNTIME, "out of memory");
    if (av_log_get_level() > AV_LOG_ERROR)
        av_log_set_level(AV_LOG_ERROR);
    for (int i = 0; !rc && i < m->n_inputs; i++) {
        cells[i].path = m->inputs[i];
        rc = open_cell(&cells[i], err);
    }
    if (!rc) rc = check_spec(m, cells, err);
    Layout l = {0};
    if (!rc) layout(m, &cells[0], &l);
    for (int i = 0; !rc && i < m->n_inputs; i++) rc = cell_surface(&cells[i], &l, err);
    VideoSink *v = NULL;
    if (!rc) {
        VideoOptions vo = {.width = l.width, .height = l.height,
                           .fps = av_q2d(rate_of(&cells[0])), .crf = -1};
        rc = video_open(&v, m->output, &vo, err);
    }
    if (!rc) rc = run_grid(m, cells, &l, v, frames, err);
    if (!rc) rc = video_close(&v, err);
    video_abort(&v);
    for (int i = 0; i < m->n_inputs; i++) free_cell(&cells[i]);
    free(cells);
    return rc;
}
