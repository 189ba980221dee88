/* share.h — what an output says about itself, so that a video or a PNG
 * alone is enough to render it again: the scene's text (with the command
 * line's --set, --size, -ql ... written into it), the version, the command
 * line and the files the scene still reads; and the chapters of a video,
 * one per stage, named like the captions ("layer 2 · + b").
 *
 * Where it goes: MP4 metadata keys (movflags use_metadata_tags), Matroska
 * and WebM tags, PNG iTXt chunks, all under the SHARE_KEY_* names (a PNG
 * without the command line, so that a frame's file is the same bytes
 * whichever command and -j wrote it); GIF has no place for them.  `layerwarp scene FILE` reads them back (libavformat
 * for a video, libpng for a PNG) and prints the scene.  docs/sharing.md. */
#ifndef SHARE_H
#define SHARE_H

#include <stdio.h>

#include "lw_common.h"
#include "render.h"
#include "scene.h"
#include "video.h"

#define SHARE_KEY_SCENE "layerwarp_scene"
#define SHARE_KEY_VERSION "layerwarp_version"
#define SHARE_KEY_COMMAND "layerwarp_command"
#define SHARE_KEY_NEEDS "layerwarp_needs"
/* a piece's (render --piece): the whole video's chapters, which join gives
 * the joined file, one per line: "FRAME TITLE" */
#define SHARE_KEY_CHAPTERS "layerwarp_chapters"

typedef struct {
    char *scene;    /* the scene text, overrides written in; owned */
    char *command;  /* "layerwarp render moons.scene -ql", words shell-quoted; owned */
    char *needs;    /* the files it reads, one line each ("" for none); owned */
    char *version;  /* "0.1.0"; owned */
} ShareInfo;

/* What a render of `sc` (loaded with the n_sets overrides `sets`, from the
 * command line argv[0..argc-1], argv[0] the command's name) embeds.  On
 * failure *s is left freeable.  LW_ERUNTIME when out of memory. */
int share_info_make(ShareInfo *s, const Scene *sc, const char *const *sets, int n_sets,
                    int argc, char *const *argv, LwError *err);
void share_info_free(ShareInfo *s);

/* The scene text with each "section.key=value" override written in, in
 * order: the key's line in its section rewritten (its inline comment
 * dropped), or, when the text does not set it, "[section]\nkey = value"
 * appended (a section may appear twice; a key only once).  The overrides
 * must be ones the scene accepted.  *out owned by the caller. */
int share_apply_sets(const char *text, const char *const *sets, int n_sets, char **out,
                     LwError *err);

/* The tags of the container, pointing into s (valid while s is): fills
 * tags[0..3] and returns 4. */
int share_video_tags(const ShareInfo *s, VideoTag tags[4]);

/* One chapter per stage of the show, starting at the stage's first moving
 * frame, and before them an "input" chapter over the opening hold when
 * there is one.  *out owned by the caller (free). */
int share_chapters(const Renderer *r, VideoChapter **out, int *n, LwError *err);

/* The chapters as SHARE_KEY_CHAPTERS's text (owned by the caller), or NULL
 * when out of memory; and read back, at most `cap` of them (titles cut to
 * fit), into out: the number read, or -1 when the text is not such a list
 * (a start not a frame number, or starts out of order). */
char *share_chapters_text(const VideoChapter *c, int n);
int share_chapters_parse(const char *text, VideoChapter *out, int cap);

/* Reads what a file rendered by layerwarp embeds: a PNG (libpng) or a
 * video (libavformat).  LW_EINPUT "path: reason" for a file that cannot be
 * read or carries no scene. */
int share_read(const char *path, ShareInfo *s, LwError *err);
/* The same from a video (share_video.c, in the video library): the tags
 * found, NULL for those missing; LW_EINPUT for a file libavformat cannot
 * open. */
int share_read_video(const char *path, ShareInfo *s, LwError *err);

/* The scene as `layerwarp scene` prints it: unless bare, a comment header
 * (version, command line, files it reads), then the text. */
int share_print(FILE *f, const ShareInfo *s, int bare);

#endif
