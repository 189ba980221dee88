/* video_lib.c — the video half of layerwarp opened on demand (video_lib.h):
 * one table of the functions the binary calls, filled by dlsym, and each
 * function defined here as a call through it.
 *
 * Owns: the library's handle, for the life of the process (never closed:
 * FFmpeg's libraries keep global state). */
#include "video_lib.h"

#include "join.h"
#include "montage.h"
#include "share.h"
#include "video.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LW_LIBDIR
#define LW_LIBDIR "/usr/local/lib/layerwarp"
#endif
#define VIDEO_LIB_NAME "layerwarp-video.so"

/* Every function of the library the binary calls, by its own name. */
static struct {
    int (*video_open)(VideoSink **, const char *, const VideoOptions *, LwError *);
    int (*video_frame_new)(const VideoSink *, VideoFrame **, LwError *);
    int (*video_frame_fill)(VideoFrame *, const uint8_t *, int, LwError *);
    int (*video_write_frame)(VideoSink *, VideoFrame *, LwError *);
    void (*video_frame_free)(VideoFrame **);
    int (*video_close)(VideoSink **, LwError *);
    void (*video_abort)(VideoSink **);
    int (*video_format_check)(const char *, LwError *);
    unsigned (*video_format_takes)(const char *, const char *);
    int (*video_check_settings)(const char *, const VideoOptions *, LwError *);
    const char *(*video_format_name)(const char *, const char *);
    const char *(*video_preset_words)(char *, size_t);
    int (*join_pieces)(const char *const *, int, const char *, volatile sig_atomic_t *,
                       LwError *);
    int (*montage_write)(const MontageSpec *, int *, LwError *);
    int (*share_read_video)(const char *, ShareInfo *, LwError *);
} lib;
static void *handle;

/* The folder the running binary is in, with a trailing '/', or "" when
 * /proc cannot say. */
static void binary_dir(char *dir, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", dir, cap - 1);
    dir[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash) slash[1] = '\0';
    else dir[0] = '\0';
}

/* Beside the binary (a build tree), then where `make install` puts it
 * relative to the binary (so a DESTDIR or a moved prefix works), then at
 * the prefix it was built for. */
static void *open_library(char *tried, size_t cap)
{
    char dir[PATH_MAX];
    binary_dir(dir, sizeof dir);
    const char *places[] = {"", "../lib/layerwarp/"};
    for (int i = 0; dir[0] && i < 2; i++) {
        snprintf(tried, cap, "%s%s" VIDEO_LIB_NAME, dir, places[i]);
        if (access(tried, F_OK) == 0)
            return dlopen(tried, RTLD_NOW | RTLD_LOCAL);
    }
    snprintf(tried, cap, "%s/" VIDEO_LIB_NAME, LW_LIBDIR);
    return dlopen(tried, RTLD_NOW | RTLD_LOCAL);
}

#define RESOLVE(name) (*(void **)&lib.name = dlsym(handle, #name))

int video_lib_load(LwError *err)
{
    if (handle) return LW_OK;
    char tried[PATH_MAX + 32];
    void *h = open_library(tried, sizeof tried);
    if (!h)
        return lw_fail(err, LW_ERUNTIME, "cannot load the video library %s: %s (reinstall "
                       "layerwarp: `make install` puts it there)", tried, dlerror());
    handle = h;
    if (!RESOLVE(video_open) || !RESOLVE(video_frame_new) || !RESOLVE(video_frame_fill) ||
        !RESOLVE(video_write_frame) || !RESOLVE(video_frame_free) || !RESOLVE(video_close) ||
        !RESOLVE(video_abort) || !RESOLVE(video_format_check) ||
        !RESOLVE(video_format_takes) || !RESOLVE(video_check_settings) ||
        !RESOLVE(video_format_name) || !RESOLVE(video_preset_words) ||
        !RESOLVE(join_pieces) || !RESOLVE(montage_write) || !RESOLVE(share_read_video)) {
        lw_fail(err, LW_ERUNTIME, "the video library %s is not this layerwarp's: %s", tried,
                dlerror());
        dlclose(h);
        handle = NULL; /* a half-resolved table is never used */
        return LW_ERUNTIME;
    }
    return LW_OK;
}

/* A call before video_lib_load succeeded is the binary's own bug. */
static void loaded(const char *fn)
{
    if (handle) return;
    fprintf(stderr, "layerwarp: internal error: %s called before the video library was "
            "loaded\n", fn);
    abort();
}

int video_open(VideoSink **out, const char *path, const VideoOptions *opt, LwError *err)
{
    loaded(__func__);
    return lib.video_open(out, path, opt, err);
}

int video_frame_new(const VideoSink *v, VideoFrame **out, LwError *err)
{
    loaded(__func__);
    return lib.video_frame_new(v, out, err);
}

int video_frame_fill(VideoFrame *vf, const uint8_t *bgra, int stride, LwError *err)
{
    loaded(__func__);
    return lib.video_frame_fill(vf, bgra, stride, err);
}

int video_write_frame(VideoSink *v, VideoFrame *vf, LwError *err)
{
    loaded(__func__);
    return lib.video_write_frame(v, vf, err);
}

/* The clean-up calls are made on paths that may never have opened a video:
 * with nothing loaded there is nothing to free. */
void video_frame_free(VideoFrame **vf)
{
    if (handle) lib.video_frame_free(vf);
}

int video_close(VideoSink **v, LwError *err)
{
    loaded(__func__);
    return lib.video_close(v, err);
}

void video_abort(VideoSink **v)
{
    if (handle) lib.video_abort(v);
}

int video_format_check(const char *path, LwError *err)
{
    loaded(__func__);
    return lib.video_format_check(path, err);
}

unsigned video_format_takes(const char *path, const char *format)
{
    loaded(__func__);
    return lib.video_format_takes(path, format);
}

int video_check_settings(const char *path, const VideoOptions *opt, LwError *err)
{
    loaded(__func__);
    return lib.video_check_settings(path, opt, err);
}

const char *video_format_name(const char *path, const char *format)
{
    loaded(__func__);
    return lib.video_format_name(path, format);
}

/* Help text: without the library it says so instead of the presets. */
const char *video_preset_words(char *buf, size_t cap)
{
    LwError err;
    if (video_lib_load(&err) == LW_OK)
        return lib.video_preset_words(buf, cap);
    snprintf(buf, cap, "(%s)", err.msg);
    return buf;
}

int join_pieces(const char *const *paths, int n, const char *out, volatile sig_atomic_t *stop,
                LwError *err)
{
    loaded(__func__);
    return lib.join_pieces(paths, n, out, stop, err);
}

int montage_write(const MontageSpec *m, int *frames, LwError *err)
{
    loaded(__func__);
    return lib.montage_write(m, frames, err);
}

int share_read_video(const char *path, ShareInfo *s, LwError *err)
{
    loaded(__func__);
    return lib.share_read_video(path, s, err);
}
