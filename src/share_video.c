/* share_video.c — what a video rendered by layerwarp embeds, read back
 * (share.h): libavformat's demuxers give the container's tags, the same
 * keys in every format (MKV's in upper case, which av_dict_get matches
 * without case).  Part of the video library (video_lib.h).
 *
 * Owns: nothing past a call; the strings go to the ShareInfo. */
#include "share.h"

#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

static char *tag_copy(const AVFormatContext *ic, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(ic->metadata, key, NULL, 0);
    return e ? strdup(e->value) : NULL;
}

int share_read_video(const char *path, ShareInfo *s, LwError *err)
{
    int av_level = av_log_get_level();
    if (av_level > AV_LOG_QUIET) /* the message below says what failed */
        av_log_set_level(AV_LOG_QUIET);
    AVFormatContext *ic = NULL;
    int averr = avformat_open_input(&ic, path, NULL, NULL);
    av_log_set_level(av_level);
    if (averr < 0)
        return lw_fail(err, LW_EINPUT, "%s: not a PNG or a video: %s", path,
                       av_err2str(averr));
    s->scene = tag_copy(ic, SHARE_KEY_SCENE);
    s->version = tag_copy(ic, SHARE_KEY_VERSION);
    s->command = tag_copy(ic, SHARE_KEY_COMMAND);
    s->needs = tag_copy(ic, SHARE_KEY_NEEDS);
    avformat_close_input(&ic);
    return LW_OK;
}
